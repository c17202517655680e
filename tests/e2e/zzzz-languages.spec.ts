/**
 * The portal in the reader's language: Accept-Language for the public (Arabic right to left), the
 * switcher on every page with and without JavaScript, a member's own setting that follows them to
 * the next sign-in, the note that a standard's text stays in its language, and screenshots of the
 * standard, a ballot and the downloads page in Chinese and Arabic (test-results/screens/).
 *
 * Runs after the other specs and also alone: it makes the admin with the CLI if needed, and its own
 * organisation, expert and member through the API.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { ADMIN, cli, ensureAdmin } from "./support";

const PASSWORD = "a long and private passphrase";
const RUN = randomBytes(3).toString("hex");
const MEMBER = `lin.${RUN}@cainiao.example`;
const EXPERT = `krause.${RUN}@itd.example`;
let token = "";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  ensureAdmin();
  const tokenRun = cli(["token:create", "--email", ADMIN.email, "--label", `e2e languages ${RUN}`]);
  expect(tokenRun.code, tokenRun.stderr).toBe(0);
  token = tokenRun.stdout.trim();
  const context = await browser.newContext();
  const api = async (method: string, url: string, data?: unknown) => {
    const res = await context.request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, ...(data !== undefined ? { data } : {}) });
    return { status: res.status(), body: await res.json().catch(() => null) };
  };
  const company = await api("POST", "/orgs", { name: `Cainiao Languages ${RUN}`, kind: "company", country: "CN" });
  expect(company.status, JSON.stringify(company.body)).toBe(201);
  const institute = await api("POST", "/orgs", { name: `Trade Data Institute ${RUN}`, kind: "expert", country: "DE" });
  expect(institute.status, JSON.stringify(institute.body)).toBe(201);
  for (const [email, name, orgId, role] of [
    [MEMBER, "Lin Yue", company.body.org.id, "member"],
    [EXPERT, "Dr. Jana Krause", institute.body.org.id, "expert"],
  ] as const) {
    const user = await api("POST", "/users", { email, name, orgId, role, committees: ["TAR"], votingRepresentative: role === "member", password: PASSWORD });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
  }
  await context.close();
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

/** Signs in through the English form (the account has no language of its own yet). */
async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto("/login");
  await page.locator("input[name=email]").fill(email);
  await page.locator("input[name=password]").fill(password);
  await page.locator("main form button[type=submit]").click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** A browser whose language (navigator.language and Accept-Language) is `locale`. */
