/**
 * Keyboard only: an expert signs in, selects a passage of a live draft with Shift+arrows, opens the
 * comment form with its shortcut, posts the comment, and casts a vote in an open ballot, with
 * nothing but `page.keyboard` (Tab, Enter, Space, arrows) after each page is opened; every stop on
 * the way shows a visible focus ring. Someone else opening the draft is announced politely. A
 * government observer, whose read-only draft has no caret to select with, comments on a passage by
 * typing its words (not found, found once, found twice and the second chosen) and an editor sees the
 * comment on that passage, live, until deleting it detaches the comment. Alone or after the other
 * specs: it makes its own standards, committee, people and ballot through the API.
 */
import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { ADMIN, adminApi } from "./support";

const PASSWORD = "a long and private passphrase";
const RUN = randomBytes(3).toString("hex");
const COMMITTEE = `K${Array.from(randomBytes(3), (b) => String.fromCharCode(65 + (b % 26))).join("")}`;
const EXPERT = { email: `keyboard.${RUN}@experts.example`, name: "Dr. Keya Lindqvist" };
const SCOPE = "Parcels declared under the simplified procedure are released within four hours of arrival at the border office.";
const OBSERVER = { email: `observer.${RUN}@customs.example`, name: "Ms. Oyelaran Bello" };
/** The observer's draft: "released within four hours" twice, the second after "held for inspection are". */
const OBSERVED_SCOPE =
  "Consignments declared in advance are released within four hours of arrival. Consignments held for inspection are released within four hours of the end of the inspection.";
const TWICE = "released within four hours";

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
let observedId = "";
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
  const customs = await api("POST", "/orgs", { name: `Keyboard Customs ${RUN}`, kind: "government", country: "NG" });
  await api("POST", "/users", { email: OBSERVER.email, name: OBSERVER.name, orgId: customs.org.id, role: "observer", committees: [COMMITTEE], password: PASSWORD });
  const observed = await api("POST", "/standards", { committee: COMMITTEE, title: "Release times of inspected consignments", scope: OBSERVED_SCOPE });
  observedId = observed.standard.id;
  await close();
});

/** Signs in with the keyboard alone: the skip link first, then the form's fields in order, Enter submits. */
async function keyboardSignIn(page: Page, email: string) {
  await page.goto("/login");
  await page.keyboard.press("Tab");
  expect((await focused(page)).name).toBe("Skip to content");
  await page.keyboard.press("Enter");
  await tabTo(page, (f) => f.what.includes("[name=email]"));
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  expect((await focused(page)).what).toContain("[name=password]");
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).not.toHaveURL(/\/login/);
}

