/**
 * Ballots through the real HTTP API of a running portal: opening a ballot on a frozen revision or a
 * submitted proposal, the frozen roll, voting for each role and unit, every refusal (the right
 * status, nothing written, the refusal logged), fifty simultaneous votes from one unit, closing by
 * hand, by the clock and after the server was down, cancelling (no result; the reason and the votes'
 * hash on the record; a proposal back to submitted), the record that lets anyone recompute the
 * result, the signed checkpoint that covers it, notifications, and the public keys.
 */
import { createHash, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import canonicalize from "canonicalize";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { proposals } from "../../db/schema";
import { entryHash } from "../../app/domain/audit.server";
import { closeDueBallots } from "../../app/domain/ballots.server";
import { verifyDocument } from "../../app/domain/signing-keys.server";
import { tally, type BallotRule } from "../../app/domain/tally";
import { setPreferences } from "../../app/domain/notifications.server";
import { accessTokenFor, createAdmin, createOrg, createUser, sessionCookieFor } from "../support/factories";
import { call, type CallResult } from "../support/http";
import { lastAuditEvent, startPortal, tableCounts, type TestPortal } from "../support/portal";

let portal: TestPortal;
type Who = { id: string; token: string; cookie: string; orgId: string };
const who: Record<string, Who> = {};
let readOnlyAdminToken: string;
const orgs: Record<string, string> = {};

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const HOUR = 60 * 60 * 1000;
const inHours = (h: number) => new Date(Date.now() + h * HOUR).toISOString();

beforeAll(async () => {
  portal = await startPortal();
  const a = createOrg({ kind: "company", name: `Cainiao ${randomUUID().slice(0, 6)}`, country: "CN" });
  const b = createOrg({ kind: "company", name: `DHL eCommerce ${randomUUID().slice(0, 6)}`, country: "DE" });
  const c = createOrg({ kind: "company", name: `Lazada ${randomUUID().slice(0, 6)}`, country: "SG" });
  const experts = createOrg({ kind: "expert", name: `Institute for Trade Data ${randomUUID().slice(0, 6)}`, country: "DE" });
  const gov = createOrg({ kind: "government", name: `Customs ${randomUUID().slice(0, 6)}`, country: "BR" });
  Object.assign(orgs, { a: a.id, b: b.id, c: c.id, experts: experts.id, gov: gov.id });
  const people = {
    admin: (await createAdmin()).user,
    repA: await createUser({ org: a, role: "member", committees: ["TAR"], votingRepresentative: true, name: "Zhang Min" }),
    memberA2: await createUser({ org: a, role: "member", committees: ["TAR"], name: "Wang Fang" }),
    repB: await createUser({ org: b, role: "member", committees: ["TAR"], votingRepresentative: true, name: "Anna Kovacs" }),
    repC: await createUser({ org: c, role: "member", committees: ["TAR"], votingRepresentative: true, name: "Siti Rahman" }),
    expert1: await createUser({ org: experts, role: "expert", committees: ["TAR"], name: "Jonas Weber" }),
    expert2: await createUser({ org: experts, role: "expert", committees: ["TAR"], name: "Marta Silva" }),
    observer: await createUser({ org: gov, role: "observer", committees: ["TAR"], name: "Li Wei" }),
    outsider: await createUser({ org: experts, role: "expert", committees: ["LOG"], name: "Pierre Martin" }),
  };
  for (const [name, user] of Object.entries(people)) who[name] = { id: user.id, orgId: user.orgId, token: accessTokenFor(user.id).token, cookie: sessionCookieFor(user.id) };
  readOnlyAdminToken = accessTokenFor(people.admin.id, { readOnly: true }).token;
});

afterAll(async () => {
  await portal?.close();
});

const as = (name: string) => ({ token: who[name].token });

function expectError(res: CallResult, status: number, code: string): void {
  expect(res.status, res.text).toBe(status);
  expect(Object.keys(res.body)).toEqual(["error"]);
  expect(res.body.error.code).toBe(code);
}

/** Runs a request that must be refused: the status and error body, and no table changed, no audit entry. */
async function refused(request: () => Promise<CallResult>, status: number, code: string): Promise<CallResult> {
  const before = tableCounts(portal.db);
  const lastAudit = lastAuditEvent(portal.db)?.seq;
  const votesBefore = portal.db.$client.prepare("select * from votes order by ballot_id, unit_id").all();
  const res = await request();
  expectError(res, status, code);
  expect(tableCounts(portal.db)).toEqual(before);
  expect(lastAuditEvent(portal.db)?.seq).toBe(lastAudit);
  expect(portal.db.$client.prepare("select * from votes order by ballot_id, unit_id").all()).toEqual(votesBefore);
  return res;
}

/** A new TAR standard with a frozen revision 00; returns the subject. */
async function frozenRevision(): Promise<{ standardId: string; revision: string; hash: string }> {
  const created = await call(portal, "/standards", { method: "POST", ...as("expert1"), body: { committee: "TAR", title: `Returns relief ${randomUUID().slice(0, 6)}`, scope: "Relief from duty for goods returned by consumers." } });
  expect(created.status, created.text).toBe(201);
  const frozen = await call(portal, `/standards/${created.body.standard.id}/revisions`, { method: "POST", ...as("expert1") });
  expect(frozen.status, frozen.text).toBe(201);
  return { standardId: created.body.standard.id, revision: frozen.body.revision.number, hash: frozen.body.revision.hash };
}

type BallotBody = Record<string, unknown>;
async function openBallot(overrides: BallotBody = {}, subject?: Record<string, string>): Promise<{ id: string; body: any; subject: Record<string, string> }> {
  const s = subject ?? (await frozenRevision());
  const body = { subject: { standardId: s.standardId, revision: s.revision }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["expert", "member"] }, closesAt: inHours(48), ...overrides };
  const res = await call(portal, "/ballots", { method: "POST", ...as("admin"), body });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.ballot.id, body: res.body.ballot, subject: s };
}

