/**
 * Comments on a standard's draft or on a proposal's text: anchored to a passage (Yjs relative positions of the range, and
 * the quote with its prefix and suffix as the fallback), typed as in ISO comment templates
 * (general, technical, editorial), with threads of replies, @mentions that notify, and the editors'
 * disposition (accepted, accepted with modification, rejected, noted) with a response. The
 * comment-resolution log is the list of them, as a page and as CSV.
 *
 * Authorization is decided here through the policy: a comment on a draft the actor may not read is
 * a 404 (for a proposal: `proposal.read`, then `comment.create`/`comment.resolve` as on a draft of
 * the proposal's committee); commenting needs `comment.create` (observers included), dispositions `comment.resolve`.
 * Each write runs in one transaction with its audit entry and its notifications; after the commit
 * the document's connections are told that its comments changed.
 *
 * Mentions: `@[Name](user-id)` (what a mention picker inserts), `@someone@example.org` (an email) or
 * `@someone` (the local part of an email, when exactly one reader of the draft has it). Only people
 * who may read the draft are notified, never the writer themself.
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, or } from "drizzle-orm";
import * as Y from "yjs";
import { commentReplies, comments, committeeMembers, COMMENT_KINDS, COMMENT_STATUSES, organizations, users } from "../../db/schema";
import { docText } from "../collab/anchor-positions";
import { liveDocuments } from "../collab/live.server";
import { cachedStoredDoc, loadOrCreate } from "../collab/persistence.server";
import { can, type Actor } from "../policies/policy";
import { db } from "../utils/db.server";
import { PortalError } from "../utils/errors";
import { anchorAt, anchorState, findAnchor, MAX_QUOTE_CHARS, normalizeWhitespace, similarity, SIMILAR_ENOUGH, type Anchor } from "./anchors";
import { recordAudit } from "./audit.server";
import { notify } from "./notifications.server";
import { findProposal, proposalDocName, proposalResource, type ProposalRow } from "./proposals.server";
import { getStandard, type StandardRow } from "./standards.server";

export type CommentKind = (typeof COMMENT_KINDS)[number];
export type CommentStatus = (typeof COMMENT_STATUSES)[number];
export type Disposition = Exclude<CommentStatus, "open">;
type CommentRow = typeof comments.$inferSelect;

/** The longest comment or reply body (characters). */
export const MAX_COMMENT_CHARS = 10_000;

/** The stateless message sent to a document's connections when its comments changed. */
export const COMMENTS_CHANGED = JSON.stringify({ type: "comments.changed" });

/** The name of a standard's collaborative document. */
export function standardDocName(standardId: string): string {
  return `standard.${standardId}`;
}

/** What comments are on: a standard's draft or a proposal's text (`proposalId`). */
export type CommentTarget = { standardId: string; proposalId?: undefined } | { proposalId: string; standardId?: undefined };

/** The commented thing as the domain needs it: its document, what the policy is asked about, and how it is named and linked. */
type Subject = {
  docName: string;
  standardId: string | null;
  proposalId: string | null;
  committee: string;
  /** The resource `comment.create` / `comment.resolve` are decided on (a proposal counts as a draft of its committee). */
  resource: { committee: string; status: StandardRow["status"] };
  /** The id people know it by, for messages. */
  label: string;
  /** Where its comments are shown. */
  link: string;
};

function standardSubject(s: StandardRow): Subject {
  return {
    docName: standardDocName(s.id),
    standardId: s.id,
    proposalId: null,
    committee: s.committee,
    resource: s,
    label: s.id,
    link: `/standards/${s.id}/comments`,
  };
}

function proposalSubject(p: ProposalRow): Subject {
  return {
    docName: proposalDocName(p.id),
    standardId: null,
    proposalId: p.id,
    committee: p.committee,
    resource: { committee: p.committee, status: "draft" },
    label: p.title,
    link: `/proposals/${p.id}`,
  };
}

/** A person as a comment shows them. */
export type CommentPerson = { id: string; name: string; organisation: string };

