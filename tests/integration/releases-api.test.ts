/**
 * Publishing signed releases through the real HTTP API of a running portal: the approved revision
 * becomes a release whose manifest verifies with the published release key and whose files hash to
 * what it lists; every refusal (no approved ballot, failing examples, versions, roles, unknown
 * things) answers the contract's error and writes nothing; the default version follows the rule
 * diff; the signed index grows by one per publication and is re-signed before it lapses; the HTML
 * is sanitized; the public evaluate endpoint is bounded and rate-limited; release files are
 * immutable in the database itself.
 */
import { createHash, createPublicKey, randomUUID, verify } from "node:crypto";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import canonicalize from "canonicalize";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateLimiter, EVALUATE_RATE_PER_MINUTE } from "../../app/api/releases.api";
import { currentIndex, INDEX_LIFETIME_MS, reSignIndexIfNeeded } from "../../app/domain/release-index.server";
import { accessTokenFor, createAdmin, createOrg, createUser } from "../support/factories";
import { call, type CallResult } from "../support/http";
import { lastAuditEvent, startPortal, tableCounts, type TestPortal } from "../support/portal";

let portal: TestPortal;
const tokens: Record<string, string> = {};

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();
const as = (name: string) => ({ token: tokens[name] });

beforeAll(async () => {
  portal = await startPortal();
  const experts = createOrg({ kind: "expert", name: `Institute ${randomUUID().slice(0, 6)}`, country: "DE" });
  const admin = (await createAdmin()).user;
  const expert = await createUser({ org: experts, role: "expert", committees: ["TAR"], name: "Jonas Weber" });
  const outsider = await createUser({ org: experts, role: "expert", committees: ["LOG"], name: "Pierre Martin" });
  for (const [name, user] of Object.entries({ admin, expert, outsider })) tokens[name] = accessTokenFor(user.id).token;
  tokens.readOnlyAdmin = accessTokenFor(admin.id, { readOnly: true }).token;
});

afterAll(async () => {
  await portal?.close();
});

type RuleSpec = { n: number; threshold?: number; title?: string; expectedDuty?: number };

/** One rule of a standard in the contract's format, with one example (that fails when expectedDuty ≠ 0). */
function rule(standardId: string, spec: RuleSpec) {
  const threshold = spec.threshold ?? 150;
  return {
    id: `${standardId.replace(/^EWTP-/, "")}.R${spec.n}`,
    title: spec.title ?? `No duty below ${threshold}`,
    description: `Consignments valued below ${threshold} pay no duty.`,
    when: { "<": [{ var: "shipment.value" }, threshold] },
    then: { duty: 0, route: "simplified" },
    examples: [{ name: "a small parcel", input: { shipment: { value: 10 } }, expect: { applies: true, outcome: { duty: spec.expectedDuty ?? 0, route: "simplified" } } }],
  };
}

function markdownOf(standardId: string, rules: RuleSpec[], prose = "Relief from duty for low-value parcels.") {
  const blocks = rules.map((r) => "```rule\n" + JSON.stringify(rule(standardId, r), null, 2) + "\n```\n").join("\n");
  return `# ${standardId} Low-value relief\n\n## 1 Scope\n\n${prose}\n\n## 2 Rules\n\n${blocks}`;
}

async function newStandard(committee = "TAR"): Promise<string> {
  const res = await call(portal, "/standards", { method: "POST", ...as("admin"), body: { committee, title: `Low-value relief ${randomUUID().slice(0, 6)}`, scope: "Relief from duty for low-value parcels." } });
  expect(res.status, res.text).toBe(201);
  return res.body.standard.id;
}

/** Saves the draft and freezes it; returns the revision number. */
async function freeze(standardId: string, markdown: string): Promise<string> {
  const saved = await call(portal, `/standards/${standardId}/draft`, { method: "PUT", ...as("admin"), body: { markdown } });
  expect(saved.status, saved.text).toBe(200);
  const frozen = await call(portal, `/standards/${standardId}/revisions`, { method: "POST", ...as("admin") });
  expect(frozen.status, frozen.text).toBe(201);
  return frozen.body.revision.number;
}

