/**
 * Proposals through the real HTTP API of a running portal: proposing amendments and new standards,
 * reading and listing them per role, editing a draft, submitting, the redline against the base,
 * withdrawing, and applying an approved proposal — cleanly, through the three-way merge, and with
 * conflicts (409, nothing written) that resolutions settle; who is notified when a proposal is
 * submitted or decided. Every refusal: its status, the
 * contract's error body, and no table changed.
 *
 * A proposal reaches "approved" the way it does in production: a ballot opened by the secretariat
 * (POST /ballots), an approving vote and the close (the ballots module sets the proposal's state).
 */
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { setPreferences, type Preferences } from "../../app/domain/notifications.server";
import { NOTIFICATION_KINDS } from "../../app/domain/notification-kinds";
import { accessTokenFor, createAdmin, createOrg, createUser, sessionCookieFor } from "../support/factories";
import { call, type CallResult } from "../support/http";
import { lastAuditEvent, startPortal, tableCounts, type TestPortal } from "../support/portal";

let portal: TestPortal;
const who: Record<string, { token: string; cookie: string; id: string }> = {};
let readOnlyToken: string;

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

beforeAll(async () => {
  portal = await startPortal();
  const expertOrg = createOrg({ kind: "expert", country: "SG" });
  const company = createOrg({ kind: "company", country: "CN" });
  const company2 = createOrg({ kind: "company", country: "DE" });
  const government = createOrg({ kind: "government", country: "BR" });
  const people = {
    admin: (await createAdmin()).user,
    expert: await createUser({ org: expertOrg, role: "expert", committees: ["TAR"] }),
    member: await createUser({ org: company, role: "member", committees: ["TAR"] }),
    otherMember: await createUser({ org: company2, role: "member", committees: ["TAR"] }),
    observer: await createUser({ org: government, role: "observer", committees: ["TAR"] }),
    outsider: await createUser({ org: expertOrg, role: "expert", committees: ["LOG"] }),
  };
  for (const [name, user] of Object.entries(people)) who[name] = { id: user.id, token: accessTokenFor(user.id).token, cookie: sessionCookieFor(user.id) };
  readOnlyToken = accessTokenFor(people.member.id, { readOnly: true }).token;
});

afterAll(async () => {
  await portal?.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** Asserts the contract's error body: `{error: {code, message, …}}`. */
function expectError(res: CallResult, status: number, code: string): void {
  expect(res.status, res.text).toBe(status);
  expect(Object.keys(res.body)).toEqual(["error"]);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.message).toEqual(expect.any(String));
}

/** Runs a request that must be refused, and asserts the status, the error body, and that no table changed. */
async function refused(request: () => Promise<CallResult>, status: number, code: string): Promise<CallResult> {
  const before = tableCounts(portal.db);
  const lastAudit = lastAuditEvent(portal.db)?.seq;
  const proposalsBefore = portal.db.$client.prepare("select * from proposals order by id").all();
  const draftsBefore = portal.db.$client.prepare("select standard_id, hash from standard_drafts order by standard_id").all();
  const res = await request();
  expectError(res, status, code);
  expect(tableCounts(portal.db)).toEqual(before);
  expect(lastAuditEvent(portal.db)?.seq).toBe(lastAudit);
  expect(portal.db.$client.prepare("select * from proposals order by id").all()).toEqual(proposalsBefore);
  expect(portal.db.$client.prepare("select standard_id, hash from standard_drafts order by standard_id").all()).toEqual(draftsBefore);
  return res;
}

/** Spies on the log and returns a check that a refusal of `step` on `proposalId` was logged. */
function watchRefusalLog() {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  return (proposalId: string, step: string) => {
    const lines = warn.mock.calls.map((c) => String(c[0]));
    expect(lines.some((l) => l.includes("proposal.refused") && l.includes(`"proposal":"${proposalId}"`) && l.includes(`"step":"${step}"`)), lines.join("\n")).toBe(true);
  };
}

const as = (name: string) => ({ token: who[name].token });

function ruleJson(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    title: `Threshold rule ${id}`,
    description: "Consignments below 150 take the simplified route without duty.",
    when: { "<": [{ var: "shipment.value" }, 150] },
    then: { duty: 0, route: "simplified" },
    examples: [{ name: "90 is below 150", input: { shipment: { value: 90 } }, expect: { applies: true, outcome: { duty: 0, route: "simplified" } } }],
    ...overrides,
  };
}
const block = (rule: unknown) => "```rule\n" + JSON.stringify(rule, null, 2) + "\n```";
const doc = (...blocks: string[]) => blocks.join("\n\n") + "\n";

const A = "Sellers collect the VAT at checkout for consignments up to the threshold.";
const B = "Carriers collect it at importation for consignments above it.";
const C = "Duty is due on every consignment from the date in Annex A.";

