/**
 * Standards through the real HTTP API of a running portal: creating, reading and saving drafts,
 * freezing immutable revisions, the redline between them, and status changes — for every role, with
 * the contract's error format, 404-not-403 for what a caller may not see, and refused writes that
 * write nothing.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeStatus } from "../../app/domain/standards.server";
import { saveDraft, MAX_DRAFT_BYTES } from "../../app/domain/drafts.server";
import { PortalError } from "../../app/utils/errors";
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
  const government = createOrg({ kind: "government", country: "BR" });
  const people = {
    admin: (await createAdmin()).user,
    expert: await createUser({ org: expertOrg, role: "expert", committees: ["TAR"] }),
    member: await createUser({ org: company, role: "member", committees: ["TAR"] }),
    observer: await createUser({ org: government, role: "observer", committees: ["TAR"] }),
    outsider: await createUser({ org: expertOrg, role: "expert", committees: ["LOG"] }),
  };
  for (const [name, user] of Object.entries(people)) who[name] = { id: user.id, token: accessTokenFor(user.id).token, cookie: sessionCookieFor(user.id) };
  readOnlyToken = accessTokenFor(people.expert.id, { readOnly: true }).token;
});

afterAll(async () => {
  await portal?.close();
});

/** Asserts the contract's error body: exactly `{error: {code, message, fields?}}`. */
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
  const res = await request();
  expectError(res, status, code);
  expect(tableCounts(portal.db)).toEqual(before);
  expect(lastAuditEvent(portal.db)?.seq).toBe(lastAudit);
  return res;
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

/** Creates a TAR standard through the API as the TAR expert; returns its id and rule-id prefix. */
async function newStandard(title = "Duty relief for returned goods"): Promise<{ id: string; prefix: string }> {
  const res = await call(portal, "/standards", { method: "POST", ...as("expert"), body: { committee: "TAR", title, scope: "Relief from duty and VAT for goods returned by consumers." } });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.standard.id, prefix: `${res.body.standard.id.replace("EWTP-", "")}.R` };
}

async function putDraft(id: string, markdown: string, name = "expert"): Promise<CallResult> {
  return call(portal, `/standards/${id}/draft`, { method: "PUT", ...as(name), body: { markdown } });
}

describe("POST /standards", () => {
  it("an expert of the committee creates a standard: next id, draft status, a draft with its title and scope, a status event and an audit entry", async () => {
    const res = await call(portal, "/standards", {
      method: "POST",
      cookie: who.expert.cookie,
      body: { committee: "TAR", title: "  Low-value returns  ", scope: "Relief for returned low-value consignments." },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.standard).toMatchObject({ committee: "TAR", title: "Low-value returns", status: "draft", revisions: [], releases: [] });
    expect(res.body.standard.id).toMatch(/^EWTP-TAR-\d{3}$/);
    expect(Number(res.body.standard.id.slice(-3))).toBeGreaterThan(1); // the seed holds EWTP-TAR-001
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "standard.created" });
    const draft = await call(portal, `/standards/${res.body.standard.id}/draft`, as("expert"));
    expect(draft.body.markdown).toBe(`# ${res.body.standard.id} Low-value returns\n\n## 1 Scope\n\nRelief for returned low-value consignments.\n`);
    const events = portal.db.$client.prepare("select from_status, to_status, actor_id from standard_status_events where standard_id = ?").all(res.body.standard.id);
    expect(events).toEqual([{ from_status: null, to_status: "draft", actor_id: who.expert.id }]);
  });

  it("ids are allocated one after another per committee", async () => {
    const a = await newStandard("First of two");
    const b = await newStandard("Second of two");
    expect(Number(b.id.slice(-3))).toBe(Number(a.id.slice(-3)) + 1);
    const log = await call(portal, "/standards", { method: "POST", ...as("admin"), body: { committee: "LOG", title: "Parcel labels", scope: "Labels for cross-border parcels." } });
    expect(log.body.standard.id).toBe("EWTP-LOG-002");
  });

  it("a member, an observer, a read-only token and an expert of another committee get 403; the public 401; nothing is written", async () => {
    const body = { committee: "TAR", title: "Refused standard", scope: "This must never be stored anywhere." };
    for (const name of ["member", "observer", "outsider"]) await refused(() => call(portal, "/standards", { method: "POST", ...as(name), body }), 403, "forbidden");
    await refused(() => call(portal, "/standards", { method: "POST", token: readOnlyToken, body }), 403, "forbidden");
    await refused(() => call(portal, "/standards", { method: "POST", body }), 401, "unauthorized");
  });

  it("an unknown committee is 422; invalid fields are 400 naming each field", async () => {
    const unknown = await refused(
      () => call(portal, "/standards", { method: "POST", ...as("admin"), body: { committee: "ZZZ", title: "Nowhere", scope: "A committee that does not exist." } }),
      422,
      "unprocessable",
    );
    expect(unknown.body.error.fields).toHaveProperty("committee");
    const bad = await refused(() => call(portal, "/standards", { method: "POST", ...as("admin"), body: { committee: "tar", title: "x", scope: 7 } }), 400, "bad_request");
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(["committee", "scope", "title"]);
    await refused(() => call(portal, "/standards", { method: "POST", ...as("admin"), rawBody: "{\"committee\":" }), 400, "bad_request");
  });
});

