/**
 * The secretariat translates a standard's title and scope: the form per language, what a French
 * reader (a member of the committee) then sees, a refused empty scope, a member turned away, and removing the translation
 * again. Alone or after the other specs: it makes the admin with the CLI if needed and its member
 * through the API.
 */
import { randomBytes } from "node:crypto";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN, adminApi, signIn } from "./support";

const PASSWORD = "a long and private passphrase";
const RUN = randomBytes(3).toString("hex");
const MEMBER = `translations.${RUN}@jd.example`;
const STANDARD = "EWTP-TAR-001";
const ORIGINAL = "Low-value consignment duty and indirect-tax treatment";
const TITLE_FR = "Droits de douane et fiscalité indirecte des envois de faible valeur";
const SCOPE_FR = "Qui perçoit la TVA ou la TPS, et si des droits de douane sont dus, sur les colis de faible valeur destinés aux consommateurs.";

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ browser }) => {
  const { api, close } = await adminApi(browser, `e2e translations ${RUN}`);
  const org = await api("POST", "/orgs", { name: `JD Worldwide ${RUN}`, kind: "company", country: "CN" });
  await api("POST", "/users", { email: MEMBER, name: "Zhou Min", orgId: org.org.id, role: "member", committees: ["TAR"], password: PASSWORD });
  await close();
});

test("the secretariat gives EWTP-TAR-001 a French title and scope, French readers see them, and it can be removed", async ({ browser }) => {
  test.setTimeout(120_000);
  const admin = await signIn(browser, ADMIN.email, ADMIN.password, { viewport: { width: 1280, height: 900 } });
  await admin.goto(`/standards/${STANDARD}`);
  await admin.getByRole("link", { name: "Translated titles" }).click();
  // Client-side navigation: wait for the new page before reading its heading (the old one is still there a moment).
  await admin.waitForURL(`**/standards/${STANDARD}/translations`);
  await expect(admin.getByRole("heading", { level: 1, name: "Translated title and scope" })).toBeVisible();
  // One card per interface language other than the standard's own (English).
  await expect(admin.getByRole("region", { name: "English", exact: true })).toHaveCount(0);
  for (const name of ["中文（简体）", "Deutsch", "Français", "Español", "العربية"]) await expect(admin.getByRole("region", { name })).toBeVisible();

  const french = admin.getByRole("region", { name: "Français" });
  await expect(french).toContainText("Not translated yet");
  await expect(french.getByLabel("Translated title")).toHaveAttribute("lang", "fr");
  await french.getByLabel("Translated title").fill(TITLE_FR);
  await french.getByLabel("Translated scope").fill(SCOPE_FR);
  await french.getByRole("button", { name: "Save the translation into French" }).click();
  await expect(french.getByRole("status")).toHaveText("The translation is saved.");
  await expect(french.getByLabel("Translated title")).toHaveValue(TITLE_FR);
  await expect(admin.getByRole("region", { name: "العربية" }).getByLabel("Translated title")).toHaveAttribute("dir", "rtl");
  await admin.screenshot({ path: "test-results/screens/translations-form.png", fullPage: true });

  // A French reader (a member of TAR: the standard may be a draft still) sees the French title and scope, with the original named.
  const reader = await signIn(browser, MEMBER, PASSWORD, { viewport: { width: 1280, height: 900 } });
  await reader.context().addCookies([{ name: "lang", value: "fr", url: process.env.E2E_BASE_URL! }]);
  await reader.goto(`/standards/${STANDARD}`);
  await expect(reader.locator(".page-header h1")).toHaveText(TITLE_FR);
  await expect(reader.locator(".page-header .lead")).toHaveText(SCOPE_FR);
  await expect(reader.locator(".original-title cite")).toHaveText(ORIGINAL);

  // The server refuses an empty scope (the browser's own check bypassed), and keeps the translation.
  const refused = await admin.request.post(`/standards/${STANDARD}/translations`, {
    form: { locale: "fr", title: "Autre titre", scope: "   ", intent: "save" },
    headers: { Origin: process.env.E2E_BASE_URL! },
  });
  expect(refused.status()).toBe(400);
  const unknown = await admin.request.post(`/standards/${STANDARD}/translations`, {
    form: { locale: "en", title: "Title", scope: "Scope", intent: "save" },
    headers: { Origin: process.env.E2E_BASE_URL! },
  });
  expect(unknown.status()).toBe(400);
  await reader.reload();
  await expect(reader.locator(".page-header h1")).toHaveText(TITLE_FR);

  // A member may neither see the form nor post to it, and is not offered the link.
  const member = reader;
  await member.goto(`/standards/${STANDARD}`);
  await expect(member.getByRole("link", { name: "Titres traduits" })).toHaveCount(0);
  expect((await member.goto(`/standards/${STANDARD}/translations`))?.status()).toBe(403);
  const forbidden = await member.request.post(`/standards/${STANDARD}/translations`, {
    form: { locale: "fr", title: "Pirate", scope: "Pirate", intent: "save" },
    headers: { Origin: process.env.E2E_BASE_URL! },
  });
  expect(forbidden.status()).toBe(403);

  // Removed: French readers see the original again.
  await french.getByRole("button", { name: "Remove the translation into French" }).click();
  await expect(french.getByRole("status")).toHaveText("The translation is removed; readers in this language now see the original.");
  await expect(french).toContainText("Not translated yet");
  await reader.goto(`/standards/${STANDARD}`);
  await expect(reader.locator(".page-header h1")).toHaveText(ORIGINAL);
  await expect(reader.locator(".original-title")).toHaveCount(0);
});
