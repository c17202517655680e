/**
 * API endpoints: comments on drafts, replies, dispositions and the comment-resolution log.
 *
 * The API anchors by quote: `anchor.quote` must occur in the current draft text (whitespace runs
 * count as one space); when it occurs several times, `prefix`/`suffix` (the text just before and
 * after it) say which, else 422. Visibility as for the draft: a standard the caller may not see is
 * a 404; a published standard's comments need credentials (401) and a committee seat (403).
 * Proposals (an addition to the contract: `/proposals/{id}/comments`, `…/comments.csv`) have the
 * same shapes; a proposal the caller may not read is a 404, and its comments stay open after
 * submission (anchored against the submitted text).
 */
import { z } from "zod";
import { COMMENT_KINDS, COMMENT_STATUSES } from "../../db/schema";
import { MAX_QUOTE_CHARS } from "../domain/anchors";
import { commentsCsv, createComment, listComments, MAX_COMMENT_CHARS, replyToComment, resolveComment, type CommentView } from "../domain/comments.server";
import { endpoint, requireAuth } from "./endpoint";

const IdParams = z.object({ id: z.string().min(1).max(64) });

const Body = z
  .string()
  .trim()
  .min(1, "Write something: the text is empty.")
  .max(MAX_COMMENT_CHARS, `At most ${MAX_COMMENT_CHARS} characters.`)
  .meta({
    description:
      "Plain text. Mentions notify the member if they may read the draft: `@[Name](user-id)` (what the editor's picker inserts), `@name@example.org`, or `@name` (an email's local part, when exactly one reader has it).",
  });

const AnchorInput = z.object({
  quote: z.string().min(1, "Quote the passage you comment on.").max(MAX_QUOTE_CHARS, `Quote at most ${MAX_QUOTE_CHARS} characters.`),
  prefix: z.string().max(400).optional(),
  suffix: z.string().max(400).optional(),
});

const PositionsInput = z
  .object({ start: z.record(z.string(), z.unknown()), end: z.record(z.string(), z.unknown()) })
  .meta({ description: "Yjs relative positions (JSON) of the passage's start and end in the document (`standard.<id>` or `proposal.<id>`), as the editor makes them; checked against the quote" });

const Person = z.object({ id: z.string(), name: z.string(), organisation: z.string() });
const ReplySchema = z.object({ id: z.string(), author: Person, body: z.string(), createdAt: z.string() });
const CommentSchema = z.object({
  id: z.string(),
  author: Person,
  kind: z.enum(COMMENT_KINDS),
  body: z.string(),
  anchor: z.object({ quote: z.string(), prefix: z.string(), suffix: z.string() }).nullable(),
  positions: z.object({ start: z.unknown(), end: z.unknown() }).nullable().meta({ description: "Yjs relative positions of the passage, when known" }),
  state: z.enum(["attached", "detached"]).meta({ description: "detached: the commented passage was deleted; `anchor.quote` keeps what it said" }),
  status: z.enum(COMMENT_STATUSES),
  replies: z.array(ReplySchema),
  resolution: z
    .object({ status: z.enum(["accepted", "modified", "rejected", "noted"]), response: z.string(), by: Person.nullable(), at: z.string() })
    .nullable(),
  createdAt: z.string(),
});

const CreateBody = z.object({ body: Body, kind: z.enum(COMMENT_KINDS), anchor: AnchorInput.optional(), positions: PositionsInput.optional() });

/** A CSV attachment's file name made of safe characters only. */
const csvName = (id: string) => `${id.replace(/[^A-Za-z0-9_-]/g, "")}-comments.csv`;

const view = (c: CommentView) => ({
  id: c.id,
  author: c.author,
  kind: c.kind,
  body: c.body,
  anchor: c.anchor,
  positions: c.positions,
  state: c.state,
  status: c.status,
  replies: c.replies,
  resolution: c.resolution,
  createdAt: c.createdAt,
});

