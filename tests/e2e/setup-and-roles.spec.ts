import { expect, test, type Page } from "@playwright/test";

const ADMIN = { name: "Amina Haddad", email: "secretariat@ewtp.example", password: "correct horse battery staple" };

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

test.describe.configure({ mode: "serial" });

test("a newcomer sets up the secretariat's admin on first start, and the setup page is gone afterwards", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up the portal" })).toBeVisible();
  await shot(page, "setup");
  await page.getByLabel("Your name").fill(ADMIN.name);
  await page.getByLabel("Your email").fill(ADMIN.email);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await page.getByLabel("Repeat the password").fill("short");
  await page.getByRole("button", { name: "Create the administrator" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();

  await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
  await page.getByLabel("Repeat the password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Create the administrator" }).click();
  await expect(page).toHaveURL(/\/admin/);
  await expect(page.getByRole("banner").getByText(ADMIN.name)).toBeVisible();

  const again = await page.goto("/setup");
  expect(again?.status()).toBe(404);
});

test("the admin sees the seeded drafts with their rules; the public sees only what is published", async ({ page, context }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { name: `Welcome, ${ADMIN.name}` })).toBeVisible();
  await shot(page, "home-admin");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Standards" }).click();
  await expect(page.getByText(/\d+ standards/)).toBeVisible();
  for (const id of ["EWTP-TAR-001", "EWTP-LOG-001", "EWTP-CUS-001", "EWTP-TRU-001"]) await expect(page.getByText(id, { exact: true })).toBeVisible();
  await shot(page, "standards-admin");

  await page.getByRole("link", { name: /Low-value consignment/i }).click();
  await expect(page.getByText("This is a working draft")).toBeVisible();
  await expect(page.locator(".rule-card").first()).toBeVisible();
  await expect(page.getByText("TAR-001.R1", { exact: true })).toBeVisible();
  await shot(page, "standard-tar-001");

  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "standard-tar-001-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText("No standard has been published yet.")).toBeVisible();
  await shot(page, "home-public");
  const hidden = await page.goto("/standards/EWTP-TAR-001");
  expect(hidden?.status()).toBe(404);
  await context.clearCookies();
});

test("wrong credentials get one answer whether or not the account exists", async ({ page }) => {
  for (const email of [ADMIN.email, "nobody@ewtp.example"]) {
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("not the right password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert")).toHaveText("Email or password is not correct.");
  }
});
