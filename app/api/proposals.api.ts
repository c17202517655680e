/**
 * API endpoints of proposals: creating one (an amendment to a standard, or a new standard),
 * listing and reading them, editing the text of a draft, submitting, the redline against the base,
 * applying an approved proposal (with the three-way merge and its conflicts), and withdrawing.
 *
 * Proposals are never public: without credentials every endpoint answers 401, and a proposal the
 * caller may not read (another committee's) answers 404. The domain decides who may do what
 * (proposals.server.ts, through the policy); these handlers validate, authenticate and answer.
 */
import { z } from "zod";
import { PROPOSAL_KINDS, PROPOSAL_STATES } from "../../db/schema";
import {
  applyProposal,
  createProposal,
  getProposal,
  listProposals,
  proposalDiff,
  saveProposalDraft,
  submitProposal,
  withdrawProposal,
  type ProposalView,
} from "../domain/proposals.server";
import { CommitteeCodeSchema, NewProposalSchema, ProposalMarkdownSchema } from "../domain/proposals.schemas";
import { PortalError } from "../utils/errors";
import { endpoint, requireAuth } from "./endpoint";

const PersonSchema = z.object({ id: z.string(), name: z.string() });

const ProposalSummarySchema = z.object({
  id: z.string(),
  kind: z.enum(PROPOSAL_KINDS),
  title: z.string(),
  committee: z.string(),
  standardId: z.string().nullable().meta({ description: "The amended standard; for a new-standard proposal, the standard it created once applied" }),
  baseRevision: z.string().nullable().meta({ description: "The revision an amendment is based on (null for a new standard)" }),
  state: z.enum(PROPOSAL_STATES),
  createdBy: PersonSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  submittedAt: z.string().nullable(),
  appliedRevision: z.string().nullable(),
});

const ProposalSchema = ProposalSummarySchema.extend({
  rationale: z.string(),
  markdown: z.string().meta({ description: "The text in standard Markdown: the working text of a draft; from submission on, the frozen submitted text" }),
  hash: z.string().meta({ description: "Hex SHA-256 of `markdown`; send it as If-Match when saving to refuse overwriting someone else's change" }),
  submittedHash: z.string().nullable().meta({ description: "Hex SHA-256 of the submitted text (what a ballot votes on)" }),
  decidedAt: z.string().nullable(),
  rules: z.number().int().meta({ description: "Valid rules in the text" }),
  ruleErrors: z.array(z.object({ line: z.number().int(), message: z.string() })).meta({ description: "Rule blocks to fix; submitting is refused while there are any" }),
});

const HunkSchema = z.object({
  op: z.enum(["insert", "delete", "change"]),
  block: z.string(),
  fromLine: z.number().int().nullable(),
  toLine: z.number().int().nullable(),
  words: z.array(z.object({ op: z.enum(["equal", "insert", "delete"]), text: z.string() })),
  move: z.object({ id: z.number().int(), fromLine: z.number().int(), toLine: z.number().int() }).optional(),
});
const RuleDiffSchema = z.object({ added: z.array(z.string()), removed: z.array(z.string()), changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })) });

const ConflictSchema = z
  .object({
    index: z.number().int().meta({ description: "The conflict's number in this merge (0-based); name it in a resolution" }),
    base: z.array(z.string()).meta({ description: "The blocks of the base revision there" }),
    ours: z.array(z.string()).meta({ description: "The blocks of the standard's current draft there" }),
    theirs: z.array(z.string()).meta({ description: "The blocks of the proposal there" }),
    markdown: z.object({ base: z.string(), ours: z.string(), theirs: z.string() }).meta({ description: "Each side's region as one Markdown text" }),
    lines: z.object({ base: z.number().int().nullable(), ours: z.number().int().nullable(), theirs: z.number().int().nullable() }),
  })
  .meta({ description: "A place where the standard's draft and the proposal both changed the same blocks of the base revision" });