const vote = (id: string, name: string, body: Record<string, unknown>) => call(portal, `/ballots/${id}/vote`, { method: "PUT", ...as(name), body });

function auditActions(ballotId: string): string[] {
  return (portal.db.$client.prepare("select action from audit_events where subject_id = ? order by seq").all(ballotId) as { action: string }[]).map((r) => r.action);
}

/** Inserts a proposal row as the proposals module would have stored it. */
function proposalRow(state: "draft" | "submitted", standardId: string | null = null): { id: string; hash: string } {
  const markdown = `# Amendment ${randomUUID()}\n\nLower the threshold to EUR 100.\n`;
  const id = randomUUID();
  portal.db
    .insert(proposals)
    .values({
      id,
      kind: "amendment",
      title: "Lower the IOSS threshold",
      rationale: "Fewer consignments under the special arrangements.",
      committee: "TAR",
      standardId,
      markdown,
      submittedMarkdown: state === "submitted" ? markdown : null,
      submittedHash: state === "submitted" ? sha256(markdown) : null,
      state,
      createdBy: who.repA.id,
    })
    .run();
  return { id, hash: sha256(markdown) };
}

describe("POST /ballots", () => {
  it("the secretariat opens a ballot on a frozen revision: the roll is frozen and hashed, the standard shows 'ballot', all audited", async () => {
    const { id, body, subject } = await openBallot({ rule: "iso", quorum: 0.5 });
    expect(body).toMatchObject({
      subject: { standardId: subject.standardId, revision: "00" },
      subjectHash: subject.hash,
      rule: "iso",
      voterUnit: "individual",
      status: "open",
      eligibleCount: 6, // repA, memberA2, repB, repC, expert1, expert2 — never the observer, never the LOG expert
      result: null,
      tally: { approve: 0, disapprove: 0, abstain: 0, excluded: 0, notVoted: 6 },
      quorum: 0.5,
      eligible: { roles: ["expert", "member"], committees: ["TAR"] },
    });
    expect(body.explanation).toContain("ISO rule");
    expect(body.stillNeeded).toBe("Still needed: 3 more approvals, from the 6 units that have not voted.");
    const roll = portal.db.$client.prepare("select unit_id as unitId, voter_id as voterId, label from ballot_roll where ballot_id = ? order by unit_id").all(id) as { unitId: string; voterId: string; label: string }[];
    expect(roll.map((u) => u.voterId).sort()).toEqual(["repA", "memberA2", "repB", "repC", "expert1", "expert2"].map((n) => who[n].id).sort());
    expect(body.rollHash).toBe(sha256(canonicalize(roll)!));
    const standard = await call(portal, `/standards/${subject.standardId}`, as("expert1"));
    expect(standard.body.standard.status).toBe("ballot");
    expect(auditActions(id)).toEqual(["ballot.created", "ballot.opened"]);
  });

  it("an organisation ballot has one unit per organisation with an eligible member, voted by its representative; an organisation without one is on the roll with nobody to vote", async () => {
    const { id, body } = await openBallot({ voterUnit: "organization" });
    expect(body.eligibleCount).toBe(4);
    const roll = portal.db.$client.prepare("select unit_id as unitId, voter_id as voterId from ballot_roll where ballot_id = ?").all(id) as { unitId: string; voterId: string | null }[];
    expect(Object.fromEntries(roll.map((u) => [u.unitId, u.voterId]))).toEqual({ [orgs.a]: who.repA.id, [orgs.b]: who.repB.id, [orgs.c]: who.repC.id, [orgs.experts]: null });
  });

  it("members, experts, observers, read-only tokens get 403; the public 401; nothing is written", async () => {
    const s = await frozenRevision();
    const body = { subject: { standardId: s.standardId, revision: s.revision }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["member"] }, closesAt: inHours(24) };
    for (const name of ["repA", "expert1", "observer"]) await refused(() => call(portal, "/ballots", { method: "POST", ...as(name), body }), 403, "forbidden");
    await refused(() => call(portal, "/ballots", { method: "POST", token: readOnlyAdminToken, body }), 403, "forbidden");
    await refused(() => call(portal, "/ballots", { method: "POST", body }), 401, "unauthorized");
  });

  it("refuses a second ballot on the same subject while one is open (409)", async () => {
    const { subject } = await openBallot();
    await refused(
      () => call(portal, "/ballots", { method: "POST", ...as("admin"), body: { subject: { standardId: subject.standardId, revision: subject.revision }, rule: "iso", voterUnit: "individual", eligible: { roles: ["member"] }, closesAt: inHours(5) } }),
      409,
      "conflict",
    );
  });

  it("unknown subjects are 404; bad times, observers and unknown committees 422; malformed rules 400 — nothing written", async () => {
    const s = await frozenRevision();
    const base = { subject: { standardId: s.standardId, revision: s.revision }, rule: "iso", voterUnit: "individual", eligible: { roles: ["member"] }, closesAt: inHours(5) };
    const post = (body: unknown) => () => call(portal, "/ballots", { method: "POST", ...as("admin"), body });
    await refused(post({ ...base, subject: { standardId: "EWTP-TAR-999", revision: "00" } }), 404, "not_found");
    await refused(post({ ...base, subject: { standardId: s.standardId, revision: "07" } }), 404, "not_found");
    await refused(post({ ...base, subject: { proposalId: "no-such-proposal" } }), 404, "not_found");
    await refused(post({ ...base, closesAt: new Date(Date.now() - 60_000).toISOString() }), 422, "unprocessable");
    await refused(post({ ...base, opensAt: inHours(6), closesAt: inHours(5) }), 422, "unprocessable");
    const observers = await refused(post({ ...base, eligible: { roles: ["member", "observer"] } }), 422, "unprocessable");
    expect(observers.body.error.fields).toEqual({ "eligible.roles": "Observers never vote." });
    await refused(post({ ...base, eligible: { roles: ["admin"] } }), 422, "unprocessable");
    await refused(post({ ...base, eligible: { roles: ["member"], committees: ["ZZZ"] } }), 422, "unprocessable");
    await refused(post({ ...base, rule: "two-thirds" }), 400, "bad_request");
    await refused(post({ ...base, rule: { approve: { fraction: 1.5, of: "cast" } } }), 400, "bad_request");
    await refused(post({ ...base, quorum: 2 }), 400, "bad_request");
    await refused(post({ ...base, closesAt: "tomorrow" }), 400, "bad_request");
    await refused(post({ ...base, eligible: { roles: [] } }), 400, "bad_request");
  });

  it("a scheduled ballot has no roll until it opens; the clock opens it and freezes the roll then", async () => {
    const { id, body } = await openBallot({ opensAt: inHours(2), closesAt: inHours(30) });
    expect(body).toMatchObject({ status: "scheduled", eligibleCount: null, rollHash: null, tally: null });
    expect(body.explanation).toContain("has not opened yet");
    await refused(() => vote(id, "repA", { position: "approve" }), 409, "conflict");
    expect(closeDueBallots(new Date(Date.now() + 3 * HOUR)).opened).toContain(id);
    const after = await call(portal, `/ballots/${id}`, as("repA"));
    expect(after.body).toMatchObject({ status: "open", eligibleCount: 6 });
    expect(auditActions(id)).toEqual(["ballot.created", "ballot.opened"]);
  });
});