describe("GET /standards/{id}", () => {
  it("a committee member sees a draft standard; the public and other committees get 404, exactly like a missing one", async () => {
    const { id } = await newStandard();
    expect((await call(portal, `/standards/${id}`, as("observer"))).status).toBe(200);
    const hidden = [await call(portal, `/standards/${id}`), await call(portal, `/standards/${id}`, as("outsider")), await call(portal, "/standards/EWTP-TAR-999", as("admin"))];
    for (const res of hidden) expectError(res, 404, "not_found");
    expect(hidden[0].body.error.message).toBe(`No standard ${id}.`);
  });

  it("an over-long id is 400, not 500", async () => {
    expectError(await call(portal, `/standards/${"X".repeat(300)}`), 400, "bad_request");
  });
});

describe("GET and PUT /standards/{id}/draft", () => {
  it("GET gives the Markdown, the rule set (version draft), the hash of the Markdown, conformance counts and rule problems", async () => {
    const res = await call(portal, "/standards/EWTP-TAR-001/draft", as("member"));
    expect(res.status, res.text).toBe(200);
    expect(res.body.hash).toBe(sha256(res.body.markdown));
    expect(res.body.ruleset.standard).toBe("EWTP-TAR-001");
    expect(res.body.ruleset.version).toBe("draft");
    expect(res.body.ruleset.rules.length).toBeGreaterThan(0);
    expect(res.body.conformance.failed).toBe(0);
    expect(res.body.ruleErrors).toEqual([]);
    expect(Date.parse(res.body.updatedAt)).not.toBeNaN();
  });

  it("an expert saves new text: 200 with the new hash and rules, an audit entry, and a later GET sees it", async () => {
    const { id, prefix } = await newStandard();
    const markdown = `# ${id} Returns\n\n## 1 Scope\n\nReturned goods.\n\n${block(ruleJson(`${prefix}1`))}\n`;
    const res = await putDraft(id, markdown);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ markdown, hash: sha256(markdown), conformance: { passed: 1, failed: 0 }, ruleErrors: [] });
    expect(res.body.ruleset.rules.map((r: { id: string }) => r.id)).toEqual([`${prefix}1`]);
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "standard.draftSaved", data: { hash: sha256(markdown) } });
    expect((await call(portal, `/standards/${id}/draft`, as("observer"))).body.markdown).toBe(markdown);
  });

  it("a member of the committee may co-edit the draft", async () => {
    const { id } = await newStandard();
    expect((await putDraft(id, "# Co-edited\n", "member")).status).toBe(200);
  });

  it("CRLF line endings are stored as LF, and saving the same text again writes nothing", async () => {
    const { id } = await newStandard();
    const res = await putDraft(id, "# Title\r\n\r\nText.\r\n");
    expect(res.body.markdown).toBe("# Title\n\nText.\n");
    const before = tableCounts(portal.db);
    const seq = lastAuditEvent(portal.db)?.seq;
    expect((await putDraft(id, "# Title\n\nText.\n")).status).toBe(200);
    expect(tableCounts(portal.db)).toEqual(before);
    expect(lastAuditEvent(portal.db)?.seq).toBe(seq);
  });

  it("a broken rule is reported with its line and what is wrong, and the valid rules still count", async () => {
    const { id, prefix } = await newStandard();
    const markdown = `# T\n\n${block(ruleJson(`${prefix}1`))}\n\n${block(ruleJson(`${prefix}2`, { when: { nope: [1] } }))}\n\n\`\`\`rule\n{ not json\n\`\`\`\n`;
    const res = await putDraft(id, markdown);
    expect(res.status).toBe(200);
    expect(res.body.ruleset.rules).toHaveLength(1);
    expect(res.body.ruleErrors).toHaveLength(2);
    expect(res.body.ruleErrors[0].message).toContain(`${prefix}2`);
    expect(res.body.ruleErrors[0].message).toContain('unknown JSON Logic operator "nope"');
    expect(res.body.ruleErrors[1].message).toContain("not valid JSON");
  });

  it("If-Match with the hash the editor started from: a stale one is 409 and writes nothing; a current one saves; garbage is 400", async () => {
    const { id } = await newStandard();
    const start = (await call(portal, `/standards/${id}/draft`, as("expert"))).body.hash as string;
    expect((await putDraft(id, "# Someone else's change\n", "member")).status).toBe(200);
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", ...as("expert"), headers: { "if-match": `"${start}"` }, body: { markdown: "# Mine\n" } }), 409, "conflict");
    const current = sha256("# Someone else's change\n");
    expect((await call(portal, `/standards/${id}/draft`, { method: "PUT", ...as("expert"), headers: { "if-match": `"${current}"` }, body: { markdown: "# Mine\n" } })).status).toBe(200);
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", ...as("expert"), headers: { "if-match": "yesterday" }, body: { markdown: "# X\n" } }), 400, "bad_request");
  });

  it("a 10 MB PUT is refused with 413 and changes nothing", async () => {
    const { id } = await newStandard();
    const res = await refused(() => putDraft(id, "a".repeat(10 * 1024 * 1024)), 413, "payload_too_large");
    expect(res.body.error.message).toMatch(/larger than/);
  });

  it("the domain refuses more than 2 MiB of Markdown (the editor page's path) with payload_too_large, writing nothing", async () => {
    const { id } = await newStandard();
    const before = tableCounts(portal.db);
    let error: unknown;
    try {
      saveDraft({ standardId: id, markdown: "é".repeat(MAX_DRAFT_BYTES / 2 + 1), actorId: who.expert.id });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PortalError);
    expect((error as PortalError).code).toBe("payload_too_large");
    expect(tableCounts(portal.db)).toEqual(before);
  });

  it("observers and read-only tokens get 403; other committees 404; the public 401; bad bodies 400 — nothing is written", async () => {
    const { id } = await newStandard();
    await refused(() => putDraft(id, "# Observer\n", "observer"), 403, "forbidden");
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", token: readOnlyToken, body: { markdown: "# RO\n" } }), 403, "forbidden");
    await refused(() => putDraft(id, "# Outsider\n", "outsider"), 404, "not_found");
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", body: { markdown: "# Anyone\n" } }), 401, "unauthorized");
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", ...as("expert"), body: { markdown: 42 } }), 400, "bad_request");
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", ...as("expert"), body: {} }), 400, "bad_request");
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", ...as("expert"), rawBody: "# just markdown", contentType: "text/markdown" }), 400, "bad_request");
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", ...as("expert"), rawBody: '{"markdown": "unterminated' }), 400, "bad_request");
  });

  it("GET draft: other committees and the public get 404 for an unpublished standard", async () => {
    const { id } = await newStandard();
    expectError(await call(portal, `/standards/${id}/draft`, as("outsider")), 404, "not_found");
    expectError(await call(portal, `/standards/${id}/draft`), 404, "not_found");
  });
});