/** Opens a ballot on the revision (the TAR expert is the whole roll), votes, closes it; returns its id. */
async function ballot(standardId: string, revision: string, position: "approve" | "disapprove" | null = "approve"): Promise<string> {
  const opened = await call(portal, "/ballots", {
    method: "POST",
    ...as("admin"),
    body: { subject: { standardId, revision }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["expert"], committees: ["TAR"] }, closesAt: inHours(48) },
  });
  expect(opened.status, opened.text).toBe(201);
  const id = opened.body.ballot.id;
  if (position === null) return id;
  const voted = await call(portal, `/ballots/${id}/vote`, { method: "PUT", ...as("expert"), body: { position, reason: position === "disapprove" ? "Not ready." : undefined } });
  expect(voted.status, voted.text).toBe(200);
  const closed = await call(portal, `/ballots/${id}/close`, { method: "POST", ...as("admin") });
  expect(closed.status, closed.text).toBe(200);
  expect(closed.body.ballot.result).toBe(position === "approve" ? "approved" : "rejected");
  return id;
}

async function approvedRevision(standardId: string, rules: RuleSpec[], prose?: string): Promise<{ revision: string; ballotId: string }> {
  const revision = await freeze(standardId, markdownOf(standardId, rules, prose));
  return { revision, ballotId: await ballot(standardId, revision) };
}

const publish = (standardId: string, body: Record<string, unknown>, who = "admin") => call(portal, `/standards/${standardId}/releases`, { method: "POST", ...as(who), body });

function expectError(res: CallResult, status: number, code: string): void {
  expect(res.status, res.text).toBe(status);
  expect(Object.keys(res.body)).toEqual(["error"]);
  expect(res.body.error.code).toBe(code);
}

/** A request that must be refused: the status and error, and not one row or audit entry written. */
async function refused(request: () => Promise<CallResult>, status: number, code: string): Promise<CallResult> {
  const before = tableCounts(portal.db);
  const audit = lastAuditEvent(portal.db)?.seq;
  const res = await request();
  expectError(res, status, code);
  expect(tableCounts(portal.db)).toEqual(before);
  expect(lastAuditEvent(portal.db)?.seq).toBe(audit);
  return res;
}

async function keys(): Promise<{ keyid: string; publicKey: string; role: string }[]> {
  const res = await call(portal, "/keys");
  expect(res.status).toBe(200);
  return res.body.keys;
}

/** Verifies a signed document with node:crypto alone: Ed25519 over the RFC 8785 canonical JSON of `signed`. */
function verifiesWith(doc: { signed: unknown; signatures: { keyid: string; sig: string }[] }, key: { keyid: string; publicKey: string }): boolean {
  const raw = Buffer.from(key.publicKey, "base64");
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
  const sig = doc.signatures.find((s) => s.keyid === key.keyid);
  return !!sig && sha256(raw) === key.keyid && verify(null, Buffer.from(canonicalize(doc.signed)!, "utf8"), publicKey, Buffer.from(sig.sig, "base64"));
}

type FileRow = { name: string; content_type: string; bytes: Buffer; sha256: string; length: number; gzip: Buffer; brotli: Buffer };
function filesOf(standardId: string, version: string): Record<string, FileRow> {
  const rows = portal.db.$client
    .prepare("select f.* from release_files f join releases r on r.id = f.release_id where r.standard_id = ? and r.version = ?")
    .all(standardId, version) as FileRow[];
  return Object.fromEntries(rows.map((r) => [r.name, r]));
}

function releaseRow(standardId: string, version: string) {
  return portal.db.$client.prepare("select * from releases where standard_id = ? and version = ?").get(standardId, version) as Record<string, string> | undefined;
}

