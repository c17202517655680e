/**
 * An end-to-end ballot on the real server: the secretariat freezes a revision of EWTP-TAR-001 and
 * opens an ISO ballot closing two minutes later; three organisations' voting representatives
 * and two experts vote in their own browsers; the secretariat watches the live explanation change;
 * the ballot closes by itself; and the result page, the record endpoint and `audit:verify` agree.
 *
 * Runs after setup-and-roles.spec.ts (which creates the admin) and also alone: it creates the admin
 * with the CLI if needed, and everything else it needs through the API.
 */
import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";
import canonicalize from "canonicalize";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { ADMIN, cli, ensureAdmin, signIn } from "./support";

const PASSWORD = "a long and private passphrase";
const RUN = randomBytes(3).toString("hex");
// A committee of this run only, so the roll is exactly the five voters below whatever else the suite created.
const COMMITTEE = `B${Array.from(randomBytes(3), (b) => String.fromCharCode(65 + (b % 26))).join("")}`;

test.describe.configure({ mode: "serial" });

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `test-results/screens/${name}.png`, fullPage: true });
}

let token = "";
const voters: { key: string; name: string; email: string; role: "member" | "expert"; org: string }[] = [
  { key: "cainiao", name: "Chen Jing", email: `chen.${RUN}@cainiao.example`, role: "member", org: `Cainiao Network ${RUN}` },
  { key: "dhl", name: "Anna Kovacs", email: `anna.${RUN}@dhl.example`, role: "member", org: `DHL eCommerce ${RUN}` },
  { key: "lazada", name: "Siti Rahman", email: `siti.${RUN}@lazada.example`, role: "member", org: `Lazada ${RUN}` },
  { key: "expert1", name: "Dr. Ana Costa", email: `costa.${RUN}@wco-experts.example`, role: "expert", org: `Trade Data Experts ${RUN}` },
  { key: "expert2", name: "Prof. Kenji Sato", email: `sato.${RUN}@wco-experts.example`, role: "expert", org: `Trade Data Experts ${RUN}` },
];

async function api(page: Page, method: string, path: string, body?: unknown) {
  const res = await page.request.fetch(`/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}` }, ...(body !== undefined ? { data: body } : {}) });
  const json = await res.json().catch(() => null);
  return { status: res.status(), body: json };
}

