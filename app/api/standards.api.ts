/**
 * API endpoints of the standards registry: listing, creating, reading a standard, its draft, its
 * frozen revisions and their redline, its status, and full-text search.
 *
 * Visibility: a standard the caller may not read answers 404 (no existence leaks). A readable
 * standard whose draft-level data (draft, revisions, diff) the caller may not see answers 401
 * without credentials and 403 with them; writes need a signed-in caller first (401).
 */
import { oneLine } from "../domain/members.schemas";
import { z } from "zod";
import { STANDARD_STATUSES } from "../../db/vocabulary";
import type { Authenticated } from "../auth/actor.server";
import { getDraftView, saveDraft, type DraftView } from "../domain/drafts.server";
import { diffRevisions, freezeRevision, getRevision, listRevisions, REVISION_NUMBER } from "../domain/revisions.server";
import { currentRelease, listReleases } from "../domain/releases.server";
import { search } from "../domain/search.server";
import { changeStatus, createStandard, getStandard, listStandards, type StandardRow } from "../domain/standards.server";
import { can, type Action, type Actor, type StandardResource } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { endpoint, requireAuth } from "./endpoint";

const StandardSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  committee: z.string(),
  status: z.enum(STANDARD_STATUSES),
  latestRelease: z.string().nullable(),
});

const StandardDetailSchema = z.object({
  id: z.string(),
  title: z.string(),
  committee: z.string(),
  scope: z.string(),
  status: z.enum(STANDARD_STATUSES),
  revisions: z.array(z.object({ number: z.string(), hash: z.string(), createdAt: z.string() })),
  releases: z.array(z.object({ version: z.string(), publishedAt: z.string(), status: z.string() })),
});

const RuleSchema = z
  .object({ id: z.string(), title: z.string(), description: z.string(), when: z.unknown(), then: z.record(z.string(), z.unknown()), examples: z.array(z.unknown()) })
  .meta({ description: "A machine-readable rule (see the rule set format)" });
const RuleSetSchema = z.object({ standard: z.string(), version: z.string(), rules: z.array(RuleSchema) });
const ConformanceCountsSchema = z.object({ passed: z.number().int(), failed: z.number().int() });

const DraftSchema = z.object({
  markdown: z.string(),
  ruleset: RuleSetSchema.meta({ description: "The valid rules of the draft; version is \"draft\"" }),
  hash: z.string().meta({ description: "Hex SHA-256 of the Markdown (UTF-8); send it as If-Match to refuse overwriting someone else's change" }),
  updatedAt: z.string(),
  conformance: ConformanceCountsSchema.meta({ description: "Examples of the valid rules that pass and fail" }),
  ruleErrors: z.array(z.object({ line: z.number().int(), message: z.string() })).meta({ description: "Rule blocks that are left out of the rule set, and why; freezing a revision is refused while there are any" }),
});

const RevisionSchema = z.object({ number: z.string(), hash: z.string(), ruleset: RuleSetSchema, conformance: ConformanceCountsSchema });
const RevisionDetailSchema = z.object({ number: z.string(), markdown: z.string(), ruleset: RuleSetSchema, hash: z.string(), createdAt: z.string() });

const HunkSchema = z
  .object({
    op: z.enum(["insert", "delete", "change"]),
    block: z.string().meta({ description: "heading, paragraph, list-item, table-row, quote, code, break or html" }),
    fromLine: z.number().int().nullable(),
    toLine: z.number().int().nullable(),
    words: z.array(z.object({ op: z.enum(["equal", "insert", "delete"]), text: z.string() })),
    move: z.object({ id: z.number().int(), fromLine: z.number().int(), toLine: z.number().int() }).optional(),
  })
  .meta({ description: "One changed block of prose. A moved block is a delete and an insert sharing `move`." });
const RuleDiffSchema = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
});
const DiffSchema = z.object({ text: z.array(HunkSchema), rules: RuleDiffSchema, suggestedBump: z.enum(["major", "minor", "patch"]) });