describe("POST /standards/{id}/releases — the happy path", () => {
  it("publishes an approved revision: 201 with a manifest that verifies against GET /keys, files that hash to it, the standard published, all audited", async () => {
    const id = await newStandard();
    const { revision, ballotId } = await approvedRevision(id, [{ n: 1 }]);
    const res = await publish(id, { revision, effectiveFrom: "2027-01-01" });
    expect(res.status, res.text).toBe(201);

    const manifest = res.body;
    expect(manifest.signed).toMatchObject({ _type: "release", standard: id, version: "1.0.0", effectiveFrom: "2027-01-01T00:00:00.000Z", supersedes: null, ballotId });
    expect(Object.keys(manifest.signed.files).sort()).toEqual(["conformance.json", "document.html", "document.md", "ruleset.json"]);
    const releaseKey = (await keys()).find((k) => k.role === "release")!;
    const indexKey = (await keys()).find((k) => k.role === "index")!;
    expect(verifiesWith(manifest, releaseKey)).toBe(true);
    expect(verifiesWith(manifest, indexKey)).toBe(false);
    // One changed byte in what is signed and the signature no longer holds.
    expect(verifiesWith({ ...manifest, signed: { ...manifest.signed, version: "1.0.1" } }, releaseKey)).toBe(false);

    const revisionBody = await call(portal, `/standards/${id}/revisions/${revision}`, { ...as("admin") });
    expect(manifest.signed.revisionHash).toBe(revisionBody.body.hash);

    const files = filesOf(id, "1.0.0");
    for (const [name, listed] of Object.entries(manifest.signed.files as Record<string, { sha256: string; length: number }>)) {
      const f = files[name];
      expect(sha256(f.bytes), name).toBe(listed.sha256);
      expect(f.bytes.length, name).toBe(listed.length);
      expect(f.sha256).toBe(listed.sha256);
      expect(gunzipSync(f.gzip).equals(f.bytes), `${name} gzip`).toBe(true);
      expect(brotliDecompressSync(f.brotli).equals(f.bytes), `${name} brotli`).toBe(true);
    }
    const ruleset = JSON.parse(files["ruleset.json"].bytes.toString("utf8"));
    expect(ruleset).toEqual({ standard: id, version: "1.0.0", rules: [rule(id, { n: 1 })] });
    const conformance = JSON.parse(files["conformance.json"].bytes.toString("utf8"));
    expect(conformance.vectors).toEqual([{ rule: `${id.slice(5)}.R1`, name: "a small parcel", input: { shipment: { value: 10 } }, expect: { applies: true, outcome: { duty: 0, route: "simplified" } } }]);
    expect(files["document.md"].bytes.toString("utf8")).toBe(revisionBody.body.markdown);
    expect(files["document.md"].content_type).toBe("text/markdown; charset=utf-8");
    const html = files["document.html"].bytes.toString("utf8");
    expect(html).toMatch(/^<!doctype html>\n<html lang="en" dir="ltr">/);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain(`<title>${id} 1.0.0 — `);
    expect(html).toContain(`id="rule-${id.slice(5)}.R1"`);

    // The stored manifest is the served one, and its hash is recorded.
    const row = releaseRow(id, "1.0.0")!;
    expect(JSON.parse(row.manifest)).toEqual(manifest);
    expect(row.manifest_sha256).toBe(sha256(Buffer.from(row.manifest, "utf8")));
    expect(row.status).toBe("current");

    // The standard is now published, its status change recorded, and the public sees the release.
    const standard = await call(portal, `/standards/${id}`);
    expect(standard.status).toBe(200);
    expect(standard.body.standard.status).toBe("published");
    expect(standard.body.standard.releases).toEqual([{ version: "1.0.0", publishedAt: manifest.signed.publishedAt, status: "current" }]);
    const listed = await call(portal, "/standards?status=published");
    expect(listed.body.standards.find((x: { id: string }) => x.id === id)).toMatchObject({ status: "published", latestRelease: "1.0.0" });
    const events = portal.db.$client.prepare("select from_status, to_status from standard_status_events where standard_id = ? order by id").all(id) as { to_status: string }[];
    expect(events.at(-1)?.to_status).toBe("published");
    const audit = lastAuditEvent(portal.db)!;
    expect(audit.action).toBe("release.published");
    expect(audit.data).toMatchObject({ version: "1.0.0", manifestSha256: row.manifest_sha256 });

    const list = await call(portal, `/standards/${id}/releases`);
    expect(list.status).toBe(200);
    expect(list.body.releases).toEqual([
      { version: "1.0.0", status: "current", publishedAt: manifest.signed.publishedAt, effectiveFrom: "2027-01-01T00:00:00.000Z", supersedes: null, revision, manifestSha256: row.manifest_sha256 },
    ]);
  });

  it("the effective date defaults to the publication time, and a date-time with a zone is stored in UTC", async () => {
    const id = await newStandard();
    const first = await approvedRevision(id, [{ n: 1 }]);
    const res = await publish(id, { revision: first.revision });
    expect(res.status, res.text).toBe(201);
    expect(res.body.signed.effectiveFrom).toBe(res.body.signed.publishedAt);
    const second = await approvedRevision(id, [{ n: 1 }, { n: 2, threshold: 22 }]);
    const res2 = await publish(id, { revision: second.revision, effectiveFrom: "2027-03-01T09:00:00+08:00" });
    expect(res2.status, res2.text).toBe(201);
    expect(res2.body.signed.effectiveFrom).toBe("2027-03-01T01:00:00.000Z");
  });
});