/** A standard of committee TAR with the text made of `blocks` (after its heading) and revision 00 of it. */
async function standardWithRevision(...blocks: string[]): Promise<{ id: string; prefix: string; markdown: string }> {
  const res = await call(portal, "/standards", { method: "POST", ...as("expert"), body: { committee: "TAR", title: "Import VAT on returns", scope: "Who collects import VAT on returned goods." } });
  expect(res.status, res.text).toBe(201);
  const id: string = res.body.standard.id;
  const prefix = `${id.replace("EWTP-", "")}.R`;
  const markdown = doc(`# ${id} Import VAT on returns`, ...blocks.map((b) => b.replaceAll("PREFIX", prefix)));
  expect((await putDraft(id, markdown)).status).toBe(200);
  const frozen = await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
  expect(frozen.status, frozen.text).toBe(201);
  return { id, prefix, markdown };
}

async function putDraft(id: string, markdown: string, name = "expert"): Promise<CallResult> {
  return call(portal, `/standards/${id}/draft`, { method: "PUT", ...as(name), body: { markdown } });
}

async function draftOf(id: string): Promise<{ markdown: string; hash: string }> {
  return (await call(portal, `/standards/${id}/draft`, as("expert"))).body;
}

async function propose(body: Record<string, unknown>, name = "member"): Promise<CallResult> {
  return call(portal, "/proposals", { method: "POST", ...as(name), body: { title: "Lower the threshold", rationale: "Rates changed in the 2026 reform; the text must follow.", ...body } });
}

async function amendment(standardId: string, name = "member"): Promise<string> {
  const res = await propose({ kind: "amendment", standardId }, name);
  expect(res.status, res.text).toBe(201);
  return res.body.proposal.id;
}

async function saveText(id: string, markdown: string, name = "member"): Promise<CallResult> {
  return call(portal, `/proposals/${id}/draft`, { method: "PUT", ...as(name), body: { markdown } });
}

async function submit(id: string, name = "member"): Promise<CallResult> {
  return call(portal, `/proposals/${id}/submit`, { method: "POST", ...as(name) });
}

/** Opens a ballot on a submitted proposal, approves it and closes it (the ballots module moves the proposal to approved). */
async function approveByBallot(proposalId: string): Promise<void> {
  const closesAt = new Date(Date.now() + 3600_000).toISOString();
  const ballot = await call(portal, "/ballots", {
    method: "POST",
    ...as("admin"),
    body: { subject: { proposalId }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["expert"], committees: ["TAR"] }, closesAt },
  });
  expect(ballot.status, ballot.text).toBe(201);
  const ballotId = ballot.body.ballot.id;
  expect((await call(portal, `/proposals/${proposalId}`, as("member"))).body.proposal.state).toBe("in-ballot");
  const vote = await call(portal, `/ballots/${ballotId}/vote`, { method: "PUT", ...as("expert"), body: { position: "approve" } });
  expect(vote.status, vote.text).toBe(200);
  const closed = await call(portal, `/ballots/${ballotId}/close`, { method: "POST", ...as("admin") });
  expect(closed.status, closed.text).toBe(200);
  expect((await call(portal, `/proposals/${proposalId}`, as("member"))).body.proposal.state).toBe("approved");
}

/** An amendment of `standardId` whose text is `markdown`, submitted and approved. */
async function approvedAmendment(standardId: string, markdown: string): Promise<string> {
  const id = await amendment(standardId);
  expect((await saveText(id, markdown)).status).toBe(200);
  const s = await submit(id);
  expect(s.status, s.text).toBe(200);
  await approveByBallot(id);
  return id;
}

async function apply(id: string, name = "expert", body?: unknown): Promise<CallResult> {
  return call(portal, `/proposals/${id}/apply`, { method: "POST", ...as(name), ...(body === undefined ? {} : { body }) });
}