describe("who sees a ballot", () => {
  it("committee members and observers see it; the public and other committees get 404 (a draft's ballot is not public)", async () => {
    const { id, subject } = await openBallot();
    for (const name of ["repA", "expert1", "observer", "admin"]) expect((await call(portal, `/ballots/${id}`, as(name))).status, name).toBe(200);
    expectError(await call(portal, `/ballots/${id}`), 404, "not_found");
    expectError(await call(portal, `/ballots/${id}`, as("outsider")), 404, "not_found");
    const list = await call(portal, `/ballots?standardId=${subject.standardId}`, as("observer"));
    expect(list.body.ballots.map((b: { id: string }) => b.id)).toEqual([id]);
    expect((await call(portal, `/ballots?standardId=${subject.standardId}`)).body.ballots).toEqual([]);
    expect((await call(portal, `/ballots?standardId=${subject.standardId}&status=closed`, as("observer"))).body.ballots).toEqual([]);
  });

  it("someone on the roll sees the ballot even outside the subject's committee", async () => {
    const { id } = await openBallot({ eligible: { roles: ["expert"], committees: ["LOG"] } });
    expect((await call(portal, `/ballots/${id}`, as("outsider"))).body.eligibleCount).toBe(1);
  });
});

describe("PUT /ballots/{id}/vote", () => {
  it("a voter votes, changes the vote (a new version, vote.changed), and the same vote twice counts once", async () => {
    const { id } = await openBallot();
    const first = await vote(id, "expert1", { position: "disapprove", reason: "The threshold table cites no source." });
    expect(first.status, first.text).toBe(200);
    expect(first.body.vote).toMatchObject({ ballotId: id, unitId: who.expert1.id, voterId: who.expert1.id, position: "disapprove", reason: "The threshold table cites no source.", version: 1 });
    const changed = await vote(id, "expert1", { position: "approve" });
    expect(changed.body.vote).toMatchObject({ position: "approve", reason: null, version: 2 });
    const seq = lastAuditEvent(portal.db)?.seq;
    const again = await vote(id, "expert1", { position: "approve" });
    expect(again.body.vote).toEqual(changed.body.vote);
    expect(lastAuditEvent(portal.db)?.seq).toBe(seq);
    expect(auditActions(id)).toEqual(["ballot.created", "ballot.opened", "vote.cast", "vote.changed"]);
    const view = await call(portal, `/ballots/${id}`, as("admin"));
    expect(view.body.tally).toEqual({ approve: 1, disapprove: 0, abstain: 0, excluded: 0, notVoted: 5 });
  });

  it("an observer's vote is 403, nothing written, and the refusal is logged", async () => {
    const { id } = await openBallot();
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const res = await refused(() => vote(id, "observer", { position: "approve" }), 403, "forbidden");
      expect(res.body.error.message).toMatch(/observers never vote/);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(new RegExp(`refused vote: 403 forbidden ballot=${id} user=${who.observer.id} role=observer`)));
    } finally {
      warn.mockRestore();
    }
  });

  it("the secretariat and read-only tokens cannot vote; a caller who cannot see the ballot gets 404; the public 401", async () => {
    const { id } = await openBallot({ eligible: { roles: ["member"] } });
    await refused(() => vote(id, "admin", { position: "approve" }), 403, "forbidden");
    const readOnly = accessTokenFor(who.repA.id, { readOnly: true }).token;
    await refused(() => call(portal, `/ballots/${id}/vote`, { method: "PUT", token: readOnly, body: { position: "approve" } }), 403, "forbidden");
    await refused(() => vote(id, "outsider", { position: "approve" }), 404, "not_found");
    await refused(() => call(portal, `/ballots/${id}/vote`, { method: "PUT", body: { position: "approve" } }), 401, "unauthorized");
    await refused(() => vote(id, "expert1", { position: "approve" }), 403, "forbidden"); // experts are not eligible in this ballot
  });

  it("organisation ballots: only the representative votes, only for its own organisation", async () => {
    const { id } = await openBallot({ voterUnit: "organization" });
    await refused(() => vote(id, "memberA2", { position: "approve" }), 403, "forbidden");
    await refused(() => vote(id, "repA", { position: "approve", unitId: orgs.b }), 403, "forbidden");
    await refused(() => vote(id, "repA", { position: "approve", orgId: orgs.b }), 403, "forbidden");
    await refused(() => vote(id, "expert1", { position: "approve" }), 403, "forbidden"); // the expert institution has no representative
    const ok = await vote(id, "repA", { position: "approve", orgId: orgs.a });
    expect(ok.body.vote).toMatchObject({ unitId: orgs.a, voterId: who.repA.id });
  });

  it("a weight (or any unknown field) has no effect and is stored nowhere", async () => {
    const { id } = await openBallot();
    const res = await vote(id, "repB", { position: "approve", weight: 1000, unitWeight: 50, version: 99 });
    expect(res.status, res.text).toBe(200);
    expect(res.body.vote.version).toBe(1);
    const view = await call(portal, `/ballots/${id}`, as("repB"));
    expect(view.body.tally.approve).toBe(1);
    const everything = JSON.stringify(portal.db.$client.prepare("select * from audit_events where subject_id = ?").all(id)) + JSON.stringify(portal.db.$client.prepare("select * from votes where ballot_id = ?").all(id));
    expect(everything).not.toMatch(/1000|weight/);
  });

  it("a disapproval without a reason is 422 (field reason) when the rule excludes it; accepted under other rules", async () => {
    const iso = await openBallot({ rule: "iso" });
    const res = await refused(() => vote(iso.id, "repC", { position: "disapprove", reason: "   " }), 422, "unprocessable");
    expect(res.body.error.fields).toEqual({ reason: "Required for a disapproval." });
    expect((await vote(iso.id, "repC", { position: "disapprove", reason: "Conflicts with the UCC." })).status).toBe(200);
    const simple = await openBallot({ rule: "simple-majority" });
    expect((await vote(simple.id, "repC", { position: "disapprove" })).status).toBe(200);
  });

  it("malformed votes are 400 and write nothing", async () => {
    const { id } = await openBallot();
    await refused(() => vote(id, "repA", { position: "maybe" }), 400, "bad_request");
    await refused(() => vote(id, "repA", {}), 400, "bad_request");
    await refused(() => vote(id, "repA", { position: "approve", reason: "x".repeat(4001) }), 400, "bad_request");
    await refused(() => call(portal, `/ballots/${id}/vote`, { method: "PUT", ...as("repA"), rawBody: "{", contentType: "application/json" }), 400, "bad_request");
  });

  it("fifty simultaneous votes from one unit leave exactly one vote", async () => {
    const { id } = await openBallot({ voterUnit: "organization" });
    const same = await Promise.all(Array.from({ length: 50 }, () => vote(id, "repB", { position: "approve" })));
    expect(same.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(portal.db.$client.prepare("select count(*) as n from votes where ballot_id = ?").get(id)).toEqual({ n: 1 });
    expect(auditActions(id).filter((a) => a.startsWith("vote."))).toEqual(["vote.cast"]);
    // Fifty different positions at once: still one row for the unit, whatever the order they land in.
    const mixed = await Promise.all(Array.from({ length: 50 }, (_, i) => vote(id, "repB", { position: (["approve", "disapprove", "abstain"] as const)[i % 3], reason: "r" })));
    expect(mixed.every((r) => r.status === 200)).toBe(true);
    const rows = portal.db.$client.prepare("select unit_id as unitId, version from votes where ballot_id = ?").all(id) as { unitId: string; version: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0].version).toBe(auditActions(id).filter((a) => a.startsWith("vote.")).length);
    const view = await call(portal, `/ballots/${id}`, as("admin"));
    expect(view.body.tally.approve + view.body.tally.disapprove + view.body.tally.abstain).toBe(1);
  });
});