/** The comment endpoints, in the order the router mounts them. */
export const commentsEndpoints = [
  endpoint({
    method: "get",
    path: "/standards/{id}/comments.csv",
    tag: "Comments",
    summary: "The comment-resolution log as CSV (RFC 4180, one row per comment; cells a spreadsheet would run as formulas start with ')",
    access: "committee members and admins",
    policy: "standard.readDraft",
    params: IdParams,
    success: { status: 200, description: "text/csv", schema: z.string() },
    errors: [401, 403, 404],
    raw: true,
    handler: ({ auth, params, res }) => {
      const csv = commentsCsv({ actor: auth?.actor ?? null, standardId: params.id });
      res
        .status(200)
        .type("text/csv; charset=utf-8")
        .set("Content-Disposition", `attachment; filename="${csvName(params.id)}"`)
        .set("Cache-Control", "no-store")
        .send(csv);
    },
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/comments",
    tag: "Comments",
    summary: "The comments on a standard's draft, oldest first, with replies, dispositions and whether each is still attached to its passage",
    access: "committee members and admins",
    policy: "standard.readDraft",
    params: IdParams,
    success: { status: 200, description: "Comments", schema: z.object({ comments: z.array(CommentSchema) }) },
    errors: [401, 403, 404],
    handler: ({ auth, params }) => ({ comments: listComments({ actor: auth?.actor ?? null, standardId: params.id }).map(view) }),
  }),
  endpoint({
    method: "post",
    path: "/standards/{id}/comments",
    tag: "Comments",
    summary: "Comment on a standard's draft, on the whole or on a quoted passage (422 when the quote is not in the draft, or ambiguous)",
    access: "everyone who reads the draft, observers included (not read-only tokens)",
    policy: "comment.create",
    params: IdParams,
    body: CreateBody,
    success: { status: 201, description: "Created", schema: z.object({ comment: CommentSchema }) },
    errors: [403, 404, 422],
    handler: ({ auth, params, body }) => {
      const a = requireAuth(auth);
      return { comment: view(createComment({ actor: a.actor, standardId: params.id, kind: body.kind, body: body.body, anchor: body.anchor, positions: body.positions })) };
    },
  }),
  endpoint({
    method: "get",
    path: "/proposals/{id}/comments.csv",
    tag: "Comments",
    summary: "A proposal's comment-resolution log as CSV (RFC 4180, one row per comment; cells a spreadsheet would run as formulas start with ')",
    access: "committee members and admins",
    policy: "proposal.read",
    params: IdParams,
    success: { status: 200, description: "text/csv", schema: z.string() },
    errors: [404],
    raw: true,
    handler: ({ auth, params, res }) => {
      const csv = commentsCsv({ actor: auth?.actor ?? null, proposalId: params.id });
      res
        .status(200)
        .type("text/csv; charset=utf-8")
        .set("Content-Disposition", `attachment; filename="proposal-${csvName(params.id)}"`)
        .set("Cache-Control", "no-store")
        .send(csv);
    },
  }),
  endpoint({
    method: "get",
    path: "/proposals/{id}/comments",
    tag: "Comments",
    summary: "The comments on a proposal's text, oldest first, with replies, dispositions and whether each is still attached to its passage",
    access: "committee members and admins",
    policy: "proposal.read",
    params: IdParams,
    success: { status: 200, description: "Comments", schema: z.object({ comments: z.array(CommentSchema) }) },
    errors: [404],
    handler: ({ auth, params }) => ({ comments: listComments({ actor: auth?.actor ?? null, proposalId: params.id }).map(view) }),
  }),
  endpoint({
    method: "post",
    path: "/proposals/{id}/comments",
    tag: "Comments",
    summary: "Comment on a proposal's text (its working text, or the submitted text once submitted), on the whole or on a quoted passage (422 when the quote is not in the text, or ambiguous)",
    access: "everyone who reads the proposal, observers included (not read-only tokens)",
    policy: "comment.create",
    params: IdParams,
    body: CreateBody,
    success: { status: 201, description: "Created", schema: z.object({ comment: CommentSchema }) },
    errors: [403, 404, 422],
    handler: ({ auth, params, body }) => {
      const a = requireAuth(auth);
      return { comment: view(createComment({ actor: a.actor, proposalId: params.id, kind: body.kind, body: body.body, anchor: body.anchor, positions: body.positions })) };
    },
  }),
  endpoint({
    method: "post",
    path: "/comments/{id}/replies",
    tag: "Comments",
    summary: "Reply in a comment's thread",
    access: "everyone who reads the draft, observers included (not read-only tokens)",
    policy: "comment.create",
    params: IdParams,
    body: z.object({ body: Body }),
    success: { status: 201, description: "Created", schema: z.object({ reply: ReplySchema }) },
    errors: [403, 404],
    handler: ({ auth, params, body }) => {
      const a = requireAuth(auth);
      return { reply: replyToComment({ actor: a.actor, commentId: params.id, body: body.body }) };
    },
  }),
  endpoint({
    method: "post",
    path: "/comments/{id}/resolution",
    tag: "Comments",
    summary: "Record the disposition of a comment: accepted, modified (accepted with modification), rejected or noted, with a response (required for rejected and modified)",
    access: "experts of the committee and admins",
    policy: "comment.resolve",
    params: IdParams,
    body: z
      .object({
        status: z.enum(["accepted", "modified", "rejected", "noted"]),
        response: z.string().trim().max(MAX_COMMENT_CHARS, `At most ${MAX_COMMENT_CHARS} characters.`).default(""),
      })
      .refine((b) => !(b.status === "rejected" || b.status === "modified") || b.response.length > 0, {
        path: ["response"],
        message: "Say why: a response is required when a comment is rejected or accepted with modification.",
      }),
    success: { status: 200, description: "The comment with its resolution", schema: z.object({ comment: CommentSchema }) },
    errors: [403, 404],
    handler: ({ auth, params, body }) => {
      const a = requireAuth(auth);
      return { comment: view(resolveComment({ actor: a.actor, commentId: params.id, status: body.status, response: body.response })) };
    },
  }),
];
