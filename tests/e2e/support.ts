/**
 * Helpers the e2e specs share (not a spec: Playwright does not run it). The specs run against one
 * server and one database, in file order; `cli` reaches that database through the portal's CLI.
 */
import { spawnSync } from "node:child_process";
import { expect, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";

/** The secretariat account the setup spec creates (and specs run alone create with the CLI). */
export const ADMIN = { name: "Amina Haddad", email: "secretariat@ewtp.example", password: "correct horse battery staple" };

/** Runs the portal CLI on the e2e server's DATA_DIR. */
export function cli(args: string[], input = "") {
  const run = spawnSync(process.execPath, ["--import", "tsx", "app/cli/portal.ts", ...args], {
    cwd: process.cwd(),
    env: { ...process.env, DATA_DIR: process.env.E2E_DATA_DIR },
    input,
    encoding: "utf8",
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Signs in on `page` through the sign-in form and waits until it has left /login. */
export async function signInOn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** A new browser context (with `options`) and a page in it, signed in as `email`. */
export async function signIn(browser: Browser, email: string, password: string, options?: BrowserContextOptions): Promise<Page> {
  const page = await (await browser.newContext(options)).newPage();
  await signInOn(page, email, password);
  return page;
}

/** Makes sure the secretariat account exists (specs run alone create it; after setup it is there already). */
export function ensureAdmin(): void {
  const created = cli(["admin:create", "--email", ADMIN.email, "--name", ADMIN.name, "--password-stdin"], `${ADMIN.password}\n`);
  expect(created.code === 0 || /already exists/.test(created.stderr), created.stderr).toBe(true);
}

/** A new browser context calling /api/v1 as the secretariat with a fresh token; each call must succeed. */
export async function adminApi(browser: Browser, label: string) {
  ensureAdmin();
  const token = cli(["token:create", "--email", ADMIN.email, "--label", label]).stdout.trim();
  const context = await browser.newContext();
  const api = async (method: string, url: string, data?: unknown) => {
    const res = await context.request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, ...(data !== undefined ? { data } : {}) });
    const body = await res.json().catch(() => null);
    expect(res.status(), `${method} ${url}: ${JSON.stringify(body)}`).toBeLessThan(300);
    return body;
  };
  return { api, close: () => context.close() };
}
