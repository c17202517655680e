/**
 * A proposal, as a company member makes one: the secretariat freezes a revision of EWTP-TAR-001 and
 * registers the member (through the API); the member proposes an amendment based on that revision,
 * edits its text in the editor, sees the redline, and submits it. Runs after setup-and-roles.spec.ts
 * (which creates the admin); on a fresh portal it sets the admin up itself.
 */
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { ADMIN, signInOn } from "./support";

const suffix = Date.now().toString(36);
const MEMBER = { name: "Wang Fang", email: `wang.fang.${suffix}@tmall.example`, password: "a long and private passphrase" };
const TITLE = "Name the marketplace as the VAT collector";
const ADDED = "Marketplaces that facilitate the sale collect it as the deemed supplier.";

async function shot(page: Page, name: string, fullPage = true) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage });
}

/** Both widths the pages must work at (the editor, pages long: the first screen only). */
async function shots(page: Page, name: string, fullPage = true) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await shot(page, `${name}-1280`, fullPage);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, `${name}-390`, fullPage);
  await page.setViewportSize({ width: 1280, height: 900 });
}

let proposalPath = "";

const signIn = (page: Page, who: { email: string; password: string }) => signInOn(page, who.email, who.password);

/** State-changing API calls from the signed-in page, as the portal's own pages would make them. */
function api(request: APIRequestContext) {
  const headers = { "sec-fetch-site": "same-origin" };
  return {
    post: (path: string, data?: unknown) => request.post(`/api/v1${path}`, { headers, data }),
    put: (path: string, data?: unknown) => request.put(`/api/v1${path}`, { headers, data }),
    get: (path: string) => request.get(`/api/v1${path}`),
  };
}

test.describe.configure({ mode: "serial" });

