/**
 * An expert of the committee freezes revisions around an edit made in the rule form, opens the
 * redline between them, and finds the new wording through search. Runs after setup-and-roles.spec.ts
 * (which invites the expert into TAR) and standards-editor.spec.ts.
 */
import { expect, test, type Page } from "@playwright/test";

const EXPERT = { email: "weber@itd.example", password: "a long and private passphrase" };
const NEW_TITLE = "EU: low-value consignments declared with the H7 super-reduced dataset";

async function signIn(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(EXPERT.email);
  await page.getByLabel("Password").fill(EXPERT.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

test("an expert freezes a revision, edits a rule, freezes again and reads the redline", async ({ page }) => {
  await signIn(page);
  await page.goto("/standards/EWTP-TAR-001/revisions");
  await page.getByRole("button", { name: "Freeze a revision" }).click();
  const first = /Revision (\d+) is frozen\./.exec(await page.getByText(/Revision \d+ is frozen\./).innerText())![1];

  await page.goto("/standards/EWTP-TAR-001/edit");
  await expect(page.getByRole("toolbar", { name: "Formatting" })).toBeVisible();
  await page.getByRole("button", { name: "Edit rule TAR-001.R2", exact: true }).click();
  const form = page.getByRole("group", { name: "Edit rule TAR-001.R2", exact: true });
  await form.getByLabel("Title", { exact: true }).fill(NEW_TITLE);
  await form.getByRole("button", { name: "Apply" }).click();
  // No save button: the edit is stored as it arrives; wait until the server has it.
  await expect(page.getByRole("status").filter({ hasText: "Connected · all changes saved" })).toBeVisible();

  await page.goto("/standards/EWTP-TAR-001/revisions");
  await page.getByRole("button", { name: "Freeze a revision" }).click();
  const second = /Revision (\d+) is frozen\./.exec(await page.getByText(/Revision \d+ is frozen\./).innerText())![1];
  expect(Number(second)).toBe(Number(first) + 1);

  await page.getByRole("link", { name: `Redline of revision ${first} → ${second}` }).click();
  await expect(page.getByRole("heading", { name: "Redline" })).toBeVisible();
  const rules = page.getByRole("region", { name: "Rule changes" });
  await expect(rules.getByText("TAR-001.R2")).toBeVisible();
  await expect(rules).toContainText("fields: title");
  await page.screenshot({ path: "test-results/screens/redline.png", fullPage: true });

  // Freezing an unchanged draft again is refused with a reason.
  await page.goto("/standards/EWTP-TAR-001/revisions");
  await page.getByRole("button", { name: "Freeze a revision" }).click();
  await expect(page.getByRole("alert")).toContainText(/unchanged|no change|same/i);

  await page.goto("/search?q=super-reduced");
  await expect(page.locator(".search-hit").first()).toContainText("EWTP-TAR-001");
  await expect(page.locator(".search-hit mark").first()).toBeVisible();
});