describe("revisions", () => {
  it("freezing makes 00, then 01: hash of the Markdown, rule set, conformance; listed on the standard; readable by number", async () => {
    const { id, prefix } = await newStandard();
    const v0 = `# ${id}\n\nFirst text.\n\n${block(ruleJson(`${prefix}1`))}\n`;
    await putDraft(id, v0);
    const first = await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    expect(first.status, first.text).toBe(201);
    expect(first.body).toEqual({ revision: { number: "00", hash: sha256(v0), ruleset: { standard: id, version: "revision-00", rules: [ruleJson(`${prefix}1`)] }, conformance: { passed: 1, failed: 0 } } });
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "standard.revisionFrozen", data: { number: "00", hash: sha256(v0) } });

    const v1 = v0.replace("First text.", "Second text.");
    await putDraft(id, v1);
    const second = await call(portal, `/standards/${id}/revisions`, { method: "POST", cookie: who.admin.cookie });
    expect(second.body.revision).toMatchObject({ number: "01", hash: sha256(v1) });

    const standard = await call(portal, `/standards/${id}`, as("observer"));
    expect(standard.body.standard.revisions).toEqual([
      { number: "00", hash: sha256(v0), createdAt: expect.any(String) },
      { number: "01", hash: sha256(v1), createdAt: expect.any(String) },
    ]);
    const r0 = await call(portal, `/standards/${id}/revisions/00`, as("member"));
    expect(r0.status).toBe(200);
    expect(r0.body).toEqual({ number: "00", markdown: v0, ruleset: first.body.revision.ruleset, hash: sha256(v0), createdAt: expect.any(String) });
    // The lexical JSON is stored with the revision (the editor's document of that text).
    const row = portal.db.$client.prepare("select lexical_json from standard_revisions where standard_id = ? and number = '00'").get(id) as { lexical_json: string };
    expect(JSON.parse(row.lexical_json).root.type).toBe("root");
  });

  it("an unchanged draft is not frozen again (409), and nothing is written", async () => {
    const { id } = await newStandard();
    expect((await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") })).status).toBe(201);
    const res = await refused(() => call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") }), 409, "conflict");
    expect(res.body.error.message).toContain("unchanged since revision 00");
  });

  it("an invalid rule refuses the freeze with 422 naming the rule, its line and what to fix; nothing is written", async () => {
    const { id, prefix } = await newStandard();
    await putDraft(id, `# T\n\n${block(ruleJson(`${prefix}1`, { when: { nope: [1] } }))}\n`);
    const res = await refused(() => call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") }), 422, "unprocessable");
    expect(res.body.error.message).toContain(`${prefix}1`);
    expect(res.body.error.message).toContain("line 3");
    expect(res.body.error.message).toContain('unknown JSON Logic operator "nope"');
    expect(Object.values(res.body.error.fields)).toHaveLength(1);
  });

  it("a repeated rule id refuses the freeze with 422 naming the id", async () => {
    const { id, prefix } = await newStandard();
    await putDraft(id, `# T\n\n${block(ruleJson(`${prefix}1`))}\n\n${block(ruleJson(`${prefix}1`, { title: "Again" }))}\n`);
    const res = await refused(() => call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") }), 422, "unprocessable");
    expect(res.body.error.message).toContain(`repeats rule id ${prefix}1`);
  });

  it("a removed rule's id is retired: bringing it back is shown in the draft and refuses the freeze (422)", async () => {
    const { id, prefix } = await newStandard();
    const withBoth = `# T\n\n${block(ruleJson(`${prefix}1`))}\n\n${block(ruleJson(`${prefix}2`))}\n`;
    await putDraft(id, withBoth);
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    await putDraft(id, `# T\n\n${block(ruleJson(`${prefix}1`))}\n`);
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    expect(portal.db.$client.prepare("select rule_id, retired_in_revision from retired_rule_ids where standard_id = ?").all(id)).toEqual([
      { rule_id: `${prefix}2`, retired_in_revision: "01" },
    ]);
    const back = await putDraft(id, withBoth.replace("Threshold rule", "Reborn rule"));
    expect(back.body.ruleErrors.map((e: { message: string }) => e.message)).toEqual([expect.stringContaining(`rule ${prefix}2 reuses a retired rule id`)]);
    const res = await refused(() => call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") }), 422, "unprocessable");
    expect(res.body.error.message).toContain(`${prefix}2 reuses a retired rule id`);
    expect(res.body.error.message).toContain("Give the rule a new id");
  });

  it("failing conformance examples do not block the freeze: they are recorded", async () => {
    const { id, prefix } = await newStandard();
    const wrong = ruleJson(`${prefix}1`, { examples: [{ name: "wrong expectation", input: { shipment: { value: 90 } }, expect: { applies: false, outcome: null } }] });
    await putDraft(id, `# T\n\n${block(wrong)}\n`);
    const res = await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    expect(res.status).toBe(201);
    expect(res.body.revision.conformance).toEqual({ passed: 0, failed: 1 });
    const row = portal.db.$client.prepare("select conformance_json from standard_revisions where standard_id = ?").get(id) as { conformance_json: string };
    expect(JSON.parse(row.conformance_json).results[0]).toMatchObject({ rule: `${prefix}1`, example: "wrong expectation", passed: false });
  });

  it("members, observers and read-only tokens may not freeze (403); outsiders 404; the public 401", async () => {
    const { id } = await newStandard();
    for (const name of ["member", "observer"]) await refused(() => call(portal, `/standards/${id}/revisions`, { method: "POST", ...as(name) }), 403, "forbidden");
    await refused(() => call(portal, `/standards/${id}/revisions`, { method: "POST", token: readOnlyToken }), 403, "forbidden");
    await refused(() => call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("outsider") }), 404, "not_found");
    await refused(() => call(portal, `/standards/${id}/revisions`, { method: "POST" }), 401, "unauthorized");
  });

  it("GET a revision: unknown number 404, malformed number 400, other committees 404", async () => {
    const { id } = await newStandard();
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    expectError(await call(portal, `/standards/${id}/revisions/07`, as("expert")), 404, "not_found");
    expectError(await call(portal, `/standards/${id}/revisions/zero`, as("expert")), 400, "bad_request");
    expectError(await call(portal, `/standards/${id}/revisions/00`, as("outsider")), 404, "not_found");
  });

  it("revisions are immutable: the database refuses UPDATE and DELETE, and the revision is unchanged", async () => {
    const { id } = await newStandard();
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    const read = () => portal.db.$client.prepare("select * from standard_revisions where standard_id = ?").all(id);
    const before = read();
    expect(before).toHaveLength(1);
    const sqlite = portal.db.$client;
    expect(() => sqlite.prepare("update standard_revisions set markdown = 'tampered' where standard_id = ?").run(id)).toThrow(/immutable/);
    expect(() => sqlite.prepare("update standard_revisions set hash = 'x' where standard_id = ?").run(id)).toThrow(/immutable/);
    expect(() => sqlite.prepare("delete from standard_revisions where standard_id = ?").run(id)).toThrow(/immutable/);
    expect(() => sqlite.prepare("delete from standard_revisions").run()).toThrow(/immutable/);
    // REPLACE deletes without firing DELETE triggers; an insert trigger refuses it.
    expect(() => sqlite.prepare("insert or replace into standard_revisions select * from standard_revisions where standard_id = ?").run(id)).toThrow(/immutable/);
    expect(() =>
      sqlite
        .prepare("insert or replace into standard_revisions (standard_id, number, markdown, lexical_json, ruleset_json, conformance_json, hash) values (?, '00', 'forged', '{}', '{}', '{}', 'x')")
        .run(id),
    ).toThrow(/immutable/);
    expect(() => sqlite.prepare("insert into standard_revisions (standard_id, number, markdown, lexical_json, ruleset_json, conformance_json, hash) values (?, '00', 'forged', '{}', '{}', '{}', 'x') on conflict do update set markdown = excluded.markdown").run(id)).toThrow(/immutable/);
    expect(read()).toEqual(before);
  });

  it("retired rule ids can be neither changed nor deleted", async () => {
    const { id, prefix } = await newStandard();
    await putDraft(id, `# T\n\n${block(ruleJson(`${prefix}1`))}\n`);
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    await putDraft(id, "# T\n");
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    const sqlite = portal.db.$client;
    expect(() => sqlite.prepare("delete from retired_rule_ids where standard_id = ?").run(id)).toThrow(/stay retired/);
    expect(() => sqlite.prepare("update retired_rule_ids set rule_id = 'x' where standard_id = ?").run(id)).toThrow(/stay retired/);
    expect(() => sqlite.prepare("insert or replace into retired_rule_ids (standard_id, rule_id, retired_in_revision) values (?, ?, '99')").run(id, `${prefix}1`)).toThrow(/stay retired/);
  });
});

describe("GET /standards/{id}/diff", () => {
  it("gives the word-level redline and the semantic rule diff between two revisions, and against the draft", async () => {
    const { id, prefix } = await newStandard();
    const intro = "Relief applies to goods returned within ninety days.";
    const other = "Evidence of export is kept for six years.";
    const table = "| Destination | Days |\n| --- | --- |\n| EU | 90 |\n| UK | 60 |";
    const r1 = ruleJson(`${prefix}1`);
    const r2 = ruleJson(`${prefix}2`);
    await putDraft(id, `# T\n\n${intro}\n\n${other}\n\n${table}\n\n${block(r1)}\n\n${block(r2)}\n`);
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    const changedR1 = { ...r1, when: { "<=": [{ var: "shipment.value" }, 150] } };
    await putDraft(id, `# T\n\n${other}\n\n${intro}\n\n${table.replace("| UK | 60 |", "| UK | 30 |")}\n\n${block(changedR1)}\n`);
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });

    const res = await call(portal, `/standards/${id}/diff?from=00&to=01`, as("observer"));
    expect(res.status, res.text).toBe(200);
    expect(res.body.rules).toEqual({ added: [], removed: [`${prefix}2`], changed: [{ id: `${prefix}1`, fields: ["when"] }] });
    expect(res.body.suggestedBump).toBe("major");
    const ops = res.body.text.map((h: { op: string; block: string; move?: unknown }) => [h.op, h.block, h.move !== undefined]);
    expect(ops).toContainEqual(["change", "table-row", false]);
    expect(ops.filter((o: unknown[]) => o[2])).toHaveLength(2); // the moved paragraph: a delete and an insert sharing a move
    const cell = res.body.text.find((h: { block: string }) => h.block === "table-row");
    expect(cell.words).toEqual([
      { op: "equal", text: "| UK | " },
      { op: "delete", text: "60" },
      { op: "insert", text: "30" },
      { op: "equal", text: " |" },
    ]);

    await putDraft(id, `# T\n\n${other}\n\n${intro}\n\n${table.replace("| UK | 60 |", "| UK | 30 |")}\n\n${block(changedR1)}\n\n${block(ruleJson(`${prefix}3`))}\n`);
    const toDraft = await call(portal, `/standards/${id}/diff?from=01&to=draft`, as("expert"));
    expect(toDraft.body).toEqual({ text: [], rules: { added: [`${prefix}3`], removed: [], changed: [] }, suggestedBump: "minor" });
  });

  it("missing or malformed revision refs are 400; an unknown revision 404; other committees 404; the public 404", async () => {
    const { id } = await newStandard();
    await call(portal, `/standards/${id}/revisions`, { method: "POST", ...as("expert") });
    expectError(await call(portal, `/standards/${id}/diff?from=00`, as("expert")), 400, "bad_request");
    expectError(await call(portal, `/standards/${id}/diff?from=00&to=1;drop`, as("expert")), 400, "bad_request");
    expectError(await call(portal, `/standards/${id}/diff?from=00&to=00&to=01`, as("expert")), 400, "bad_request");
    expectError(await call(portal, `/standards/${id}/diff?from=00&to=05`, as("expert")), 404, "not_found");
    expectError(await call(portal, `/standards/${id}/diff?from=00&to=draft`, as("outsider")), 404, "not_found");
    expectError(await call(portal, `/standards/${id}/diff?from=00&to=draft`), 404, "not_found");
  });
});

