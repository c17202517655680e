/**
 * API endpoints: publishing releases, listing them, the semantic diff between releases, and
 * evaluating a release's rules against an input ("try the rules").
 *
 * Visibility: a standard the caller may not read answers 404. Releases exist only for published
 * standards, so listing, diff and evaluate are public in practice. Evaluate is bounded (body
 * ≤ 64 KB → 413, nesting ≤ 32 and arrays ≤ 1,000 items → 400, a 250 ms budget checked between
 * rules → 422) and rate-limited per client address (60 a minute, 429 with Retry-After); the address
 * is Express's `req.ip`, which honours X-Forwarded-For only when TRUST_PROXY is set.
 */
import { z } from "zod";
import type { Authenticated } from "../auth/actor.server";
import { diffReleases, listReleases, publishRelease, releaseRules } from "../domain/releases.server";
import { EVALUATION_BUDGET_MS, evaluateRules, inputBoundsProblem, MAX_EVALUATE_BODY_BYTES, MAX_EVALUATED_RULES, MAX_INPUT_ARRAY_ITEMS, MAX_INPUT_DEPTH } from "../domain/release-evaluation";
import { RELEASE_VERSION, RELEASE_VERSION_MESSAGE } from "../domain/release-version";
import { getStandard, type StandardRow } from "../domain/standards.server";
import { can } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { endpoint, requireAuth } from "./endpoint";
import { RateLimiter } from "./rate-limit";
import { ManifestSchema } from "./schemas";

/** Evaluate requests per client address per minute. */
export const EVALUATE_RATE_PER_MINUTE = 60;

const g = globalThis as { __portalEvaluateLimiter?: RateLimiter };
/** The evaluate endpoint's limiter (one per process). */
export const evaluateLimiter = (): RateLimiter => (g.__portalEvaluateLimiter ??= new RateLimiter(EVALUATE_RATE_PER_MINUTE, 60_000));

const IdParams = z.object({ id: z.string().min(1).max(40) });
const Version = z.string().regex(RELEASE_VERSION, RELEASE_VERSION_MESSAGE);
const VersionParams = IdParams.extend({ version: Version });

const ReleaseSummarySchema = z.object({
  version: z.string(),
  status: z.enum(["current", "superseded"]),
  publishedAt: z.string(),
  effectiveFrom: z.string(),
  supersedes: z.string().nullable(),
  revision: z.string(),
  manifestSha256: z.string().meta({ description: "Hex SHA-256 of the manifest bytes as served (what the signed index lists)" }),
});

const RuleDiffSchema = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
});
const ReleaseDiffSchema = z.object({
  rules: RuleDiffSchema,
  breaking: z.boolean().meta({ description: "True when a rule was removed or changed" }),
  suggestedBump: z.enum(["major", "minor", "patch"]),
});

const EvaluationSchema = z.object({
  results: z.array(
    z.object({
      rule: z.string(),
      applies: z.boolean(),
      outcome: z.record(z.string(), z.unknown()).nullable(),
      error: z.string().optional().meta({ description: "Set when the engine failed on this input (e.g. arithmetic on a missing field)" }),
    }),
  ),
});

const RateLimitedSchema = z.object({ error: z.object({ code: z.literal("rate_limited"), message: z.string() }) }).meta({ description: "Too many evaluations from this address; the Retry-After header says how many seconds to wait" });

/** The standard, or 404 when it does not exist or the caller may not even see it. */
function readableStandard(auth: Authenticated | null, id: string): StandardRow {
  const s = getStandard(id);
  if (!s || !can(auth?.actor ?? null, "standard.read", s)) throw new PortalError("not_found", `No standard ${id}.`);
  return s;
}

/** The size of the request body in bytes: Content-Length when sent, else the parsed body re-serialised. */
function bodyBytes(headers: Record<string, string | string[] | undefined>, body: unknown): number {
  const declared = Number(headers["content-length"]);
  if (Number.isFinite(declared) && declared >= 0 && headers["content-length"] !== undefined) return declared;
  return Buffer.byteLength(JSON.stringify(body) ?? "", "utf8");
}

