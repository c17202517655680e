/**
 * The fixtures of the authorization matrices (API and pages): one caller per kind of actor and
 * the resources their paths name, read back from the database as the policy sees them.
 */
import { createHash } from "node:crypto";
import { expect } from "vitest";
import type { Role, StandardStatus } from "../../db/schema";
import { can, type Action, type Actor } from "../../app/policies/policy";
import { accessTokenFor, createAdmin, createOrg, createUser, sessionCookieFor } from "../support/factories";
import { call, type CallResult } from "../support/http";
import type { TestPortal } from "../support/portal";
import { publishTestRelease } from "../support/releases";

let portal: TestPortal;

export type Column = { name: string; actor: Actor | null; cookie?: string; token?: string };
/** Every kind of caller: the public, each role inside and outside committee TAR, read-only tokens; the admin last. */
export const columns: Column[] = [];

/** Fixture ids the path parameters are filled with. */
export const fx = {
  draft: "",
  published: "EWTP-TAR-001",
  version: "",
  proposal: "",
  ballot: "",
  comment: "",
  proposalComment: "",
  webhook: "",
  webhookOwner: "",
  victim: "",
  expertTAR: "",
  revision: "00",
};

export const HOUR = 3600_000;

/** Makes the fixtures in the running portal: the people, a draft standard with a frozen revision and an open ballot, the published EWTP-TAR-001, a proposal, comments, a webhook. */
export async function makeFixtures(running: TestPortal): Promise<void> {
  portal = running;
  columns.length = 0;
  const company = createOrg({ kind: "company" });
  const company2 = createOrg({ kind: "company" });
  const experts = createOrg({ kind: "expert" });
  const gov = createOrg({ kind: "government" });
  const admin = (await createAdmin()).user;
  const people: { name: string; role: Role; org: { id: string }; committees: string[]; rep?: boolean; readOnlyToo?: boolean }[] = [
    { name: "expertTAR", role: "expert", org: experts, committees: ["TAR"], readOnlyToo: true },
    { name: "expertLOG", role: "expert", org: experts, committees: ["LOG"] },
    { name: "memberTAR", role: "member", org: company, committees: ["TAR"], rep: true, readOnlyToo: true },
    { name: "memberTAR2", role: "member", org: company2, committees: ["TAR"] },
    { name: "memberLOG", role: "member", org: company2, committees: ["LOG"], rep: true },
    { name: "observerTAR", role: "observer", org: gov, committees: ["TAR"], readOnlyToo: true },
    { name: "observerLOG", role: "observer", org: gov, committees: ["LOG"] },
  ];
  const actorOf = (id: string, role: Role, orgId: string, committees: string[], rep: boolean, readOnly: boolean): Actor => ({
    id,
    role,
    orgId,
    committees,
    votingRepresentative: rep,
    readOnly,
  });
  const ids: Record<string, string> = {};
  columns.push({ name: "public", actor: null });
  for (const p of people) {
    const u = await createUser({ org: p.org, role: p.role, committees: p.committees, votingRepresentative: p.rep ?? false, name: `Matrix ${p.name}` });
    ids[p.name] = u.id;
    columns.push({ name: p.name, actor: actorOf(u.id, p.role, p.org.id, p.committees, p.rep ?? false, false), cookie: sessionCookieFor(u.id) });
    if (p.readOnlyToo) columns.push({ name: `ro:${p.name}`, actor: actorOf(u.id, p.role, p.org.id, p.committees, p.rep ?? false, true), token: accessTokenFor(u.id, { readOnly: true }).token });
  }
  columns.push({ name: "ro:admin", actor: actorOf(admin.id, "admin", admin.orgId, [], false, true), token: accessTokenFor(admin.id, { readOnly: true }).token });
  // The admin comes last: its allowed calls change the most (closing the ballot, deleting its webhook).
  columns.push({ name: "admin", actor: actorOf(admin.id, "admin", admin.orgId, [], false, false), token: accessTokenFor(admin.id).token, cookie: sessionCookieFor(admin.id) });
  fx.expertTAR = ids.expertTAR;

  const adminToken = { token: columns.at(-1)!.token! };
  const ok = (r: CallResult, status = 201) => {
    expect(r.status, r.text).toBe(status);
    return r.body;
  };
  fx.version = publishTestRelease({ standard: fx.published, adminId: admin.id }).version;
  fx.draft = ok(await call(portal, "/standards", { method: "POST", ...adminToken, body: { committee: "TAR", title: "Matrix draft", scope: "A standard for the authorization matrix." } })).standard.id;
  ok(await call(portal, `/standards/${fx.draft}/revisions`, { method: "POST", ...adminToken }));
  fx.ballot = ok(
    await call(portal, "/ballots", {
      method: "POST",
      ...adminToken,
      body: { subject: { standardId: fx.draft, revision: "00" }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["expert", "member"] }, closesAt: new Date(Date.now() + 5 * HOUR).toISOString() },
    }),
  ).ballot.id;
  fx.proposal = ok(
    await call(portal, "/proposals", {
      method: "POST",
      token: accessTokenFor(ids.memberTAR).token,
      body: { kind: "amendment", title: "Matrix proposal", rationale: "Exercise every proposal endpoint.", standardId: fx.published },
    }),
  ).proposal.id;
  fx.comment = ok(await call(portal, `/standards/${fx.draft}/comments`, { method: "POST", ...adminToken, body: { body: "A matrix comment", kind: "general" } })).comment.id;
  fx.proposalComment = ok(await call(portal, `/proposals/${fx.proposal}/comments`, { method: "POST", ...adminToken, body: { body: "On the proposal", kind: "general" } })).comment.id;
  fx.webhook = ok(await call(portal, "/webhooks", { method: "POST", ...adminToken, body: { url: "https://hooks.example.com/matrix", events: ["release.published"] } })).webhook.id;
  fx.webhookOwner = admin.id;
  fx.victim = (await createUser({ org: company, role: "member", committees: ["TAR"], name: "Matrix victim" })).id;
}