describe("POST /proposals", () => {
  it("a company member proposes an amendment: 201, a draft based on the latest revision, its text that revision's, an audit entry", async () => {
    const s = await standardWithRevision(A, B);
    const res = await propose({ kind: "amendment", standardId: s.id }, "member");
    expect(res.status, res.text).toBe(201);
    expect(res.body.proposal).toMatchObject({
      kind: "amendment",
      title: "Lower the threshold",
      committee: "TAR",
      standardId: s.id,
      baseRevision: "00",
      state: "draft",
      markdown: s.markdown,
      hash: sha256(s.markdown),
      submittedHash: null,
      appliedRevision: null,
      createdBy: { id: who.member.id },
      ruleErrors: [],
    });
    expect(res.body.proposal.id).toMatch(/^P-TAR-\d{4}$/);
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "proposal.created", data: { kind: "amendment", standardId: s.id, baseRevision: "00" } });
  });

  it("an amendment may be based on an older revision, and starts from that revision's text", async () => {
    const s = await standardWithRevision(A);
    await putDraft(s.id, doc(`# ${s.id} Import VAT on returns`, A, B));
    expect((await call(portal, `/standards/${s.id}/revisions`, { method: "POST", ...as("expert") })).body.revision.number).toBe("01");
    const latest = await propose({ kind: "amendment", standardId: s.id });
    expect(latest.body.proposal.baseRevision).toBe("01");
    const older = await propose({ kind: "amendment", standardId: s.id, baseRevision: "00" });
    expect(older.body.proposal).toMatchObject({ baseRevision: "00", markdown: s.markdown });
  });

  it("a proposal for a new standard starts from a skeleton with Scope, Normative references, and Terms and definitions", async () => {
    const res = await propose({ kind: "new-standard", committee: "TAR", title: "Duty relief for returned goods" }, "expert");
    expect(res.status, res.text).toBe(201);
    expect(res.body.proposal).toMatchObject({ kind: "new-standard", committee: "TAR", standardId: null, baseRevision: null, state: "draft" });
    const headings = (res.body.proposal.markdown as string).split("\n").filter((l) => l.startsWith("#"));
    expect(headings).toEqual(["# Duty relief for returned goods", "## 1 Scope", "## 2 Normative references", "## 3 Terms and definitions"]);
  });

  it("refuses, writing nothing: observers and read-only tokens 403, the public 401, another committee's expert 422 (the draft is invisible to them)", async () => {
    const s = await standardWithRevision(A);
    const body = { title: "Refused", rationale: "This must never be stored anywhere.", kind: "amendment", standardId: s.id };
    await refused(() => call(portal, "/proposals", { method: "POST", ...as("observer"), body }), 403, "forbidden");
    await refused(() => call(portal, "/proposals", { method: "POST", token: readOnlyToken, body }), 403, "forbidden");
    await refused(() => call(portal, "/proposals", { method: "POST", body }), 401, "unauthorized");
    const invisible = await refused(() => call(portal, "/proposals", { method: "POST", ...as("outsider"), body }), 422, "unprocessable");
    expect(invisible.body.error.fields).toHaveProperty("standardId");
    const newStd = { title: "Refused", rationale: "This must never be stored anywhere.", kind: "new-standard", committee: "TAR" };
    await refused(() => call(portal, "/proposals", { method: "POST", ...as("outsider"), body: newStd }), 403, "forbidden");
    await refused(() => call(portal, "/proposals", { method: "POST", ...as("observer"), body: newStd }), 403, "forbidden");
  });

  it("refuses unknown standards, revisions and committees (422), a standard without a revision (409), and fields that do not fit the kind (400)", async () => {
    const s = await standardWithRevision(A);
    expect((await refused(() => propose({ kind: "amendment", standardId: "EWTP-TAR-999" }), 422, "unprocessable")).body.error.fields).toHaveProperty("standardId");
    expect((await refused(() => propose({ kind: "amendment", standardId: s.id, baseRevision: "07" }), 422, "unprocessable")).body.error.fields).toHaveProperty("baseRevision");
    expect((await refused(() => propose({ kind: "new-standard", committee: "ZZZ" }), 422, "unprocessable")).body.error.fields).toHaveProperty("committee");
    const bare = await call(portal, "/standards", { method: "POST", ...as("expert"), body: { committee: "TAR", title: "Never frozen", scope: "A standard without any revision yet." } });
    const noRevision = await refused(() => propose({ kind: "amendment", standardId: bare.body.standard.id }), 409, "conflict");
    expect(noRevision.body.error.message).toMatch(/no frozen revision/);
    expect((await refused(() => propose({ kind: "amendment" }), 400, "bad_request")).body.error.fields).toHaveProperty("standardId");
    expect((await refused(() => propose({ kind: "new-standard" }), 400, "bad_request")).body.error.fields).toHaveProperty("committee");
    expect((await refused(() => propose({ kind: "new-standard", committee: "TAR", standardId: s.id }), 400, "bad_request")).body.error.fields).toHaveProperty("standardId");
    const fields = (await refused(() => propose({ kind: "sideways", title: "x", rationale: "" }), 400, "bad_request")).body.error.fields;
    expect(Object.keys(fields).sort()).toEqual(["kind", "rationale", "title"]);
    await refused(() => call(portal, "/proposals", { method: "POST", ...as("member"), rawBody: "{\"kind\":" }), 400, "bad_request");
  });
});

describe("GET /proposals/{id} and GET /proposals", () => {
  it("everyone in the committee reads a proposal, observers included; another committee and a missing id get the same 404; the public 401", async () => {
    const s = await standardWithRevision(A);
    const id = await amendment(s.id);
    for (const name of ["member", "otherMember", "observer", "expert", "admin"]) {
      const res = await call(portal, `/proposals/${id}`, as(name));
      expect(res.status, `${name}: ${res.text}`).toBe(200);
      expect(res.body.proposal.id).toBe(id);
    }
    const hidden = await call(portal, `/proposals/${id}`, as("outsider"));
    const missing = await call(portal, "/proposals/P-TAR-9999", as("outsider"));
    expectError(hidden, 404, "not_found");
    expectError(missing, 404, "not_found");
    expect(hidden.body.error.message).toBe(`No proposal ${id}.`);
    expectError(await call(portal, `/proposals/${id}`), 401, "unauthorized");
  });

  it("lists the proposals of the caller's committees, filtered by standard, committee, state and kind", async () => {
    const s = await standardWithRevision(A);
    const first = await amendment(s.id);
    const second = await amendment(s.id, "expert");
    await saveText(second, doc(`# ${s.id} Import VAT on returns`, A, B), "expert");
    await submit(second, "expert");
    const all = await call(portal, `/proposals?standardId=${s.id}`, as("observer"));
    expect(all.status, all.text).toBe(200);
    expect(all.body.proposals.map((p: { id: string }) => p.id).sort()).toEqual([first, second].sort());
    const submitted = await call(portal, `/proposals?standardId=${s.id}&state=submitted`, as("member"));
    expect(submitted.body.proposals.map((p: { id: string }) => p.id)).toEqual([second]);
    expect((await call(portal, "/proposals?committee=TAR&kind=new-standard", as("member"))).body.proposals.every((p: { kind: string }) => p.kind === "new-standard")).toBe(true);
    expect((await call(portal, `/proposals?standardId=${s.id}`, as("outsider"))).body.proposals).toEqual([]);
    expectError(await call(portal, "/proposals"), 401, "unauthorized");
    expectError(await call(portal, "/proposals?state=lost", as("member")), 400, "bad_request");
  });
});