describe("closing and the record", () => {
  it("a full ballot: votes, early close by the secretariat, the result recorded once, the standard back to draft, a record anyone can recompute, a signed checkpoint over the close", async () => {
    const { id, subject } = await openBallot({ rule: "iso", voterUnit: "organization", quorum: 0.5 });
    expect((await vote(id, "repA", { position: "approve" })).status).toBe(200);
    expect((await vote(id, "repB", { position: "approve" })).status).toBe(200);
    expect((await vote(id, "repC", { position: "disapprove", reason: "Clause 4 conflicts with the UCC." })).status).toBe(200);
    expect((await vote(id, "repC", { position: "abstain" })).status).toBe(200);

    await refused(() => call(portal, `/ballots/${id}/close`, { method: "POST", ...as("repA") }), 403, "forbidden");
    await refused(() => call(portal, `/ballots/${id}/record`, as("admin")), 409, "conflict");
    const closed = await call(portal, `/ballots/${id}/close`, { method: "POST", ...as("admin") });
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body.ballot).toMatchObject({ status: "closed", result: "approved", tally: { approve: 2, disapprove: 0, abstain: 1, excluded: 0, notVoted: 1 }, reasons: [] });
    expect(closed.body.ballot.explanation).toContain("Result: approved.");
    await refused(() => call(portal, `/ballots/${id}/close`, { method: "POST", ...as("admin") }), 409, "conflict");
    await refused(() => vote(id, "repA", { position: "disapprove", reason: "too late" }), 409, "conflict");
    expect((await call(portal, `/standards/${subject.standardId}`, as("expert1"))).body.standard.status).toBe("draft");

    const record = await call(portal, `/ballots/${id}/record`, as("observer"));
    expect(record.status, record.text).toBe(200);
    const r = record.body;
    expect(r.subject).toEqual({ standardId: subject.standardId, revision: "00", hash: subject.hash });
    expect(r.rollHash).toBe(sha256(canonicalize(r.roll)!));
    expect(r.votesHash).toBe(sha256(canonicalize(r.votes)!));
    expect(r.votes.map((v: { unitId: string; position: string }) => [v.unitId, v.position]).sort()).toEqual([[orgs.a, "approve"], [orgs.b, "approve"], [orgs.c, "abstain"]].sort());
    // Recompute the result from the record alone.
    const again = tally(r.rule as BallotRule, r.roll, r.votes, { quorum: r.quorum });
    expect(again.tally).toEqual(r.tally);
    expect(again.result).toBe(r.result);
    // Every audit entry's hash recomputes; the close entry pins roll, votes and result; the checkpoint signs it.
    for (const e of r.audit) expect(entryHash({ ...e, data: JSON.stringify(e.data) })).toBe(e.hash);
    expect(r.audit.map((e: { action: string }) => e.action)).toEqual(["ballot.created", "ballot.opened", "vote.cast", "vote.cast", "vote.cast", "vote.changed", "ballot.closed"]);
    const close = r.audit.at(-1);
    expect(close.data).toMatchObject({ rollHash: r.rollHash, votesHash: r.votesHash, tally: r.tally, result: "approved" });
    expect(r.checkpoint.signed).toMatchObject({ seq: close.seq, headHash: close.hash, reason: `ballot ${id} closed` });
    const keys = (await call(portal, "/keys")).body.keys;
    expect(verifyDocument(r.checkpoint, keys)).toBe(true);
    expect(verifyDocument({ ...r.checkpoint, signed: { ...r.checkpoint.signed, seq: close.seq + 1 } }, keys)).toBe(false);
    expect(r.publicKey).toEqual(keys.find((k: { role: string }) => k.role === "index"));
    // The public cannot see a draft's ballot record.
    expectError(await call(portal, `/ballots/${id}/record`), 404, "not_found");
  });

  it("after-close results: tally and positions hidden while open, shown after", async () => {
    const { id } = await openBallot({ resultsVisible: "after-close" });
    await vote(id, "repA", { position: "approve" });
    const open = await call(portal, `/ballots/${id}`, as("admin"));
    expect(open.body).toMatchObject({ status: "open", tally: null, result: null, stillNeeded: null, votedCount: 1 });
    expect(open.body.explanation).toContain("1 of 6 units have voted");
    expect(open.body.explanation).not.toMatch(/approve,/);
    const closed = await call(portal, `/ballots/${id}/close`, { method: "POST", ...as("admin") });
    expect(closed.body.ballot.tally).toEqual({ approve: 1, disapprove: 0, abstain: 0, excluded: 0, notVoted: 5 });
  });

  it("ballots close by themselves at closesAt: on the next read, and by the clock — the result recorded once", async () => {
    const soon = await openBallot({ closesAt: new Date(Date.now() + 1500).toISOString() });
    await vote(soon.id, "repA", { position: "approve" });
    await new Promise((r) => setTimeout(r, 1700));
    const after = await call(portal, `/ballots/${soon.id}`, as("repA"));
    expect(after.body).toMatchObject({ status: "closed", result: "approved" });
    await refused(() => vote(soon.id, "repA", { position: "disapprove" }), 409, "conflict");

    const later = await openBallot({ closesAt: inHours(1) });
    await vote(later.id, "repB", { position: "disapprove" });
    const first = closeDueBallots(new Date(Date.now() + 2 * HOUR));
    expect(first.closed).toContain(later.id);
    expect(closeDueBallots(new Date(Date.now() + 3 * HOUR)).closed).not.toContain(later.id);
    expect(auditActions(later.id).filter((a) => a === "ballot.closed")).toHaveLength(1);
    const checkpoints = portal.db.$client.prepare("select count(*) as n from audit_checkpoints where reason = ?").get(`ballot ${later.id} closed`);
    expect(checkpoints).toEqual({ n: 1 });
    const view = await call(portal, `/ballots/${later.id}`, as("admin"));
    expect(view.body).toMatchObject({ status: "closed", result: "rejected", reasons: ["approve-threshold"] });
  });

  it("a proposal: only a submitted one is balloted; in-ballot while open, approved or rejected at the close", async () => {
    const draft = proposalRow("draft");
    await refused(
      () => call(portal, "/ballots", { method: "POST", ...as("admin"), body: { subject: { proposalId: draft.id }, rule: "consensus", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: inHours(2) } }),
      409,
      "conflict",
    );
    const submitted = proposalRow("submitted");
    const res = await call(portal, "/ballots", { method: "POST", ...as("admin"), body: { subject: { proposalId: submitted.id }, rule: "consensus", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: inHours(2) } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.ballot).toMatchObject({ subject: { proposalId: submitted.id }, subjectHash: submitted.hash, eligibleCount: 2 });
    const state = () => (portal.db.$client.prepare("select state, decided_at as decidedAt from proposals where id = ?").get(submitted.id) as { state: string; decidedAt: string | null });
    expect(state().state).toBe("in-ballot");
    await vote(res.body.ballot.id, "expert1", { position: "approve" });
    await vote(res.body.ballot.id, "expert2", { position: "approve" });
    await call(portal, `/ballots/${res.body.ballot.id}/close`, { method: "POST", ...as("admin") });
    expect(state()).toMatchObject({ state: "approved", decidedAt: expect.any(String) });
    expect(portal.db.$client.prepare("select action from audit_events where subject_id = ? and subject_type = 'proposal'").all(submitted.id)).toEqual([{ action: "proposal.decided" }]);
  });
});

