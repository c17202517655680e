/**
 * Co-editing a draft in two browsers, watched by an observer in a third: an expert and a company
 * member type into the same paragraph at the same time and converge, see each other in the
 * presence list, undo only their own typing, and see each other's rule-block edits; the observer
 * sees it all live and cannot type. Runs after setup-and-roles.spec.ts (which creates the accounts)
 * on a fresh standard of committee TAR created here, so no other spec depends on its text.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN } from "./support";

const PASSWORD = "a long and private passphrase";
const EXPERT = { email: "weber@itd.example", name: "Dr. Jonas Weber" };
const MEMBER = { email: "zhang.min@cainiao.example", name: "Zhang Min" };
const OBSERVER = { email: "li.wei@customs.example", name: "Li Wei" };
const SCOPE = "Parcels shipped to consumers across a border are cleared with one shared data set.";

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: false });
}

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** A signed-in page in a context of its own (its own cookies), on the live draft. */
async function openAs(browser: Browser, who: { email: string }, standardId: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await signIn(page, { email: who.email, password: PASSWORD });
  await page.goto(`/standards/${standardId}/edit`);
  await expect(connected(page)).toBeVisible();
  return { context, page };
}

const connected = (page: Page) => page.getByRole("status").filter({ hasText: /^Connected · / });
const editorOf = (page: Page) => page.locator(".editor-content");
const scopeParagraph = (page: Page) => editorOf(page).locator("p").filter({ hasText: "shared data set" }).first();

let standardId = "";
let adminPage: Page;

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  // The secretariat creates a standard in TAR through the API, from its signed-in page.
  const context = await browser.newContext();
  adminPage = await context.newPage();
  await signIn(adminPage, ADMIN);
  const created = await adminPage.request.post("/api/v1/standards", {
    headers: { "sec-fetch-site": "same-origin" },
    data: { committee: "TAR", title: "Live co-editing of parcel data", scope: SCOPE },
  });
  expect(created.status()).toBe(201);
  standardId = ((await created.json()) as { standard: { id: string } }).standard.id;
});

