/**
 * axe-core on every main page in every interface language: zero serious or critical violations of
 * WCAG 2.0/2.1 A and AA. Public pages (home, standards, a standard, downloads, a release,
 * transparency, sign-in, search results), member pages (proposals, a proposal, ballots, a ballot,
 * notifications, settings, the comment-resolution log) and the secretariat's (members, the live
 * editor with its toolbar and rule cards, a standard's translated titles).
 *
 * Kept fast: one browser context per role, signed in once, one page each; the language changes with
 * the `lang` cookie (the accounts here have no language of their own), and every page is checked in
 * every language. Runs after the release spec (it needs a published release of EWTP-TAR-001; alone,
 * it publishes one itself through the API).
 */
import { randomBytes } from "node:crypto";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type APIRequestContext, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN, cli, ensureAdmin } from "./support";

const PASSWORD = "a long and private passphrase";
const RUN = randomBytes(3).toString("hex");
const MEMBER = `axe.member.${RUN}@cainiao.example`;
const SECRETARIAT = `axe.admin.${RUN}@ewtp.example`;
const STANDARD = "EWTP-TAR-001";
const LANGS = ["en", "zh", "de", "fr", "es", "ar"] as const;
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

test.describe.configure({ mode: "serial" });

function apiWith(request: APIRequestContext, token: string) {
  return async (method: string, url: string, data?: unknown) => {
    const res = await request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, ...(data !== undefined ? { data } : {}) });
    const body = await res.json().catch(() => null);
    expect(res.status(), `${method} ${url}: ${JSON.stringify(body)}`).toBeLessThan(300);
    return body;
  };
}

type Role = "public" | "member" | "admin";
const roles = new Map<Role, { context: BrowserContext; page: Page }>();
/** `editable`: the page holds the live editor, whose editable text keeps the headings its authors chose (not counted as the page's). */
const pages: { role: Role; name: string; path: string; ready?: (page: Page) => Promise<void>; editable?: boolean }[] = [];

