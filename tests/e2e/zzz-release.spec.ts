/**
 * A release, end to end on the real server: the secretariat publishes the revision of EWTP-TAR-001
 * that zz-ballot.spec.ts had approved, through the Releases tab's form and its suggested version;
 * then the public (no sign-in) finds it under Downloads, reads its rules, checks the SHA-256 shown
 * against the file it downloads, and tries the rules with the first example (with and without
 * JavaScript); finally the real CLI verifies the portal, exports a mirror, verifies the mirror, and
 * names the file when one byte of the mirror is flipped.
 *
 * Runs after zz-ballot.spec.ts and publishes the revision that spec's ballot approved. Alone (or
 * when that ballot is missing) it makes an approved revision itself through the API and the CLI: an
 * expert in a committee of this run, a frozen revision, a ballot the expert approves, closed by the
 * secretariat.
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { ADMIN, cli, ensureAdmin } from "./support";

const STANDARD = "EWTP-TAR-001";

test.describe.configure({ mode: "serial" });

/** A full-page screenshot at a desktop width and at a 390 px phone width. */
async function shots(page: Page, name: string) {
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: `test-results/screens/${name}-1280.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `test-results/screens/${name}-390.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Signs the secretariat in (creating its admin with the CLI when this portal is fresh). */
async function signIn(browser: Browser): Promise<Page> {
  ensureAdmin();
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
  return page;
}

/** Every file under a directory, recursively. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/**
 * An approved revision of EWTP-TAR-001 when zz-ballot.spec.ts has not left one: a revision of this
 * run, a ballot on it whose only voter (an expert of a committee of this run) approves, closed by the
 * secretariat. Everything through the public API with personal access tokens from the CLI.
 */
async function makeApprovedRevision(request: APIRequestContext) {
  const run = randomBytes(3).toString("hex");
  const committee = `R${Array.from(randomBytes(3), (b) => String.fromCharCode(65 + (b % 26))).join("")}`;
  const expert = { email: `release.${run}@experts.example`, password: "a long and private passphrase" };
  const adminToken = cli(["token:create", "--email", ADMIN.email, "--label", `e2e release ${run}`]).stdout.trim();
  const api = async (token: string, method: string, url: string, data?: unknown) => {
    const res = await request.fetch(`/api/v1${url}`, { method, headers: { authorization: `Bearer ${token}` }, ...(data !== undefined ? { data } : {}) });
    const body = await res.json().catch(() => null);
    expect(res.status(), `${method} ${url}: ${JSON.stringify(body)}`).toBeLessThan(300);
    return body;
  };
  await api(adminToken, "POST", "/committees", { code: committee, name: `Release test ${run}` });
  const org = await api(adminToken, "POST", "/orgs", { name: `Release Experts ${run}`, kind: "expert", country: "BE" });
  await api(adminToken, "POST", "/users", { email: expert.email, name: `Release Expert ${run}`, orgId: org.org.id, role: "expert", committees: ["TAR", committee], votingRepresentative: false, password: expert.password });
  const draft = await api(adminToken, "GET", `/standards/${STANDARD}/draft`);
  await api(adminToken, "PUT", `/standards/${STANDARD}/draft`, { markdown: `${draft.markdown.trimEnd()}\n\nRelease copy ${run}.\n` });
  const frozen = await api(adminToken, "POST", `/standards/${STANDARD}/revisions`);
  const ballot = await api(adminToken, "POST", "/ballots", {
    subject: { standardId: STANDARD, revision: frozen.revision.number },
    rule: "simple-majority",
    voterUnit: "individual",
    eligible: { roles: ["expert"], committees: [committee] },
    closesAt: new Date(Date.now() + 30 * 60_000).toISOString(),
    resultsVisible: "live",
  });
  const expertToken = cli(["token:create", "--email", expert.email, "--label", `e2e release ${run}`]).stdout.trim();
  await api(expertToken, "PUT", `/ballots/${ballot.ballot.id}/vote`, { position: "approve" });
  const closed = await api(adminToken, "POST", `/ballots/${ballot.ballot.id}/close`);
  expect(closed.ballot ?? closed).toMatchObject({ result: "approved" });
}

let version = "";

test("the secretariat publishes the approved revision of EWTP-TAR-001 in the browser with the suggested version", async ({ browser }) => {
  test.setTimeout(180_000);
  const admin = await signIn(browser);
  await admin.goto(`/standards/${STANDARD}`);
  await admin.getByRole("navigation", { name: "Standard", exact: true }).getByRole("link", { name: "Releases" }).click();
  await expect(admin).toHaveURL(new RegExp(`/standards/${STANDARD}/releases$`));

  const form = admin.getByRole("region", { name: "Publish a release" });
  await expect(form).toBeVisible();
  if (await form.getByText("No revision is ready to publish.").isVisible()) {
    await makeApprovedRevision(admin.request);
    await admin.reload();
  }
  const revision = form.getByLabel("Approved revision");
  await expect(revision).toBeVisible();
  // The version is pre-filled with the suggested one, and the form says why.
  const versionField = form.getByLabel("Version", { exact: true });
  version = await versionField.inputValue();
  expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  await expect(form.getByText(`Why ${version}`)).toBeVisible();
  if (version === "1.0.0") await expect(form.getByText(`This is the first release of ${STANDARD}: it starts at 1.0.0.`)).toBeVisible();
  await expect(form.getByText("Publishing this revision would be refused")).toHaveCount(0);

  // A malformed version is refused next to the field, and nothing is published.
  await versionField.fill("1.0");
  await form.getByRole("button", { name: "Publish the release" }).click();
  await expect(admin.getByText("Write the version as MAJOR.MINOR.PATCH, for example 1.2.0.")).toBeVisible();
  await expect(admin.getByRole("table", { name: `Releases of ${STANDARD}, newest first` }).getByRole("link", { name: "1.0", exact: true })).toHaveCount(0);

  await form.getByLabel("Version", { exact: true }).fill(version);
  await form.getByRole("button", { name: "Publish the release" }).click();
  await expect(admin).toHaveURL(new RegExp(`/standards/${STANDARD}/releases/${version.replace(/\./g, "\\.")}$`));
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Low-value consignment duty and indirect-tax treatment");
  await expect(admin.locator(".release-facts")).toContainText(version);
  await expect(admin.locator(".release-facts")).toContainText("Current");

  // The tab lists it now, as current.
  await admin.goto(`/standards/${STANDARD}/releases`);
  const row = admin.getByRole("table", { name: `Releases of ${STANDARD}, newest first` }).getByRole("row", { name: new RegExp(`^${version.replace(/\./g, "\\.")} `) });
  await expect(row).toContainText("Current");
  await shots(admin, "releases-tab-admin");
});

test("the public finds the release under Downloads, checks the SHA-256 of ruleset.json and tries the rules", async ({ browser }) => {
  test.setTimeout(120_000);
  expect(version, "the publishing test ran").not.toBe("");
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Downloads" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Downloads" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Atom feed of releases" })).toHaveAttribute("href", "/releases.atom");
  await expect(page.getByRole("link", { name: "Signed index of every release (index.json)" })).toHaveAttribute("href", "/api/v1/index.json");
  const item = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: new RegExp(STANDARD) }) });
  await expect(item).toContainText(version);
  await expect(item).toContainText("ruleset.json");
  await shots(page, "downloads");

  await item.getByRole("heading", { name: new RegExp(STANDARD) }).getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/standards/${STANDARD}/releases/${version.replace(/\./g, "\\.")}$`));

  // The rules as cards, one per rule of the downloaded ruleset.json.
  const download = await page.request.get(`/api/v1/standards/${STANDARD}/releases/${version}/ruleset.json`);
  expect(download.status()).toBe(200);
  const bytes = await download.body();
  const ruleset = JSON.parse(bytes.toString("utf8")) as { rules: { id: string; examples: { input: unknown; expect: { applies: boolean; outcome: Record<string, unknown> | null } }[] }[] };
  expect(ruleset.rules.length).toBeGreaterThan(0);
  const rules = page.getByRole("region", { name: "The rules" });
  for (const rule of ruleset.rules) await expect(rules.getByRole("region", { name: new RegExp(`\\b${rule.id.replace(/\./g, "\\.")}\\b`) })).toBeVisible();

  // The SHA-256 shown is the SHA-256 of the bytes served; the size is their length.
  const files = page.getByRole("table", { name: `The files of ${STANDARD} ${version}` });
  await expect(files.getByRole("textbox", { name: "SHA-256 of ruleset.json" })).toHaveValue(sha256(bytes));
  await expect(files.getByRole("row", { name: /ruleset\.json/ })).toContainText(`${bytes.length.toLocaleString("en")} bytes`);

  // How to verify: the command pins the index key the portal publishes.
  const keys = (await (await page.request.get("/api/v1/keys")).json()).keys as { keyid: string; role: string }[];
  const indexKey = keys.find((k) => k.role === "index")!.keyid;
  await expect(page.getByRole("region", { name: "How to verify" }).getByRole("textbox", { name: "How to verify" })).toHaveValue(new RegExp(`verify --from \\S+ --root-key ${indexKey}$`));
  await shots(page, "release-page");

  // Try the rules: pre-filled with the first example; its expected result comes back.
  const example = ruleset.rules.flatMap((r) => r.examples.map((e) => ({ rule: r.id, ...e })))[0];
  const tryIt = page.getByRole("region", { name: "Try the rules" });
  const input = tryIt.getByLabel("Input (JSON)");
  expect(JSON.parse(await input.inputValue())).toEqual(example.input);
  await tryIt.getByRole("button", { name: "Evaluate" }).click();
  const results = tryIt.getByRole("table", { name: `How each rule of ${version} treats this input` });
  const ruleName = new RegExp(`\\b${example.rule.replace(/\./g, "\\.")}\\b`);
  const resultRow = results.getByRole("row", { name: ruleName });
  await expect(resultRow).toContainText(example.expect.applies ? "Yes" : "No");
  if (example.expect.outcome) expect(JSON.parse((await resultRow.locator("code").textContent()) ?? "null")).toEqual(example.expect.outcome);
  await tryIt.screenshot({ path: "test-results/screens/release-try-1280.png" });

  // Invalid JSON: a clear error next to the field, no results.
  await input.fill('{"shipment": {"value": 90}');
  await tryIt.getByRole("button", { name: "Evaluate" }).click();
  await expect(tryIt.getByText(/^This is not valid JSON/)).toBeVisible();
  await expect(input).toHaveAttribute("aria-invalid", "true");
  await expect(results).toHaveCount(0);

  // Without JavaScript the form still posts and answers.
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await plain.goto(`/standards/${STANDARD}/releases/${version}`);
  await plain.getByRole("region", { name: "Try the rules" }).getByRole("button", { name: "Evaluate" }).click();
  await expect(plain.getByRole("row", { name: ruleName })).toContainText(example.expect.applies ? "Yes" : "No");

  // An unknown version is a 404.
  expect((await page.goto(`/standards/${STANDARD}/releases/99.0.0`))?.status()).toBe(404);
});

test("verify passes against the portal and an exported mirror, and names the file when one byte of the mirror is flipped", async ({ request }) => {
  test.setTimeout(180_000);
  expect(version, "the publishing test ran").not.toBe("");
  const keys = (await (await request.get("/api/v1/keys")).json()).keys as { keyid: string; role: string }[];
  const rootKey = keys.find((k) => k.role === "index")!.keyid;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ewtp-release-e2e-"));
  try {
    const state = path.join(tmp, "verify-state.json");
    const portal = cli(["verify", "--from", process.env.E2E_BASE_URL!, "--root-key", rootKey, "--state", state]);
    expect(portal.stderr).toBe("");
    expect(portal.code).toBe(0);

    const mirror = path.join(tmp, "mirror");
    const exported = cli(["export:repository", "--out", mirror]);
    expect(exported.code, exported.stderr).toBe(0);
    const fromMirror = cli(["verify", "--from", mirror, "--root-key", rootKey, "--state", state]);
    expect(fromMirror.stderr).toBe("");
    expect(fromMirror.code).toBe(0);

    const ruleset = filesUnder(mirror).find((f) => f.includes(STANDARD) && f.includes(version) && path.basename(f) === "ruleset.json");
    expect(ruleset, "the mirror holds the release's ruleset.json").toBeDefined();
    const bytes = fs.readFileSync(ruleset!);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    fs.writeFileSync(ruleset!, bytes);
    const tampered = cli(["verify", "--from", mirror, "--root-key", rootKey, "--state", state]);
    expect(tampered.code).toBe(1);
    expect(tampered.stderr).toContain("ruleset.json");
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