test("two editors type into one paragraph at once and converge; presence, the observer's live read-only view, per-user undo, and a rule edit", async ({ browser }) => {
  // Three browsers on a shared 2-core machine: more time than one page needs.
  test.setTimeout(240_000);
  const expert = await openAs(browser, EXPERT, standardId);
  const member = await openAs(browser, MEMBER, standardId);
  const observer = await openAs(browser, OBSERVER, standardId);
  const a = expert.page;
  const b = member.page;
  const c = observer.page;

  // Presence: each editor sees the other, with role; the observer is not in the list.
  const presenceOf = (page: Page) => page.getByRole("region", { name: /people editing|person editing/ });
  await expect(presenceOf(a).getByText(MEMBER.name)).toBeVisible();
  await expect(presenceOf(a).getByText("Member")).toBeVisible();
  await expect(presenceOf(b).getByText(EXPERT.name)).toBeVisible();
  await expect(presenceOf(a).getByRole("heading", { name: "2 people editing" })).toBeVisible();
  await expect(presenceOf(a).getByText(OBSERVER.name)).toHaveCount(0);
  await expect(connected(c)).toHaveText("Connected · live, read-only");
  await expect(presenceOf(c).getByRole("heading", { name: "2 people editing" })).toBeVisible();
  await expect(presenceOf(c).getByText(`${OBSERVER.name} (you)`)).toHaveCount(0);
  await expect(c.getByRole("toolbar", { name: "Formatting" })).toHaveCount(0);

  // Both type into the same paragraph at the same time: the expert at its end, the member at its start.
  await scopeParagraph(a).click();
  await a.keyboard.press("End");
  await scopeParagraph(b).click();
  await b.keyboard.press("Home");
  const words = ["north", "south", "east", "west"];
  await Promise.all([
    (async () => {
      for (const w of words) await a.keyboard.type(` EXP-${w}`, { delay: 15 });
    })(),
    (async () => {
      for (const w of words) await b.keyboard.type(`MEM-${w} `, { delay: 15 });
    })(),
  ]);
  const expected = [...words.map((w) => `EXP-${w}`), ...words.map((w) => `MEM-${w}`)];
  for (const page of [a, b, c]) {
    for (const word of expected) await expect(scopeParagraph(page)).toContainText(word);
  }
  await expect(connected(a)).toHaveText("Connected · all changes saved");
  await expect(connected(b)).toHaveText("Connected · all changes saved");
  const textA = await scopeParagraph(a).innerText();
  expect(await scopeParagraph(b).innerText()).toBe(textA);
  expect(await scopeParagraph(c).innerText()).toBe(textA);
  expect(textA).toContain(`MEM-west ${SCOPE.slice(0, 20)}`);
  expect(textA).toContain("EXP-north EXP-south EXP-east EXP-west");
  // Both cursors show in the other's editor with the other's name.
  await expect(a.locator(".editor-main").getByText(MEMBER.name)).toBeAttached();
  await shot(a, "collab-expert");
  await shot(b, "collab-member");

  // The observer sees the text live but cannot change it.
  await scopeParagraph(c).click();
  await c.keyboard.type("OBSERVER-TYPED");
  await c.keyboard.press("Backspace");
  await expect(scopeParagraph(c)).not.toContainText("OBSERVER-TYPED");
  await expect(scopeParagraph(c)).toHaveText(textA);
  await shot(c, "collab-observer");

  // Per-user undo: the expert types, then the member types; the expert's undo removes only the expert's typing.
  await a.waitForTimeout(700); // a new undo step (Yjs groups changes made within 500 ms)
  await scopeParagraph(a).click();
  await a.keyboard.press("Control+End"); // the end of the document: the paragraph wraps now
  await a.keyboard.type(" EXP-undo-me");
  await expect(scopeParagraph(b)).toContainText("EXP-undo-me");
  await b.keyboard.type("MEM-keep ");
  await expect(scopeParagraph(a)).toContainText("MEM-keep");
  await a.keyboard.press("Control+z");
  for (const page of [a, b]) {
    await expect(scopeParagraph(page)).not.toContainText("EXP-undo-me");
    await expect(scopeParagraph(page)).toContainText("MEM-keep");
    await expect(scopeParagraph(page)).toContainText("EXP-west");
  }
  // Redo through the toolbar brings it back, for everyone.
  await a.getByRole("button", { name: "Redo", exact: true }).click();
  await expect(scopeParagraph(b)).toContainText("EXP-undo-me");

  // A rule block inserted and edited in one browser appears in the other.
  await scopeParagraph(a).click();
  await a.keyboard.press("Control+End");
  await a.getByRole("button", { name: "Insert a rule block" }).click();
  await expect(b.locator(".editor-rule")).toHaveCount(1);
  await expect(c.locator(".editor-rule")).toHaveCount(1);
  await a.getByRole("button", { name: /^Edit rule / }).click();
  const form = a.getByRole("group", { name: /^Edit rule / });
  await form.getByLabel("Title", { exact: true }).fill("Declared value decides the duty-free threshold");
  await form.getByRole("button", { name: "Apply" }).click();
  await expect(b.locator(".rule-card").filter({ hasText: "Declared value decides the duty-free threshold" })).toBeVisible();
  await expect(c.locator(".rule-card").filter({ hasText: "Declared value decides the duty-free threshold" })).toBeVisible();
  // The conformance panel follows the live text in the other browser too.
  await expect(b.getByRole("complementary", { name: "Conformance" }).getByText("1 rule block")).toBeVisible();
  await shot(b, "collab-rule-from-other");

  // The server derived the draft from the live document: the API shows what was typed.
  await expect(connected(a)).toHaveText("Connected · all changes saved");
  const draft = await adminPage.request.get(`/api/v1/standards/${standardId}/draft`);
  expect(draft.status()).toBe(200);
  const markdown = ((await draft.json()) as { markdown: string }).markdown;
  for (const word of [...expected, "MEM-keep", "EXP-undo-me", "Declared value decides the duty-free threshold"]) expect(markdown).toContain(word);

  for (const x of [expert, member, observer]) await x.context.close();
});

test("the live draft survives a reload: what was typed is there, with nothing to save", async ({ browser }) => {
  const member = await openAs(browser, MEMBER, standardId);
  await expect(scopeParagraph(member.page)).toContainText("MEM-keep");
  await expect(member.page.getByRole("button", { name: /^Save/ })).toHaveCount(0);
  await member.context.close();
});