describe("refusals: the contract's error, nothing written", () => {
  it("409 without a ballot, with an open ballot, and with a rejected ballot, naming the reason", async () => {
    const id = await newStandard();
    const revision = await freeze(id, markdownOf(id, [{ n: 1 }]));
    let res = await refused(() => publish(id, { revision }), 409, "conflict");
    expect(res.body.error.message).toMatch(/No ballot approved revision 00/);

    const ballotId = await ballot(id, revision, null);
    res = await refused(() => publish(id, { revision }), 409, "conflict");
    expect(res.body.error.message).toMatch(/still open/);
    await call(portal, `/ballots/${ballotId}/vote`, { method: "PUT", ...as("expert"), body: { position: "disapprove", reason: "Not ready." } });
    await call(portal, `/ballots/${ballotId}/close`, { method: "POST", ...as("admin") });
    res = await refused(() => publish(id, { revision }), 409, "conflict");
    expect(res.body.error.message).toMatch(/was rejected/);
  });

  it("409 when a conformance example fails, saying how many", async () => {
    const id = await newStandard();
    const { revision } = await approvedRevision(id, [{ n: 1, expectedDuty: 5 }, { n: 2, threshold: 22 }]);
    const res = await refused(() => publish(id, { revision }), 409, "conflict");
    expect(res.body.error.message).toMatch(/1 of 2 conformance examples of revision 00 fails/);
    expect(res.body.error.message).toContain(`${id.slice(5)}.R1 "a small parcel"`);
  });

  it("409 for a version published before, a lower version, and a revision already released; 400 for a malformed version or date", async () => {
    const id = await newStandard();
    const first = await approvedRevision(id, [{ n: 1 }]);
    expect((await publish(id, { revision: first.revision, version: "2.0.0" })).status).toBe(201);
    const second = await approvedRevision(id, [{ n: 1 }, { n: 2, threshold: 22 }]);
    let res = await refused(() => publish(id, { revision: second.revision, version: "2.0.0" }), 409, "conflict");
    expect(res.body.error.message).toMatch(/2\.0\.0 is already published/);
    res = await refused(() => publish(id, { revision: second.revision, version: "1.9.9" }), 409, "conflict");
    expect(res.body.error.message).toMatch(/not greater than the current release 2\.0\.0/);
    res = await refused(() => publish(id, { revision: first.revision, version: "3.0.0" }), 409, "conflict");
    expect(res.body.error.message).toMatch(/already published as 2\.0\.0/);
    for (const version of ["1.0", "v2.1.0", "02.1.0", "2.1.0-rc.1", "", "2.1.0+build"]) {
      res = await refused(() => publish(id, { revision: second.revision, version }), 400, "bad_request");
      expect(res.body.error.fields).toHaveProperty("version");
    }
    for (const effectiveFrom of ["2027-02-30", "tomorrow", "2027-01-01T00:00:00"]) {
      res = await refused(() => publish(id, { revision: second.revision, effectiveFrom }), 400, "bad_request");
      expect(res.body.error.message).toMatch(/effective date/);
    }
    // 10 > 9 numerically, not as text.
    expect((await publish(id, { revision: second.revision, version: "10.0.0" })).status).toBe(201);
  });

  it("403 for an expert and a read-only admin token who can see the standard, 404 for one who cannot, 401 without credentials", async () => {
    const id = await newStandard();
    const { revision } = await approvedRevision(id, [{ n: 1 }]);
    let res = await refused(() => publish(id, { revision }, "expert"), 403, "forbidden");
    expect(res.body.error.message).toMatch(/Only the secretariat/);
    await refused(() => publish(id, { revision }, "readOnlyAdmin"), 403, "forbidden");
    await refused(() => publish(id, { revision }, "outsider"), 404, "not_found");
    res = await refused(() => call(portal, `/standards/${id}/releases`, { method: "POST", body: { revision } }), 401, "unauthorized");
  });

  it("404 for an unknown standard, revision or release version, in the error format", async () => {
    const id = await newStandard();
    await refused(() => publish("EWTP-TAR-999", { revision: "00" }), 404, "not_found");
    const res = await refused(() => publish(id, { revision: "07" }), 404, "not_found");
    expect(res.body.error.message).toMatch(/has no revision 07/);
    await refused(() => call(portal, "/standards/EWTP-TAR-999/releases"), 404, "not_found");
  });
});