describe("POST /standards/{id}/status", () => {
  it("an expert sends a draft to review and back; each change is recorded with who, when, from and to", async () => {
    const { id } = await newStandard();
    const res = await call(portal, `/standards/${id}/status`, { method: "POST", ...as("expert"), body: { status: "review" } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.standard.status).toBe("review");
    expect(lastAuditEvent(portal.db)).toMatchObject({ action: "standard.statusChanged", data: { from: "draft", to: "review" } });
    expect((await call(portal, `/standards/${id}/status`, { method: "POST", ...as("admin"), body: { status: "draft", reason: "more work" } })).status).toBe(200);
    const events = portal.db.$client.prepare("select from_status, to_status, actor_id, reason, at from standard_status_events where standard_id = ? order by id").all(id);
    expect(events).toEqual([
      { from_status: null, to_status: "draft", actor_id: who.expert.id, reason: "created", at: expect.any(String) },
      { from_status: "draft", to_status: "review", actor_id: who.expert.id, reason: "", at: expect.any(String) },
      { from_status: "review", to_status: "draft", actor_id: who.admin.id, reason: "more work", at: expect.any(String) },
    ]);
  });

  it("changes the lifecycle does not allow by hand are 409 with the reason; nothing is written", async () => {
    const { id } = await newStandard();
    const ballot = await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as("expert"), body: { status: "ballot" } }), 409, "conflict");
    expect(ballot.body.error.message).toContain("POST /ballots");
    const publish = await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as("admin"), body: { status: "published" } }), 409, "conflict");
    expect(publish.body.error.message).toContain("release");
    await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as("admin"), body: { status: "withdrawn", reason: "abandoned" } }), 409, "conflict");
    await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as("admin"), body: { status: "draft" } }), 409, "conflict");
  });

  it("members, observers and read-only tokens get 403; outsiders 404; bad status 400", async () => {
    const { id } = await newStandard();
    for (const name of ["member", "observer"]) await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as(name), body: { status: "review" } }), 403, "forbidden");
    await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", token: readOnlyToken, body: { status: "review" } }), 403, "forbidden");
    await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as("outsider"), body: { status: "review" } }), 404, "not_found");
    await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as("expert"), body: { status: "finished" } }), 400, "bad_request");
  });

  it("a published standard: the public reads it but not its draft (401), other committees get 403; only admins withdraw it, with a reason", async () => {
    const { id } = await newStandard();
    changeStatus({ standardId: id, to: "published", actorId: null, via: "release" }); // what the releases module will do
    const pub = await call(portal, `/standards/${id}`);
    expect(pub.status).toBe(200);
    expect(pub.body.standard.revisions).toEqual([]);
    expectError(await call(portal, `/standards/${id}/draft`), 401, "unauthorized");
    expectError(await call(portal, `/standards/${id}/draft`, as("outsider")), 403, "forbidden");
    expectError(await call(portal, `/standards/${id}/diff?from=00&to=draft`, as("outsider")), 403, "forbidden");
    await refused(() => call(portal, `/standards/${id}/draft`, { method: "PUT", ...as("outsider"), body: { markdown: "# X\n" } }), 403, "forbidden");

    await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as("expert"), body: { status: "withdrawn", reason: "obsolete" } }), 403, "forbidden");
    const noReason = await refused(() => call(portal, `/standards/${id}/status`, { method: "POST", ...as("admin"), body: { status: "withdrawn" } }), 400, "bad_request");
    expect(noReason.body.error.fields).toHaveProperty("reason");
    const res = await call(portal, `/standards/${id}/status`, { method: "POST", ...as("admin"), body: { status: "withdrawn", reason: "Replaced by national rules." } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.standard.status).toBe("withdrawn");
    // A withdrawn standard's text is frozen for good.
    await refused(() => putDraft(id, "# After withdrawal\n"), 403, "forbidden");
  });
});

describe("OpenAPI", () => {
  it("documents every standards endpoint and search", async () => {
    const res = await call(portal, "/openapi.json");
    const paths = res.body.paths;
    for (const [path, method] of [
      ["/standards", "post"],
      ["/standards/{id}", "get"],
      ["/standards/{id}/draft", "get"],
      ["/standards/{id}/draft", "put"],
      ["/standards/{id}/revisions", "post"],
      ["/standards/{id}/revisions/{number}", "get"],
      ["/standards/{id}/diff", "get"],
      ["/standards/{id}/status", "post"],
      ["/search", "get"],
    ]) {
      expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
    }
    expect(JSON.stringify(paths["/search"].get)).toContain("U+0002");
  });
});