describe("PUT /proposals/{id}/draft", () => {
  it("the author and the committee's experts edit the text of a draft; each save is audited; the same text again writes nothing", async () => {
    const s = await standardWithRevision(A, B);
    const id = await amendment(s.id);
    const text = doc(`# ${s.id} Import VAT on returns`, A, "Carriers collect it at importation for consignments above EUR 150.");
    const res = await saveText(id, text);
    expect(res.status, res.text).toBe(200);
    expect(res.body.proposal).toMatchObject({ markdown: text, hash: sha256(text), state: "draft" });
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "proposal.draftSaved", data: { hash: sha256(text), previousHash: sha256(s.markdown) } });
    const before = tableCounts(portal.db);
    const seq = lastAuditEvent(portal.db)?.seq;
    expect((await saveText(id, text.replace(/\n/g, "\r\n"))).status).toBe(200);
    expect(tableCounts(portal.db)).toEqual(before);
    expect(lastAuditEvent(portal.db)?.seq).toBe(seq);
    expect((await saveText(id, text + "\nAn expert's note.\n", "expert")).status).toBe(200);
    expect((await saveText(id, text, "admin")).status).toBe(200);
  });

  it("other members, observers and read-only tokens 403; other committees 404; a stale If-Match 409 — nothing written", async () => {
    const s = await standardWithRevision(A);
    const id = await amendment(s.id);
    const body = { markdown: "# Hijacked\n" };
    for (const name of ["otherMember", "observer"]) await refused(() => call(portal, `/proposals/${id}/draft`, { method: "PUT", ...as(name), body }), 403, "forbidden");
    await refused(() => call(portal, `/proposals/${id}/draft`, { method: "PUT", token: readOnlyToken, body }), 403, "forbidden");
    await refused(() => call(portal, `/proposals/${id}/draft`, { method: "PUT", ...as("outsider"), body }), 404, "not_found");
    await refused(() => call(portal, `/proposals/${id}/draft`, { method: "PUT", body }), 401, "unauthorized");
    const stale = sha256("some older text");
    const res = await refused(() => call(portal, `/proposals/${id}/draft`, { method: "PUT", ...as("member"), body, headers: { "if-match": `"${stale}"` } }), 409, "conflict");
    expect(res.body.error.message).toMatch(/changed since you opened it/);
    const current = (await call(portal, `/proposals/${id}`, as("member"))).body.proposal.hash;
    expect((await call(portal, `/proposals/${id}/draft`, { method: "PUT", ...as("member"), body, headers: { "if-match": `"${current}"` } })).status).toBe(200);
  });
});

describe("POST /proposals/{id}/submit", () => {
  it("the author submits: the text is frozen with its SHA-256; then it can no longer be edited or submitted again (409, logged)", async () => {
    const s = await standardWithRevision(A);
    const id = await amendment(s.id);
    const text = doc(`# ${s.id} Import VAT on returns`, A, B);
    await saveText(id, text);
    const res = await submit(id);
    expect(res.status, res.text).toBe(200);
    expect(res.body.proposal).toMatchObject({ state: "submitted", markdown: text, submittedHash: sha256(text) });
    expect(Date.parse(res.body.proposal.submittedAt)).not.toBeNaN();
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "proposal.submitted", data: { hash: sha256(text) } });

    const wasLogged = watchRefusalLog();
    const again = await refused(() => submit(id), 409, "conflict");
    expect(again.body.error.message).toMatch(/The proposal is submitted/);
    wasLogged(id, "submit");
    const edit = await refused(() => saveText(id, "# Late change\n"), 409, "conflict");
    expect(edit.body.error.message).toMatch(/frozen/);
    wasLogged(id, "edit");
  });

  it("refuses invalid rule blocks, naming each (422), and an amendment that changes nothing (422)", async () => {
    const s = await standardWithRevision(A, block(ruleJson("PREFIX1")));
    const id = await amendment(s.id);
    const unchanged = await refused(() => submit(id), 422, "unprocessable");
    expect(unchanged.body.error.message).toMatch(/does not change anything in revision 00/);
    const broken = doc(`# ${s.id} Import VAT on returns`, A, block(ruleJson(`${s.prefix}1`)), block(ruleJson(`${s.prefix}2`, { when: { nope: [1] } })), "```rule\n{ not json\n```");
    await saveText(id, broken);
    const res = await refused(() => submit(id), 422, "unprocessable");
    expect(res.body.error.message).toMatch(/2 rule problems/);
    expect(res.body.error.message).toContain(`${s.prefix}2`);
    expect(res.body.error.message).toContain("not valid JSON");
    expect(Object.keys(res.body.error.fields)).toEqual(["rules.0", "rules.1"]);
    expect((await call(portal, `/proposals/${id}`, as("member"))).body.proposal.ruleErrors).toHaveLength(2);
  });

  it("only the author or an admin submits: other members and experts 403, observers 403, other committees 404", async () => {
    const s = await standardWithRevision(A);
    const id = await amendment(s.id);
    await saveText(id, doc(`# ${s.id} Import VAT on returns`, A, B));
    for (const name of ["otherMember", "expert", "observer"]) await refused(() => submit(id, name), 403, "forbidden");
    await refused(() => submit(id, "outsider"), 404, "not_found");
    await refused(() => call(portal, `/proposals/${id}/submit`, { method: "POST", token: readOnlyToken }), 403, "forbidden");
    expect((await submit(id, "admin")).status).toBe(200);
  });
});