/** The release endpoints, in the order the router mounts them (diff before anything with {version}). */
export const releasesEndpoints = [
  endpoint({
    method: "post",
    path: "/standards/{id}/releases",
    tag: "Releases",
    summary:
      "Publish an approved revision as a signed release. The version defaults to the bump the rule diff against the current release suggests (removed or changed rule → major, added → minor, text only → patch; 1.0.0 first); effectiveFrom defaults to the publication time",
    access: "admins (the secretariat)",
    policy: "release.publish",
    params: IdParams,
    body: z.object({
      revision: z.string().regex(/^[0-9]{2,3}$/, "A revision is a number such as 00 or 01."),
      version: Version.optional(),
      effectiveFrom: z
        .string()
        .max(40)
        .optional()
        .meta({ description: "A date (2027-01-01, midnight UTC) or a date-time with a time zone; stored as ISO 8601 UTC" }),
    }),
    success: { status: 201, description: "The signed manifest of the new release", schema: ManifestSchema },
    errors: [403, 404, 409],
    handler: ({ auth, params, body, res }) => {
      const a = requireAuth(auth);
      const s = readableStandard(a, params.id);
      const manifest = publishRelease({ standardId: s.id, revision: body.revision, version: body.version, effectiveFrom: body.effectiveFrom }, a.actor);
      res.location(`/api/v1/standards/${encodeURIComponent(s.id)}/releases/${manifest.signed.version}`);
      return manifest;
    },
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/releases",
    tag: "Releases",
    summary: "The releases of a standard, newest version first",
    access: "public (published standards)",
    policy: "standard.read",
    params: IdParams,
    success: { status: 200, description: "Releases", schema: z.object({ releases: z.array(ReleaseSummarySchema) }) },
    errors: [404],
    handler: ({ auth, params }) => ({ releases: listReleases(readableStandard(auth, params.id).id) }),
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/releases/diff",
    tag: "Releases",
    summary: "The semantic rule diff between two releases: rules added, removed and changed (with the fields), whether it breaks, and the bump it calls for",
    access: "public (published standards)",
    policy: "standard.read",
    params: IdParams,
    query: z.object({ from: Version, to: Version }),
    success: { status: 200, description: "The diff", schema: ReleaseDiffSchema },
    errors: [404],
    handler: ({ auth, params, query }) => {
      const s = readableStandard(auth, params.id);
      const d = diffReleases(s.id, query.from, query.to);
      return { rules: d.rules, breaking: d.breaking, suggestedBump: d.suggestedBump };
    },
  }),
  endpoint({
    method: "post",
    path: "/standards/{id}/releases/{version}/evaluate",
    tag: "Releases",
    summary: `Evaluate every rule of a release against an input: which rules apply and their outcomes. Body at most ${MAX_EVALUATE_BODY_BYTES} bytes (413); input nested at most ${MAX_INPUT_DEPTH} levels with arrays of at most ${MAX_INPUT_ARRAY_ITEMS} items (400); at most ${MAX_EVALUATED_RULES} rules within ${EVALUATION_BUDGET_MS} ms (422); ${EVALUATE_RATE_PER_MINUTE} requests a minute per client address (429 with Retry-After)`,
    access: "public (published standards)",
    policy: "standard.read",
    params: VersionParams,
    body: z.object({ input: z.unknown().refine((v) => v !== undefined, "Send the input to evaluate as {\"input\": {…}}.") }),
    success: { status: 200, description: "One result per rule, in the rule set's order", schema: EvaluationSchema },
    errors: [404, 413, 422, 429],
    errorSchemas: { 429: RateLimitedSchema },
    handler: ({ auth, params, body, req, res }) => {
      const decision = evaluateLimiter().take(req.ip ?? req.socket.remoteAddress ?? "unknown", Date.now());
      if (!decision.ok) {
        res.set("Retry-After", String(decision.retryAfterSeconds));
        throw new PortalError("rate_limited", `Too many evaluations from your address: at most ${EVALUATE_RATE_PER_MINUTE} a minute. Try again in ${decision.retryAfterSeconds} s.`);
      }
      if (Number(req.headers["content-length"]) > MAX_EVALUATE_BODY_BYTES) {
        throw new PortalError("payload_too_large", `The body is larger than ${MAX_EVALUATE_BODY_BYTES} bytes (64 KB); send a smaller input.`);
      }
      const s = readableStandard(auth, params.id);
      const rules = releaseRules(s.id, params.version);
      if (!rules) throw new PortalError("not_found", `${s.id} has no release ${params.version}. List its releases with GET /standards/${s.id}/releases.`);
      const problem = inputBoundsProblem(body.input);
      if (problem) throw new PortalError("bad_request", problem, { input: problem });
      // A chunked body has no Content-Length: measure what was parsed (bounded by depth above).
      if (bodyBytes(req.headers, body) > MAX_EVALUATE_BODY_BYTES) {
        throw new PortalError("payload_too_large", `The body is larger than ${MAX_EVALUATE_BODY_BYTES} bytes (64 KB); send a smaller input.`);
      }
      if (rules.length > MAX_EVALUATED_RULES) throw new PortalError("unprocessable", `This release has ${rules.length} rules; at most ${MAX_EVALUATED_RULES} are evaluated per request.`);
      const { results, overran } = evaluateRules(rules, body.input, () => performance.now());
      if (overran) throw new PortalError("unprocessable", `Evaluating the input took longer than ${EVALUATION_BUDGET_MS} ms; send a smaller input.`);
      return { results };
    },
  }),
];
