/**
 * Comments anchored to text, in two browsers: a government observer selects a passage in the
 * (read-only) live draft and comments on it; an expert, in another browser, sees the comment appear
 * without reloading, with its passage highlighted; the expert deletes the passage and the comment
 * turns detached for both, keeping its original quote; the resolution log lists it, the expert
 * records a disposition there, and the CSV carries it. Runs after setup-and-roles.spec.ts (which
 * creates the accounts) on a fresh standard of committee TAR created here.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN } from "./support";

const PASSWORD = "a long and private passphrase";
const EXPERT = { email: "weber@itd.example", name: "Dr. Jonas Weber" };
const OBSERVER = { email: "li.wei@customs.example", name: "Li Wei" };
const SCOPE = "Returned parcels are cleared back into the country of dispatch without duty when the return is declared within ninety days.";
const PASSAGE = "without duty when the return is declared";

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

const connected = (page: Page) => page.getByRole("status").filter({ hasText: /^Connected · / });
const sidebar = (page: Page) => page.getByRole("region", { name: "Comments" });

/** A signed-in page in a context of its own, on the live draft. */
async function openAs(browser: Browser, who: { email: string }, standardId: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, { email: who.email, password: PASSWORD });
  await page.goto(`/standards/${standardId}/edit`);
  await expect(connected(page)).toBeVisible();
  await expect(page.locator(".editor-content")).toContainText(PASSAGE);
  return { context, page };
}

/** Selects `words` in the editor the way a mouse drag would (a DOM selection over the text). */
async function selectWords(page: Page, words: string) {
  await page.locator(".editor-content").evaluate((root, needle) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = (node.textContent ?? "").indexOf(needle);
      if (at === -1) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + needle.length);
      const selection = window.getSelection()!;
      selection.removeAllRanges();
      selection.addRange(range);
      return;
    }
    throw new Error(`"${needle}" is not in the editor`);
  }, words);
}

let standardId = "";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, ADMIN);
  const created = await page.request.post("/api/v1/standards", {
    headers: { "sec-fetch-site": "same-origin" },
    data: { committee: "TAR", title: "Returns of cross-border parcels", scope: SCOPE },
  });
  expect(created.status()).toBe(201);
  standardId = ((await created.json()) as { standard: { id: string } }).standard.id;
  await context.close();
});

test("an observer comments on a passage; an editor sees it live, deletes the passage, and the comment turns detached for both", async ({ browser }) => {
  const observer = await openAs(browser, OBSERVER, standardId);
  const expert = await openAs(browser, EXPERT, standardId);
  const o = observer.page;
  const e = expert.page;
  await expect(sidebar(o).getByText("No comments on this draft yet.")).toBeVisible();

  // The observer (read-only: no toolbar) selects the passage and comments on it.
  await expect(o.getByRole("toolbar", { name: "Formatting" })).toHaveCount(0);
  const commentButton = sidebar(o).getByRole("button", { name: "Comment", exact: true });
  // Without a selection it is not disabled: it asks for the passage's words (see zzzzz-a11y-keyboard.spec.ts).
  await expect(sidebar(o).getByText("Select some text to comment on it, or choose Comment and type the words you mean.")).toBeVisible();
  await selectWords(o, PASSAGE);
  await expect(commentButton).toBeEnabled();
  await commentButton.click();
  const form = sidebar(o).getByRole("form", { name: "Comment on the selection" });
  await expect(form.locator("blockquote")).toHaveText(PASSAGE);
  await form.getByLabel("Type").selectOption("technical");
  await form.getByLabel("Comment", { exact: true }).fill("Ninety days is longer than most customs regimes allow; cite the legal basis.");
  await form.getByRole("button", { name: "Post comment" }).click();
  const mine = sidebar(o).locator(".comment-card").filter({ hasText: "Ninety days is longer" });
  await expect(mine).toBeVisible();
  await expect(mine.locator("blockquote")).toHaveText(PASSAGE);
  await expect(sidebar(o).getByRole("heading", { name: "On the draft" })).toBeVisible();
  await shot(o, "comments-observer-sidebar");

  // The expert sees it appear without reloading, with the passage highlighted in the text.
  const theirs = sidebar(e).locator(".comment-card").filter({ hasText: "Ninety days is longer" });
  await expect(theirs).toBeVisible();
  await expect(theirs.getByText(OBSERVER.name, { exact: false })).toBeVisible();
  const highlighted = await e.evaluate(() => {
    const registry = (CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights;
    return [...(registry.get("ewtp-comment") ?? [])].map((r) => r.toString());
  });
  expect(highlighted).toContain(PASSAGE);
  await expect(theirs.getByRole("group", { name: "Disposition" })).toBeVisible();
  await shot(e, "comments-expert-sidebar");

  // The expert deletes the passage; the comment turns detached for both, with its original quote.
  await selectWords(e, PASSAGE);
  await e.keyboard.press("Backspace");
  await expect(e.locator(".editor-content")).not.toContainText(PASSAGE);
  for (const page of [e, o]) {
    const detachedGroup = sidebar(page).locator(".comments-group--detached");
    await expect(detachedGroup.getByRole("heading", { name: "Detached" })).toBeVisible({ timeout: 15_000 });
    const card = detachedGroup.locator(".comment-card").filter({ hasText: "Ninety days is longer" });
    await expect(card).toBeVisible();
    await expect(card.locator("blockquote")).toHaveText(PASSAGE);
    await expect(card.getByText("The passage this comment was on has been deleted.")).toBeVisible();
  }
  await shot(o, "comments-detached-observer");

  // The resolution log shows it; the expert records a disposition there.
  await e.goto(`/standards/${standardId}/comments`);
  const logged = e.locator(".comment-card").filter({ hasText: "Ninety days is longer" });
  await expect(logged.locator(".comment-detached")).toHaveText("Detached");
  await logged.getByLabel("Decision").selectOption("modified");
  await logged.getByLabel("Response").fill("The period is now stated per destination in clause 5.");
  await logged.getByRole("button", { name: "Record disposition" }).click();
  await expect(logged.getByText(/^Accepted with modification by Dr\. Jonas Weber/)).toBeVisible();
  await e.getByLabel("Status").selectOption("modified");
  await e.getByRole("button", { name: "Filter" }).click();
  await expect(e.getByText("1 comment", { exact: true })).toBeVisible();
  await shot(e, "comments-resolution-log");
  const csv = await e.request.get(`/standards/${standardId}/comments.csv`);
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text).toContain("detached");
  expect(text).toContain("The period is now stated per destination in clause 5.");

  for (const x of [observer, expert]) await x.context.close();
});