describe("cancelling a ballot", () => {
  const cancel = (id: string, name: string | null, body: unknown) => call(portal, `/ballots/${id}/cancel`, { method: "POST", ...(name ? as(name) : {}), body });
  const auditOf = (id: string, action: string) =>
    portal.db.$client.prepare("select seq, actor_id as actorId, data from audit_events where subject_id = ? and action = ? order by seq").all(id, action) as { seq: number; actorId: string | null; data: string }[];

  it("the secretariat cancels an open ballot: no tally and no result, the reason and the votes' hash on the signed record, the standard back to draft, the roll told", async () => {
    const { id, subject } = await openBallot({ rule: "simple-majority" });
    expect((await vote(id, "repA", { position: "approve" })).status).toBe(200);
    expect((await vote(id, "expert1", { position: "disapprove", reason: "Clause 3 is ambiguous." })).status).toBe(200);
    const votesBefore = portal.db.$client.prepare("select unit_id as unitId, voter_id as voterId, position, reason, cast_at as castAt, version from votes where ballot_id = ? order by unit_id").all(id) as Record<string, unknown>[];

    const res = await cancel(id, "admin", { reason: "  The revision cites a withdrawn regulation; a corrected revision will be balloted.  " });
    expect(res.status, res.text).toBe(200);
    expect(res.body.ballot).toMatchObject({ id, status: "cancelled", result: null, tally: null, closedAt: expect.any(String) });
    expect(res.body.ballot.explanation).toContain("The ballot was cancelled.");
    expect((await call(portal, `/standards/${subject.standardId}`, as("expert1"))).body.standard.status).toBe("draft");

    // The record: one "ballot.cancelled" entry with the trimmed reason and the hash of the votes at that moment, covered by a signed checkpoint.
    const [entry] = auditOf(id, "ballot.cancelled");
    const data = JSON.parse(entry.data);
    expect(entry.actorId).toBe(who.admin.id);
    expect(data).toMatchObject({ reason: "The revision cites a withdrawn regulation; a corrected revision will be balloted.", statusBefore: "open", votesCast: 2, subjectHash: subject.hash });
    expect(data.votesHash).toBe(sha256(canonicalize(votesBefore)!));
    expect(portal.db.$client.prepare("select seq from audit_checkpoints where reason = ?").get(`ballot ${id} cancelled`)).toEqual({ seq: entry.seq });
    expect(auditActions(id)).toEqual(["ballot.created", "ballot.opened", "vote.cast", "vote.cast", "ballot.cancelled"]);
    expect(portal.db.$client.prepare("select tally_json as tally, result from ballots where id = ?").get(id)).toEqual({ tally: null, result: null });

    // Everyone on the roll hears of it (kind ballot.closed), with the reason in the mail.
    const notes = portal.db.$client.prepare("select user_id as userId, kind, title from notifications where link = ? and title like 'Ballot cancelled%'").all(`/ballots/${id}`) as { userId: string; kind: string; title: string }[];
    expect(notes.map((n) => n.userId).sort()).toEqual(["repA", "memberA2", "repB", "repC", "expert1", "expert2"].map((n) => who[n].id).sort());
    expect(new Set(notes.map((n) => `${n.kind}|${n.title}`))).toEqual(new Set([`ballot.closed|Ballot cancelled: ${subject.standardId} revision 00`]));
    const mail = portal.db.$client.prepare("select text from outbox where \"to\" = (select email from users where id = ?) order by id desc limit 1").get(who.repB.id) as { text: string };
    expect(mail.text).toContain("Reason: The revision cites a withdrawn regulation");

    // After the cancel: votes, closing, cancelling again and the record are 409; the clock leaves it alone.
    const late = await refused(() => vote(id, "repB", { position: "approve" }), 409, "conflict");
    expect(late.body.error.message).toMatch(/cancelled/);
    await refused(() => call(portal, `/ballots/${id}/close`, { method: "POST", ...as("admin") }), 409, "conflict");
    await refused(() => cancel(id, "admin", { reason: "again" }), 409, "conflict");
    const record = await refused(() => call(portal, `/ballots/${id}/record`, as("observer")), 409, "conflict");
    expect(record.body.error.message).toMatch(/cancelled.*no result.*Reason: The revision cites a withdrawn regulation/);
    const clock = closeDueBallots(new Date(Date.now() + 72 * HOUR));
    expect(clock.closed).not.toContain(id);
    expect(clock.reminded).not.toContain(id);
    expect((await call(portal, `/ballots/${id}`, as("admin"))).body).toMatchObject({ status: "cancelled", result: null });
    expect(auditActions(id).at(-1)).toBe("ballot.cancelled");
    // A new ballot can open on the same revision.
    const again = await call(portal, "/ballots", { method: "POST", ...as("admin"), body: { subject: { standardId: subject.standardId, revision: subject.revision }, rule: "iso", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: inHours(5) } });
    expect(again.status, again.text).toBe(201);
  });

  it("a proposal whose ballot is cancelled goes back to submitted, in the same transaction, and a new ballot can open on it", async () => {
    const p = proposalRow("submitted");
    const body = { subject: { proposalId: p.id }, rule: "consensus", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: inHours(3) };
    const first = await call(portal, "/ballots", { method: "POST", ...as("admin"), body });
    expect(first.status, first.text).toBe(201);
    const state = () => portal.db.$client.prepare("select state, decided_at as decidedAt from proposals where id = ?").get(p.id) as { state: string; decidedAt: string | null };
    expect(state().state).toBe("in-ballot");
    await refused(() => call(portal, "/ballots", { method: "POST", ...as("admin"), body }), 409, "conflict");

    const res = await cancel(first.body.ballot.id, "admin", { reason: "Wrong committee roll." });
    expect(res.status, res.text).toBe(200);
    expect(state()).toEqual({ state: "submitted", decidedAt: null });
    expect(JSON.parse(auditOf(first.body.ballot.id, "ballot.cancelled")[0].data)).toMatchObject({ subject: { proposalId: p.id }, proposalState: "submitted", votesCast: 0 });
    // Nobody is told the proposal was decided: it was not.
    expect(portal.db.$client.prepare("select count(*) as n from notifications where kind = 'proposal.decided' and link = ?").get(`/proposals/${p.id}`)).toEqual({ n: 0 });

    const second = await call(portal, "/ballots", { method: "POST", ...as("admin"), body });
    expect(second.status, second.text).toBe(201);
    expect(state().state).toBe("in-ballot");
    expect((await call(portal, `/ballots?proposalId=${p.id}`, as("admin"))).body.ballots.map((b: { status: string }) => b.status)).toEqual(["open", "cancelled"]);
  });

  it("a scheduled ballot can be cancelled before it opens: no roll is ever frozen and the clock never opens it", async () => {
    const { id } = await openBallot({ opensAt: inHours(2), closesAt: inHours(30) });
    const res = await cancel(id, "admin", { reason: "Scheduled by mistake." });
    expect(res.status, res.text).toBe(200);
    expect(res.body.ballot).toMatchObject({ status: "cancelled", eligibleCount: null, rollHash: null });
    expect(closeDueBallots(new Date(Date.now() + 3 * HOUR)).opened).not.toContain(id);
    expect(closeDueBallots(new Date(Date.now() + 31 * HOUR)).closed).not.toContain(id);
    expect(portal.db.$client.prepare("select count(*) as n from ballot_roll where ballot_id = ?").get(id)).toEqual({ n: 0 });
    expect(JSON.parse(auditOf(id, "ballot.cancelled")[0].data)).toMatchObject({ statusBefore: "scheduled", rollHash: null, votesCast: 0 });
    expect(auditActions(id)).toEqual(["ballot.created", "ballot.cancelled"]);
  });

  it("only the secretariat cancels, with a reason; closed ballots cannot be cancelled — each refusal writes nothing", async () => {
    const { id } = await openBallot();
    for (const name of ["repA", "expert1", "observer"]) await refused(() => cancel(id, name, { reason: "no" }), 403, "forbidden");
    await refused(() => call(portal, `/ballots/${id}/cancel`, { method: "POST", token: readOnlyAdminToken, body: { reason: "no" } }), 403, "forbidden");
    await refused(() => cancel(id, null, { reason: "no" }), 401, "unauthorized");
    await refused(() => cancel(id, "outsider", { reason: "no" }), 404, "not_found");
    await refused(() => cancel("no-such-ballot", "admin", { reason: "no" }), 404, "not_found");
    const missing = await refused(() => cancel(id, "admin", {}), 400, "bad_request");
    expect(missing.body.error.fields).toEqual({ reason: "Say why the ballot is cancelled." });
    await refused(() => cancel(id, "admin", { reason: "   " }), 400, "bad_request");
    await refused(() => cancel(id, "admin", { reason: "x".repeat(2001) }), 400, "bad_request");
    await refused(() => cancel(id, "admin", { reason: 42 }), 400, "bad_request");
    expect((await call(portal, `/ballots/${id}`, as("admin"))).body.status).toBe("open");

    await call(portal, `/ballots/${id}/close`, { method: "POST", ...as("admin") });
    const closed = await refused(() => cancel(id, "admin", { reason: "too late" }), 409, "conflict");
    expect(closed.body.error.message).toMatch(/already closed/);
  });

  it("a ballot past its closing time closes with its result instead of being cancelled", async () => {
    const soon = await openBallot({ closesAt: new Date(Date.now() + 1200).toISOString() });
    await vote(soon.id, "repA", { position: "approve" });
    await new Promise((r) => setTimeout(r, 1400));
    const res = await cancel(soon.id, "admin", { reason: "too late" });
    expectError(res, 409, "conflict");
    expect((await call(portal, `/ballots/${soon.id}`, as("admin"))).body).toMatchObject({ status: "closed", result: "approved" });
    expect(auditActions(soon.id).filter((a) => a.startsWith("ballot."))).toEqual(["ballot.created", "ballot.opened", "ballot.closed"]);
  });
});

