/**
 * Webhooks in the browser, as an implementer's engineer (the member from setup-and-roles.spec.ts)
 * manages them: from Settings to the webhooks page, a bad URL refused with the reason, a webhook
 * added with its secret shown once, listed without the secret after a reload, then removed. Also
 * checks that pages advertise the releases feed.
 */
import { expect, test, type Page } from "@playwright/test";

const MEMBER = { email: "zhang.min@cainiao.example", password: "a long and private passphrase" };
const URL_OK = `https://hooks.cainiao.example/ewtp/${Date.now().toString(36)}`;

async function shots(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `test-results/screens/${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `test-results/screens/${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

test("a member adds a webhook, sees its secret once, and removes it", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(MEMBER.email);
  await page.getByLabel("Password").fill(MEMBER.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);

  // Every page points feed readers at the releases feed.
  await expect(page.locator('link[rel="alternate"][type="application/atom+xml"]')).toHaveAttribute("href", "/releases.atom");

  await page.goto("/settings");
  await page.getByRole("link", { name: "Manage your webhooks" }).click();
  await expect(page).toHaveURL(/\/settings\/webhooks$/);
  await expect(page.getByRole("heading", { level: 1, name: "Webhooks" })).toBeVisible();

  // A URL with credentials is refused, with the reason next to the field.
  await page.getByLabel("Receiving URL").fill("https://user:secret@hooks.cainiao.example/");
  await page.getByRole("button", { name: "Add the webhook" }).click();
  await expect(page.getByText("may not contain a user name or password")).toBeVisible();

  await page.getByLabel("Receiving URL").fill(URL_OK);
  await page.getByRole("button", { name: "Add the webhook" }).click();
  const secret = page.getByLabel("Signing secret");
  await expect(secret).toHaveText(/^whsec_[A-Za-z0-9_-]{43}$/);
  const card = page.getByRole("article", { name: URL_OK });
  await expect(card).toBeVisible();
  await expect(card.getByText("Nothing has been sent yet")).toBeVisible();
  await shots(page, "webhooks-created");

  // Shown once: after a reload the secret is gone, the webhook stays.
  const value = await secret.textContent();
  await page.reload();
  await expect(page.getByLabel("Signing secret")).toHaveCount(0);
  expect(await page.content()).not.toContain(value!);
  await expect(page.getByRole("article", { name: URL_OK })).toBeVisible();

  await page.getByRole("button", { name: `Remove the webhook for ${URL_OK}` }).click();
  await expect(page.getByText(`The webhook for ${URL_OK} is removed.`)).toBeVisible();
  await expect(page.getByRole("article", { name: URL_OK })).toHaveCount(0);
  await shots(page, "webhooks-removed");
});
