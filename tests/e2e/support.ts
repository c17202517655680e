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