describe("the default version follows the semantic rule diff", () => {
  it("1.0.0 first; an added rule → minor; text only → patch; a changed rule → major; a removed rule → major; the previous release is superseded", async () => {
    const id = await newStandard();
    const steps: { rules: RuleSpec[]; prose?: string; version: string; supersedes: string | null }[] = [
      { rules: [{ n: 1 }], version: "1.0.0", supersedes: null },
      { rules: [{ n: 1 }, { n: 2, threshold: 22 }], version: "1.1.0", supersedes: "1.0.0" },
      { rules: [{ n: 1 }, { n: 2, threshold: 22 }], prose: "Relief from duty for low-value parcels, restated.", version: "1.1.1", supersedes: "1.1.0" },
      { rules: [{ n: 1, threshold: 135 }, { n: 2, threshold: 22 }], prose: "Relief from duty for low-value parcels, restated.", version: "2.0.0", supersedes: "1.1.1" },
      { rules: [{ n: 1, threshold: 135 }], prose: "Relief from duty for low-value parcels, restated.", version: "3.0.0", supersedes: "2.0.0" },
    ];
    for (const step of steps) {
      const { revision } = await approvedRevision(id, step.rules, step.prose);
      const res = await publish(id, { revision });
      expect(res.status, res.text).toBe(201);
      expect(res.body.signed.version).toBe(step.version);
      expect(res.body.signed.supersedes).toBe(step.supersedes);
    }
    const list = await call(portal, `/standards/${id}/releases`);
    expect(list.body.releases.map((r: { version: string; status: string }) => `${r.version}:${r.status}`)).toEqual([
      "3.0.0:current",
      "2.0.0:superseded",
      "1.1.1:superseded",
      "1.1.0:superseded",
      "1.0.0:superseded",
    ]);
    const changes = JSON.parse(releaseRow(id, "2.0.0")!.changes_json);
    expect(changes).toMatchObject({ from: "1.1.1", breaking: true, suggestedBump: "major", rules: { added: [], removed: [], changed: [{ id: `${id.slice(5)}.R1`, fields: ["title", "description", "when"] }] } });

    // The diff between any two releases.
    const diff = await call(portal, `/standards/${id}/releases/diff?from=1.0.0&to=3.0.0`);
    expect(diff.status, diff.text).toBe(200);
    expect(diff.body).toEqual({ rules: { added: [], removed: [], changed: [{ id: `${id.slice(5)}.R1`, fields: ["title", "description", "when"] }] }, breaking: true, suggestedBump: "major" });
    const minor = await call(portal, `/standards/${id}/releases/diff?from=1.0.0&to=1.1.0`);
    expect(minor.body).toEqual({ rules: { added: [`${id.slice(5)}.R2`], removed: [], changed: [] }, breaking: false, suggestedBump: "minor" });
    expectError(await call(portal, `/standards/${id}/releases/diff?from=1.0.0&to=4.0.0`), 404, "not_found");
    expectError(await call(portal, `/standards/${id}/releases/diff?from=1.0&to=3.0.0`), 400, "bad_request");
  });
});

