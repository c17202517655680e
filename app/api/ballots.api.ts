/**
 * API endpoints of ballots, votes and the public audit record: opening a ballot, reading and
 * listing ballots, voting, closing, cancelling, the record of a closed ballot, the portal's public keys and
 * the latest signed audit checkpoint.
 *
 * Request schemas are not strict: unknown fields (a `weight`, say) are ignored and never stored.
 * A ballot the caller may not see answers 404.
 */
import { z } from "zod";
import { ROLES } from "../../db/vocabulary";
import { cancelBallot, castVote, closeBallot, createBallot, getBallotRecord, getBallotView, listBallots } from "../domain/ballots.server";
import { latestCheckpoint } from "../domain/checkpoints.server";
import { listPublicKeys, publicKeyInfo } from "../domain/signing-keys.server";
import { POSITIONS, RULE_PRESETS } from "../domain/tally";
import { MAX_CANCEL_REASON } from "../domain/ballots.server";
import { can } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { endpoint, requireAuth } from "./endpoint";
import { KeySchema, SignatureSchema } from "./schemas";

const Fraction = z.number().min(0, "A fraction is from 0 to 1.").max(1, "A fraction is from 0 to 1.");
const ThresholdSchema = z.object({
  fraction: Fraction.meta({ description: "From 0 to 1, read as the exact decimal written (0.6 = 6/10)" }),
  of: z.enum(["cast", "eligible"]).meta({ description: "cast: approvals + counted disapprovals (abstentions excluded); eligible: every unit on the roll" }),
});
const CustomRuleSchema = z
  .object({
    approve: ThresholdSchema.meta({ description: "approvals ≥ fraction × base (at least)" }),
    maxDisapprove: ThresholdSchema.optional().meta({ description: "disapprovals ≤ fraction × base (at most)" }),
    excludeDisapproveWithoutReason: z.boolean().optional(),
  })
  .meta({ description: "A custom rule. Like every rule, a ballot without a single approval never passes." });
const RuleSchema = z.union([z.enum(RULE_PRESETS), CustomRuleSchema]).meta({ description: "A preset's name or a custom rule (see the API contract for each preset's definition)" });

const SubjectSchema = z.union([
  z.object({ proposalId: z.string().min(1).max(64) }).meta({ description: "A submitted proposal (its frozen text)" }),
  z.object({ standardId: z.string().min(1).max(40), revision: z.string().regex(/^[0-9]{2,3}$/, "A revision is a number such as 00 or 01.") }).meta({ description: "A frozen revision of a standard" }),
]);

const CommitteeCode = z.string().regex(/^[A-Z]{2,5}$/, "A committee code is 2 to 5 capital letters.");
const Time = z.iso.datetime({ offset: true, message: "An ISO 8601 date and time with its offset, e.g. 2026-03-01T12:00:00Z." });

const CreateBallotSchema = z.object({
  subject: SubjectSchema,
  rule: RuleSchema,
  voterUnit: z.enum(["individual", "organization"]).meta({ description: "individual: one vote per eligible person; organization: one vote per organisation with an eligible member, cast by its voting representative" }),
  eligible: z.object({
    roles: z.array(z.enum(ROLES)).min(1, "Choose at least one role.").meta({ description: "expert and/or member (observers never vote; admins run ballots)" }),
    committees: z.array(CommitteeCode).optional().meta({ description: "Default: the subject's committee" }),
  }),
  quorum: Fraction.nullable().optional().meta({ description: "Fraction of eligible units that must vote, abstentions included" }),
  opensAt: Time.optional().meta({ description: "Default (and at the earliest): now" }),
  closesAt: Time,
  resultsVisible: z.enum(["live", "after-close"]).optional().meta({ description: "Default live; after-close hides the tally and positions until the close" }),
});

const TallySchema = z.object({ approve: z.number().int(), disapprove: z.number().int(), abstain: z.number().int(), excluded: z.number().int(), notVoted: z.number().int() });

const BallotSchema = z.object({
  id: z.string(),
  subject: z.union([z.object({ proposalId: z.string() }), z.object({ standardId: z.string(), revision: z.string() })]),
  subjectHash: z.string().meta({ description: "Hex SHA-256 of the exact text voted on" }),
  rule: RuleSchema,
  voterUnit: z.enum(["individual", "organization"]),
  status: z.enum(["scheduled", "open", "closed", "cancelled"]),
  opensAt: z.string(),
  closesAt: z.string(),
  eligibleCount: z.number().int().nullable().meta({ description: "Units on the frozen roll; null until the ballot opens" }),
  rollHash: z.string().nullable().meta({ description: "Hex SHA-256 of the JCS canonical JSON of the roll, sorted by unitId" }),
  tally: TallySchema.nullable().meta({ description: "Hidden (null) while open when results are after-close" }),
  result: z.enum(["approved", "rejected"]).nullable(),
  explanation: z.string().meta({ description: "What the rule needs, in words, and while open what is still needed to pass" }),
  quorum: z.number().nullable(),
  resultsVisible: z.enum(["live", "after-close"]),
  eligible: z.object({ roles: z.array(z.string()), committees: z.array(z.string()).optional() }),
  closedAt: z.string().nullable(),
  reasons: z.array(z.string()).nullable().meta({ description: "Why it fails (or failed): quorum, approve-threshold, disapprove-limit, disapproval, no-approvals, empty-roll" }),
  stillNeeded: z.string().nullable(),
  votedCount: z.number().int().nullable(),
});