/** A comment as the API and the pages show it. */
export type CommentView = {
  id: string;
  /** The standard whose draft it is on; null for a comment on a proposal. */
  standardId: string | null;
  /** The proposal it is on; null for a comment on a standard's draft. */
  proposalId: string | null;
  author: CommentPerson;
  kind: CommentKind;
  body: string;
  anchor: { quote: string; prefix: string; suffix: string } | null;
  /** Yjs relative positions (JSON) of the passage, for editors to highlight it; null without them. */
  positions: { start: unknown; end: unknown } | null;
  state: "attached" | "detached";
  status: CommentStatus;
  replies: { id: string; author: CommentPerson; body: string; createdAt: string }[];
  resolution: { status: Disposition; response: string; by: CommentPerson | null; at: string } | null;
  createdAt: string;
};

// ─── The document's text ─────────────────────────────────────────────────────────────────────────

/**
 * The document's Yjs state to anchor in: the live document when it is open, else its stored state.
 * With `create`, a document never opened yet gets its first content created on the server from the
 * draft (as opening it would), so relative positions made now stay valid later.
 */
function anchorDoc(docName: string, options: { create?: boolean; live?: Y.Doc } = {}): { doc: Y.Doc; own: boolean } | null {
  const live = options.live ?? liveDocuments()?.document?.(docName);
  if (live) return { doc: live, own: false };
  // A stored document nobody has open: read once per stored version (comment lists reread it often).
  const stored = cachedStoredDoc(docName);
  if (stored) return { doc: stored, own: false };
  if (!options.create) return null;
  const doc = loadDocCreated(docName);
  return { doc, own: true };
}

function loadDocCreated(docName: string): Y.Doc {
  const doc = new Y.Doc();
  loadOrCreate(doc, docName);
  return doc;
}

// ─── States ──────────────────────────────────────────────────────────────────────────────────────

/** The state a comment has in the given text (see anchorState in anchors.ts). */
function stateIn(text: ReturnType<typeof docText>, c: CommentRow): "attached" | "detached" {
  if (!c.anchorQuote) return "attached";
  const anchor: Anchor = { quote: c.anchorQuote, prefix: c.anchorPrefix, suffix: c.anchorSuffix };
  const tracked = c.anchorStart && c.anchorEnd ? text.resolve(JSON.parse(c.anchorStart), JSON.parse(c.anchorEnd)) : null;
  return anchorState({ text: text.text, anchor, tracked });
}

/**
 * Recomputes the attached/detached state of every anchored comment of a document against its
 * current text (the live document given, the open one, or the stored one); returns true when any
 * state changed.
 */
export function refreshCommentStates(docName: string, live?: Y.Doc): boolean {
  const rows = db().select().from(comments).where(eq(comments.docName, docName)).all().filter((c) => c.anchorQuote);
  if (!rows.length) return false;
  const source = anchorDoc(docName, { live });
  if (!source) return false;
  try {
    const text = docText(source.doc);
    const changed = rows.map((c) => ({ id: c.id, state: stateIn(text, c), was: c.state })).filter((c) => c.state !== c.was);
    if (!changed.length) return false;
    db().transaction(() => {
      for (const c of changed) db().update(comments).set({ state: c.state }).where(eq(comments.id, c.id)).run();
    });
    return true;
  } finally {
    if (source.own) source.doc.destroy();
  }
}

// ─── Reading ─────────────────────────────────────────────────────────────────────────────────────

/** The standard, or 404 when it does not exist or the actor may not read its draft. */
function readableDraft(actor: Actor | null, standardId: string): StandardRow {
  const s = getStandard(standardId);
  if (!s || !can(actor, "standard.read", s)) throw new PortalError("not_found", `No standard ${standardId}.`);
  if (!can(actor, "standard.readDraft", s)) {
    if (!actor) throw new PortalError("unauthorized", "Sign in (or send a personal access token) to read the comments on the draft.");
    throw new PortalError("forbidden", `Comments are on the draft of ${s.id}, which your committees do not include.`);
  }
  return s;
}