const ConflictErrorSchema = z.object({
  error: z.object({
    code: z.literal("conflict"),
    message: z.string(),
    fields: z.record(z.string(), z.string()).optional(),
    conflicts: z.array(ConflictSchema).optional().meta({ description: "Present when the merge overlaps: every conflict left to resolve" }),
    draftHash: z.string().optional().meta({ description: "The standard draft the conflicts were computed against; send it back with resolutions" }),
  }),
});

const IdParams = z.object({ id: z.string().min(1).max(64) });
const CommitteeCode = CommitteeCodeSchema;
const Markdown = ProposalMarkdownSchema;

const ResolutionSchema = z.union([
  z.object({ index: z.number().int().min(0), take: z.enum(["ours", "theirs", "base"]) }).strict(),
  z.object({ index: z.number().int().min(0), markdown: Markdown }).strict(),
]);

const ApplySchema = z
  .object({
    draftHash: z.string().regex(/^[0-9a-f]{64}$/, "draftHash is the 64 hex digits the 409 answer gave.").optional(),
    resolutions: z
      .array(ResolutionSchema)
      .max(1000)
      .refine((list) => new Set(list.map((r) => r.index)).size === list.length, "Resolve each conflict once.")
      .optional()
      .meta({ description: "Settlements of the conflicts of an earlier 409: take ours (the standard's draft), theirs (the proposal) or base, or give the text" }),
  })
  .meta({ description: "Optional. Empty on a first attempt; after a 409 with conflicts, the resolutions and the draftHash it gave" });

/** The hash in an If-Match header (`"<hex>"`, `W/"<hex>"` or bare hex), or undefined. */
function ifMatchHash(header: string | undefined): string | undefined {
  if (!header || header.trim() === "*") return undefined;
  const m = /^\s*(?:W\/)?"?([0-9a-fA-F]{64})"?\s*$/.exec(header);
  if (!m) throw new PortalError("bad_request", "If-Match must carry the proposal's hash (64 hex digits), as returned by GET /proposals/{id}.");
  return m[1].toLowerCase();
}

const one = (proposal: ProposalView) => ({ proposal });