const VoteSchema = z.object({
  ballotId: z.string(),
  unitId: z.string(),
  voterId: z.string(),
  position: z.enum(POSITIONS),
  reason: z.string().nullable(),
  castAt: z.string(),
  version: z.number().int().meta({ description: "1 for the first vote, +1 at each change" }),
});

const CheckpointSchema = z.object({
  id: z.number().int(),
  signed: z.object({ seq: z.number().int(), headHash: z.string(), signedAt: z.string(), reason: z.string() }),
  signatures: z.array(SignatureSchema),
});

const AuditEntrySchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string().nullable(),
  data: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

const RecordSchema = z.object({
  ballot: BallotSchema,
  subject: z.object({ proposalId: z.string().optional(), standardId: z.string().optional(), revision: z.string().optional(), hash: z.string() }),
  rule: RuleSchema,
  quorum: z.number().nullable(),
  voterUnit: z.enum(["individual", "organization"]),
  eligible: z.object({ roles: z.array(z.string()), committees: z.array(z.string()).optional() }),
  roll: z.array(z.object({ unitId: z.string(), voterId: z.string().nullable(), label: z.string() })),
  rollHash: z.string().nullable(),
  votes: z.array(z.object({ unitId: z.string(), voterId: z.string(), position: z.enum(POSITIONS), reason: z.string().nullable(), castAt: z.string(), version: z.number().int() })),
  votesHash: z.string(),
  tally: TallySchema,
  result: z.enum(["approved", "rejected"]),
  reasons: z.array(z.string()),
  audit: z.array(AuditEntrySchema).meta({ description: "The ballot's audit entries (created, opened, votes cast and changed, closed), with everything their hashes cover" }),
  checkpoint: CheckpointSchema.nullable().meta({ description: "The signed checkpoint whose head is the ballot.closed entry" }),
  publicKey: KeySchema,
  howToVerify: z.array(z.string()),
});

const IdParams = z.object({ id: z.string().min(1).max(64) });