/** The proposal, or 404 when it does not exist or the actor may not read it (the public never may). */
function readableProposalSubject(actor: Actor | null, proposalId: string): Subject {
  const p = findProposal(proposalId);
  if (!p || !can(actor, "proposal.read", proposalResource(p))) throw new PortalError("not_found", `No proposal ${proposalId}.`);
  return proposalSubject(p);
}

/** What the target designates, or 404/401/403 when the actor may not read its comments. */
function readableSubject(actor: Actor | null, target: CommentTarget): Subject {
  if (target.proposalId !== undefined) return readableProposalSubject(actor, target.proposalId);
  return standardSubject(readableDraft(actor, target.standardId));
}

/** The comment and what it is on, or 404 when it does not exist or the actor may not see it. */
function visibleComment(actor: Actor | null, commentId: string): { comment: CommentRow; subject: Subject } {
  const comment = db().select().from(comments).where(eq(comments.id, commentId)).get();
  if (comment?.proposalId) {
    const p = findProposal(comment.proposalId);
    if (!p || !can(actor, "proposal.read", proposalResource(p))) throw new PortalError("not_found", `No comment ${commentId}.`);
    return { comment, subject: proposalSubject(p) };
  }
  const standard = comment?.standardId ? getStandard(comment.standardId) : undefined;
  if (!comment || !standard || !can(actor, "standard.readDraft", standard)) throw new PortalError("not_found", `No comment ${commentId}.`);
  return { comment, subject: standardSubject(standard) };
}

function people(ids: string[]): Map<string, CommentPerson> {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map();
  const rows = db()
    .select({ id: users.id, name: users.name, organisation: organizations.name })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.orgId))
    .where(inArray(users.id, unique))
    .all();
  return new Map(rows.map((r) => [r.id, r]));
}

const UNKNOWN: CommentPerson = { id: "", name: "?", organisation: "" };

/** The comments on a standard's draft or a proposal's text, oldest first, with their states recomputed against the current text. */
export function listComments(input: { actor: Actor | null } & CommentTarget): CommentView[] {
  return listSubjectComments(readableSubject(input.actor, input));
}

function listSubjectComments(subject: Subject): CommentView[] {
  const docName = subject.docName;
  refreshCommentStates(docName);
  const rows = db().select().from(comments).where(eq(comments.docName, docName)).orderBy(asc(comments.createdAt), asc(comments.id)).all();
  const replies = rows.length
    ? db().select().from(commentReplies).where(inArray(commentReplies.commentId, rows.map((r) => r.id))).orderBy(asc(commentReplies.createdAt), asc(commentReplies.id)).all()
    : [];
  const who = people([...rows.map((r) => r.authorId), ...rows.flatMap((r) => (r.resolvedBy ? [r.resolvedBy] : [])), ...replies.map((r) => r.authorId)]);
  return rows.map((c) => ({
    id: c.id,
    standardId: subject.standardId,
    proposalId: subject.proposalId,
    author: who.get(c.authorId) ?? UNKNOWN,
    kind: c.kind,
    body: c.body,
    anchor: c.anchorQuote ? { quote: c.anchorQuote, prefix: c.anchorPrefix ?? "", suffix: c.anchorSuffix ?? "" } : null,
    positions: c.anchorStart && c.anchorEnd ? { start: JSON.parse(c.anchorStart), end: JSON.parse(c.anchorEnd) } : null,
    state: c.state,
    status: c.status,
    replies: replies.filter((r) => r.commentId === c.id).map((r) => ({ id: r.id, author: who.get(r.authorId) ?? UNKNOWN, body: r.body, createdAt: r.createdAt })),
    resolution:
      c.status !== "open" && c.resolvedAt
        ? { status: c.status, response: c.response ?? "", by: c.resolvedBy ? (who.get(c.resolvedBy) ?? null) : null, at: c.resolvedAt }
        : null,
    createdAt: c.createdAt,
  }));
}

