/**
 * Keyboard only: an expert signs in, selects a passage of a live draft with Shift+arrows, opens the
 * comment form with its shortcut, posts the comment, and casts a vote in an open ballot, with
 * nothing but `page.keyboard` (Tab, Enter, Space, arrows) after each page is opened; every stop on
 * the way shows a visible focus ring. Someone else opening the draft is announced politely. Alone or after the other specs: it makes its own standard,
 * committee, expert and ballot through the API.
 */
import { randomBytes } from "node:crypto";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, adminApi } from "./support";

const PASSWORD = "a long and private passphrase";
const RUN = randomBytes(3).toString("hex");
const COMMITTEE = `K${Array.from(randomBytes(3), (b) => String.fromCharCode(65 + (b % 26))).join("")}`;
const EXPERT = { email: `keyboard.${RUN}@experts.example`, name: "Dr. Keya Lindqvist" };
const SCOPE = "Parcels declared under the simplified procedure are released within four hours of arrival at the border office.";

test.describe.configure({ mode: "serial" });

/** What has the focus: a short description, and whether it shows a focus indicator (outline or ring). */
async function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { what: "body", visible: false, name: "", toolbar: false, editor: false };
    const style = getComputedStyle(el);
    const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || (style.boxShadow !== "none" && style.boxShadow !== "");
    const name = el.getAttribute("aria-label") || (el as HTMLInputElement).labels?.[0]?.textContent || el.textContent || "";
    return {
      what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.getAttribute("name") ? `[name=${el.getAttribute("name")}]` : ""}`,
      visible: ring,
      name: name.trim().slice(0, 60),
      toolbar: el.closest("[role=toolbar]") !== null,
      editor: el.classList.contains("editor-content"),
    };
  });
}

/**
 * Presses Tab until `matches` holds for the focused element (at most `max` times), checking on the
 * way that every stop shows its focus.
 */
async function tabTo(page: Page, matches: (f: { what: string; name: string; toolbar: boolean; editor: boolean }) => boolean, max = 80) {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const f = await focused(page);
    seen.push(`${f.what} "${f.name}"`);
    expect(f.visible, `no visible focus on ${f.what} "${f.name}"`).toBe(true);
    if (matches(f)) return;
  }
  throw new Error(`Tab never reached the element; stops were:\n${seen.join("\n")}`);
}

let standardId = "";
let ballotUrl = "";

test.beforeAll(async ({ browser }) => {
  const { api, close } = await adminApi(browser, `e2e keyboard ${RUN}`);
  await api("POST", "/committees", { code: COMMITTEE, name: `Keyboard test ${RUN}` });
  const org = await api("POST", "/orgs", { name: `Keyboard Experts ${RUN}`, kind: "expert", country: "SE" });
  await api("POST", "/users", { email: EXPERT.email, name: EXPERT.name, orgId: org.org.id, role: "expert", committees: [COMMITTEE], password: PASSWORD });
  const standard = await api("POST", "/standards", { committee: COMMITTEE, title: "Simplified release of low-value parcels", scope: SCOPE });
  standardId = standard.standard.id;
  const frozen = await api("POST", `/standards/${standardId}/revisions`);
  const ballot = await api("POST", "/ballots", {
    subject: { standardId, revision: frozen.revision.number },
    rule: "simple-majority",
    voterUnit: "individual",
    eligible: { roles: ["expert"], committees: [COMMITTEE] },
    closesAt: new Date(Date.now() + 3600_000).toISOString(),
    resultsVisible: "live",
  });
  ballotUrl = `/ballots/${ballot.ballot.id}`;
  await close();
});

test("an expert signs in, comments on a passage and votes with the keyboard alone", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  // Sign in: the skip link first, then the form's fields in order, Enter submits.
  await page.goto("/login");
  await page.keyboard.press("Tab");
  expect((await focused(page)).name).toBe("Skip to content");
  await page.keyboard.press("Enter");
  await tabTo(page, (f) => f.what.includes("[name=email]"));
  await page.keyboard.type(EXPERT.email);
  await page.keyboard.press("Tab");
  expect((await focused(page)).what).toContain("[name=password]");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // The live draft: Tab into the text, to its end, select the last words with Shift+arrows.
  await page.goto(`/standards/${standardId}/edit`);
  await expect(page.getByRole("status").filter({ hasText: /^Connected/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator(".editor-content")).toContainText(SCOPE);
  // Someone joining and leaving is said politely to screen readers (a live region outside the list).
  const other = await browser.newContext();
  const secretariat = await other.newPage();
  await secretariat.goto("/login");
  await secretariat.getByLabel("Email").fill(ADMIN.email);
  await secretariat.getByLabel("Password").fill(ADMIN.password);
  await secretariat.getByRole("button", { name: "Sign in" }).click();
  await expect(secretariat).not.toHaveURL(/\/login/);
  await secretariat.goto(`/standards/${standardId}/edit`);
  const announcement = page.getByTestId("presence-announcement");
  await expect(announcement).toHaveAttribute("aria-live", "polite");
  await expect(announcement).toHaveText(`${ADMIN.name} joined the document.`, { timeout: 30_000 });
  await other.close();
  await expect(announcement).toHaveText(`${ADMIN.name} left the document.`, { timeout: 60_000 });
  // The toolbar is one tab stop: Tab goes from its first button straight past it.
  await tabTo(page, (f) => f.toolbar);
  await page.keyboard.press("ArrowRight");
  const second = await focused(page);
  expect(second.toolbar).toBe(true);
  expect(second.visible).toBe(true);
  await page.keyboard.press("Tab");
  expect((await focused(page)).toolbar).toBe(false);
  await page.keyboard.press("Shift+Tab");
  expect((await focused(page)).name).toBe(second.name); // back to the button last used
  await tabTo(page, (f) => f.editor);
  await page.keyboard.press("Control+End");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Control+Shift+ArrowLeft");
  const selected = (await page.evaluate(() => window.getSelection()?.toString() ?? "")).trim();
  expect(selected.length).toBeGreaterThan(5);
  expect(SCOPE.endsWith(selected)).toBe(true);

  // Its shortcut opens the form with the passage quoted, the focus in the comment's text.
  await page.keyboard.press("Control+Alt+m");
  const sidebar = page.getByRole("region", { name: "Comments" });
  const form = sidebar.getByRole("form", { name: "Comment on the selection" });
  await expect(form.locator("blockquote")).toHaveText(selected);
  expect((await focused(page)).what).toContain("textarea#comment-body");
  await page.keyboard.type("Four hours is not achievable at every border office; allow a day at offices without a customs laboratory.");
  await tabTo(page, (f) => f.name === "Post comment", 5);
  await page.keyboard.press("Enter");
  const card = sidebar.locator(".comment-card").filter({ hasText: "Four hours is not achievable" });
  await expect(card).toBeVisible();
  await expect(card.locator("blockquote")).toHaveText(selected);

  // The ballot: Tab to the choices, Space chooses, arrows move the choice, Tab to the button, Enter.
  await page.goto(ballotUrl);
  await tabTo(page, (f) => f.what.startsWith("input[name=position]"));
  await page.keyboard.press("Space");
  await expect(page.getByRole("radio", { name: "Approve", exact: true })).toBeChecked();
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("radio", { name: "Disapprove", exact: true })).toBeChecked();
  await page.keyboard.press("ArrowUp");
  await expect(page.getByRole("radio", { name: "Approve", exact: true })).toBeChecked();
  await page.keyboard.press("Tab");
  expect((await focused(page)).what).toContain("textarea#vote-reason");
  await page.keyboard.type("The release time matches our border offices' practice.");
  await tabTo(page, (f) => f.name === "Cast my vote", 3);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Your vote is recorded." })).toBeVisible();
  // The focus moved to the confirmation (the form it was in has been re-rendered).
  await expect.poll(() => page.evaluate(() => document.activeElement?.textContent ?? "")).toContain("Your vote is recorded.");
  await expect(page.getByRole("region", { name: "Your vote" })).toContainText("Its vote: Approve");
  await page.screenshot({ path: "test-results/screens/keyboard-vote.png" });
  await context.close();
});