async function contextFor(browser: Browser, locale: string, options: { javaScriptEnabled?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({ locale, ...options });
}

async function setLangCookie(context: BrowserContext, lang: string) {
  await context.addCookies([{ name: "lang", value: lang, url: process.env.E2E_BASE_URL! }]);
}

test("the public asking for Arabic gets the portal right to left, in Arabic", async ({ browser }) => {
  const context = await contextFor(browser, "ar-EG");
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("معايير مفتوحة للتجارة الإلكترونية العابرة للحدود");
  await expect(page.getByRole("link", { name: "المعايير", exact: true })).toBeVisible();
  // Right to left for real: the brand sits at the right edge, the navigation to its left.
  const brand = await page.locator(".brand").boundingBox();
  const viewport = page.viewportSize()!;
  expect(brand!.x + brand!.width).toBeGreaterThan(viewport.width / 2);
  await shot(page, "languages-home-ar");

  // Weights count; unknown languages are skipped; garbage gives English.
  for (const [header, lang] of [["ja, de-CH;q=0.8, fr;q=0.5", "de"], ["zh-CN,zh;q=0.9", "zh"], ["xx-invalid;;q=zz, !!", "en"]]) {
    const res = await page.request.get("/standards", { headers: { "Accept-Language": header } });
    expect(await res.text()).toContain(`<html lang="${lang}" dir="ltr">`);
  }
  await context.close();
});

test("the language switcher works without JavaScript, and refuses to send anyone elsewhere", async ({ browser }) => {
  const context = await contextFor(browser, "en", { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/standards?committee=TAR");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Standards");
  await page.getByLabel("Language", { exact: true }).selectOption("zh");
  await page.getByRole("button", { name: "Change", exact: true }).click();
  // Back on the same page, with its query, now in Chinese.
  await expect(page).toHaveURL(/\/standards\?committee=TAR$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("标准");
  await expect(page.getByLabel("语言", { exact: true })).toHaveValue("zh");
  await shot(page, "languages-switcher-nojs-zh");

  // Another site as the return address, or a language the portal does not have: refused.
  const origin = process.env.E2E_BASE_URL!;
  for (const redirectTo of ["https://evil.example/steal", "//evil.example/", "/\\evil.example"]) {
    const res = await page.request.post("/language", { form: { locale: "ar", redirectTo }, headers: { Origin: origin }, maxRedirects: 0 });
    expect(res.status()).toBe(303);
    expect(res.headers()["location"]).toBe("/");
  }
  const bad = await page.request.post("/language", { form: { locale: "klingon", redirectTo: "/" }, headers: { Origin: origin }, maxRedirects: 0 });
  expect(bad.status()).toBe(400);
  expect((await bad.json()).error).toMatchObject({ code: "bad_request" });
  await context.close();
});

test("with JavaScript, the switcher changes to Chinese and the browser fetches Chinese messages only", async ({ browser }) => {
  const context = await contextFor(browser, "en");
  const page = await context.newPage();
  const scripts: string[] = [];
  page.on("response", async (res) => {
    if (res.url().endsWith(".js")) scripts.push(await res.text().catch(() => ""));
  });
  await page.goto("/search");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Search");
  await page.getByLabel("Language", { exact: true }).selectOption("zh");
  await page.getByRole("button", { name: "Change", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("搜索");
  await expect(page).toHaveURL(/\/search$/);
  // Hydrated in Chinese: a client-side navigation renders Chinese too.
  await page.getByRole("link", { name: "标准", exact: true }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("标准");
  await page.waitForLoadState("networkidle");
  const all = scripts.join("\n");
  expect(all).toContain("e-WTP 标准门户");
  for (const other of ["معايير مفتوحة", "Offene Standards", "Normes ouvertes", "Normas abiertas"]) expect(all).not.toContain(other);
  await context.close();
});

test("a member chooses German in settings and finds the portal in German at the next sign-in", async ({ browser }) => {
  const context = await contextFor(browser, "en");
  const page = await context.newPage();
  await signIn(page, EXPERT);
  await page.goto("/settings");
  await page.getByLabel("Language of the portal").selectOption("de");
  await page.getByRole("button", { name: "Save the language" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ihr Konto");
  await expect(page.getByLabel("Sprache des Portals")).toHaveValue("de");
  await shot(page, "languages-settings-de");
  await page.getByRole("button", { name: "Abmelden" }).click();
  await context.close();

  // Another browser, English everywhere, no cookie: the member's own setting wins once signed in.
  const fresh = await contextFor(browser, "en-GB");
  const again = await fresh.newPage();
  await again.goto("/login");
  await expect(again.getByRole("heading", { level: 1 })).toHaveText("Sign in");
  await signIn(again, EXPERT);
  await expect(again.locator("html")).toHaveAttribute("lang", "de");
  await expect(again.getByRole("button", { name: "Abmelden" })).toBeVisible();
  await again.goto("/settings");
  await expect(again.getByRole("heading", { level: 1 })).toHaveText("Ihr Konto");
  // Back to English, so that the account leaves this spec as it came.
  await again.getByLabel("Sprache des Portals").selectOption("en");
  await again.getByRole("button", { name: "Sprache speichern" }).click();
  await expect(again.getByRole("heading", { level: 1 })).toHaveText("Your account");
  await fresh.close();
});

test("screenshots in Chinese and Arabic: the standard, a ballot and the downloads", async ({ browser }) => {
  test.setTimeout(240_000);
  // A translated title and scope for Chinese readers (the portal has no form for them yet).
  const db = new Database(path.join(process.env.E2E_DATA_DIR!, "portal.db"));
  db.prepare("INSERT OR REPLACE INTO standard_translations (standard_id, locale, title, scope) VALUES (?, ?, ?, ?)").run(
    "EWTP-TAR-001",
    "zh",
    "低价值货物的关税和间接税处理",
    "对进入欧盟、英国、澳大利亚和中国跨境电商零售进口渠道的低价值企业对消费者包裹，由谁征收增值税或商品及服务税、是否应缴关税，以及适用的起征点和生效日期。",
  );
  db.close();

  // A ballot on a fresh revision of EWTP-TAR-001, open for a day, for the TAR experts and members.
  const setup = await browser.newContext();
  const api = async (method: string, url: string, data?: unknown) => {
    const res = await setup.request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, ...(data !== undefined ? { data } : {}) });
    return { status: res.status(), body: await res.json().catch(() => null) };
  };
  const draft = await api("GET", "/standards/EWTP-TAR-001/draft");
  expect(draft.status).toBe(200);
  expect((await api("PUT", "/standards/EWTP-TAR-001/draft", { markdown: `${draft.body.markdown.trimEnd()}\n\nLanguages check ${Date.now()}.\n` })).status).toBe(200);
  const frozen = await api("POST", "/standards/EWTP-TAR-001/revisions");
  expect(frozen.status, JSON.stringify(frozen.body)).toBe(201);
  const opened = await api("POST", "/ballots", {
    subject: { standardId: "EWTP-TAR-001", revision: frozen.body.revision.number },
    rule: "iso",
    voterUnit: "individual",
    eligible: { roles: ["expert", "member"], committees: ["TAR"] },
    quorum: 0.5,
    closesAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
    resultsVisible: "live",
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  const ballotUrl = `/ballots/${opened.body.ballot.id}`;
  await setup.close();

  for (const lang of ["zh", "ar"] as const) {
    const context = await contextFor(browser, "en");
    const page = await context.newPage();
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, MEMBER);
    await setLangCookie(context, lang);

    await page.goto("/standards/EWTP-TAR-001");
    await expect(page.locator("html")).toHaveAttribute("lang", lang);
    await expect(page.locator("html")).toHaveAttribute("dir", lang === "ar" ? "rtl" : "ltr");
    // The standard's own text stays English, marked as such; the interface says so in the reader's language.
    await expect(page.locator("article.document")).toHaveAttribute("lang", "en");
    await expect(page.locator("article.document")).toHaveAttribute("dir", "ltr");
    if (lang === "zh") {
      await expect(page.getByText("本标准的正文为英语；仅界面已翻译。")).toBeVisible();
      await expect(page.locator(".page-header h1")).toHaveText("低价值货物的关税和间接税处理");
      await expect(page.locator(".original-title cite")).toHaveText("Low-value consignment duty and indirect-tax treatment");
    } else {
      await expect(page.getByText("نص هذا المعيار مكتوب باللغة الإنجليزية؛ الواجهة وحدها مترجمة.")).toBeVisible();
      // No Arabic title: the original shows, marked as English.
      await expect(page.locator(".page-header h1")).toHaveText("Low-value consignment duty and indirect-tax treatment");
      await expect(page.locator(".page-header h1 [lang=en]")).toHaveCount(1);
    }
    await shot(page, `languages-standard-${lang}`);
    await page.screenshot({ path: `test-results/screens/languages-standard-${lang}-top.png` });

    await page.goto(ballotUrl);
    await expect(page.getByRole("heading", { name: lang === "zh" ? "您的投票" : "صوتكم" })).toBeVisible();
    // The deadline names its time zone.
    await expect(page.locator("main").getByText(/UTC/).first()).toBeVisible();
    await shot(page, `languages-ballot-${lang}`);

    await page.goto("/releases");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(lang === "zh" ? "下载" : "التنزيلات");
    await shot(page, `languages-downloads-${lang}`);
    await context.close();
  }
});