/** One comment as listed (its state as last computed). */
export function getComment(actor: Actor | null, commentId: string): CommentView {
  const { comment, subject } = visibleComment(actor, commentId);
  return listSubjectComments(subject).find((c) => c.id === comment.id)!;
}

// ─── Mentions ────────────────────────────────────────────────────────────────────────────────────

const MENTION = /@\[[^\]\n]{1,200}\]\(([A-Za-z0-9-]{1,64})\)|(?<![\w.@])@([A-Za-z0-9._%+-]{1,64}(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)?)/g;

/** The @mentions written in a body: user ids, emails and email local parts. */
export function parseMentions(body: string): { ids: string[]; emails: string[]; localParts: string[] } {
  const out = { ids: [] as string[], emails: [] as string[], localParts: [] as string[] };
  for (const m of body.matchAll(MENTION)) {
    if (m[1]) out.ids.push(m[1]);
    else if (m[2]?.includes("@")) out.emails.push(m[2].toLowerCase());
    else if (m[2]) out.localParts.push(m[2].replace(/[.]+$/, "").toLowerCase());
  }
  return out;
}

/** The active people who may read the draft or proposal (admins, and members of its committee). */
function draftReaders(committee: string): { id: string; email: string }[] {
  const inCommittee = db().select({ userId: committeeMembers.userId }).from(committeeMembers).where(eq(committeeMembers.committeeCode, committee)).all();
  return db()
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(and(eq(users.status, "active"), or(eq(users.role, "admin"), inArray(users.id, inCommittee.map((r) => r.userId).concat([""])))))
    .all();
}

/** Notifies the readers of the draft that `body` mentions (call inside the write's transaction). */
function notifyMentions(input: { subject: Subject; commentId: string; authorId: string; body: string }): string[] {
  const wanted = parseMentions(input.body);
  if (!wanted.ids.length && !wanted.emails.length && !wanted.localParts.length) return [];
  const readers = draftReaders(input.subject.committee);
  const ids = new Set<string>();
  for (const r of readers) {
    const email = r.email.toLowerCase();
    if (wanted.ids.includes(r.id) || wanted.emails.includes(email)) ids.add(r.id);
  }
  for (const local of wanted.localParts) {
    const hits = readers.filter((r) => r.email.toLowerCase().split("@")[0] === local);
    if (hits.length === 1) ids.add(hits[0].id);
  }
  ids.delete(input.authorId);
  if (!ids.size) return [];
  const author = people([input.authorId]).get(input.authorId)?.name ?? "";
  const standard = input.subject.label;
  const body = input.body.slice(0, 2000);
  const onProposal = input.subject.proposalId !== null;
  notify({
    userIds: [...ids],
    kind: "comment.mention",
    link: `${input.subject.link}#comment-${input.commentId}`,
    message: (t) =>
      onProposal
        ? {
            title: t("comments:mention.proposalTitle", { author, proposal: standard }),
            subject: t("comments:mention.proposalSubject", { author, proposal: standard }),
            text: t("comments:mention.proposalText", { author, proposal: standard, body }),
          }
        : {
            title: t("comments:mention.title", { author, standard }),
            subject: t("comments:mention.subject", { author, standard }),
            text: t("comments:mention.text", { author, standard, body }),
          },
  });
  return [...ids];
}

// ─── Writing ─────────────────────────────────────────────────────────────────────────────────────

/** What an audit entry says the comment is on. */
function subjectData(subject: Subject): { standardId: string } | { proposalId: string } {
  return subject.proposalId !== null ? { proposalId: subject.proposalId } : { standardId: subject.standardId! };
}

/** Tells the document's open connections that its comments changed (after the commit). */
function announce(docName: string): void {
  try {
    liveDocuments()?.broadcastStateless?.(docName, COMMENTS_CHANGED);
  } catch (error) {
    console.warn(`[comments] could not announce a change of ${docName}: ${(error as Error).message}`);
  }
}