/** The proposal endpoints, in the order the router mounts them. */
export const proposalsEndpoints = [
  endpoint({
    method: "get",
    path: "/proposals",
    tag: "Proposals",
    summary: "List the proposals the caller may read (admins: all; others: their committees'), newest first",
    access: "signed-in members (their committees' proposals); admins",
    policy: "proposal.list",
    query: z.object({
      standardId: z.string().min(1).max(40).optional(),
      committee: CommitteeCode.optional(),
      state: z.enum(PROPOSAL_STATES).optional(),
      kind: z.enum(PROPOSAL_KINDS).optional(),
    }),
    success: { status: 200, description: "Proposals", schema: z.object({ proposals: z.array(ProposalSummarySchema) }) },
    handler: ({ auth, query }) => ({ proposals: listProposals({ actor: requireAuth(auth).actor, filter: query }) }),
  }),
  endpoint({
    method: "post",
    path: "/proposals",
    tag: "Proposals",
    summary: "Propose an amendment to a standard (based on one of its revisions; its text starts as that revision's) or a new standard in a committee",
    access: "experts, members and admins of the committee",
    policy: "proposal.create",
    body: NewProposalSchema,
    success: { status: 201, description: "Created, in state draft", schema: z.object({ proposal: ProposalSchema }) },
    errors: [403, 409, 413, 422],
    handler: ({ auth, body }) => one(createProposal({ actor: requireAuth(auth).actor, proposal: body })),
  }),
  endpoint({
    method: "get",
    path: "/proposals/{id}",
    tag: "Proposals",
    summary: "One proposal: title, rationale, state, its text and the rule problems in it",
    access: "members of its committee (observers included) and admins",
    policy: "proposal.read",
    params: IdParams,
    success: { status: 200, description: "The proposal", schema: z.object({ proposal: ProposalSchema }) },
    errors: [404],
    handler: ({ auth, params }) => one(getProposal({ id: params.id, actor: requireAuth(auth).actor })),
  }),
  endpoint({
    method: "put",
    path: "/proposals/{id}/draft",
    tag: "Proposals",
    summary: "Replace the text of a draft proposal. Optional If-Match: the hash you edited, refused with 409 if the text moved on",
    access: "its author, the committee's experts and admins; only while a draft",
    policy: "proposal.edit",
    params: IdParams,
    body: z.object({ markdown: Markdown }),
    success: { status: 200, description: "The proposal with its saved text", schema: z.object({ proposal: ProposalSchema }) },
    errors: [403, 404, 409, 413],
    handler: ({ auth, params, body, req }) =>
      one(saveProposalDraft({ id: params.id, markdown: body.markdown, actor: requireAuth(auth).actor, baseHash: ifMatchHash(req.headers["if-match"]) })),
  }),
  endpoint({
    method: "post",
    path: "/proposals/{id}/submit",
    tag: "Proposals",
    summary: "Submit a draft proposal: its text is frozen (submittedHash = SHA-256) and it waits for a ballot. 422 naming each rule block to fix",
    access: "its author and admins",
    policy: "proposal.submit",
    params: IdParams,
    success: { status: 200, description: "The submitted proposal", schema: z.object({ proposal: ProposalSchema }) },
    errors: [403, 404, 409, 422],
    handler: ({ auth, params }) => one(submitProposal({ id: params.id, actor: requireAuth(auth).actor })),
  }),
  endpoint({
    method: "get",
    path: "/proposals/{id}/diff",
    tag: "Proposals",
    summary: "The redline of the proposal against its base revision: prose hunks, the rule diff, the suggested bump. Empty for a new standard (base null)",
    access: "members of its committee and admins",
    policy: "proposal.read",
    params: IdParams,
    success: {
      status: 200,
      description: "The difference",
      schema: z.object({
        base: z.object({ standardId: z.string(), revision: z.string() }).nullable(),
        text: z.array(HunkSchema),
        rules: RuleDiffSchema,
        suggestedBump: z.enum(["major", "minor", "patch"]).nullable(),
      }),
    },
    errors: [404],
    handler: ({ auth, params }) => proposalDiff({ id: params.id, actor: requireAuth(auth).actor }),
  }),
  endpoint({
    method: "post",
    path: "/proposals/{id}/apply",
    tag: "Proposals",
    summary:
      "Apply an approved proposal: an amendment is merged three ways (base revision, the standard's current draft, the proposal) block by block, saved as the draft and frozen as the next revision; a new standard is created with revision 00. When the draft and the proposal changed the same blocks: 409 with `conflicts` and `draftHash`, nothing written; send `resolutions` with that `draftHash` to settle them",
    access: "the committee's experts and admins",
    policy: "proposal.apply",
    params: IdParams,
    body: ApplySchema,
    optionalBody: true,
    success: {
      status: 200,
      description: "Applied: the proposal and the standard's new revision",
      schema: z.object({
        proposal: ProposalSchema,
        revision: z.object({ standardId: z.string(), number: z.string(), hash: z.string(), ruleset: z.unknown(), conformance: z.object({ passed: z.number().int(), failed: z.number().int() }) }),
      }),
    },
    errors: [403, 404, 409, 422],
    errorSchemas: { 409: ConflictErrorSchema },
    handler: ({ auth, params, body }) => applyProposal({ id: params.id, actor: requireAuth(auth).actor, draftHash: body.draftHash, resolutions: body.resolutions }),
  }),
  endpoint({
    method: "post",
    path: "/proposals/{id}/withdraw",
    tag: "Proposals",
    summary: "Withdraw a proposal (from draft, submitted, approved or rejected; not under ballot, not once applied)",
    access: "its author and admins",
    policy: "proposal.withdraw",
    params: IdParams,
    body: z.object({ reason: z.string().trim().max(1000, "A reason has at most 1000 characters.").optional() }),
    optionalBody: true,
    success: { status: 200, description: "The withdrawn proposal", schema: z.object({ proposal: ProposalSchema }) },
    errors: [403, 404, 409],
    handler: ({ auth, params, body }) => one(withdrawProposal({ id: params.id, actor: requireAuth(auth).actor, reason: body.reason })),
  }),
];