describe("notifications", () => {
  it("voters are told in the portal and by mail that a ballot opened and closed, as each chose", async () => {
    setPreferences(who.repC.id, {
      "ballot.opened": { inPortal: true, byMail: false },
      "ballot.closing": { inPortal: true, byMail: true },
      "ballot.closed": { inPortal: false, byMail: false },
      "proposal.submitted": { inPortal: true, byMail: true },
      "proposal.decided": { inPortal: true, byMail: true },
      "comment.mention": { inPortal: true, byMail: true },
    });
    const mailsTo = (name: string) => (portal.db.$client.prepare("select subject from outbox where \"to\" = (select email from users where id = ?) order by id").all(who[name].id) as { subject: string }[]).map((m) => m.subject);
    const notes = (name: string, id: string) => portal.db.$client.prepare("select kind, title from notifications where user_id = ? and link = ? order by id").all(who[name].id, `/ballots/${id}`) as { kind: string; title: string }[];
    const beforeC = mailsTo("repC").length;
    const { id, subject } = await openBallot({ voterUnit: "organization" });
    expect(notes("repA", id)).toEqual([{ kind: "ballot.opened", title: `A ballot is open for you: ${subject.standardId} revision 00` }]);
    expect(mailsTo("repA").at(-1)).toBe(`Ballot open: ${subject.standardId} revision 00`);
    expect(notes("memberA2", id)).toEqual([]); // not the organisation's voter
    expect(notes("observer", id)).toEqual([]);
    expect(notes("repC", id).map((n) => n.kind)).toEqual(["ballot.opened"]);
    await call(portal, `/ballots/${id}/close`, { method: "POST", ...as("admin") });
    expect(notes("repA", id).map((n) => n.kind)).toEqual(["ballot.opened", "ballot.closed"]);
    expect(notes("repA", id)[1].title).toBe(`Ballot closed: ${subject.standardId} revision 00 was rejected`);
    expect(notes("repC", id).map((n) => n.kind)).toEqual(["ballot.opened"]);
    expect(mailsTo("repC").length).toBe(beforeC);
  });

  it("24 hours before the close, voters who have not voted are reminded, once", async () => {
    const { id } = await openBallot({ closesAt: inHours(30) });
    await vote(id, "repA", { position: "approve" });
    expect(closeDueBallots(new Date(Date.now() + 2 * HOUR)).reminded).not.toContain(id);
    expect(closeDueBallots(new Date(Date.now() + 7 * HOUR)).reminded).toContain(id);
    expect(closeDueBallots(new Date(Date.now() + 8 * HOUR)).reminded).not.toContain(id);
    const reminded = portal.db.$client.prepare("select user_id as userId from notifications where kind = 'ballot.closing' and link = ?").all(`/ballots/${id}`) as { userId: string }[];
    expect(reminded.map((r) => r.userId).sort()).toEqual(["memberA2", "repB", "repC", "expert1", "expert2"].map((n) => who[n].id).sort());
  });
});