const SearchHitSchema = z.object({
  kind: z.enum(["standard", "draft", "rule"]),
  standardId: z.string(),
  standardTitle: z.string(),
  committee: z.string(),
  status: z.enum(STANDARD_STATUSES),
  ref: z.string().nullable().meta({ description: "The rule id for rule hits; the heading of the best-matching section for draft hits (a draft gives one hit, its best section)" }),
  title: z.string(),
  snippet: z.string().meta({
    description: "Plain text around the match; each matched term is enclosed in U+0002 (start) and U+0003 (end). It is never HTML: escape it, then turn the markers into highlights.",
  }),
  score: z.number().meta({ description: "BM25 rank: lower is a better match" }),
});

const IdParams = z.object({ id: z.string().min(1).max(40) });
const RevisionRef = z.string().regex(/^(?:[0-9]{2,3}|draft)$/, "A revision is a number such as 00 or 01, or \"draft\".");
const CommitteeCode = z.string().regex(/^[A-Z]{2,5}$/, "A committee code is 2 to 5 capital letters.");

/** `can` for an action decided per standard, with the action chosen at run time. */
const canOn = can as unknown as (actor: Actor | null, action: Action, resource: StandardResource) => boolean;

/** Who the caller is for the policy: their actor, or null for the public. */
const actorOf = (auth: Authenticated | null): Actor | null => auth?.actor ?? null;

/** The standard, or 404 when it does not exist or the caller may not even see it. */
function readableStandard(auth: Authenticated | null, id: string): StandardRow {
  const s = getStandard(id);
  if (!s || !can(actorOf(auth), "standard.read", s)) throw new PortalError("not_found", `No standard ${id}.`);
  return s;
}

/** Throws 401 (no credentials) or 403 unless the caller may take `action` on a standard they can see. */
function authorizeOn(auth: Authenticated | null, s: StandardRow, action: Action, what: string): void {
  if (canOn(actorOf(auth), action, s)) return;
  if (!auth) throw new PortalError("unauthorized", `Sign in (or send a personal access token) to ${what}.`);
  const a = auth.actor;
  const why = a.readOnly ? "a read-only token cannot" : `your role (${a.role}) in your committees (${a.committees.join(", ") || "none"}) does not let you`;
  throw new PortalError("forbidden", `You may not ${what} of ${s.id}: ${why}.`);
}

function detail(s: StandardRow, actor: Actor | null) {
  const revisions = can(actor, "standard.readDraft", s) ? listRevisions(s.id).map(({ number, hash, createdAt }) => ({ number, hash, createdAt })) : [];
  const releases = listReleases(s.id).map(({ version, publishedAt, status }) => ({ version, publishedAt, status }));
  return { id: s.id, title: s.title, committee: s.committee, scope: s.scope, status: s.status, revisions, releases };
}

function draftBody(d: DraftView) {
  return {
    markdown: d.markdown,
    ruleset: d.ruleset,
    hash: d.hash,
    updatedAt: d.updatedAt,
    conformance: { passed: d.conformance.passed, failed: d.conformance.failed },
    ruleErrors: d.ruleErrors.map((e) => ({ line: e.line, message: e.message })),
  };
}

/** The hash in an If-Match header (`"<hex>"`, `W/"<hex>"` or bare hex), or undefined. */
function ifMatchHash(header: string | undefined): string | undefined {
  if (!header || header.trim() === "*") return undefined;
  const m = /^\s*(?:W\/)?"?([0-9a-fA-F]{64})"?\s*$/.exec(header);
  if (!m) throw new PortalError("bad_request", "If-Match must carry the draft's hash (64 hex digits), as returned by GET /standards/{id}/draft.");
  return m[1].toLowerCase();
}

