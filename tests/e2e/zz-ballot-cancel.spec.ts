/**
 * Cancelling a ballot in the browser: the secretariat opens a ballot on a new standard's frozen
 * revision, a member votes, the secretariat cancels it from the ballot page (a reason and a
 * confirmation are required), and the member then sees the cancellation with its reason, no vote
 * form, and a notification that says so.
 *
 * Runs after setup-and-roles.spec.ts and also alone: it makes the admin with the CLI if needed and
 * everything else through the API.
 */
import { randomBytes } from "node:crypto";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN, cli, ensureAdmin, signIn } from "./support";

const PASSWORD = "a long and private passphrase";
const RUN = randomBytes(3).toString("hex");
const MEMBER = { name: "Chen Wei", email: `chen.wei.${RUN}@cainiao.example` };
const REASON = "The revision cites the withdrawn 2021 threshold table; a corrected revision will be balloted.";

test("the secretariat cancels an open ballot with a reason; voters see why, cannot vote, and are notified", async ({ browser, page }) => {
  test.setTimeout(120_000);
  ensureAdmin();
  const tokenRun = cli(["token:create", "--email", ADMIN.email, "--label", `e2e cancel ${RUN}`]);
  expect(tokenRun.code, tokenRun.stderr).toBe(0);
  const token = tokenRun.stdout.trim();
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await page.request.fetch(`/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { data: body } : {}) });
    return { status: res.status(), body: await res.json().catch(() => null) };
  };

  // A member of TAR, a new TAR standard with revision 00, and a ballot on it for members.
  const org = await api("POST", "/orgs", { name: `Cainiao Cancel ${RUN}`, kind: "company", country: "CN" });
  expect(org.status, JSON.stringify(org.body)).toBe(201);
  expect((await api("POST", "/users", { email: MEMBER.email, name: MEMBER.name, orgId: org.body.org.id, role: "member", committees: ["TAR"], password: PASSWORD })).status).toBe(201);
  const standard = await api("POST", "/standards", { committee: "TAR", title: `Returns relief ${RUN}`, scope: "Relief from duty for goods returned by consumers." });
  expect(standard.status, JSON.stringify(standard.body)).toBe(201);
  const id = standard.body.standard.id as string;
  expect((await api("POST", `/standards/${id}/revisions`)).status).toBe(201);
  const opened = await api("POST", "/ballots", { subject: { standardId: id, revision: "00" }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["member"] }, closesAt: new Date(Date.now() + 3600_000).toISOString() });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  const url = `/ballots/${opened.body.ballot.id}`;

  // The member votes.
  const member = await signIn(browser, MEMBER.email, PASSWORD);
  await member.goto(url);
  await member.getByRole("radio", { name: "Approve", exact: true }).check();
  await member.getByRole("button", { name: "Cast my vote" }).click();
  await expect(member.getByText("Your vote is recorded.")).toBeVisible();
  await expect(member.getByRole("region", { name: "Cancel the ballot" })).toHaveCount(0);

  // The secretariat cancels: without the confirmation the form does not go; with it, the ballot is cancelled.
  const admin = await signIn(browser, ADMIN.email, ADMIN.password);
  await admin.goto(url);
  const form = admin.getByRole("region", { name: "Cancel the ballot" });
  await expect(form).toContainText("the votes cast so far are not counted");
  await form.getByLabel("Reason (required)").fill(REASON);
  await admin.screenshot({ path: "test-results/screens/ballot-cancel-form.png", fullPage: true });
  await form.getByRole("button", { name: "Cancel the ballot" }).click();
  await expect(form.getByLabel("I understand that a cancelled ballot cannot be reopened.")).toHaveJSProperty("validity.valid", false);
  await expect(admin.locator(".meta-row")).toContainText("Open");
  await form.getByLabel("I understand that a cancelled ballot cannot be reopened.").check();
  await form.getByRole("button", { name: "Cancel the ballot" }).click();
  await expect(admin.getByText("The ballot is cancelled. No result was recorded.")).toBeVisible();
  const notice = admin.getByRole("region", { name: "This ballot was cancelled" });
  await expect(notice).toContainText(REASON);
  await expect(notice).toContainText(`by ${ADMIN.name}`);
  await expect(notice).toContainText("the 1 vote cast by then");
  await expect(admin.locator(".meta-row")).toContainText("Cancelled");
  await expect(admin.getByRole("region", { name: "Cancel the ballot" })).toHaveCount(0);
  await admin.screenshot({ path: "test-results/screens/ballot-cancelled-admin.png", fullPage: true });

  // The member sees why, cannot vote any more, and was notified.
  await member.goto(url);
  await expect(member.getByRole("region", { name: "This ballot was cancelled" })).toContainText(REASON);
  await expect(member.getByText("The ballot was cancelled; votes are no longer taken.")).toBeVisible();
  await expect(member.getByRole("button", { name: /Change my vote|Cast my vote/ })).toHaveCount(0);
  await expect(member.getByText("The ballot was cancelled before its close: no tally and no result were recorded.")).toBeVisible();
  await member.screenshot({ path: "test-results/screens/ballot-cancelled-member.png", fullPage: true });
  await member.goto("/notifications");
  await expect(member.getByRole("link", { name: `Ballot cancelled: ${id} revision 00` })).toBeVisible();
});