test("a ballot on EWTP-TAR-001: five voters in their browsers, a live explanation, a close by itself, and a result the record and audit:verify agree on", async ({ browser, page }) => {
  test.setTimeout(360_000);

  // The secretariat's admin (the setup spec makes it; alone, the CLI does) and an API token.
  ensureAdmin();
  const tokenRun = cli(["token:create", "--email", ADMIN.email, "--label", `e2e ballot ${RUN}`]);
  expect(tokenRun.code, tokenRun.stderr).toBe(0);
  token = tokenRun.stdout.trim();

  // Organisations, a committee of this run, and the five voters (three representatives, two experts).
  expect((await api(page, "POST", "/committees", { code: COMMITTEE, name: `Ballot test ${RUN}` })).status).toBe(201);
  const orgIds = new Map<string, string>();
  for (const v of voters) {
    if (orgIds.has(v.org)) continue;
    const org = await api(page, "POST", "/orgs", { name: v.org, kind: v.role === "member" ? "company" : "expert", country: v.role === "member" ? "CN" : "BE" });
    expect(org.status, JSON.stringify(org.body)).toBe(201);
    orgIds.set(v.org, org.body.org.id);
  }
  for (const v of voters) {
    const user = await api(page, "POST", "/users", { email: v.email, name: v.name, orgId: orgIds.get(v.org), role: v.role, committees: ["TAR", COMMITTEE], votingRepresentative: v.role === "member", password: PASSWORD });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
  }

  // Freeze a revision of EWTP-TAR-001 (the draft gets a line of this run, so there is something new to freeze).
  const draft = await api(page, "GET", "/standards/EWTP-TAR-001/draft");
  expect(draft.status).toBe(200);
  expect((await api(page, "PUT", "/standards/EWTP-TAR-001/draft", { markdown: `${draft.body.markdown.trimEnd()}\n\nBallot copy ${RUN}.\n` })).status).toBe(200);
  const frozen = await api(page, "POST", "/standards/EWTP-TAR-001/revisions");
  expect(frozen.status, JSON.stringify(frozen.body)).toBe(201);
  const revision = frozen.body.revision as { number: string; hash: string };

  // Everyone signs in first, so the voting window is for voting.
  const admin = await signIn(browser, ADMIN.email, ADMIN.password);
  const pages = new Map<string, Page>();
  for (const v of voters) pages.set(v.key, await signIn(browser, v.email, PASSWORD));

  // Wide enough for five voters in browsers on a loaded 2-core machine; the test then waits for the close.
  const closesAt = new Date(Date.now() + 120_000);
  const opened = await api(page, "POST", "/ballots", {
    subject: { standardId: "EWTP-TAR-001", revision: revision.number },
    rule: "iso",
    voterUnit: "individual",
    eligible: { roles: ["expert", "member"], committees: [COMMITTEE] },
    quorum: 0.6,
    closesAt: closesAt.toISOString(),
    resultsVisible: "live",
    weight: 100, // not part of the contract: ignored
  });
  expect(opened.status, JSON.stringify(opened.body)).toBe(201);
  const ballot = opened.body.ballot;
  expect(ballot).toMatchObject({ status: "open", eligibleCount: 5, subjectHash: revision.hash });
  const url = `/ballots/${ballot.id}`;
  // Every voter opens the ballot at once; the votes below then only submit.
  await Promise.all([...pages.values()].map((p) => p.goto(url)));

  // The secretariat watches the ballot page: the rule in words, and what is still needed.
  await admin.goto(url);
  const standing = admin.getByRole("region", { name: "Where it stands" });
  await expect(admin.getByRole("heading", { name: `EWTP-TAR-001 revision ${revision.number}: Low-value consignment duty and indirect-tax treatment` })).toBeVisible();
  await expect(admin.getByText(revision.hash)).toBeVisible();
  await expect(admin.getByRole("region", { name: "The rule" })).toContainText("approvals must be at least two thirds of the approvals and disapprovals together");
  await expect(standing).toContainText("Still needed: 3 more approvals, from the 5 units that have not voted.");
  await shot(admin, "ballot-admin-open");

  async function castVote(key: string, position: "Approve" | "Disapprove" | "Abstain", reason?: string) {
    const p = pages.get(key)!;
    if (!p.url().endsWith(url)) await p.goto(url);
    await p.getByRole("radio", { name: position, exact: true }).check();
    const reasonField = p.getByRole("textbox", { name: /Reason/ });
    if (position === "Disapprove") await expect(reasonField).toHaveAttribute("required", "");
    if (reason) await reasonField.fill(reason);
    await p.getByRole("button", { name: /(Cast|Change) my vote/ }).click();
    // The confirmation stays through the page's live refresh, and the stored vote shows.
    await expect(p.getByRole("status").filter({ hasText: "Your vote is recorded." })).toBeVisible();
    await expect(p.getByRole("region", { name: "Your vote" })).toContainText(`Its vote: ${position}`);
    return p;
  }

  // A voter sees exactly what is voted on, and that a disapproval needs a reason under this rule.
  const first = pages.get("cainiao")!;
  await expect(first.getByText(revision.hash)).toBeVisible();
  await expect(first.getByText("(required if you disapprove)")).toBeVisible();
  await first.getByText("Read the exact text voted on").click();
  await expect(first.getByRole("article", { name: "The text voted on" })).toContainText(`Ballot copy ${RUN}.`);
  await shot(first, "ballot-voter");

  await castVote("cainiao", "Approve");
  await expect(standing).toContainText("Still needed: 2 more approvals, from the 4 units that have not voted.");
  const dhl = await castVote("dhl", "Disapprove", "The IOSS threshold table cites no source for the 2026 change.");
  await castVote("lazada", "Approve");
  await expect(standing).toContainText("Still needed: 1 more approval, from the 2 units that have not voted.");
  // The first voter's page has refreshed itself since (it shows the later votes): the confirmation is still there.
  await expect(first.getByRole("region", { name: "Where it stands" })).toContainText("Still needed: 1 more approval", { timeout: 30_000 });
  await expect(first.getByRole("status").filter({ hasText: "Your vote is recorded." })).toBeVisible();
  await castVote("expert1", "Approve");
  await expect(standing).toContainText("it passes as the votes stand. One more disapproval would make it fail.");
  await castVote("expert2", "Approve");
  await expect(standing).toContainText("If the ballot closed now, it would pass.");
  await expect(admin.getByRole("list", { name: "The tally" })).toContainText("4Approve1Disapprove0Abstain");
  await shot(admin, "ballot-admin-all-voted");
  await admin.setViewportSize({ width: 390, height: 844 });
  await shot(admin, "ballot-admin-all-voted-phone");
  await admin.setViewportSize({ width: 1280, height: 800 });

  // The roll shows who voted and (results are live) how; an organisation's vote is its representative's.
  const roll = admin.getByRole("region", { name: "Who may vote" });
  for (const v of voters) await expect(roll.getByRole("row", { name: new RegExp(v.name) })).toContainText("Voted");
  await expect(roll.getByRole("row", { name: /Anna Kovacs/ })).toContainText("Disapprove");

  // The ballot closes by itself at its time: nobody presses anything.
  expect(Date.now()).toBeLessThan(closesAt.getTime());
  await expect(admin.getByRole("heading", { name: "Result" })).toBeVisible({ timeout: closesAt.getTime() - Date.now() + 30_000 });
  await expect(admin.getByRole("region", { name: "Result" })).toContainText("Approved");
  await expect(admin.getByRole("region", { name: "Result" })).toContainText("Result: approved.");
  await shot(admin, "ballot-admin-closed");

  // Too late: the page no longer offers the form, and the API answers 409.
  await dhl.reload();
  await expect(dhl.getByText("Voting has closed.")).toBeVisible();
  const late = await dhl.request.fetch(`/api/v1/ballots/${ballot.id}/vote`, { method: "PUT", data: { position: "approve" }, headers: { origin: new URL(dhl.url()).origin } });
  expect(late.status()).toBe(409);

  // The record: recompute the tally and result, the roll and votes hashes, and check the signed checkpoint.
  const record = (await api(page, "GET", `/ballots/${ballot.id}/record`)).body;
  expect(record).toMatchObject({ result: "approved", tally: { approve: 4, disapprove: 1, abstain: 0, excluded: 0, notVoted: 0 }, rollHash: ballot.rollHash });
  const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
  expect(sha256(canonicalize(record.roll)!)).toBe(record.rollHash);
  expect(sha256(canonicalize(record.votes)!)).toBe(record.votesHash);
  const a = record.votes.filter((v: { position: string }) => v.position === "approve").length;
  const d = record.votes.filter((v: { position: string; reason: string | null }) => v.position === "disapprove" && v.reason).length;
  expect(3 * a >= 2 * (a + d) && 4 * d <= a + d && record.votes.length >= 0.6 * record.roll.length).toBe(true); // the ISO rule and the quorum, by hand
  const close = record.audit.at(-1);
  expect(close).toMatchObject({ action: "ballot.closed", data: { result: "approved", votesHash: record.votesHash, rollHash: record.rollHash, closedBy: "closesAt" } });
  const entryHash = sha256(canonicalize({ seq: close.seq, at: close.at, actorId: close.actorId, action: close.action, subjectType: close.subjectType, subjectId: close.subjectId, data: close.data, prevHash: close.prevHash })!);
  expect(entryHash).toBe(close.hash);
  expect(record.checkpoint.signed).toMatchObject({ seq: close.seq, headHash: close.hash });
  const keys = (await (await page.request.get("/api/v1/keys")).json()).keys as { keyid: string; publicKey: string; role: string }[];
  const indexKey = keys.find((k) => k.role === "index" && k.keyid === record.checkpoint.signatures[0].keyid)!;
  const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(indexKey.publicKey, "base64").toString("base64url") }, format: "jwk" });
  expect(verify(null, Buffer.from(canonicalize(record.checkpoint.signed)!), key, Buffer.from(record.checkpoint.signatures[0].sig, "base64"))).toBe(true);

  // The result page and the record agree, and so does audit:verify.
  const view = (await api(page, "GET", `/ballots/${ballot.id}`)).body;
  expect(view).toMatchObject({ status: "closed", result: record.result, tally: record.tally });
  const verified = cli(["audit:verify"]);
  expect(verified.stderr).toBe("");
  expect(verified.code).toBe(0);
  const covered = Number(/the latest covers entry (\d+)/.exec(verified.stdout)?.[1]);
  expect(covered).toBeGreaterThanOrEqual(close.seq);
  expect(verified.stdout).toMatch(/^audit chain ok: \d+ entries\ncheckpoints ok: \d+ signed/);

  // The voters were told it closed, and the transparency page lists the close with its result.
  const noticePage = pages.get("expert2")!;
  await noticePage.goto("/notifications");
  await expect(noticePage.getByRole("link", { name: `Ballot closed: EWTP-TAR-001 revision ${revision.number} was approved` })).toBeVisible();
  await admin.goto("/transparency");
  await expect(admin.getByRole("listitem").filter({ hasText: "Ballot closed" }).filter({ hasText: `EWTP-TAR-001 revision ${revision.number}` }).first()).toContainText("Approved");
  await expect(admin.getByRole("region", { name: "Latest signed checkpoint" })).toContainText(record.checkpoint.signed.headHash);
  await shot(admin, "transparency");
});