describe("GET /proposals/{id}/diff", () => {
  it("an amendment's redline against its base: word changes, inserted blocks, and the rule diff", async () => {
    const s = await standardWithRevision(A, B, block(ruleJson("PREFIX1")));
    const id = await amendment(s.id);
    const text = doc(`# ${s.id} Import VAT on returns`, A, B.replace("above it", "above the threshold"), C, block(ruleJson(`${s.prefix}1`, { then: { duty: 0, route: "postal" } })), block(ruleJson(`${s.prefix}2`)));
    await saveText(id, text);
    const res = await call(portal, `/proposals/${id}/diff`, as("observer"));
    expect(res.status, res.text).toBe(200);
    expect(res.body.base).toEqual({ standardId: s.id, revision: "00" });
    const change = res.body.text.find((h: { op: string }) => h.op === "change");
    expect(change.words).toEqual(expect.arrayContaining([{ op: "delete", text: "it" }, { op: "insert", text: "the threshold" }]));
    expect(res.body.text.find((h: { op: string }) => h.op === "insert").words[0].text).toBe(C);
    expect(res.body.rules).toEqual({ added: [`${s.prefix}2`], removed: [], changed: [{ id: `${s.prefix}1`, fields: ["then"] }] });
    expect(res.body.suggestedBump).toBe("major");
    expectError(await call(portal, `/proposals/${id}/diff`, as("outsider")), 404, "not_found");
  });

  it("a new standard has no base: the diff is empty", async () => {
    const res = await propose({ kind: "new-standard", committee: "TAR" });
    const diff = await call(portal, `/proposals/${res.body.proposal.id}/diff`, as("member"));
    expect(diff.body).toEqual({ base: null, text: [], rules: { added: [], removed: [], changed: [] }, suggestedBump: null });
  });
});

describe("POST /proposals/{id}/withdraw", () => {
  it("the author withdraws a draft (with a reason in the audit); withdrawing again is 409; others 403", async () => {
    const s = await standardWithRevision(A);
    const id = await amendment(s.id);
    for (const name of ["otherMember", "expert", "observer"]) await refused(() => call(portal, `/proposals/${id}/withdraw`, { method: "POST", ...as(name) }), 403, "forbidden");
    const res = await call(portal, `/proposals/${id}/withdraw`, { method: "POST", ...as("member"), body: { reason: "Superseded by a better idea." } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.proposal.state).toBe("withdrawn");
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "proposal.withdrawn", data: { from: "draft", reason: "Superseded by a better idea." } });
    const wasLogged = watchRefusalLog();
    await refused(() => call(portal, `/proposals/${id}/withdraw`, { method: "POST", ...as("member") }), 409, "conflict");
    wasLogged(id, "withdraw");
    await refused(() => submit(id), 409, "conflict");
  });

  it("an admin withdraws a submitted proposal; a proposal under ballot cannot be withdrawn (409)", async () => {
    const s = await standardWithRevision(A);
    const id = await amendment(s.id);
    await saveText(id, doc(`# ${s.id} Import VAT on returns`, A, B));
    await submit(id);
    const ballot = await call(portal, "/ballots", {
      method: "POST",
      ...as("admin"),
      body: { subject: { proposalId: id }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: new Date(Date.now() + 3600_000).toISOString() },
    });
    expect(ballot.status, ballot.text).toBe(201);
    const res = await refused(() => call(portal, `/proposals/${id}/withdraw`, { method: "POST", ...as("admin") }), 409, "conflict");
    expect(res.body.error.message).toMatch(/ballot is open/);

    const other = await amendment(s.id);
    await saveText(other, doc(`# ${s.id} Import VAT on returns`, C));
    await submit(other);
    expect((await call(portal, `/proposals/${other}/withdraw`, { method: "POST", ...as("admin") })).body.proposal.state).toBe("withdrawn");
  });
});

