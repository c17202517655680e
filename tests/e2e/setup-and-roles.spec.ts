import { expect, test, type Page } from "@playwright/test";
import { ADMIN } from "./support";


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

const PEOPLE = [
  { role: "Expert", org: "Institute for Trade Data", kind: "expert", kindLabel: "Expert institution", country: "DE", name: "Dr. Jonas Weber", email: "weber@itd.example" },
  { role: "Member", org: "Cainiao Logistics", kind: "company", kindLabel: "Company", country: "CN", name: "Zhang Min", email: "zhang.min@cainiao.example" },
  { role: "Observer", org: "General Administration of Customs", kind: "government", kindLabel: "Government", country: "CN", name: "Li Wei", email: "li.wei@customs.example" },
];
const invitations = new Map<string, string>();

async function signInAsAdmin(page: Page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("banner").getByText(ADMIN.name)).toBeVisible();
}

test("the admin registers organisations and invites an expert, a company representative and a government observer", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/organisations");
  for (const p of PEOPLE) {
    await page.getByLabel("Name", { exact: true }).fill(p.org);
    await page.getByLabel("Kind").selectOption(p.kind);
    await page.getByLabel("Country").fill(p.country);
    await page.getByRole("button", { name: "Register the organisation" }).click();
    await expect(page.getByText(`${p.org} is registered.`)).toBeVisible();
  }
  await shot(page, "admin-organisations");

  for (const p of PEOPLE) {
    await page.goto("/admin/members");
    await page.getByLabel("Email", { exact: true }).fill(p.email);
    await page.getByLabel("Full name").fill(p.name);
    await page.getByLabel("Organisation", { exact: true }).selectOption({ label: `${p.org} (${p.kindLabel}, ${p.country})` });
    await page.getByLabel("Role", { exact: true }).selectOption({ label: p.role });
    await page.getByLabel("TAR — Tariffs and indirect taxes").check();
    await page.getByRole("button", { name: "Send the invitation" }).click();
    await expect(page.getByText(`Invitation created for ${p.name}`)).toBeVisible();
    const link = (await page.locator(".secret").first().innerText()).trim();
    expect(link).toMatch(/\/invite\/[a-z2-7]+$/);
    invitations.set(p.email, new URL(link).pathname);
  }
  await shot(page, "admin-members");
  await page.goto("/admin/outbox");
  for (const p of PEOPLE) await expect(page.getByText(p.email).first()).toBeVisible();
});

for (const p of PEOPLE) {
  test(`the invited ${p.role.toLowerCase()} activates the account and sees a portal shaped for the role`, async ({ browser }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(invitations.get(p.email)!);
    await expect(page.getByRole("heading", { name: "Welcome to the e-WTP Standards Portal" })).toBeVisible();
    await page.getByLabel("Password", { exact: true }).fill("a long and private passphrase");
    await page.getByLabel("Repeat the password").fill("a long and private passphrase");
    await page.getByRole("button", { name: "Activate my account" }).click();

    await expect(page.getByRole("heading", { name: `Welcome, ${p.name}` })).toBeVisible();
    const banner = page.getByRole("banner");
    await expect(banner.getByText(p.role, { exact: true })).toBeVisible();
    await expect(banner.getByRole("link", { name: "Administration" })).toHaveCount(0);
    await expect(page.getByRole("region", { name: "Drafts in your committees" }).getByText("EWTP-TAR-001")).toBeVisible();
    await expect(page.getByRole("region", { name: "Drafts in your committees" }).getByText("EWTP-LOG-001")).toHaveCount(0);
    if (p.role === "Observer") await expect(page.getByText("Observers do not vote.")).toBeVisible();
    await shot(page, `home-${p.role.toLowerCase()}`);

    expect((await page.goto("/admin"))?.status()).toBe(403);
    expect((await page.goto("/standards/EWTP-LOG-001"))?.status()).toBe(404);

    // The invitation link works once.
    await context.clearCookies();
    await page.goto(invitations.get(p.email)!);
    await expect(page.getByRole("heading", { name: "This invitation is invalid, was already used, or has expired." })).toBeVisible();
    await context.close();
  });
}