describe("keys and checkpoints", () => {
  it("GET /keys lists an Ed25519 release key and index key: raw 32-byte base64, keyid = SHA-256 of the raw bytes; the files are private", async () => {
    const res = await call(portal, "/keys");
    expect(res.status).toBe(200);
    expect(res.body.keys.map((k: { role: string }) => k.role)).toEqual(["release", "index"]);
    for (const k of res.body.keys) {
      expect(k.algorithm).toBe("ed25519");
      const raw = Buffer.from(k.publicKey, "base64");
      expect(raw).toHaveLength(32);
      expect(k.keyid).toBe(createHash("sha256").update(raw).digest("hex"));
    }
    const dir = path.join(portal.dataDir, "keys");
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it("GET /audit/checkpoints/latest is public and verifies with the published index key", async () => {
    const res = await call(portal, "/audit/checkpoints/latest");
    expect(res.status, res.text).toBe(200);
    expect(verifyDocument(res.body.checkpoint, [res.body.publicKey])).toBe(true);
    const head = portal.db.$client.prepare("select hash from audit_events where seq = ?").get(res.body.checkpoint.signed.seq) as { hash: string };
    expect(res.body.checkpoint.signed.headHash).toBe(head.hash);
  });

  it("the OpenAPI document describes every ballot endpoint", async () => {
    const doc = (await call(portal, "/openapi.json")).body;
    for (const p of ["/ballots", "/ballots/{id}", "/ballots/{id}/vote", "/ballots/{id}/close", "/ballots/{id}/cancel", "/ballots/{id}/record", "/keys", "/audit/checkpoints/latest"]) expect(doc.paths[p], p).toBeDefined();
  });
});

describe("closing while the server is down", () => {
  it("a ballot whose closing time passed while the portal was stopped closes at start-up, once", async () => {
    // This file's portal is stopped and a second one runs the scenario on its own DATA_DIR.
    await portal.close();
    const { tempDataDir } = await import("../support/portal");
    const dataDir = tempDataDir("ewtp-ballot-down-");
    let second = await startPortal({ dataDir });
    try {
      const admin = (await createAdmin()).user;
      const org = createOrg({ kind: "expert" });
      const voter = await createUser({ org, role: "expert", committees: ["TAR"] });
      const adminToken = accessTokenFor(admin.id).token;
      const voterToken = accessTokenFor(voter.id).token;
      const created = await call(second, "/standards", { method: "POST", token: voterToken, body: { committee: "TAR", title: "Returns while down", scope: "Relief from duty for goods returned by consumers." } });
      await call(second, `/standards/${created.body.standard.id}/revisions`, { method: "POST", token: voterToken });
      const ballot = await call(second, "/ballots", {
        method: "POST",
        token: adminToken,
        body: { subject: { standardId: created.body.standard.id, revision: "00" }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: new Date(Date.now() + 1500).toISOString() },
      });
      expect(ballot.status, ballot.text).toBe(201);
      const id = ballot.body.ballot.id;
      expect((await call(second, `/ballots/${id}/vote`, { method: "PUT", token: voterToken, body: { position: "approve" } })).status).toBe(200);
      await second.close();
      await new Promise((r) => setTimeout(r, 1800));

      second = await startPortal({ dataDir });
      // Before any request: the start-up closed it.
      const row = second.db.$client.prepare("select status, result from ballots where id = ?").get(id);
      expect(row).toEqual({ status: "closed", result: "approved" });
      const count = () => (second.db.$client.prepare("select count(*) as n from audit_events where subject_id = ? and action = 'ballot.closed'").get(id) as { n: number }).n;
      expect(count()).toBe(1);
      await second.close();
      second = await startPortal({ dataDir });
      expect(count()).toBe(1);
      const record = await call(second, `/ballots/${id}/record`, { token: adminToken });
      expect(record.body).toMatchObject({ result: "approved", tally: { approve: 1 } });
      expect(record.body.audit.at(-1).data.closedBy).toBe("closesAt");
    } finally {
      await second.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
