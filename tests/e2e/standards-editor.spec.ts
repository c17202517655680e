/**
 * The draft editor, as an editor uses it: open a standard's draft, edit a rule through the
 * structured form, watch an example fail and pass again as you type, apply (the live draft is
 * stored as it changes: there is no save button), and see the change on the standard page. Runs
 * after setup-and-roles.spec.ts, which creates the admin.
 */
import { expect, test, type Page } from "@playwright/test";
import { ADMIN } from "./support";

const NEW_TITLE = "EU: import VAT charged at checkout under the IOSS";

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: false });
}

async function signIn(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

test.describe.configure({ mode: "serial" });

test("an editor changes a rule through the form, sees a failing example, fixes it, saves, and finds the change on the standard page", async ({ page }) => {
  await signIn(page);
  await page.goto("/standards/EWTP-TAR-001");
  await page.getByRole("link", { name: "Edit draft" }).click();
  await expect(page).toHaveURL(/\/standards\/EWTP-TAR-001\/edit$/);
  await expect(page.getByRole("toolbar", { name: "Formatting" })).toBeVisible();
  // The live document has arrived once its rule blocks show.
  await expect(page.locator(".editor-rule").first()).toBeVisible();
  const panel = page.getByRole("complementary", { name: "Conformance" });
  await expect(panel.getByText(/^\d+ of \d+ examples pass$/)).toBeVisible();
  const before = (await panel.getByText(/^\d+ of \d+ examples pass$/).innerText()).trim();
  await shot(page, "editor-tar-001");

  await page.getByRole("button", { name: "Edit rule TAR-001.R1", exact: true }).click();
  const form = page.getByRole("group", { name: "Edit rule TAR-001.R1", exact: true });
  await expect(form).toBeVisible();
  await form.getByLabel("Title", { exact: true }).fill(NEW_TITLE);

  // A condition that is not JSON is reported at the field, as you type.
  const when = form.getByLabel("Applies when (JSON Logic)");
  const goodWhen = await when.inputValue();
  await when.fill(goodWhen.slice(0, -1));
  await expect(form.getByText(/Not valid JSON: .*line \d+, column \d+/)).toBeVisible();
  await when.fill(goodWhen);
  await expect(form.getByText(/Not valid JSON/)).toHaveCount(0);

  // Expect the wrong VAT in the first example: it fails, and says why.
  const outcome = form.getByLabel("Expected outcome (JSON object)").first();
  const goodOutcome = await outcome.inputValue();
  expect(goodOutcome).toContain('"vat_due": 23.75');
  await outcome.fill(goodOutcome.replace('"vat_due": 23.75', '"vat_due": 24'));
  const failure = form.getByText("“vat_due”: expected 24, got 23.75.");
  await expect(failure).toBeVisible();
  await failure.scrollIntoViewIfNeeded();
  await shot(page, "editor-failing-example");

  // Fix it: the example passes again.
  await outcome.fill(goodOutcome);
  await expect(failure).toHaveCount(0);
  await expect(form.getByText("No problems: the rule is valid.")).toBeVisible();
  await form.getByRole("button", { name: "Apply" }).click();

  await expect(form).toHaveCount(0);
  await expect(page.locator(".rule-card").filter({ hasText: NEW_TITLE })).toBeVisible();
  await expect(panel.getByText(before)).toBeVisible();

  // No save button: the live document is the draft; the status says when the server has every change.
  await expect(page.getByRole("button", { name: "Save draft" })).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "Connected · all changes saved" })).toBeVisible();
  await shot(page, "editor-saved");

  await page.getByRole("main").getByRole("link", { name: "View the standard" }).first().click();
  await expect(page).toHaveURL(/\/standards\/EWTP-TAR-001$/);
  await expect(page.locator(".rule-card").filter({ hasText: "TAR-001.R1" }).getByText(NEW_TITLE)).toBeVisible();
});

test("a broken rule is shown at the rule with what to fix, without breaking the editor", async ({ page }) => {
  await signIn(page);
  await page.goto("/standards/EWTP-TAR-001/edit");
  await expect(page.getByRole("toolbar", { name: "Formatting" })).toBeVisible();
  await page.getByRole("button", { name: "Edit rule TAR-001.R2", exact: true }).click();
  const form = page.getByRole("group", { name: "Edit rule TAR-001.R2", exact: true });
  await form.getByLabel("Rule id").fill("TAR-001.R1");
  await expect(form.getByText("The id TAR-001.R1 is used by another rule block of this standard.", { exact: false })).toBeVisible();
  await form.getByRole("button", { name: "Apply" }).click();

  const alert = page.locator(".editor-rule__issues").first();
  await expect(alert).toContainText("is used by another rule block");
  await expect(page.getByRole("complementary", { name: "Conformance" }).getByText("Rule blocks with problems")).toBeVisible();
  await shot(page, "editor-broken-rule");

  // The live draft holds the problem for everyone until it is fixed: give the rule its own id back.
  await page.getByRole("button", { name: "Edit rule TAR-001.R1", exact: true }).nth(1).click();
  const fix = page.getByRole("group", { name: "Edit rule TAR-001.R1", exact: true });
  await fix.getByLabel("Rule id").fill("TAR-001.R2");
  await fix.getByRole("button", { name: "Apply" }).click();
  await expect(page.locator(".editor-rule__issues")).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "Connected · all changes saved" })).toBeVisible();

  // Coming back shows the stored live draft, without the problem.
  await page.goto("/standards/EWTP-TAR-001/edit");
  await expect(page.getByRole("toolbar", { name: "Formatting" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Edit rule TAR-001.R2", exact: true })).toBeVisible();
  await expect(page.locator(".editor-rule__issues")).toHaveCount(0);
});