test("a company member proposes an amendment to EWTP-TAR-001, edits its text, sees the redline and submits it", async ({ browser }) => {
  // The secretariat: set up if this portal is fresh, freeze a revision, register the member.
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await admin.goto("/");
  if (admin.url().endsWith("/setup")) {
    await admin.getByLabel("Your name").fill(ADMIN.name);
    await admin.getByLabel("Your email").fill(ADMIN.email);
    await admin.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await admin.getByLabel("Repeat the password").fill(ADMIN.password);
    await admin.getByRole("button", { name: "Create the administrator" }).click();
    await expect(admin).toHaveURL(/\/admin/);
  } else {
    await signIn(admin, ADMIN);
  }
  const asAdmin = api(admin.request);
  const frozen = await asAdmin.post("/standards/EWTP-TAR-001/revisions");
  // 409: the draft is unchanged since the last revision, which is then the one to amend.
  expect([201, 409], await frozen.text()).toContain(frozen.status());
  const org = await asAdmin.post("/orgs", { name: `Tmall Global ${suffix}`, kind: "company", country: "CN" });
  expect(org.status(), await org.text()).toBe(201);
  const user = await asAdmin.post("/users", {
    email: MEMBER.email,
    name: MEMBER.name,
    orgId: (await org.json()).org.id,
    role: "member",
    committees: ["TAR"],
    password: MEMBER.password,
  });
  expect(user.status(), await user.text()).toBe(201);
  await adminContext.close();

  // The member proposes an amendment.
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn(page, MEMBER);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Proposals" }).click();
  await expect(page.getByRole("heading", { name: "Proposals", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "New proposal" }).click();
  await expect(page.getByRole("heading", { name: "New proposal" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  await expect(page.getByLabel("An amendment to a standard")).toBeChecked();
  await page.getByLabel("Standard", { exact: true }).selectOption("EWTP-TAR-001");
  await expect(page.getByLabel("Based on revision")).toContainText(/The latest \(\d{2}\)/);
  await page.getByLabel("Title").fill(TITLE);
  await page.getByLabel("Rationale").fill("Most parcels are sold through marketplaces; the text should say who collects the VAT when a marketplace facilitates the sale.");
  await shots(page, "proposal-new");
  await page.getByRole("button", { name: "Create the proposal" }).click();

  await expect(page).toHaveURL(/\/proposals\/P-TAR-\d{4}$/);
  await expect(page.getByRole("heading", { name: TITLE })).toBeVisible();
  const lifecycle = page.getByRole("list", { name: "Where the proposal stands" });
  await expect(lifecycle.locator('[aria-current="step"]')).toContainText("Draft");
  await expect(page.getByText("The text is the same.")).toBeVisible();
  const proposalUrl = page.url();
  proposalPath = new URL(proposalUrl).pathname;

  // Edit the text in the live editor.
  await page.getByRole("link", { name: "Edit the text" }).click();
  await expect(page).toHaveURL(/\/edit$/);
  await expect(page.getByRole("toolbar", { name: "Formatting" })).toBeVisible();
  const paragraph = page.locator('[contenteditable="true"] p').filter({ hasText: "Cross-border sellers, online marketplaces" }).first();
  await paragraph.click();
  await page.keyboard.press("End");
  await page.keyboard.type(` ${ADDED}`);
  // The text is live: no save button; the status says when the server has every change.
  await expect(page.getByRole("status").filter({ hasText: "Connected · all changes saved" })).toBeVisible();
  await shots(page, "proposal-editor", false);

  // The redline shows the insertion, marked up as an insertion.
  await page.getByRole("main").getByRole("link", { name: "Back to the proposal" }).first().click();
  await expect(page).toHaveURL(proposalUrl);
  const inserted = page.locator(".redline ins").filter({ hasText: "deemed supplier" });
  await expect(inserted).toBeVisible();
  await expect(page.getByRole("heading", { name: /Changes against revision \d{2}/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: "1 change in the text" })).toBeVisible();
  await shots(page, "proposal-draft");

  // Submit it: the text is frozen, and the redline stays.
  await page.getByRole("button", { name: "Submit for ballot" }).click();
  await expect(page.getByText("The proposal is submitted.")).toBeVisible();
  await expect(lifecycle.locator('[aria-current="step"]')).toContainText("Submitted");
  await expect(page.getByRole("link", { name: "Edit the text" })).toHaveCount(0);
  await expect(inserted).toBeVisible();
  await expect(page.getByText(/Submitted text SHA-256/)).toBeVisible();
  await shots(page, "proposal-submitted");

  // It is listed, and the standard's page points to it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Proposals" }).click();
  await expect(page.getByRole("link", { name: TITLE })).toBeVisible();
  await shots(page, "proposal-list");
  await page.goto("/standards/EWTP-TAR-001");
  const section = page.getByRole("region", { name: "Proposals" });
  await expect(section.getByRole("link", { name: TITLE })).toBeVisible();
  await section.screenshot({ path: "test-results/screens/proposal-standard-section.png" });
  await context.close();
});

test("after a ballot approves it, the secretariat applies it; where the standard moved in the same place, it settles the conflict on the page", async ({ browser }) => {
  expect(proposalPath).toMatch(/^\/proposals\/P-TAR-\d{4}$/);
  const proposalId = proposalPath.split("/").pop()!;
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await admin.setViewportSize({ width: 1280, height: 900 });
  await signIn(admin, ADMIN);
  const asAdmin = api(admin.request);

  // A ballot among the committee's company members; the member approves; the secretariat closes it.
  const closesAt = new Date(Date.now() + 3600_000).toISOString();
  const ballot = await asAdmin.post("/ballots", { subject: { proposalId }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["member"], committees: ["TAR"] }, closesAt });
  expect(ballot.status(), await ballot.text()).toBe(201);
  const ballotId = (await ballot.json()).ballot.id;
  const memberContext = await browser.newContext();
  const member = await memberContext.newPage();
  await signIn(member, MEMBER);
  const vote = await api(member.request).put(`/ballots/${ballotId}/vote`, { position: "approve" });
  expect(vote.status(), await vote.text()).toBe(200);
  await memberContext.close();
  const closed = await asAdmin.post(`/ballots/${ballotId}/close`);
  expect(closed.status(), await closed.text()).toBe(200);

  // Meanwhile the standard's draft changed the same paragraph.
  const draft = await (await asAdmin.get("/standards/EWTP-TAR-001/draft")).json();
  const moved = draft.markdown.replace("Cross-border sellers, online marketplaces", "Cross-border sellers, online marketplaces and their payment providers");
  expect(moved).not.toBe(draft.markdown);
  expect((await asAdmin.put("/standards/EWTP-TAR-001/draft", { markdown: moved })).status()).toBe(200);

  await admin.goto(proposalPath);
  await expect(admin.getByRole("list", { name: "Where the proposal stands" }).locator('[aria-current="step"]')).toContainText("Approved");
  await admin.getByRole("button", { name: "Apply to the standard" }).click();
  await expect(admin.getByRole("heading", { name: "One place needs a decision" })).toBeVisible();
  const place = admin.getByRole("group", { name: "Place 1" });
  await expect(place.getByText("and their payment providers")).toBeVisible();
  await expect(place.getByText("deemed supplier").first()).toBeVisible();
  await shots(admin, "proposal-conflicts");

  // Write the text that keeps both changes.
  await place.getByLabel("Write the text").check();
  const combined = (await place.getByLabel("Your text for place 1 (standard Markdown)").inputValue()).replace("Cross-border sellers, online marketplaces", "Cross-border sellers, online marketplaces and their payment providers");
  await place.getByLabel("Your text for place 1 (standard Markdown)").fill(combined);
  await admin.getByRole("button", { name: "Apply with these choices" }).click();
  await expect(admin.getByText(/Applied: revision \d{2} of EWTP-TAR-001 now holds the proposal\./)).toBeVisible();
  await expect(admin.getByRole("list", { name: "Where the proposal stands" }).locator('[aria-current="step"]')).toContainText("Applied");
  await shots(admin, "proposal-applied");
  const after = await (await asAdmin.get("/standards/EWTP-TAR-001/draft")).json();
  expect(after.markdown).toContain("and their payment providers");
  expect(after.markdown).toContain("deemed supplier");
  await adminContext.close();
});