// ---------------------------------------------------------------------------------------------
// Resources: what a path names, as the policy sees it
// ---------------------------------------------------------------------------------------------

export const sql = <T>(query: string, ...args: unknown[]) => portal.db.$client.prepare(query).get(...args) as T | undefined;

export function standardResource(id: string): { committee: string; status: StandardStatus } {
  const s = sql<{ committee: string; status: StandardStatus }>("select committee, status from standards where id = ?", id);
  if (!s) throw new Error(`no standard ${id}`);
  return s;
}

/** The resource an operation acts on, how the policy sees it, and who may see it at all. */
export type Target = {
  /** The resource for resource actions (standard-like for standard/comment actions, proposal-like for proposal actions). */
  forAction: (action: Action, actor: Actor | null) => unknown;
  /** Whether the caller may see the resource (else 404); undefined when the operation names none. */
  visible?: (actor: Actor | null) => boolean;
  /** Extra conditions the resource adds to the policy (the ballot's frozen roll). */
  extra?: (action: Action, actor: Actor | null) => boolean;
};

export function standardTarget(id: string): Target {
  return {
    forAction: () => standardResource(id),
    visible: (actor) => can(actor, "standard.read", standardResource(id)),
  };
}

export function proposalTarget(id: string): Target {
  const p = () => sql<{ committee: string; createdBy: string }>("select committee, created_by as createdBy from proposals where id = ?", id)!;
  return {
    forAction: (action) => (action.startsWith("proposal.") ? p() : { committee: p().committee, status: "draft" as StandardStatus }),
    visible: (actor) => can(actor, "proposal.read", p()),
  };
}

export function ballotTarget(id: string): Target {
  const b = () => sql<{ standardId: string }>("select standard_id as standardId from ballots where id = ?", id)!;
  const onRoll = (actor: Actor | null) => !!actor && !!sql("select 1 from ballot_roll where ballot_id = ? and voter_id = ?", id, actor.id);
  const resource = (actor: Actor | null) => ({ ...standardResource(b().standardId), onRoll: onRoll(actor) });
  return {
    forAction: (_action, actor) => resource(actor),
    visible: (actor) => can(actor, "ballot.read", resource(actor)),
    // Voting: the policy says which roles ever vote; the ballot's frozen roll says who votes on this one.
    extra: (action, actor) => action !== "ballot.vote" || onRoll(actor),
  };
}

export function commentTarget(id: string): Target {
  const c = sql<{ standardId: string | null; proposalId: string | null }>("select standard_id as standardId, proposal_id as proposalId from comments where id = ?", id)!;
  if (c.proposalId) {
    const t = proposalTarget(c.proposalId);
    return { forAction: (action, actor) => ({ committee: (t.forAction("proposal.read", actor) as { committee: string }).committee, status: "draft" }), visible: t.visible };
  }
  return { forAction: () => standardResource(c.standardId!), visible: (actor) => can(actor, "standard.readDraft", standardResource(c.standardId!)) };
}

// ---------------------------------------------------------------------------------------------
// State: every table's content, to prove a refusal wrote nothing
// ---------------------------------------------------------------------------------------------

/** Tables whose rows change on a mere read (sliding session renewal, a token's last use): compared by count only. */
const VOLATILE = new Set(["sessions", "access_tokens"]);

export function tableHashes(): Record<string, string> {
  const tables = portal.db.$client
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name")
    .all() as { name: string }[];
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const rows = VOLATILE.has(name)
      ? [portal.db.$client.prepare(`select count(*) as n from "${name}"`).get()]
      : portal.db.$client.prepare(`select * from "${name}"`).all();
    const lines = rows.map((r) => JSON.stringify(r, (_k, v) => (Buffer.isBuffer(v) ? v.toString("base64") : v))).sort();
    out[name] = createHash("sha256").update(lines.join("\n")).digest("hex");
  }
  return out;
}