/** The ballot, vote, key and checkpoint endpoints, in the order the router mounts them. */
export const ballotsEndpoints = [
  endpoint({
    method: "post",
    path: "/ballots",
    tag: "Ballots",
    summary: "Open (or schedule) a ballot on a frozen revision or a submitted proposal",
    access: "admin",
    policy: "ballot.create",
    body: CreateBallotSchema,
    success: { status: 201, description: "The ballot (open when opensAt is now or earlier, else scheduled)", schema: z.object({ ballot: BallotSchema }) },
    errors: [403, 404, 409, 422],
    handler: ({ auth, body }) => {
      const a = requireAuth(auth);
      if (!can(a.actor, "ballot.create")) throw new PortalError("forbidden", `Only the secretariat opens ballots${a.actor.readOnly ? " (and not with a read-only token)" : ""}.`);
      const row = createBallot(body, a.user.id);
      return { ballot: getBallotView(row.id, a.actor) };
    },
  }),
  endpoint({
    method: "get",
    path: "/ballots",
    tag: "Ballots",
    summary: "List the ballots the caller may see, newest first",
    access: "public (ballots on published standards); committee members; those on a ballot's roll",
    policy: null,
    query: z.object({
      standardId: z.string().max(40).optional(),
      proposalId: z.string().max(64).optional(),
      status: z.enum(["scheduled", "open", "closed", "cancelled"]).optional(),
    }),
    success: { status: 200, description: "Ballots", schema: z.object({ ballots: z.array(BallotSchema) }) },
    handler: ({ auth, query }) => ({ ballots: listBallots(query, auth?.actor ?? null) }),
  }),
  endpoint({
    method: "get",
    path: "/ballots/{id}",
    tag: "Ballots",
    summary: "One ballot: its subject and hash, rule, roll size and hash, tally (unless hidden), result and explanation",
    access: "public (ballots on published standards); committee members; those on the roll",
    policy: "ballot.read",
    params: IdParams,
    success: { status: 200, description: "The ballot", schema: BallotSchema },
    errors: [404],
    handler: ({ auth, params }) => getBallotView(params.id, auth?.actor ?? null),
  }),
  endpoint({
    method: "put",
    path: "/ballots/{id}/vote",
    tag: "Ballots",
    summary: "Cast or change your unit's vote (one vote per unit; the same vote twice counts once)",
    access: "experts and members on the ballot's roll (for organisation ballots: the organisation's voting representative)",
    policy: "ballot.vote",
    params: IdParams,
    body: z.object({
      position: z.enum(POSITIONS),
      reason: z.string().trim().max(4000, "A reason has at most 4000 characters.").nullable().optional().meta({ description: "Required for a disapproval when the rule excludes disapprovals without a reason" }),
      unitId: z.string().max(64).optional().meta({ description: "The unit you vote for; default (and the only one allowed): your own" }),
      orgId: z.string().max(64).optional().meta({ description: "Same as unitId, for organisation ballots" }),
    }),
    success: { status: 200, description: "Your unit's vote", schema: z.object({ vote: VoteSchema }) },
    errors: [403, 404, 409, 422],
    handler: ({ auth, params, body }) => {
      const a = requireAuth(auth);
      if (body.unitId && body.orgId && body.unitId !== body.orgId) throw new PortalError("bad_request", "unitId and orgId name different units: send one.");
      return { vote: castVote({ ballotId: params.id, auth: a, position: body.position, reason: body.reason, unitId: body.unitId ?? body.orgId }) };
    },
  }),
  endpoint({
    method: "post",
    path: "/ballots/{id}/close",
    tag: "Ballots",
    summary: "Close an open ballot now: tally, record the result once, sign a checkpoint, notify (ballots also close by themselves at closesAt)",
    access: "admin",
    policy: "ballot.close",
    params: IdParams,
    success: { status: 200, description: "The closed ballot", schema: z.object({ ballot: BallotSchema }) },
    errors: [403, 404, 409],
    handler: ({ auth, params }) => {
      const a = requireAuth(auth);
      const view = getBallotView(params.id, a.actor); // 404 for a ballot the caller cannot see
      if (!can(a.actor, "ballot.close")) throw new PortalError("forbidden", "Only the secretariat closes ballots early.");
      if (view.status === "closed") throw new PortalError("conflict", `The ballot already closed at ${view.closedAt}.`);
      closeBallot({ ballotId: params.id, actorId: a.user.id });
      return { ballot: getBallotView(params.id, a.actor) };
    },
  }),
  endpoint({
    method: "post",
    path: "/ballots/{id}/cancel",
    tag: "Ballots",
    summary:
      "Cancel a scheduled or open ballot: no result is recorded; the reason and the hash of the votes cast so far go into the signed audit record; a proposal under it returns to submitted; the roll is notified (kind ballot.closed)",
    access: "admin",
    policy: "ballot.cancel",
    params: IdParams,
    body: z.object({
      reason: z
        .string({ message: "Say why the ballot is cancelled." })
        .trim()
        .min(1, "Say why the ballot is cancelled.")
        .max(MAX_CANCEL_REASON, `A reason has at most ${MAX_CANCEL_REASON} characters.`)
        .meta({ description: "Why the ballot is cancelled; it is published on the ballot page and in the audit record" }),
    }),
    success: { status: 200, description: "The cancelled ballot", schema: z.object({ ballot: BallotSchema }) },
    errors: [403, 404, 409],
    handler: ({ auth, params, body }) => {
      const a = requireAuth(auth);
      getBallotView(params.id, a.actor); // 404 for a ballot the caller cannot see
      if (!can(a.actor, "ballot.cancel")) throw new PortalError("forbidden", `Only the secretariat cancels ballots${a.actor.readOnly ? " (and not with a read-only token)" : ""}.`);
      cancelBallot({ ballotId: params.id, actorId: a.user.id, reason: body.reason });
      return { ballot: getBallotView(params.id, a.actor) };
    },
  }),
  endpoint({
    method: "get",
    path: "/ballots/{id}/record",
    tag: "Ballots",
    summary: "The record of a closed ballot: roll, every vote, rule, tally, result, its audit entries and the signed checkpoint covering the close",
    access: "as GET /ballots/{id}; only after the close (409 before, and for a cancelled ballot, which has no result)",
    policy: "ballot.read",
    params: IdParams,
    success: { status: 200, description: "The record", schema: RecordSchema },
    errors: [404, 409],
    handler: ({ auth, params }) => getBallotRecord(params.id, auth?.actor ?? null),
  }),
  endpoint({
    method: "get",
    path: "/keys",
    tag: "Keys",
    summary: "The portal's public signing keys (release manifests; the index and audit checkpoints)",
    access: "public",
    policy: null,
    success: { status: 200, description: "Public keys", schema: z.object({ keys: z.array(KeySchema) }) },
    handler: () => ({ keys: listPublicKeys() }),
  }),
  endpoint({
    method: "get",
    path: "/audit/checkpoints/latest",
    tag: "Audit",
    summary: "The latest signed checkpoint of the audit record, and the key that verifies it",
    access: "public",
    policy: "audit.readPublic",
    success: { status: 200, description: "The checkpoint", schema: z.object({ checkpoint: CheckpointSchema, publicKey: KeySchema }) },
    errors: [404],
    handler: () => {
      const checkpoint = latestCheckpoint();
      if (!checkpoint) throw new PortalError("not_found", "No checkpoint has been signed yet: the first is signed at the first ballot close, or within a day of start-up.");
      return { checkpoint, publicKey: publicKeyInfo("index") };
    },
  }),
];