async function signedIn(browser: Browser, email: string | null): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  if (email) {
    await page.goto("/login");
    await page.locator("input[name=email]").fill(email);
    await page.locator("input[name=password]").fill(PASSWORD);
    await page.locator("main form button[type=submit]").click();
    await expect(page).not.toHaveURL(/\/login/);
  }
  return { context, page };
}

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000);
  ensureAdmin();
  const token = cli(["token:create", "--email", ADMIN.email, "--label", `e2e axe ${RUN}`]).stdout.trim();
  const setup = await browser.newContext();
  const api = apiWith(setup.request, token);

  // A member of TAR (its organisation's voting representative) and a secretariat admin of this run.
  const company = await api("POST", "/orgs", { name: `Axe Trading ${RUN}`, kind: "company", country: "SG" });
  await api("POST", "/users", { email: MEMBER, name: "Tan Mei Ling", orgId: company.org.id, role: "member", committees: ["TAR"], votingRepresentative: true, password: PASSWORD });
  const secretariat = await api("POST", "/orgs", { name: `Axe Secretariat ${RUN}`, kind: "secretariat", country: "CH" });
  await api("POST", "/users", { email: SECRETARIAT, name: "Samuel Okafor", orgId: secretariat.org.id, role: "admin", password: PASSWORD });

  // A published release (the release spec leaves one; alone, publish one: an approved revision first).
  let standard = (await api("GET", `/standards/${STANDARD}`)).standard as { releases: { version: string }[] };
  if (standard.releases.length === 0) {
    const draft = await api("GET", `/standards/${STANDARD}/draft`);
    await api("PUT", `/standards/${STANDARD}/draft`, { markdown: `${draft.markdown.trimEnd()}\n\nAccessibility copy ${RUN}.\n` });
    const frozen = await api("POST", `/standards/${STANDARD}/revisions`);
    const ballot = await api("POST", "/ballots", {
      subject: { standardId: STANDARD, revision: frozen.revision.number },
      rule: "simple-majority",
      voterUnit: "individual",
      eligible: { roles: ["member"], committees: ["TAR"] },
      closesAt: new Date(Date.now() + 30 * 60_000).toISOString(),
      resultsVisible: "live",
    });
    const memberToken = cli(["token:create", "--email", MEMBER, "--label", `e2e axe ${RUN}`]).stdout.trim();
    await apiWith(setup.request, memberToken)("PUT", `/ballots/${ballot.ballot.id}/vote`, { position: "approve" });
    await api("POST", `/ballots/${ballot.ballot.id}/close`);
    await api("POST", `/standards/${STANDARD}/releases`, { revision: frozen.revision.number });
    standard = (await api("GET", `/standards/${STANDARD}`)).standard;
  }
  const version = standard.releases[0]!.version;

  // An open ballot on a fresh revision, and a proposal of the member's.
  const draft = await api("GET", `/standards/${STANDARD}/draft`);
  await api("PUT", `/standards/${STANDARD}/draft`, { markdown: `${draft.markdown.trimEnd()}\n\nAccessibility check ${RUN}.\n` });
  const frozen = await api("POST", `/standards/${STANDARD}/revisions`);
  const opened = await api("POST", "/ballots", {
    subject: { standardId: STANDARD, revision: frozen.revision.number },
    rule: "iso",
    voterUnit: "organization",
    eligible: { roles: ["expert", "member"], committees: ["TAR"] },
    closesAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
    resultsVisible: "live",
  });
  const memberToken = cli(["token:create", "--email", MEMBER, "--label", `e2e axe proposal ${RUN}`]).stdout.trim();
  const proposal = await apiWith(setup.request, memberToken)("POST", "/proposals", {
    title: `Marketplace liability for VAT collection ${RUN}`,
    rationale: "Most parcels are sold through marketplaces; the text should say who collects the VAT.",
    kind: "amendment",
    standardId: STANDARD,
  });
  await setup.close();

  pages.push(
    { role: "public", name: "home", path: "/" },
    { role: "public", name: "standards", path: "/standards" },
    { role: "public", name: "standard", path: `/standards/${STANDARD}` },
    // A committee member also reads the standard's draft text on its page (it starts with "# Title").
    {
      role: "member",
      name: "standard with its text",
      path: `/standards/${STANDARD}`,
      ready: async (page) => {
        await expect(page.locator("article.document h2").first()).toBeVisible();
      },
    },
    { role: "public", name: "downloads", path: "/releases" },
    {
      role: "public",
      name: "release",
      path: `/standards/${STANDARD}/releases/${version}`,
      ready: async (page) => {
        await expect(page.locator("article.document h3").first()).toBeAttached();
      },
    },
    { role: "public", name: "transparency", path: "/transparency" },
    { role: "public", name: "login", path: "/login" },
    { role: "public", name: "search", path: "/search?q=duty" },
    { role: "member", name: "proposals", path: "/proposals" },
    { role: "member", name: "proposal", path: `/proposals/${proposal.proposal.id}` },
    { role: "member", name: "ballots", path: "/ballots" },
    { role: "member", name: "ballot", path: `/ballots/${opened.ballot.id}` },
    { role: "member", name: "notifications", path: "/notifications" },
    { role: "member", name: "settings", path: "/settings" },
    { role: "member", name: "comment-resolution log", path: `/standards/${STANDARD}/comments` },
    {
      role: "admin",
      name: "live editor",
      path: `/standards/${STANDARD}/edit`,
      editable: true,
      ready: async (page) => {
        await expect(page.locator(".collab-status[data-status=connected]")).toBeVisible({ timeout: 30_000 });
        await expect(page.locator(".editor-content .rule-card").first()).toBeVisible({ timeout: 30_000 });
      },
    },
    { role: "admin", name: "members", path: "/admin/members" },
    { role: "admin", name: "translated titles", path: `/standards/${STANDARD}/translations` },
  );
  roles.set("public", await signedIn(browser, null));
  roles.set("member", await signedIn(browser, MEMBER));
  roles.set("admin", await signedIn(browser, SECRETARIAT));
});

test.afterAll(async () => {
  for (const { context } of roles.values()) await context.close();
});

for (const lang of LANGS) {
  test(`every main page in ${lang} has no serious or critical accessibility violation`, async () => {
    test.setTimeout(240_000);
    const found: string[] = [];
    for (const { context } of roles.values()) await context.addCookies([{ name: "lang", value: lang, url: process.env.E2E_BASE_URL! }]);
    for (const entry of pages) {
      const { page } = roles.get(entry.role)!;
      const res = await page.goto(entry.path);
      expect(res?.status(), `${entry.name} (${entry.path})`).toBe(200);
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
      await expect(page.locator("html")).toHaveAttribute("dir", lang === "ar" ? "rtl" : "ltr");
      if (entry.ready) await entry.ready(page);
      const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
      for (const v of results.violations) {
        if (v.impact !== "serious" && v.impact !== "critical") continue;
        found.push(`${entry.name} [${lang}] ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`);
      }
    }
    expect(found, found.join("\n")).toEqual([]);
  });
}