function cleanBody(body: string, what: string): string {
  const text = body.trim();
  if (!text) throw new PortalError("bad_request", `Write the ${what}: it is empty.`, { body: "Required" });
  if (text.length > MAX_COMMENT_CHARS) throw new PortalError("bad_request", `A ${what} has at most ${MAX_COMMENT_CHARS} characters.`, { body: "Too long" });
  return text;
}

/** Where a new comment's anchor is: the quote found in the document (or the given positions checked), with positions and context. */
function placeAnchor(doc: Y.Doc, anchor: Anchor, positions?: { start: unknown; end: unknown }) {
  const text = docText(doc);
  const quote = normalizeWhitespace(anchor.quote);
  if (!quote) throw new PortalError("bad_request", "The quoted passage is empty: select some text to comment on.", { "anchor.quote": "Required" });
  if (quote.length > MAX_QUOTE_CHARS) throw new PortalError("bad_request", `Quote at most ${MAX_QUOTE_CHARS} characters; comment on a shorter passage.`, { "anchor.quote": "Too long" });
  if (positions) {
    const tracked = text.resolve(positions.start, positions.end);
    if (tracked !== "lost" && tracked.end > tracked.start && similarity(tracked.text, quote) >= SIMILAR_ENOUGH) {
      const context = anchorAt(text.text, tracked);
      return { quote, prefix: anchor.prefix ?? context.prefix ?? "", suffix: anchor.suffix ?? context.suffix ?? "", start: positions.start, end: positions.end };
    }
    // Positions that no longer fit (the text moved on meanwhile): anchor by the quote instead.
  }
  const found = findAnchor(text.text, anchor);
  if (!found) throw new PortalError("unprocessable", `The quoted passage does not occur in the current draft: “${quote.slice(0, 80)}”. Quote the text exactly as it reads now.`, { "anchor.quote": "Not found" });
  if (found.ambiguous) {
    throw new PortalError("unprocessable", `The quoted passage is ambiguous: it occurs ${found.occurrences} times. Add the text just before it (prefix) or after it (suffix) to say which.`, { "anchor.quote": "Ambiguous" });
  }
  const context = anchorAt(text.text, found);
  const rel = text.relativeRange(found);
  return { quote, prefix: context.prefix ?? "", suffix: context.suffix ?? "", start: rel?.start ?? null, end: rel?.end ?? null };
}

/** Creates a comment on a standard's draft or a proposal's text (optionally anchored to a passage); returns it. */
export function createComment(input: {
  actor: Actor | null;
  kind: CommentKind;
  body: string;
  anchor?: Anchor;
  /** Yjs relative positions (JSON) of the passage, as the editor made them from the selection. */
  positions?: { start: unknown; end: unknown };
} & CommentTarget): CommentView {
  const subject = readableSubject(input.actor, input);
  const actor = input.actor!;
  if (!can(actor, "comment.create", subject.resource)) throw new PortalError("forbidden", actor.readOnly ? "A read-only token cannot comment." : `You may not comment on ${subject.label}.`);
  const body = cleanBody(input.body, "comment");
  const docName = subject.docName;
  const id = randomUUID();
  db().transaction(() => {
    let placed: ReturnType<typeof placeAnchor> | null = null;
    if (input.anchor) {
      const source = anchorDoc(docName, { create: true })!;
      try {
        placed = placeAnchor(source.doc, input.anchor, input.positions);
      } finally {
        if (source.own) source.doc.destroy();
      }
    }
    db()
      .insert(comments)
      .values({
        id,
        docName,
        standardId: subject.standardId,
        proposalId: subject.proposalId,
        authorId: actor.id,
        kind: input.kind,
        body,
        anchorQuote: placed?.quote ?? null,
        anchorPrefix: placed?.prefix ?? null,
        anchorSuffix: placed?.suffix ?? null,
        anchorStart: placed?.start ? JSON.stringify(placed.start) : null,
        anchorEnd: placed?.end ? JSON.stringify(placed.end) : null,
        state: "attached",
        createdAt: new Date().toISOString(),
      })
      .run();
    const mentioned = notifyMentions({ subject, commentId: id, authorId: actor.id, body });
    recordAudit({
      actorId: actor.id,
      action: "comment.created",
      subjectType: "comment",
      subjectId: id,
      data: { ...subjectData(subject), kind: input.kind, anchored: placed !== null, tracked: Boolean(placed?.start), mentioned },
    });
  });
  announce(docName);
  return getComment(actor, id);
}