describe("the signed index", () => {
  it("grows by one version per publication, lists every manifest's hash and length, verifies with the index key and names the release key", async () => {
    const before = currentIndex()!;
    const id = await newStandard();
    const { revision } = await approvedRevision(id, [{ n: 1 }]);
    expect((await publish(id, { revision })).status).toBe(201);
    const after = currentIndex()!;
    expect(after.version).toBe(before.version + 1);
    const doc = JSON.parse(after.body);
    const allKeys = await keys();
    const indexKey = allKeys.find((k) => k.role === "index")!;
    const releaseKey = allKeys.find((k) => k.role === "release")!;
    expect(verifiesWith(doc, indexKey)).toBe(true);
    expect(verifiesWith(doc, releaseKey)).toBe(false);
    expect(doc.signed._type).toBe("index");
    expect(doc.signed.version).toBe(after.version);
    expect(doc.signed.keys).toEqual([{ keyid: releaseKey.keyid, role: "release", publicKey: releaseKey.publicKey }]);
    const row = releaseRow(id, "1.0.0")!;
    expect(doc.signed.releases[`${id}@1.0.0`]).toEqual({ sha256: row.manifest_sha256, length: Buffer.byteLength(row.manifest, "utf8") });
    const count = (portal.db.$client.prepare("select count(*) as n from releases").get() as { n: number }).n;
    expect(Object.keys(doc.signed.releases)).toHaveLength(count);
    const expiresIn = Date.parse(doc.signed.expires) - Date.now();
    expect(expiresIn).toBeGreaterThan(INDEX_LIFETIME_MS - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(INDEX_LIFETIME_MS);
  });

  it("is re-signed (a new version, a later expiry) only when it expires within two days", () => {
    const last = currentIndex()!;
    expect(reSignIndexIfNeeded(new Date())).toBeNull();
    expect(currentIndex()!.version).toBe(last.version);
    const later = new Date(Date.parse(last.expires) - 36 * 3600_000);
    const resigned = reSignIndexIfNeeded(later)!;
    expect(resigned.version).toBe(last.version + 1);
    expect(Date.parse(resigned.expires)).toBeGreaterThan(Date.parse(last.expires));
    expect(JSON.parse(resigned.body).signed.releases).toEqual(JSON.parse(last.body).signed.releases);
    expect((portal.db.$client.prepare("select reason from release_indexes where version = ?").get(resigned.version) as { reason: string }).reason).toBe("re-sign");
  });
});

describe("document.html is sanitized", () => {
  it("no script, no javascript: link (even obfuscated), no event handler survives from the revision's Markdown", async () => {
    const id = await newStandard();
    const hostile = [
      "Text before. <script>alert('x')</script>",
      "[plain](javascript:alert(1)) and [tabbed](jav&#x09;ascript:alert(2)) and <a href=\"JaVaScRiPt:alert(3)\">raw</a>",
      '<img src="x" onerror="alert(4)"> <p onclick="alert(5)" style="color:red">styled</p> <iframe src="https://evil.example/"></iframe>',
      "[safe](https://www.wto.org/) [mail](mailto:secretariat@ewtp.example)",
    ].join("\n\n");
    const { revision } = await approvedRevision(id, [{ n: 1 }], hostile);
    expect((await publish(id, { revision })).status).toBe(201);
    const html = filesOf(id, "1.0.0")["document.html"].bytes.toString("utf8");
    expect(html.toLowerCase()).not.toMatch(/<script|javascript|onerror|onclick|<iframe|<img|style=|alert\(/);
    expect(html).toContain('href="https://www.wto.org/"');
    expect(html).toContain('href="mailto:secretariat@ewtp.example"');
    expect(html).toContain("Text before.");
    // document.md keeps the text exactly as frozen.
    expect(filesOf(id, "1.0.0")["document.md"].bytes.toString("utf8")).toContain("<script>alert('x')</script>");
  });
});

describe("POST /standards/{id}/releases/{version}/evaluate", () => {
  let id: string;
  beforeAll(async () => {
    id = await newStandard();
    const { revision } = await approvedRevision(id, [{ n: 1 }, { n: 2, threshold: 22 }]);
    expect((await publish(id, { revision })).status).toBe(201);
  });
  const evaluate = (body: unknown, options: { rawBody?: string; version?: string } = {}) =>
    call(portal, `/standards/${id}/releases/${options.version ?? "1.0.0"}/evaluate`, { method: "POST", ...(options.rawBody !== undefined ? { rawBody: options.rawBody } : { body }) });

  it("the public gets which rules apply and their outcomes", async () => {
    evaluateLimiter().reset();
    const res = await evaluate({ input: { shipment: { value: 50 } } });
    expect(res.status, res.text).toBe(200);
    const r = id.slice(5);
    expect(res.body).toEqual({ results: [{ rule: `${r}.R1`, applies: true, outcome: { duty: 0, route: "simplified" } }, { rule: `${r}.R2`, applies: false, outcome: null }] });
    expectError(await evaluate({ input: {} }, { version: "9.9.9" }), 404, "not_found");
    expectError(await evaluate({ nothing: true }), 400, "bad_request");
  });

  it("413 over 64 KB, 400 for input nested deeper than 32 levels or arrays over 1,000 items", async () => {
    evaluateLimiter().reset();
    const big = await evaluate({ input: { shipment: { value: 50, note: "x".repeat(70 * 1024) } } });
    expectError(big, 413, "payload_too_large");
    let deep: unknown = { value: 1 };
    for (let i = 0; i < 40; i++) deep = { nested: deep };
    const nested = await evaluate({ input: deep });
    expectError(nested, 400, "bad_request");
    expect(nested.body.error.message).toMatch(/more than 32 levels/);
    let ok: unknown = 1;
    for (let i = 0; i < 31; i++) ok = { n: ok };
    expect((await evaluate({ input: ok })).status).toBe(200);
    expectError(await evaluate({ input: { items: Array.from({ length: 1001 }, () => 1) } }), 400, "bad_request");
    expectError(await evaluate(undefined, { rawBody: '{"input": {' }), 400, "bad_request");
  });

  it(`allows ${EVALUATE_RATE_PER_MINUTE} evaluations a minute per address, then 429 with Retry-After`, async () => {
    evaluateLimiter().reset();
    const started = Date.now();
    for (let i = 0; i < EVALUATE_RATE_PER_MINUTE; i++) {
      const res = await evaluate({ input: { shipment: { value: i } } });
      expect(res.status, res.text).toBe(200);
    }
    // The bucket refills one evaluation a second, so a slow machine may get a few more through first.
    const url = `${portal.apiUrl}/standards/${id}/releases/1.0.0/evaluate`;
    let extra = 0;
    let limited: Response | null = null;
    for (let i = 0; i < 30 && !limited; i++) {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: {} }) });
      if (res.status === 429) limited = res;
      else {
        expect(res.status).toBe(200);
        await res.arrayBuffer();
        extra++;
      }
    }
    expect(limited, "no 429 after the limit").not.toBeNull();
    expect(extra).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 1000) + 1);
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await limited!.json()).error.code).toBe("rate_limited");
    evaluateLimiter().reset();
  });
});