test("the header fits at 1280 px and at phone width in every language: nothing scrolls sideways", async () => {
  test.setTimeout(120_000);
  // The secretariat has the longest navigation (Administration, Settings) and the longest account area.
  const { context, page } = roles.get("admin")!;
  const problems: string[] = [];
  for (const lang of LANGS) {
    await context.addCookies([{ name: "lang", value: lang, url: process.env.E2E_BASE_URL! }]);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto("/standards");
      await expect(page.locator("html")).toHaveAttribute("lang", lang);
      const overflow = await page.evaluate(() => {
        const out: string[] = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth + 1) out.push(`the page is ${root.scrollWidth}px wide in ${root.clientWidth}px`);
        const header = document.querySelector(".site-header")!;
        for (const el of [header, ...header.querySelectorAll<HTMLElement>("*")]) {
          if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "visible") out.push(`${el.className || el.tagName} scrolls (${el.scrollWidth}px in ${el.clientWidth}px)`);
          const box = el.getBoundingClientRect();
          if (box.width > 0 && (box.left < -1 || box.right > root.clientWidth + 1)) out.push(`${el.className || el.tagName} sticks out (${Math.round(box.left)}–${Math.round(box.right)})`);
        }
        return out;
      });
      for (const o of overflow) problems.push(`${lang} at ${width}px: ${o}`);
      await page.locator(".site-header").screenshot({ path: `test-results/screens/header-${lang}-${width}.png` });
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  expect(problems, problems.join("\n")).toEqual([]);
});

test("every main page has one main landmark, all content in landmarks, one h1 and no skipped heading level", async () => {
  test.setTimeout(120_000);
  const found: string[] = [];
  for (const { context } of roles.values()) await context.addCookies([{ name: "lang", value: "en", url: process.env.E2E_BASE_URL! }]);
  for (const entry of pages) {
    const { page } = roles.get(entry.role)!;
    await page.goto(entry.path);
    if (entry.ready) await entry.ready(page);
    const results = await new AxeBuilder({ page })
      .withRules(["heading-order", "page-has-heading-one", "landmark-one-main", "landmark-no-duplicate-main", "landmark-unique", "region", "label", "select-name", "button-name", "link-name"])
      .analyze();
    for (const v of results.violations) found.push(`${entry.name} ${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join("\n    ")}`);
    // axe's page-has-heading-one asks for at least one h1: the page must have exactly one (a text
    // embedded in it, whose Markdown starts with "# Title", must not add a second).
    const h1s = await page.locator(entry.editable ? "h1:not([contenteditable] h1)" : "h1").allTextContents();
    if (h1s.length !== 1) found.push(`${entry.name} has ${h1s.length} h1: ${h1s.map((h) => JSON.stringify(h.trim().slice(0, 60))).join(", ")}`);
  }
  expect(found, found.join("\n")).toEqual([]);
});

test("on every main page, each element the Tab key reaches shows a visible focus indicator", async () => {
  test.setTimeout(240_000);
  const found: string[] = [];
  for (const { context } of roles.values()) await context.addCookies([{ name: "lang", value: "en", url: process.env.E2E_BASE_URL! }]);
  for (const entry of pages) {
    const { page } = roles.get(entry.role)!;
    await page.goto(entry.path);
    if (entry.ready) await entry.ready(page);
    const seen = new Set<string>();
    // The first 60 stops of each page (the header, the page's own controls, most of its content).
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      const stop = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
        const ring = style.boxShadow !== "none" && style.boxShadow !== "";
        const path: string[] = [];
        for (let n: Element | null = el; n && n !== document.body && path.length < 4; n = n.parentElement) path.unshift(n.tagName.toLowerCase() + (n.id ? `#${n.id}` : "") + (n.classList.length ? `.${[...n.classList].join(".")}` : ""));
        return { key: path.join(" > "), label: (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 40), visible: outline || ring };
      });
      if (!stop) break;
      if (!stop.visible && !seen.has(stop.key)) found.push(`${entry.name}: no visible focus on ${stop.key} "${stop.label}"`);
      seen.add(stop.key);
    }
  }
  expect(found, found.join("\n")).toEqual([]);
});
