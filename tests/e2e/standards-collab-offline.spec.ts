/**
 * Editing through a lost connection: an expert's browser goes offline (the network is cut and its
 * collaboration socket closed), the expert keeps typing and is told honestly that the changes are
 * not saved yet; a company member types in the same draft meanwhile; the network returns, both
 * browsers converge, the expert is told everything is saved, and the offline text is on the server
 * (the draft API and a fresh page load show it). Runs after setup-and-roles.spec.ts (which creates
 * the accounts) on a fresh standard of committee TAR created here, so no other spec depends on it.
 */
import { expect, test, type Browser, type BrowserContext, type Page, type WebSocketRoute } from "@playwright/test";
import { ADMIN } from "./support";

const PASSWORD = "a long and private passphrase";
const EXPERT = { email: "weber@itd.example" };
const MEMBER = { email: "zhang.min@cainiao.example" };
const SCOPE = "Returns of parcels across a border keep the original declaration reference.";

async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

const status = (page: Page) => page.locator(".collab-status");
const editorOf = (page: Page) => page.locator(".editor-content");
const scopeParagraph = (page: Page) => editorOf(page).locator("p").filter({ hasText: "original declaration reference" }).first();

/**
 * A browser context whose collaboration sockets pass through a switch: `cut()` cuts the network
 * (the browser reports offline) and closes the open sockets, and refuses new ones until `restore()`.
 */
async function switchableContext(browser: Browser): Promise<{ context: BrowserContext; cut: () => Promise<void>; restore: () => Promise<void> }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  let offline = false;
  const open = new Set<{ page: WebSocketRoute; server: WebSocketRoute }>();
  await context.routeWebSocket(/\/collab$/, (ws) => {
    if (offline) {
      void ws.close();
      return;
    }
    const pair = { page: ws, server: ws.connectToServer() };
    open.add(pair);
    ws.onClose(() => {
      open.delete(pair);
      void pair.server.close();
    });
    pair.server.onClose(() => {
      open.delete(pair);
      void ws.close();
    });
  });
  return {
    context,
    cut: async () => {
      offline = true;
      await context.setOffline(true);
      for (const pair of [...open]) {
        open.delete(pair);
        await pair.server.close();
        await pair.page.close();
      }
    },
    restore: async () => {
      offline = false;
      await context.setOffline(false);
    },
  };
}

let standardId = "";
let adminPage: Page;

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext();
  adminPage = await context.newPage();
  await signIn(adminPage, ADMIN);
  const created = await adminPage.request.post("/api/v1/standards", {
    headers: { "sec-fetch-site": "same-origin" },
    data: { committee: "TAR", title: "Returns under a lost connection", scope: SCOPE },
  });
  expect(created.status()).toBe(201);
  standardId = ((await created.json()) as { standard: { id: string } }).standard.id;
});

test.afterAll(async () => {
  await adminPage?.context().close();
});

test("an editor keeps typing offline, is told the changes are not saved, and both editors converge with the text stored when the connection returns", async ({ browser }) => {
  test.setTimeout(240_000);
  const expertSide = await switchableContext(browser);
  const a = await expertSide.context.newPage();
  await signIn(a, { email: EXPERT.email, password: PASSWORD });
  await a.goto(`/standards/${standardId}/edit`);
  await expect(status(a)).toHaveText("Connected · all changes saved", { timeout: 30_000 });

  const memberContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const b = await memberContext.newPage();
  await signIn(b, { email: MEMBER.email, password: PASSWORD });
  await b.goto(`/standards/${standardId}/edit`);
  await expect(status(b)).toHaveText("Connected · all changes saved", { timeout: 30_000 });

  // The connection goes; the expert is told at once, with nothing unsaved yet.
  await expertSide.cut();
  await expect(status(a)).toHaveText("Offline · trying to reconnect");

  // The expert keeps typing: the page says how many changes wait, and that they are kept.
  await scopeParagraph(a).click();
  await a.keyboard.press("End");
  await a.keyboard.type(" OFFLINE-alpha", { delay: 20 });
  await a.keyboard.press("Enter");
  await a.keyboard.type("OFFLINE-beta paragraph written without a connection.", { delay: 10 });
  await expect(status(a)).toHaveText(/^Offline · \d+ changes? not saved yet; (it is|they are) kept here and merges? when the connection returns$/);
  const unsynced = Number(await status(a).getAttribute("data-unsynced"));
  expect(unsynced).toBeGreaterThan(0);

  // Meanwhile the member types in the same paragraph; the member's text is saved, and does not reach the expert.
  await scopeParagraph(b).click();
  await b.keyboard.press("Home");
  await b.keyboard.type("MEMBER-meanwhile ", { delay: 20 });
  await expect(status(b)).toHaveText("Connected · all changes saved");
  await expect(scopeParagraph(b)).not.toContainText("OFFLINE-alpha");
  await expect(scopeParagraph(a)).not.toContainText("MEMBER-meanwhile");
  // Still offline after a while: the changes are still waiting, none were claimed as saved.
  await a.waitForTimeout(1500);
  await expect(status(a)).toHaveText(/^Offline · \d+ changes? not saved yet/);

  // The connection returns: both converge, and the expert is told everything is saved.
  await expertSide.restore();
  await expect(status(a)).toHaveText("Connected · all changes saved", { timeout: 45_000 });
  for (const page of [a, b]) {
    await expect(scopeParagraph(page)).toContainText("MEMBER-meanwhile", { timeout: 20_000 });
    await expect(scopeParagraph(page)).toContainText("OFFLINE-alpha", { timeout: 20_000 });
    await expect(editorOf(page).getByText("OFFLINE-beta paragraph written without a connection.")).toBeVisible({ timeout: 20_000 });
  }
  const textA = await scopeParagraph(a).innerText();
  expect(await scopeParagraph(b).innerText()).toBe(textA);
  expect(textA).toContain(`MEMBER-meanwhile ${SCOPE.slice(0, 20)}`);
  expect(textA).toContain("reference. OFFLINE-alpha");

  // The server has the offline text: the draft API shows it ...
  const draft = await adminPage.request.get(`/api/v1/standards/${standardId}/draft`);
  expect(draft.status()).toBe(200);
  const markdown = ((await draft.json()) as { markdown: string }).markdown;
  expect(markdown).toContain("OFFLINE-alpha");
  expect(markdown).toContain("OFFLINE-beta paragraph written without a connection.");
  expect(markdown).toContain("MEMBER-meanwhile");

  // ... and so does a fresh page load in a third browser context.
  await expertSide.context.close();
  await memberContext.close();
  const fresh = await browser.newContext();
  const c = await fresh.newPage();
  await signIn(c, { email: MEMBER.email, password: PASSWORD });
  await c.goto(`/standards/${standardId}/edit`);
  await expect(status(c)).toHaveText("Connected · all changes saved", { timeout: 30_000 });
  await expect(scopeParagraph(c)).toContainText("OFFLINE-alpha");
  await expect(editorOf(c).getByText("OFFLINE-beta paragraph written without a connection.")).toBeVisible();
  await fresh.close();
});