describe("immutability", () => {
  it("the database refuses to change or delete a release file or a release's manifest, and to replace a file", async () => {
    const id = await newStandard();
    const { revision } = await approvedRevision(id, [{ n: 1 }]);
    expect((await publish(id, { revision })).status).toBe(201);
    const row = releaseRow(id, "1.0.0")!;
    const sqlite = portal.db.$client;
    expect(() => sqlite.prepare("update release_files set bytes = x'00' where release_id = ?").run(row.id)).toThrow(/release files are immutable/);
    expect(() => sqlite.prepare("delete from release_files where release_id = ?").run(row.id)).toThrow(/release files are immutable/);
    expect(() => sqlite.prepare("update releases set manifest = '{}' where id = ?").run(row.id)).toThrow(/releases are immutable/);
    expect(() => sqlite.prepare("update release_indexes set expires = '2099-01-01T00:00:00.000Z'").run()).toThrow(/append-only/);
    expect(filesOf(id, "1.0.0")["ruleset.json"].sha256).toBe(JSON.parse(row.manifest).signed.files["ruleset.json"].sha256);
  });
});

describe("what implementers fetch agrees with what was signed", () => {
  it("the manifest and files as served are the stored bytes, and the index entry hashes the served manifest", async () => {
    const id = await newStandard();
    const { revision } = await approvedRevision(id, [{ n: 1 }]);
    const published = await publish(id, { revision });
    expect(published.status).toBe(201);
    const served = await fetch(`${portal.apiUrl}/standards/${id}/releases/1.0.0`);
    expect(served.status).toBe(200);
    const bytes = Buffer.from(await served.arrayBuffer());
    expect(bytes.toString("utf8")).toBe(releaseRow(id, "1.0.0")!.manifest);
    const index = JSON.parse(currentIndex()!.body);
    expect(index.signed.releases[`${id}@1.0.0`]).toEqual({ sha256: sha256(bytes), length: bytes.length });
    const ruleset = await fetch(`${portal.apiUrl}/standards/${id}/releases/1.0.0/ruleset.json`, { headers: { "accept-encoding": "identity" } });
    expect(ruleset.status).toBe(200);
    expect(sha256(Buffer.from(await ruleset.arrayBuffer()))).toBe(published.body.signed.files["ruleset.json"].sha256);
  });

  it("GET /openapi.json documents the release endpoints and their error codes", async () => {
    const doc = (await call(portal, "/openapi.json")).body;
    const publishOp = doc.paths["/standards/{id}/releases"].post;
    expect(Object.keys(publishOp.responses)).toEqual(expect.arrayContaining(["201", "400", "401", "403", "404", "409"]));
    const evaluateOp = doc.paths["/standards/{id}/releases/{version}/evaluate"].post;
    expect(Object.keys(evaluateOp.responses)).toEqual(expect.arrayContaining(["200", "400", "404", "413", "422", "429"]));
    expect(evaluateOp.summary).toMatch(/65536 bytes/);
    expect(doc.paths["/standards/{id}/releases/diff"].get.responses).toHaveProperty("404");
  });
});