describe("POST /proposals/{id}/apply", () => {
  it("a skipped step is refused with 409 and logged: applying a draft or a submitted proposal; a member may not apply at all (403)", async () => {
    const s = await standardWithRevision(A);
    const id = await amendment(s.id);
    const wasLogged = watchRefusalLog();
    await refused(() => apply(id, "admin"), 409, "conflict");
    wasLogged(id, "apply");
    await saveText(id, doc(`# ${s.id} Import VAT on returns`, A, B));
    await submit(id);
    const res = await refused(() => apply(id, "expert"), 409, "conflict");
    expect(res.body.error.message).toMatch(/Only a proposal approved by ballot can be applied/);
    await refused(() => apply(id, "member"), 403, "forbidden");
    await refused(() => apply(id, "observer"), 403, "forbidden");
    await refused(() => apply(id, "outsider"), 404, "not_found");
  });

  it("applies an approved amendment to an unchanged standard: the draft becomes the proposal's text and a new revision exists", async () => {
    const s = await standardWithRevision(A, B, block(ruleJson("PREFIX1")));
    const text = doc(`# ${s.id} Import VAT on returns`, A, "Carriers collect it at importation.", block(ruleJson(`${s.prefix}1`)), C);
    const id = await approvedAmendment(s.id, text);
    await refused(() => apply(id, "member"), 403, "forbidden");
    const res = await apply(id);
    expect(res.status, res.text).toBe(200);
    expect(res.body.revision).toMatchObject({ standardId: s.id, number: "01", hash: sha256(text), conformance: { passed: 1, failed: 0 } });
    expect(res.body.proposal).toMatchObject({ state: "applied", appliedRevision: "01" });
    expect((await draftOf(s.id)).markdown).toBe(text);
    const revision = await call(portal, `/standards/${s.id}/revisions/01`, as("member"));
    expect(revision.body.markdown).toBe(text);
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "proposal.applied", data: { standardId: s.id, revision: "01", hash: sha256(text) } });
    const wasLogged = watchRefusalLog();
    await refused(() => apply(id), 409, "conflict");
    wasLogged(id, "apply");
    await refused(() => call(portal, `/proposals/${id}/withdraw`, { method: "POST", ...as("member") }), 409, "conflict");
  });

  it("merges what does not overlap when the standard moved since the base: both changes end up in the new revision", async () => {
    const s = await standardWithRevision(A, B, C);
    const theirs = doc(`# ${s.id} Import VAT on returns`, "Sellers and marketplaces collect the VAT at checkout.", B, C);
    const id = await approvedAmendment(s.id, theirs);
    const ours = doc(`# ${s.id} Import VAT on returns`, A, B, "Duty is due from 1 July 2026.");
    await putDraft(s.id, ours);
    const res = await apply(id, "admin");
    expect(res.status, res.text).toBe(200);
    const merged = doc(`# ${s.id} Import VAT on returns`, "Sellers and marketplaces collect the VAT at checkout.", B, "Duty is due from 1 July 2026.");
    expect((await draftOf(s.id)).markdown).toBe(merged);
    expect(res.body.revision).toMatchObject({ number: "01", hash: sha256(merged) });
  });

  it("overlapping changes: 409 with each conflict's three versions and the draft's hash, nothing written; resolutions with that hash apply", async () => {
    const s = await standardWithRevision(A, B, C);
    const theirs = doc(`# ${s.id} Import VAT on returns`, A, "Carriers collect it at importation, from EUR 150.", C, "A new closing paragraph.");
    const id = await approvedAmendment(s.id, theirs);
    const ours = doc(`# ${s.id} Import VAT on returns`, A, "Carriers and postal operators collect it at importation.", C);
    await putDraft(s.id, ours);
    const draft = await draftOf(s.id);

    const wasLogged = watchRefusalLog();
    const res = await refused(() => apply(id), 409, "conflict");
    wasLogged(id, "apply");
    expect(res.body.error.draftHash).toBe(draft.hash);
    expect(res.body.error.conflicts).toEqual([
      {
        index: 0,
        base: [B],
        ours: ["Carriers and postal operators collect it at importation."],
        theirs: ["Carriers collect it at importation, from EUR 150."],
        markdown: { base: B + "\n", ours: "Carriers and postal operators collect it at importation.\n", theirs: "Carriers collect it at importation, from EUR 150.\n" },
        lines: { base: 5, ours: 5, theirs: 5 },
      },
    ]);
    expect(res.body.error.message).toMatch(/Nothing was applied/);
    expect((await call(portal, `/proposals/${id}`, as("member"))).body.proposal.state).toBe("approved");
    expect((await call(portal, `/standards/${s.id}`, as("member"))).body.standard.revisions).toHaveLength(1);

    // Resolutions need the hash; a stale hash gets the conflicts as they are now; an unknown index is 422.
    await refused(() => apply(id, "expert", { resolutions: [{ index: 0, take: "theirs" }] }), 400, "bad_request");
    const stale = await refused(() => apply(id, "expert", { draftHash: sha256("older"), resolutions: [{ index: 0, take: "theirs" }] }), 409, "conflict");
    expect(stale.body.error.conflicts).toHaveLength(1);
    expect(stale.body.error.message).toMatch(/changed since these conflicts were shown/);
    await refused(() => apply(id, "expert", { draftHash: draft.hash, resolutions: [{ index: 3, take: "theirs" }] }), 422, "unprocessable");
    await refused(() => apply(id, "expert", { draftHash: draft.hash, resolutions: [{ index: 0, take: "sideways" }] }), 400, "bad_request");

    const combined = "Carriers and postal operators collect it at importation, from EUR 150.";
    const ok = await apply(id, "expert", { draftHash: draft.hash, resolutions: [{ index: 0, markdown: combined }] });
    expect(ok.status, ok.text).toBe(200);
    const result = doc(`# ${s.id} Import VAT on returns`, A, combined, C, "A new closing paragraph.");
    expect((await draftOf(s.id)).markdown).toBe(result);
    expect(ok.body.revision).toMatchObject({ number: "01", hash: sha256(result) });
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "proposal.applied", data: { resolved: 1, draftHash: draft.hash } });
  });

  it("a deletion in the standard against an edit in the proposal is a conflict, never a silent loss", async () => {
    const s = await standardWithRevision(A, B, C);
    const id = await approvedAmendment(s.id, doc(`# ${s.id} Import VAT on returns`, A, B + " Improved.", C));
    await putDraft(s.id, doc(`# ${s.id} Import VAT on returns`, A, C));
    const res = await refused(() => apply(id), 409, "conflict");
    expect(res.body.error.conflicts[0]).toMatchObject({ base: [B], ours: [], theirs: [B + " Improved."] });
  });

  it("a merge that would leave rule problems (the same new rule id on both sides) is refused with 422, nothing written", async () => {
    const s = await standardWithRevision(A, block(ruleJson("PREFIX1")), B);
    const id = await approvedAmendment(s.id, doc(`# ${s.id} Import VAT on returns`, A, block(ruleJson(`${s.prefix}1`)), block(ruleJson(`${s.prefix}2`, { title: "Theirs" })), B));
    await putDraft(s.id, doc(`# ${s.id} Import VAT on returns`, A, block(ruleJson(`${s.prefix}1`)), B, block(ruleJson(`${s.prefix}2`, { title: "Ours" }))));
    const res = await refused(() => apply(id), 422, "unprocessable");
    expect(res.body.error.message).toMatch(/would leave rule problems/);
  });

  it("applying an approved new-standard proposal creates the standard with its text, rule ids renamed, and revision 00", async () => {
    const created = await propose({ kind: "new-standard", committee: "TAR", title: "Duty relief for returned goods" }, "member");
    const id = created.body.proposal.id;
    const text = doc("# Duty relief for returned goods", "## 1 Scope", "Relief from duty for goods returned by consumers within 30 days.", "## 2 Rules", block(ruleJson("TAR-000.R1")), "Rule TAR-000.R1 decides relief.");
    expect((await saveText(id, text)).body.proposal.ruleErrors).toEqual([]);
    expect((await submit(id)).status).toBe(200);
    await approveByBallot(id);
    const res = await apply(id, "expert");
    expect(res.status, res.text).toBe(200);
    const standardId: string = res.body.revision.standardId;
    expect(standardId).toMatch(/^EWTP-TAR-\d{3}$/);
    const prefix = `${standardId.replace("EWTP-", "")}.R`;
    expect(res.body.revision).toMatchObject({ number: "00" });
    expect(res.body.proposal).toMatchObject({ state: "applied", standardId, appliedRevision: "00" });
    const standard = await call(portal, `/standards/${standardId}`, as("observer"));
    expect(standard.body.standard).toMatchObject({ title: "Duty relief for returned goods", committee: "TAR", scope: "Relief from duty for goods returned by consumers within 30 days.", status: "draft" });
    const draft = await draftOf(standardId);
    expect(draft.markdown.startsWith(`# ${standardId} Duty relief for returned goods\n`)).toBe(true);
    expect(draft.markdown).toContain(`"id": "${prefix}1"`);
    expect(draft.markdown).toContain(`Rule ${prefix}1 decides relief.`);
    expect(draft.markdown).not.toContain("TAR-000.R");
    expect(res.body.revision.ruleset.rules.map((r: { id: string }) => r.id)).toEqual([`${prefix}1`]);
  });

  it("an empty or absent body is fine on a first attempt; a body that is not JSON is 400", async () => {
    const s = await standardWithRevision(A);
    const id = await approvedAmendment(s.id, doc(`# ${s.id} Import VAT on returns`, A, B));
    await refused(() => call(portal, `/proposals/${id}/apply`, { method: "POST", ...as("expert"), rawBody: "resolve please", contentType: "text/plain" }), 400, "bad_request");
    const res = await apply(id, "expert", {});
    expect(res.status, res.text).toBe(200);
  });
});