/** The standards and search endpoints, in the order the router mounts them. */
export const standardsEndpoints = [
  endpoint({
    method: "get",
    path: "/standards",
    tag: "Standards",
    summary: "List the standards the caller may see (the public: published only)",
    access: "public",
    policy: "standard.list",
    query: z.object({
      status: z.enum(STANDARD_STATUSES).optional(),
      committee: CommitteeCode.optional(),
      q: z.string().trim().max(200).optional(),
    }),
    success: { status: 200, description: "Standards", schema: z.object({ standards: z.array(StandardSummarySchema) }) },
    handler: ({ auth, query }) => ({
      standards: listStandards(auth?.actor ?? null, { ...query, q: query.q || undefined }).map((s) => ({
        id: s.id,
        title: s.title,
        committee: s.committee,
        status: s.status,
        latestRelease: currentRelease(s.id)?.version ?? null,
      })),
    }),
  }),
  endpoint({
    method: "post",
    path: "/standards",
    tag: "Standards",
    summary: "Create a standard in a committee: the next id EWTP-<committee>-NNN, status draft, a draft with its title and scope",
    access: "admins; experts of the committee",
    policy: ["standard.create", "standard.editDraft"],
    body: z.object({
      committee: CommitteeCode,
      title: z.string().trim().min(3, "A title has at least 3 characters.").max(200, "A title has at most 200 characters.").refine(oneLine, "A title cannot contain line breaks or control characters."),
      scope: z.string().trim().min(10, "Describe the scope in at least 10 characters.").max(4000, "A scope has at most 4000 characters."),
    }),
    success: { status: 201, description: "Created", schema: z.object({ standard: StandardDetailSchema }) },
    errors: [403, 409, 422],
    handler: ({ auth, body }) => {
      const a = requireAuth(auth);
      if (!can(a.actor, "standard.create")) throw new PortalError("forbidden", `Your role (${a.actor.role}${a.actor.readOnly ? ", read-only token" : ""}) may not create standards.`);
      if (!can(a.actor, "standard.editDraft", { committee: body.committee, status: "draft" })) {
        throw new PortalError("forbidden", `You may create standards only in your own committees (${a.actor.committees.join(", ") || "none"}).`);
      }
      const s = createStandard({ ...body, actorId: a.user.id });
      return { standard: detail(s, a.actor) };
    },
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}",
    tag: "Standards",
    summary: "One standard with its revisions (for readers of its draft) and releases",
    access: "public (published); committee members (drafts)",
    policy: "standard.read",
    params: IdParams,
    success: { status: 200, description: "The standard", schema: z.object({ standard: StandardDetailSchema }) },
    errors: [404],
    handler: ({ auth, params }) => ({ standard: detail(readableStandard(auth, params.id), actorOf(auth)) }),
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/draft",
    tag: "Standards",
    summary: "The working draft: standard Markdown, its rule set, hash, conformance counts and rule problems",
    access: "committee members and admins",
    policy: "standard.readDraft",
    params: IdParams,
    success: { status: 200, description: "The draft", schema: DraftSchema },
    errors: [401, 403, 404],
    handler: ({ auth, params }) => {
      const s = readableStandard(auth, params.id);
      authorizeOn(auth, s, "standard.readDraft", "read the draft");
      const d = getDraftView(s.id);
      if (!d) throw new PortalError("not_found", `${s.id} has no draft.`);
      return draftBody(d);
    },
  }),
  endpoint({
    method: "put",
    path: "/standards/{id}/draft",
    tag: "Standards",
    summary: "Replace the draft text (applied as one change). Optional If-Match: the hash you edited, refused with 409 if the draft moved on",
    access: "experts, members and admins of the committee (not observers, not read-only tokens)",
    policy: "standard.editDraft",
    params: IdParams,
    body: z.object({ markdown: z.string() }),
    success: { status: 200, description: "The saved draft", schema: DraftSchema },
    errors: [403, 404, 409, 413],
    handler: ({ auth, params, body, req }) => {
      const a = requireAuth(auth);
      const s = readableStandard(a, params.id);
      authorizeOn(a, s, "standard.editDraft", "edit the draft");
      const baseHash = ifMatchHash(req.headers["if-match"]);
      return draftBody(saveDraft({ standardId: s.id, markdown: body.markdown, actorId: a.user.id, baseHash }));
    },
  }),
  endpoint({
    method: "post",
    path: "/standards/{id}/revisions",
    tag: "Standards",
    summary: "Freeze the current draft as the next immutable revision (00, 01, …); refused with 422 naming each rule to fix",
    access: "experts and admins of the committee",
    policy: "standard.freezeRevision",
    params: IdParams,
    success: { status: 201, description: "The frozen revision", schema: z.object({ revision: RevisionSchema }) },
    errors: [403, 404, 409, 422],
    handler: ({ auth, params }) => {
      const a = requireAuth(auth);
      const s = readableStandard(a, params.id);
      authorizeOn(a, s, "standard.freezeRevision", "freeze a revision");
      const r = freezeRevision({ standardId: s.id, actorId: a.user.id });
      return { revision: { number: r.number, hash: r.hash, ruleset: r.ruleset, conformance: { passed: r.conformance.passed, failed: r.conformance.failed } } };
    },
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/revisions/{number}",
    tag: "Standards",
    summary: "One frozen revision: Markdown, rule set, hash",
    access: "committee members and admins",
    policy: "standard.readDraft",
    params: IdParams.extend({ number: z.string().regex(REVISION_NUMBER, "A revision number is two digits, such as 00 or 01.") }),
    success: { status: 200, description: "The revision", schema: RevisionDetailSchema },
    errors: [401, 403, 404],
    handler: ({ auth, params }) => {
      const s = readableStandard(auth, params.id);
      authorizeOn(auth, s, "standard.readDraft", "read the revisions");
      const r = getRevision(s.id, params.number);
      if (!r) throw new PortalError("not_found", `${s.id} has no revision ${params.number}.`);
      return { number: r.number, markdown: r.markdown, ruleset: r.ruleset, hash: r.hash, createdAt: r.createdAt };
    },
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/diff",
    tag: "Standards",
    summary: "Redline between two revisions (either may be \"draft\"): word-level prose hunks, the semantic rule diff, the suggested version bump",
    access: "committee members and admins",
    policy: "standard.readDraft",
    params: IdParams,
    query: z.object({ from: RevisionRef, to: RevisionRef }),
    success: { status: 200, description: "The difference", schema: DiffSchema },
    errors: [401, 403, 404],
    handler: ({ auth, params, query }) => {
      const s = readableStandard(auth, params.id);
      authorizeOn(auth, s, "standard.readDraft", "compare the revisions");
      const d = diffRevisions({ standardId: s.id, from: query.from, to: query.to });
      return { text: d.text, rules: d.rules, suggestedBump: d.suggestedBump };
    },
  }),
  endpoint({
    method: "post",
    path: "/standards/{id}/status",
    tag: "Standards",
    summary: "Change the status by hand: draft ⇄ review (committee experts, admins); published → superseded or withdrawn, superseded → withdrawn (admins, with a reason). Ballots and releases change the rest.",
    access: "experts and admins of the committee",
    policy: "standard.changeStatus",
    params: IdParams,
    body: z.object({ status: z.enum(STANDARD_STATUSES), reason: z.string().trim().max(1000, "A reason has at most 1000 characters.").optional() }),
    success: { status: 200, description: "The standard with its new status", schema: z.object({ standard: StandardDetailSchema }) },
    errors: [403, 404, 409],
    handler: ({ auth, params, body }) => {
      const a = requireAuth(auth);
      const s = readableStandard(a, params.id);
      authorizeOn(a, s, "standard.changeStatus", "change the status");
      const { standard } = changeStatus({ standardId: s.id, to: body.status, reason: body.reason, actorId: a.user.id, role: a.actor.role, via: "manual" });
      return { standard: detail(standard, a.actor) };
    },
  }),
  endpoint({
    method: "get",
    path: "/search",
    tag: "Search",
    summary:
      "Full-text search, ranked (BM25, title matches first). The public searches titles and scopes of published standards; members also the drafts and rules of their committees. Words are ANDed; \"a phrase\" in quotes; word* is a prefix; operators are plain words.",
    access: "public",
    policy: "standard.list",
    query: z.object({
      q: z.string().trim().min(1, "Type something to search for.").max(200, "A search has at most 200 characters."),
      committee: CommitteeCode.optional(),
      status: z.enum(STANDARD_STATUSES).optional(),
      limit: z.coerce.number().int().min(1).max(100).optional(),
    }),
    success: { status: 200, description: "Hits, best first", schema: z.object({ results: z.array(SearchHitSchema) }) },
    handler: ({ auth, query }) => ({ results: search(query, actorOf(auth)) }),
  }),
];