/** axe-core's serious and critical WCAG A/AA violations in the comments sidebar (with the form open). */
async function sidebarViolations(page: Page) {
  const results = await new AxeBuilder({ page }).include(".comments-sidebar").withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return results.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

/** The texts of the ranges of a CSS custom highlight, each with the editor's text before it. */
async function highlighted(page: Page, name: string) {
  return page.evaluate((highlight) => {
    const registry = (CSS as unknown as { highlights: Map<string, Set<Range>> }).highlights;
    const root = document.querySelector(".editor-content")!;
    return [...(registry.get(highlight) ?? [])].map((r) => {
      const before = document.createRange();
      before.setStart(root, 0);
      before.setEnd(r.startContainer, r.startOffset);
      return { text: r.toString(), before: before.toString() };
    });
  }, name);
}

test("an expert signs in, comments on a passage and votes with the keyboard alone", async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();

  await keyboardSignIn(page, EXPERT.email);
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

test("an observer, without a caret in the read-only draft, comments on a passage by its words with the keyboard alone; an editor sees it on that passage", async ({ browser }) => {
  test.setTimeout(180_000);
  // The editor, in a browser of their own, has the draft open (and sees the comment arrive live).
  const editorContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const editor = await editorContext.newPage();
  await editor.goto("/login");
  await editor.getByLabel("Email").fill(EXPERT.email);
  await editor.getByLabel("Password").fill(PASSWORD);
  await editor.getByRole("button", { name: "Sign in" }).click();
  await expect(editor).not.toHaveURL(/\/login/);
  await editor.goto(`/standards/${observedId}/edit`);
  await expect(editor.getByRole("status").filter({ hasText: /^Connected/ })).toBeVisible({ timeout: 30_000 });

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await keyboardSignIn(page, OBSERVER.email);
  await page.goto(`/standards/${observedId}/edit`);
  await expect(page.getByRole("status").filter({ hasText: /^Connected/ })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator(".editor-content")).toContainText(OBSERVED_SCOPE);
  await expect(page.locator(".editor-content")).toHaveAttribute("contenteditable", "false");
  const sidebar = page.getByRole("region", { name: "Comments" });

  // No selection: Comment opens the form on a passage given by its words, the focus in the Passage field.
  await tabTo(page, (f) => f.name === "Comment");
  await page.keyboard.press("Enter");
  const form = sidebar.getByRole("form", { name: "Comment on a passage" });
  await expect(form).toBeVisible();
  expect((await focused(page)).what).toBe("input#comment-passage[name=passage]");
  const passage = form.getByLabel("Passage");
  const status = form.locator("#comment-passage-status");

  // Words that are not in the draft: said so, with the way out (the whole draft).
  await page.keyboard.type("released within four days");
  await expect(status).toHaveText("These words are not in the draft: check them, or comment on the whole draft.");
  await expect(passage).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByRole("button", { name: "Comment on the whole draft" })).toBeVisible();
  await page.screenshot({ path: "test-results/screens/keyboard-observer-not-found.png" });
  expect(await sidebarViolations(page)).toEqual([]);

  // Words found once: previewed with the words around them, and highlighted in the text.
  await page.keyboard.press("Control+A");
  await page.keyboard.type("end of the inspection");
  await expect(status).toContainText("Found in the draft:");
  await expect(form.getByTestId("comment-passage-preview").locator("mark")).toHaveText("end of the inspection");
  await expect(passage).not.toHaveAttribute("aria-invalid", "true");
  await expect.poll(() => highlighted(page, "ewtp-comment-pending")).toEqual([{ text: "end of the inspection", before: expect.stringMatching(/four hours of the $/) }]);

  // Words found twice: Enter goes to the choice, each occurrence with its surroundings; the arrow chooses the second.
  await page.keyboard.press("Control+A");
  await page.keyboard.type(TWICE);
  await expect(status).toHaveText("These words occur 2 times in the draft: choose below the one you mean, or add more words.");
  const choices = form.getByRole("group", { name: "Which occurrence do you mean?" });
  await expect(choices.getByRole("radio")).toHaveCount(2);
  await expect(choices.locator("label").nth(1)).toContainText("held for inspection are released within four hours of the end");
  await page.keyboard.press("Enter");
  expect((await focused(page)).what).toBe("input[name=occurrence]");
  await page.keyboard.press("ArrowDown");
  await expect(choices.getByRole("radio").nth(1)).toBeChecked();
  // The second occurrence: the draft's text before it ends with the scope's text before it.
  const second = expect.stringMatching(/ arrival\. Consignments held for inspection are $/);
  await expect.poll(() => highlighted(page, "ewtp-comment-pending")).toEqual([{ text: TWICE, before: second }]);
  await page.screenshot({ path: "test-results/screens/keyboard-observer-choice.png" });
  expect(await sidebarViolations(page)).toEqual([]);

  // On to the comment's type and text, and Enter on the button posts it.
  await page.keyboard.press("Tab");
  expect((await focused(page)).what).toBe("select#comment-kind[name=kind]");
  await page.keyboard.press("Tab");
  expect((await focused(page)).what).toContain("textarea#comment-body");
  await page.keyboard.type("Four hours after an inspection ends is too short for laboratory results; allow one working day.");
  await tabTo(page, (f) => f.name === "Post comment", 5);
  await page.keyboard.press("Enter");
  const card = sidebar.locator(".comment-card").filter({ hasText: "Four hours after an inspection" });
  await expect(card).toBeVisible();
  await expect(card.locator("blockquote")).toHaveText(TWICE);
  await expect(card).toBeFocused(); // the form is gone: the focus is on the new comment, not lost
  await page.screenshot({ path: "test-results/screens/keyboard-observer-posted.png" });

  // Anchored as a selection is: the quote with its context and the Yjs positions of the passage.
  const listed = await page.request.get(`/api/v1/standards/${observedId}/comments`);
  const comment = ((await listed.json()) as { comments: { body: string; anchor: { quote: string; prefix: string }; positions: unknown; state: string }[] }).comments.find((c) => c.body.startsWith("Four hours after"))!;
  expect(comment.anchor.quote).toBe(TWICE);
  expect(comment.anchor.prefix.endsWith("held for inspection are ")).toBe(true);
  expect(comment.positions).not.toBeNull();
  expect(comment.state).toBe("attached");

  // The editor sees it live, on the second occurrence, and deleting that passage detaches it.
  const theirs = editor.getByRole("region", { name: "Comments" }).locator(".comment-card").filter({ hasText: "Four hours after an inspection" });
  await expect(theirs).toBeVisible();
  await expect(theirs.getByText(OBSERVER.name, { exact: false })).toBeVisible();
  await expect.poll(() => highlighted(editor, "ewtp-comment")).toEqual([{ text: TWICE, before: second }]);
  await editor.screenshot({ path: "test-results/screens/keyboard-observer-editor-sees.png" });
  await editor.locator(".editor-content").evaluate((root, at) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent ?? "";
      const index = text.lastIndexOf(at.words);
      if (index === -1 || !text.slice(0, index).includes("held for inspection")) continue;
      const range = document.createRange();
      range.setStart(node, index);
      range.setEnd(node, index + at.words.length);
      window.getSelection()!.removeAllRanges();
      window.getSelection()!.addRange(range);
      return;
    }
    throw new Error("the second occurrence is not in the editor");
  }, { words: TWICE });
  await editor.keyboard.press("Backspace");
  for (const p of [editor, page]) {
    const detached = p.getByRole("region", { name: "Comments" }).locator(".comments-group--detached .comment-card").filter({ hasText: "Four hours after an inspection" });
    await expect(detached).toBeVisible({ timeout: 15_000 });
    await expect(detached.locator("blockquote")).toHaveText(TWICE);
  }
  await editorContext.close();
  await context.close();
});

test("the Passage field in Arabic, right to left", async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ar" });
  const page = await context.newPage();
  await page.goto("/login");
  await page.locator("input[name=email]").fill(OBSERVER.email);
  await page.locator("input[name=password]").fill(PASSWORD);
  await page.keyboard.press("Enter");
  await expect(page).not.toHaveURL(/\/login/);
  await page.goto(`/standards/${observedId}/edit`);
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator(".editor-content")).toContainText("Consignments held for inspection");
  // The shortcut opens it too when nothing is selected.
  await page.keyboard.press("Control+Alt+m");
  await expect(page.locator("#comment-passage")).toBeFocused();
  await page.keyboard.type("Consignments");
  await expect(page.locator(".comment-passage__choices input[type=radio]")).toHaveCount(2);
  await page.keyboard.press("Enter");
  await page.keyboard.press("ArrowDown");
  await expect(page.locator(".comment-passage__choices input[type=radio]").nth(1)).toBeChecked();
  await page.screenshot({ path: "test-results/screens/keyboard-observer-choice-ar.png" });
  expect(await sidebarViolations(page)).toEqual([]);
  await context.close();
});