describe("notifications about proposals", () => {
  /** The proposal notices each person got for a proposal: kind and title. */
  const noticesOf = (proposalId: string) => {
    const rows = portal.db.$client.prepare("select user_id as userId, kind, title from notifications where link = ? order by id").all(`/proposals/${proposalId}`) as { userId: string; kind: string; title: string }[];
    const byName: Record<string, string[]> = {};
    for (const [name, w] of Object.entries(who)) {
      const mine = rows.filter((r) => r.userId === w.id).map((r) => `${r.kind}: ${r.title}`);
      if (mine.length) byName[name] = mine;
    }
    return byName;
  };
  const lastMailTo = (name: string) => portal.db.$client.prepare('select subject, text from outbox where "to" = (select email from users where id = ?) order by id desc limit 1').get(who[name].id) as { subject: string; text: string } | undefined;

  it("a submission tells the committee (members, experts, observers) but not the author, the secretariat or other committees; a refused submission tells nobody", async () => {
    const s = await standardWithRevision(A);
    const id = await amendment(s.id);
    // Refused (nothing changes in the text): nobody hears of it.
    await refused(() => submit(id), 422, "unprocessable");
    expect(noticesOf(id)).toEqual({});

    await saveText(id, doc(`# ${s.id} Import VAT on returns`, A, B));
    expect((await submit(id)).status).toBe(200);
    const submitted = "proposal.submitted: Proposal submitted in TAR: Lower the threshold";
    expect(noticesOf(id)).toEqual({ expert: [submitted], otherMember: [submitted], observer: [submitted] });
    expect(lastMailTo("observer")).toMatchObject({ subject: "Proposal submitted in TAR: Lower the threshold", text: expect.stringContaining(`/proposals/${id}`) });
  });

  it("each person's choices hold: a member who turned proposal notices off gets none", async () => {
    const off: Preferences = Object.fromEntries(NOTIFICATION_KINDS.map((k) => [k, { inPortal: true, byMail: true }])) as Preferences;
    off["proposal.submitted"] = { inPortal: false, byMail: false };
    setPreferences(who.otherMember.id, off);
    try {
      const s = await standardWithRevision(A);
      const id = await amendment(s.id);
      await saveText(id, doc(`# ${s.id} Import VAT on returns`, A, C));
      expect((await submit(id)).status).toBe(200);
      expect(Object.keys(noticesOf(id)).sort()).toEqual(["expert", "observer"]);
    } finally {
      off["proposal.submitted"] = { inPortal: true, byMail: true };
      setPreferences(who.otherMember.id, off);
    }
  });

  it("a decision tells the author and the committee, never the person who made it: approved by ballot, then applied", async () => {
    const s = await standardWithRevision(A, B);
    const text = doc(`# ${s.id} Import VAT on returns`, A, C);
    const id = await approvedAmendment(s.id, text); // the admin closes the ballot
    const approved = "proposal.decided: Proposal approved: Lower the threshold";
    const submitted = "proposal.submitted: Proposal submitted in TAR: Lower the threshold";
    expect(noticesOf(id)).toEqual({ member: [approved], expert: [submitted, approved], otherMember: [submitted, approved], observer: [submitted, approved] });

    expect((await apply(id)).status).toBe(200); // the expert applies
    const applied = `proposal.decided: Proposal applied: Lower the threshold is now ${s.id} revision 01`;
    const after = noticesOf(id);
    expect(after.member.at(-1)).toBe(applied);
    expect(after.otherMember.at(-1)).toBe(applied);
    expect(after.observer.at(-1)).toBe(applied);
    expect(after.expert).toEqual([submitted, approved]);
    expect(after.admin).toBeUndefined();
    expect(after.outsider).toBeUndefined();
  });

  it("a ballot that rejects it, and a withdrawal after submission, are decisions too; withdrawing a draft tells nobody", async () => {
    const s = await standardWithRevision(A);
    const rejected = await amendment(s.id);
    await saveText(rejected, doc(`# ${s.id} Import VAT on returns`, B));
    await submit(rejected);
    const ballot = await call(portal, "/ballots", {
      method: "POST",
      ...as("admin"),
      body: { subject: { proposalId: rejected }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: new Date(Date.now() + 3600_000).toISOString() },
    });
    await call(portal, `/ballots/${ballot.body.ballot.id}/vote`, { method: "PUT", ...as("expert"), body: { position: "disapprove" } });
    await call(portal, `/ballots/${ballot.body.ballot.id}/close`, { method: "POST", ...as("admin") });
    expect(noticesOf(rejected).member).toEqual(["proposal.decided: Proposal rejected: Lower the threshold"]);

    expect((await call(portal, `/proposals/${rejected}/withdraw`, { method: "POST", ...as("member") })).status).toBe(200);
    const withdrawn = "proposal.decided: Proposal withdrawn: Lower the threshold";
    const notices = noticesOf(rejected);
    expect(notices.member).toEqual(["proposal.decided: Proposal rejected: Lower the threshold"]); // the author withdrew it: not told of their own step
    expect(notices.observer.at(-1)).toBe(withdrawn);
    expect(notices.expert.at(-1)).toBe(withdrawn);

    const draft = await amendment(s.id);
    expect((await call(portal, `/proposals/${draft}/withdraw`, { method: "POST", ...as("member") })).status).toBe(200);
    expect(noticesOf(draft)).toEqual({});
  });
});

describe("the OpenAPI document", () => {
  it("describes every proposal endpoint, and the 409 of apply with its conflicts", async () => {
    const doc = (await call(portal, "/openapi.json")).body;
    for (const path of ["/proposals", "/proposals/{id}", "/proposals/{id}/draft", "/proposals/{id}/submit", "/proposals/{id}/diff", "/proposals/{id}/apply", "/proposals/{id}/withdraw"]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const conflict = JSON.stringify(doc.paths["/proposals/{id}/apply"].post.responses["409"]);
    expect(conflict).toContain("conflicts");
    expect(doc.paths["/proposals/{id}/apply"].post.requestBody.required).toBe(false);
  });
});