/** Adds a reply to a comment's thread; returns the reply. */
export function replyToComment(input: { actor: Actor | null; commentId: string; body: string }) {
  const { comment, subject } = visibleComment(input.actor, input.commentId);
  const actor = input.actor!;
  if (!can(actor, "comment.create", subject.resource)) throw new PortalError("forbidden", actor.readOnly ? "A read-only token cannot reply." : `You may not reply to comments on ${subject.label}.`);
  const body = cleanBody(input.body, "reply");
  const id = randomUUID();
  const createdAt = new Date().toISOString();
  db().transaction(() => {
    db().insert(commentReplies).values({ id, commentId: comment.id, authorId: actor.id, body, createdAt }).run();
    const mentioned = notifyMentions({ subject, commentId: comment.id, authorId: actor.id, body });
    recordAudit({ actorId: actor.id, action: "comment.replied", subjectType: "comment", subjectId: comment.id, data: { ...subjectData(subject), replyId: id, mentioned } });
  });
  announce(comment.docName);
  return { id, author: people([actor.id]).get(actor.id) ?? UNKNOWN, body, createdAt };
}

/** Records an editor's disposition of a comment with a response (required when rejected or modified); returns the comment. */
export function resolveComment(input: { actor: Actor | null; commentId: string; status: Disposition; response: string }): CommentView {
  const { comment, subject } = visibleComment(input.actor, input.commentId);
  const actor = input.actor!;
  if (!can(actor, "comment.resolve", subject.resource)) {
    throw new PortalError("forbidden", `Only the committee's experts and the secretariat decide on comments; your role (${actor.role}${actor.readOnly ? ", read-only token" : ""}) may not.`);
  }
  const response = input.response.trim();
  if (response.length > MAX_COMMENT_CHARS) throw new PortalError("bad_request", `A response has at most ${MAX_COMMENT_CHARS} characters.`, { response: "Too long" });
  if ((input.status === "rejected" || input.status === "modified") && !response) {
    throw new PortalError("bad_request", `Say why in a response: it is required when a comment is ${input.status === "rejected" ? "rejected" : "accepted with modification"}.`, { response: "Required" });
  }
  db().transaction(() => {
    db()
      .update(comments)
      .set({ status: input.status, response, resolvedBy: actor.id, resolvedAt: new Date().toISOString() })
      .where(eq(comments.id, comment.id))
      .run();
    recordAudit({
      actorId: actor.id,
      action: "comment.resolved",
      subjectType: "comment",
      subjectId: comment.id,
      data: { ...subjectData(subject), status: input.status, previous: comment.status },
    });
  });
  announce(comment.docName);
  return getComment(actor, comment.id);
}

// ─── The comment-resolution log as CSV ───────────────────────────────────────────────────────────

/** One CSV cell: quoted when needed (RFC 4180), and neutralised when a spreadsheet would read it as a formula. */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The comment-resolution log of a standard or a proposal as RFC 4180 CSV (header row, CRLF line ends). */
export function commentsCsv(input: { actor: Actor | null } & CommentTarget): string {
  const list = listComments(input);
  const header = ["id", "created", "author", "organisation", "kind", "state", "quote", "comment", "replies", "status", "response", "resolved by", "resolved at"];
  const rows = list.map((c) => [
    c.id,
    c.createdAt,
    c.author.name,
    c.author.organisation,
    c.kind,
    c.state,
    c.anchor?.quote ?? "",
    c.body,
    c.replies.length,
    c.status,
    c.resolution?.response ?? "",
    c.resolution?.by?.name ?? "",
    c.resolution?.at ?? "",
  ]);
  return [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
}
