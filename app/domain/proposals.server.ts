/**
 * Proposals: an amendment to a standard (based on one of its frozen revisions) or a proposal for a
 * new standard. Each has a title, a rationale, a working text in standard Markdown, a redline
 * against its base and a state (see proposal-lifecycle.ts). Ballots move a submitted proposal to
 * in-ballot, approved or rejected (ballots.server.ts); everything else happens here.
 *
 * Authorization is decided here, through the policy, so the API, the pages and (later) the
 * collaboration server cannot disagree: a proposal the actor may not read is a 404, a step their
 * role does not allow a 403, a step the state does not allow a 409 (and logged). Every write runs
 * in one transaction with its audit entry; a refused write changes nothing.
 *
 * The working text. Today it is the `markdown` column; every read goes through `proposalText` and
 * every write through `saveProposalDraft`. When the collaborative document `proposal.<id>` becomes
 * the source of truth (the collaboration work), these two change their insides — read the
 * document's Markdown, apply the text as one change to it — and the API and pages do not change.
 */
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, inArray, like, type SQL } from "drizzle-orm";
import { committees, proposals, users, type PROPOSAL_KINDS, type StandardStatus } from "../../db/schema";
import { can, type Action, type Actor, type ProposalResource } from "../policies/policy";
import { db } from "../utils/db.server";
import { liveDocuments } from "../collab/live.server";
import { PortalError } from "../utils/errors";
import { recordAudit } from "./audit.server";
import { activeBallotOnProposal } from "./ballots.server";
import { documentSegments } from "./document-view.server";
import { analyseDraft, getDraftView, MAX_DRAFT_BYTES, normalizeMarkdown, saveDraft, type DraftAnalysis } from "./drafts.server";
import { normalizeMarkdownWhitespace } from "../editor/markdown";
import { mergeMarkdown, type ConflictResolution, type MergeConflict } from "./merge";
import { notifyProposalDecided, notifyProposalSubmitted } from "./proposal-notices.server";
import { checkProposalStep, isEditable, notEditableMessage, type ProposalState, type ProposalStep } from "./proposal-lifecycle";
import { redline, ruleDiff, suggestBump, type Bump, type RuleDiff, type TextHunk } from "./redline";
import { freezeRevision, getRevision, latestRevision } from "./revisions.server";
import type { RuleSet } from "./rules";
import { createStandard, getStandard, retiredRuleIdsOf, ruleIdPrefix, textHash } from "./standards.server";

/** A proposal as stored. */
export type ProposalRow = typeof proposals.$inferSelect;
/** The kind of a proposal. */
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

/**
 * The stand-in id of the standard a new-standard proposal would create: number 000 of its
 * committee, which is never allocated. Its rules carry that prefix ("TAR-000.R1", …) because the
 * real id, and so the real prefix, exists only once the proposal is applied; the ids are rewritten then.
 */
export function placeholderStandardId(committee: string): string {
  return `EWTP-${committee}-000`;
}

/** The name of a proposal's collaborative document (the collaboration server will serve it). */
export function proposalDocName(id: string): string {
  return `proposal.${id}`;
}

/** The policy's view of a proposal. */
export function proposalResource(p: Pick<ProposalRow, "committee" | "createdBy">): ProposalResource {
  return { committee: p.committee, createdBy: p.createdBy };
}

/** The text a new-standard proposal starts from when none is given: a title and the first three clauses. */
export function newStandardSkeleton(title: string): string {
  return [
    `# ${title.trim()}`,
    "## 1 Scope",
    "This standard specifies … (say what it covers, and what it does not).",
    "## 2 Normative references",
    "There are no normative references in this document.",
    "## 3 Terms and definitions",
    "For the purposes of this document, the following terms and definitions apply.",
  ].join("\n\n") + "\n";
}

// ─── Reading ──────────────────────────────────────────────────────────────────────────────────────

/** A proposal as the API and the pages show it. */
export type ProposalView = {
  id: string;
  kind: ProposalKind;
  title: string;
  rationale: string;
  committee: string;
  /** The amended standard; for a new-standard proposal, the standard it created once applied (else null). */
  standardId: string | null;
  baseRevision: string | null;
  state: ProposalState;
  /** The working text; from submission on, the frozen submitted text. */
  markdown: string;
  hash: string;
  submittedHash: string | null;
  submittedAt: string | null;
  decidedAt: string | null;
  appliedRevision: string | null;
  createdBy: { id: string; name: string };
  createdAt: string;
  updatedAt: string;
  /** How many valid rules the text has, and the rule blocks to fix before it can be submitted. */
  rules: number;
  ruleErrors: { line: number; message: string }[];
};

/** A proposal in a list. */
export type ProposalSummary = Pick<
  ProposalView,
  "id" | "kind" | "title" | "committee" | "standardId" | "baseRevision" | "state" | "createdBy" | "createdAt" | "updatedAt" | "submittedAt" | "appliedRevision"
>;

/** The proposal row, or undefined. Callers that show it check `proposal.read` (readableProposal does). */
export function findProposal(id: string): ProposalRow | undefined {
  // A live collaborative document may hold text not yet derived into the row: write it first.
  liveDocuments()?.flush(proposalDocName(id));
  return db().select().from(proposals).where(eq(proposals.id, id)).get();
}

/** The proposal, or 404 when it does not exist or the actor may not read it (the public never may). */
export function readableProposal(actor: Actor | null, id: string): ProposalRow {
  const p = findProposal(id);
  if (!p || !can(actor, "proposal.read", proposalResource(p))) throw new PortalError("not_found", `No proposal ${id}.`);
  return p;
}

/** The proposal's current text and its hash: the working text while a draft, the submitted text after. */
export function proposalText(p: ProposalRow): { markdown: string; hash: string } {
  const markdown = p.state === "draft" ? p.markdown : (p.submittedMarkdown ?? p.markdown);
  return { markdown, hash: textHash(markdown) };
}

/** The rules of a proposal's text checked as the standard's would be: its id prefix, and (amendments) its retired ids. */
export function analyseProposal(p: Pick<ProposalRow, "kind" | "standardId" | "committee">, markdown: string): DraftAnalysis {
  if (p.kind === "amendment" && p.standardId) return analyseDraft(p.standardId, markdown, retiredRuleIdsOf(p.standardId));
  return analyseDraft(placeholderStandardId(p.committee), markdown);
}

/** The rule id prefix of a proposal's text: its standard's, or the placeholder's of its committee for a new standard ("TAR-000.R"). */
export function proposalRulePrefix(p: Pick<ProposalRow, "kind" | "standardId" | "committee">): string {
  return ruleIdPrefix(p.kind === "amendment" && p.standardId ? p.standardId : placeholderStandardId(p.committee));
}

function authorName(userId: string): string {
  return db().select({ name: users.name }).from(users).where(eq(users.id, userId)).get()?.name ?? "";
}

function toView(p: ProposalRow): ProposalView {
  const { markdown, hash } = proposalText(p);
  const analysis = analyseProposal(p, markdown);
  return {
    id: p.id,
    kind: p.kind,
    title: p.title,
    rationale: p.rationale,
    committee: p.committee,
    standardId: p.standardId,
    baseRevision: p.baseRevision,
    state: p.state,
    markdown,
    hash,
    submittedHash: p.submittedHash,
    submittedAt: p.submittedAt,
    decidedAt: p.decidedAt,
    appliedRevision: p.appliedRevision,
    createdBy: { id: p.createdBy, name: authorName(p.createdBy) },
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    rules: analysis.ruleset.rules.length,
    ruleErrors: analysis.ruleErrors.map((e) => ({ line: e.line, message: e.message })),
  };
}

/** One proposal with its text and rule problems; 404 unless the actor reads its committee's drafts. */
export function getProposal(input: { id: string; actor: Actor | null }): ProposalView {
  return toView(readableProposal(input.actor, input.id));
}

/** The proposals the actor may read (admins: all; others: their committees'), newest first, filtered. */
export function listProposals(input: {
  actor: Actor | null;
  filter?: { standardId?: string; committee?: string; state?: ProposalState; kind?: ProposalKind; q?: string };
}): ProposalSummary[] {
  const { actor, filter = {} } = input;
  if (!actor) return [];
  const where: (SQL | undefined)[] = [];
  if (filter.standardId) where.push(eq(proposals.standardId, filter.standardId));
  if (filter.committee) where.push(eq(proposals.committee, filter.committee));
  if (filter.state) where.push(eq(proposals.state, filter.state));
  if (filter.kind) where.push(eq(proposals.kind, filter.kind));
  if (filter.q) where.push(like(proposals.title, `%${filter.q.replace(/[\\%_]/g, (c) => "\\" + c)}%`));
  if (actor.role !== "admin") where.push(inArray(proposals.committee, actor.committees.length ? actor.committees : ["-"]));
  return db()
    .select({ p: proposals, authorName: users.name })
    .from(proposals)
    .innerJoin(users, eq(users.id, proposals.createdBy))
    .where(and(...where))
    .orderBy(desc(proposals.createdAt), desc(proposals.id))
    .all()
    .filter(({ p }) => can(actor, "proposal.read", proposalResource(p)))
    .map(({ p, authorName: name }) => ({
      id: p.id,
      kind: p.kind,
      title: p.title,
      committee: p.committee,
      standardId: p.standardId,
      baseRevision: p.baseRevision,
      state: p.state,
      createdBy: { id: p.createdBy, name },
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
      submittedAt: p.submittedAt,
      appliedRevision: p.appliedRevision,
    }));
}

/** What the actor may do with a proposal now: the policy and the lifecycle agree (for showing controls). */
export function proposalAbilities(actor: Actor | null, p: ProposalRow): { edit: boolean; submit: boolean; withdraw: boolean; apply: boolean } {
  const r = proposalResource(p);
  return {
    edit: can(actor, "proposal.edit", r) && isEditable(p.state),
    submit: can(actor, "proposal.submit", r) && checkProposalStep(p.state, "submit").ok,
    withdraw: can(actor, "proposal.withdraw", r) && checkProposalStep(p.state, "withdraw").ok,
    apply: can(actor, "proposal.apply", r) && checkProposalStep(p.state, "apply").ok,
  };
}

// ─── Refusals ─────────────────────────────────────────────────────────────────────────────────────

/** Throws 403 unless the actor may take `action` on the proposal (which they can read). */
function authorize(actor: Actor, p: ProposalRow, action: Action, what: string): void {
  if ((can as (a: Actor, x: Action, r: ProposalResource) => boolean)(actor, action, proposalResource(p))) return;
  const why = actor.readOnly
    ? "a read-only token cannot change anything"
    : action === "proposal.apply"
      ? "applying writes the standard, which only the committee's experts and the secretariat do"
      : action === "proposal.edit"
        ? "its text is edited by its author, the committee's experts and the secretariat"
        : "that is for its author or the secretariat";
  throw new PortalError("forbidden", `You may not ${what} proposal ${p.id}: ${why}.`);
}

/**
 * Logs a refused lifecycle step (one line on stderr: the attempt is worth knowing about, but a
 * refused write records nothing in the audit chain) and returns the error to throw.
 */
function refusedStep(input: { p: ProposalRow; actor: Actor | null; step: ProposalStep | "edit"; message: string; code?: "conflict" | "unprocessable" }): PortalError {
  console.warn(
    `${new Date().toISOString()} proposal.refused ${JSON.stringify({ proposal: input.p.id, state: input.p.state, step: input.step, actor: input.actor?.id ?? null, reason: input.message })}`,
  );
  return new PortalError(input.code ?? "conflict", input.message);
}

function checkSize(markdown: string): void {
  const bytes = Buffer.byteLength(markdown, "utf8");
  if (bytes > MAX_DRAFT_BYTES) {
    throw new PortalError("payload_too_large", `The text is ${bytes} bytes; the limit is ${MAX_DRAFT_BYTES} bytes (2 MiB) of Markdown. Propose the change in smaller parts.`);
  }
}

/** A 422 naming every rule block to fix, in the words freezing a revision uses. */
function ruleProblems(what: string, errors: DraftAnalysis["ruleErrors"]): PortalError {
  const n = errors.length;
  const list = errors.map((e, i) => `${i + 1}) line ${e.line}: ${e.message}`).join("; ");
  return new PortalError(
    "unprocessable",
    `${what}: ${n} rule problem${n === 1 ? "" : "s"} to fix in the text first. ${list}`,
    Object.fromEntries(errors.map((e, i) => [`rules.${i}`, `line ${e.line}: ${e.message}`])),
  );
}

// ─── Creating and editing ─────────────────────────────────────────────────────────────────────────

/** What a new proposal says; the API's schema has checked the shape (which fields go with which kind). */
export type NewProposal = {
  kind: ProposalKind;
  title: string;
  rationale: string;
  standardId?: string;
  baseRevision?: string;
  committee?: string;
  markdown?: string;
};

function nextProposalId(committee: string): string {
  const prefix = `P-${committee}-`;
  const last = db().select({ id: proposals.id }).from(proposals).where(like(proposals.id, `${prefix}%`)).orderBy(desc(proposals.id)).limit(1).get();
  const next = last ? Number(last.id.slice(prefix.length)) + 1 : 1;
  // Four digits sort correctly up to 9999; past that the id grows and a random suffix keeps it unique.
  return Number.isInteger(next) && next <= 9999 ? `${prefix}${String(next).padStart(4, "0")}` : `${prefix}${randomUUID().slice(0, 8)}`;
}

/**
 * Creates a proposal in state draft. An amendment names a standard the actor can see (else 422) and
 * optionally one of its revisions (default: the latest; none frozen yet → 409); its text starts as
 * that revision's. A new-standard proposal names a committee (unknown → 422); its text starts as
 * given or as a skeleton. Proposing needs `proposal.create` in the committee (403).
 */
export function createProposal(input: { actor: Actor; proposal: NewProposal }): ProposalView {
  const { actor, proposal: np } = input;
  return db().transaction(
    () => {
      let committee: string;
      let standardId: string | null = null;
      let baseRevision: string | null = null;
      let markdown: string;
      if (np.kind === "amendment") {
        const s = np.standardId ? getStandard(np.standardId) : undefined;
        if (!s || !can(actor, "standard.read", s)) {
          throw new PortalError("unprocessable", `There is no standard ${np.standardId ?? ""} that you can see. Use the id of an existing standard (GET /standards).`, {
            standardId: "unknown standard",
          });
        }
        if (!can(actor, "proposal.create", s)) {
          throw new PortalError("forbidden", `You may not propose amendments to ${s.id}: proposals are made by the experts and company members of committee ${s.committee}, and the secretariat.`);
        }
        if (np.committee && np.committee !== s.committee) {
          throw new PortalError("unprocessable", `${s.id} belongs to committee ${s.committee}, not ${np.committee}. Leave the committee out: an amendment takes its standard's.`, {
            committee: "not the standard's committee",
          });
        }
        if (s.status === "withdrawn") throw new PortalError("conflict", `${s.id} is withdrawn: it can no longer be amended.`);
        const revision = np.baseRevision ? getRevision(s.id, np.baseRevision) : latestRevision(s.id);
        if (!revision) {
          if (np.baseRevision) {
            throw new PortalError("unprocessable", `${s.id} has no revision ${np.baseRevision}. List its revisions with GET /standards/${s.id}.`, { baseRevision: "no such revision" });
          }
          throw new PortalError("conflict", `${s.id} has no frozen revision yet, and an amendment is based on one. Ask an editor of committee ${s.committee} to freeze a revision first.`);
        }
        committee = s.committee;
        standardId = s.id;
        baseRevision = revision.number;
        markdown = np.markdown ?? revision.markdown;
      } else {
        const code = np.committee ?? "";
        if (!db().select({ code: committees.code }).from(committees).where(eq(committees.code, code)).get()) {
          throw new PortalError("unprocessable", `There is no committee ${code}. Use the code of an existing committee (GET /committees).`, { committee: "unknown committee" });
        }
        if (!can(actor, "proposal.create", { committee: code, status: "draft" })) {
          throw new PortalError("forbidden", `You may not propose standards in committee ${code}: proposals are made by its experts and company members, and the secretariat.`);
        }
        committee = code;
        markdown = np.markdown ?? newStandardSkeleton(np.title);
      }
      markdown = normalizeMarkdown(markdown);
      checkSize(markdown);

      const id = nextProposalId(committee);
      const at = new Date().toISOString();
      db()
        .insert(proposals)
        .values({ id, kind: np.kind, title: np.title.trim(), rationale: np.rationale.trim(), committee, standardId, baseRevision, markdown, state: "draft", createdBy: actor.id, createdAt: at, updatedAt: at })
        .run();
      recordAudit({
        actorId: actor.id,
        action: "proposal.created",
        subjectType: "proposal",
        subjectId: id,
        data: { kind: np.kind, committee, standardId, baseRevision, title: np.title.trim(), hash: textHash(markdown) },
      });
      return toView(findProposal(id)!);
    },
    { behavior: "immediate" },
  );
}

/**
 * Saves the proposal's working text (the one write path of it: the API's PUT, the editor page,
 * later the collaboration server's store hook). Only while a draft (409), by its author, the
 * committee's experts and admins (403); over 2 MiB → 413; `baseHash` given and the text moved on
 * since → 409. Saving identical text changes nothing. One transaction with "proposal.draftSaved".
 */
export function saveProposalDraft(input: { id: string; markdown: string; actor: Actor; baseHash?: string }): ProposalView {
  const markdown = normalizeMarkdown(input.markdown);
  const view = db().transaction(
    () => {
      const p = readableProposal(input.actor, input.id);
      authorize(input.actor, p, "proposal.edit", "edit the text of");
      if (!isEditable(p.state)) throw refusedStep({ p, actor: input.actor, step: "edit", message: notEditableMessage(p.state) });
      checkSize(markdown);
      const previousHash = textHash(p.markdown);
      if (input.baseHash !== undefined && input.baseHash !== previousHash) {
        throw new PortalError("conflict", "The proposal's text changed since you opened it. Reload it, reapply your change and save again.");
      }
      const hash = textHash(markdown);
      if (hash === previousHash && markdown === p.markdown) return toView(p);
      const at = new Date().toISOString();
      db().update(proposals).set({ markdown, updatedAt: at }).where(eq(proposals.id, p.id)).run();
      recordAudit({
        actorId: input.actor.id,
        action: "proposal.draftSaved",
        subjectType: "proposal",
        subjectId: p.id,
        data: { hash, previousHash, bytes: Buffer.byteLength(markdown, "utf8") },
      });
      return toView(findProposal(p.id)!);
    },
    { behavior: "immediate" },
  );
  // The proposal's collaborative document, if it has one, gets the saved text as one change.
  liveDocuments()?.applyMarkdown(proposalDocName(input.id), markdown);
  return view;
}

/**
 * Writes the text derived from the proposal's live collaborative document (`proposal.<id>`) into its
 * row — the collaboration server's derived state, for a connection the server let edit. Only while
 * the proposal is a draft (a submitted text is frozen; later edits of the document are ignored);
 * over 2 MiB is not stored (logged). Never writes back into the document. Identical text changes
 * nothing; otherwise one transaction with "proposal.draftSaved" (`fromDocument: true`).
 */
export function saveProposalTextFromDocument(input: { id: string; markdown: string; actorId: string | null }): boolean {
  const markdown = normalizeMarkdown(input.markdown);
  return db().transaction(
    () => {
      const p = db().select().from(proposals).where(eq(proposals.id, input.id)).get();
      if (!p || !isEditable(p.state)) return false;
      // The document's Markdown is tidied (whitespace); the same text tidied is no change.
      if (markdown === p.markdown || normalizeMarkdownWhitespace(p.markdown) === markdown) return false;
      const bytes = Buffer.byteLength(markdown, "utf8");
      if (bytes > MAX_DRAFT_BYTES) {
        console.warn(`[collab] not deriving proposal ${p.id}: ${bytes} bytes is over the limit`);
        return false;
      }
      const at = new Date().toISOString();
      db().update(proposals).set({ markdown, updatedAt: at }).where(eq(proposals.id, p.id)).run();
      recordAudit({
        actorId: input.actorId,
        action: "proposal.draftSaved",
        subjectType: "proposal",
        subjectId: p.id,
        data: { hash: textHash(markdown), previousHash: textHash(p.markdown), bytes, fromDocument: true },
      });
      return true;
    },
    { behavior: "immediate" },
  );
}

/**
 * Submits a draft proposal (author or admin): freezes its text as `submittedMarkdown` with its
 * SHA-256, ready for a ballot. Refused (422, naming each) while a rule block is invalid, and for an
 * amendment that changes nothing in its base revision; refused (409) unless it is a draft.
 */
export function submitProposal(input: { id: string; actor: Actor }): ProposalView {
  return db().transaction(
    () => {
      const p = readableProposal(input.actor, input.id);
      authorize(input.actor, p, "proposal.submit", "submit");
      const step = checkProposalStep(p.state, "submit");
      if (!step.ok) throw refusedStep({ p, actor: input.actor, step: "submit", message: step.message });
      const analysis = analyseProposal(p, p.markdown);
      if (analysis.ruleErrors.length) throw ruleProblems(`Proposal ${p.id} was not submitted`, analysis.ruleErrors);
      const hash = textHash(p.markdown);
      if (p.kind === "amendment" && p.standardId && p.baseRevision && getRevision(p.standardId, p.baseRevision)?.hash === hash) {
        throw new PortalError("unprocessable", `Proposal ${p.id} does not change anything in revision ${p.baseRevision} of ${p.standardId}. Edit its text before submitting it.`);
      }
      const at = new Date().toISOString();
      db().update(proposals).set({ state: step.to, submittedMarkdown: p.markdown, submittedHash: hash, submittedAt: at, updatedAt: at }).where(eq(proposals.id, p.id)).run();
      recordAudit({ actorId: input.actor.id, action: "proposal.submitted", subjectType: "proposal", subjectId: p.id, data: { hash, rules: analysis.ruleset.rules.length } });
      notifyProposalSubmitted({ proposalId: p.id, actorId: input.actor.id });
      return toView(findProposal(p.id)!);
    },
    { behavior: "immediate" },
  );
}

/** Withdraws a proposal (author or admin): from draft, submitted, approved or rejected; never under ballot or once applied (409). */
export function withdrawProposal(input: { id: string; actor: Actor; reason?: string }): ProposalView {
  return db().transaction(
    () => {
      const p = readableProposal(input.actor, input.id);
      authorize(input.actor, p, "proposal.withdraw", "withdraw");
      const step = checkProposalStep(p.state, "withdraw");
      if (!step.ok) throw refusedStep({ p, actor: input.actor, step: "withdraw", message: step.message });
      const at = new Date().toISOString();
      db().update(proposals).set({ state: step.to, updatedAt: at }).where(eq(proposals.id, p.id)).run();
      recordAudit({ actorId: input.actor.id, action: "proposal.withdrawn", subjectType: "proposal", subjectId: p.id, data: { from: p.state, reason: input.reason?.trim() ?? "" } });
      // A draft was never announced; a withdrawal after submission is a decision its committee hears of.
      if (p.state !== "draft") notifyProposalDecided({ proposalId: p.id, decision: "withdrawn", actorId: input.actor.id });
      return toView(findProposal(p.id)!);
    },
    { behavior: "immediate" },
  );
}

// ─── The redline ──────────────────────────────────────────────────────────────────────────────────

/** A proposal's difference from its base: prose hunks, the rule diff and the bump it suggests; empty for a new standard (`base` null). */
export type ProposalDiff = { base: { standardId: string; revision: string } | null; text: TextHunk[]; rules: RuleDiff; suggestedBump: Bump | null };

/** The redline of a proposal's current text against its base revision (amendments), or an empty diff (new standards: there is no base). */
export function proposalDiff(input: { id: string; actor: Actor | null }): ProposalDiff {
  const p = readableProposal(input.actor, input.id);
  if (p.kind !== "amendment" || !p.standardId || !p.baseRevision) return { base: null, text: [], rules: { added: [], removed: [], changed: [] }, suggestedBump: null };
  const base = getRevision(p.standardId, p.baseRevision);
  if (!base) throw new PortalError("not_found", `Revision ${p.baseRevision} of ${p.standardId}, the base of ${p.id}, is missing.`);
  const { markdown } = proposalText(p);
  const text = redline(base.markdown, markdown);
  const rules = ruleDiff(base.ruleset.rules, analyseProposal(p, markdown).ruleset.rules);
  return { base: { standardId: p.standardId, revision: p.baseRevision }, text, rules, suggestedBump: suggestBump(rules, text.length > 0) };
}

// ─── Applying ─────────────────────────────────────────────────────────────────────────────────────

/**
 * The 409 of an apply whose merge overlaps: the conflicts, and the hash of the standard draft they
 * were computed against (send it back with resolutions). Its JSON is the contract's error body with
 * two more members: `{error: {code: "conflict", message, conflicts, draftHash}}`.
 */
export class MergeConflictError extends PortalError {
  constructor(
    message: string,
    readonly conflicts: MergeConflict[],
    readonly draftHash: string,
  ) {
    super("conflict", message);
  }
  /** The error body, with the conflicts. */
  override toJSON() {
    return { error: { code: this.code, message: this.message, conflicts: this.conflicts, draftHash: this.draftHash } };
  }
}

/** An editor's settlement of one conflict of an apply: take a side (ours = the standard's draft, theirs = the proposal, base = the base revision), or their own text. */
export type ApplyResolution = { index: number; take: "ours" | "theirs" | "base" } | { index: number; markdown: string };

/** What applying produced: the proposal (applied) and the standard's new revision. */
export type AppliedProposal = {
  proposal: ProposalView;
  revision: { standardId: string; number: string; hash: string; ruleset: RuleSet; conformance: { passed: number; failed: number } };
};

/** The scope for a new standard: the first paragraph of its Scope clause, else the rationale. */
function scopeOf(markdown: string, rationale: string): string {
  const m = /^#{1,6}[ \t]+(?:\d+[ \t]+)?Scope[ \t]*\n+([^\n#][^\n]*(?:\n[^\n#][^\n]*)*)/im.exec(markdown);
  const scope = (m?.[1] ?? rationale).trim().replace(/\s+/g, " ");
  return scope.length > 4000 ? `${scope.slice(0, 3997)}…` : scope;
}

/** A new standard's text from its proposal: placeholder rule ids (TAR-000.R1) get the standard's prefix, and a "# Title" heading its id. */
export function textForNewStandard(markdown: string, input: { id: string; committee: string; title: string }): string {
  const placeholder = ruleIdPrefix(placeholderStandardId(input.committee)).replace(".", "\\.");
  const withIds = markdown.replace(new RegExp(`\\b${placeholder}(\\d+)\\b`, "g"), `${ruleIdPrefix(input.id)}$1`);
  const heading = `# ${input.title.trim()}`;
  return withIds.startsWith(heading + "\n") ? `# ${input.id} ${input.title.trim()}` + withIds.slice(heading.length) : withIds;
}

/**
 * Applies an approved proposal (committee experts and admins; any other state → 409). An
 * amendment is merged three ways — base revision, the standard's current draft ("ours") and the
 * proposal's submitted text ("theirs"), block by block — and, when nothing overlaps or every
 * overlap is resolved, saved as the standard's draft and frozen as its next revision. Overlaps
 * left → MergeConflictError (409) and nothing written. A new-standard proposal creates the standard
 * in its committee with the proposal's text and freezes revision 00. One transaction; the
 * proposal becomes applied with `appliedRevision`.
 *
 * `resolutions` settle conflicts by index; they need `draftHash`, the draft the conflicts were
 * shown for: if the draft moved since, the apply is refused (409) with the conflicts as they are now.
 */
export function applyProposal(input: { id: string; actor: Actor; draftHash?: string; resolutions?: ApplyResolution[] }): AppliedProposal {
  return db().transaction(
    () => {
      const p = readableProposal(input.actor, input.id);
      authorize(input.actor, p, "proposal.apply", "apply");
      const step = checkProposalStep(p.state, "apply");
      if (!step.ok) throw refusedStep({ p, actor: input.actor, step: "apply", message: step.message });
      const theirs = p.submittedMarkdown;
      if (theirs === null) throw new PortalError("conflict", `Proposal ${p.id} has no submitted text to apply.`);
      const at = new Date().toISOString();

      let standardId: string;
      let auditData: Record<string, unknown>;
      if (p.kind === "amendment") {
        const standard = p.standardId ? getStandard(p.standardId) : undefined;
        const base = standard && p.baseRevision ? getRevision(standard.id, p.baseRevision) : undefined;
        if (!standard || !base) throw new PortalError("conflict", `The standard or base revision of ${p.id} is missing; it cannot be applied.`);
        const draft = getDraftView(standard.id);
        if (!draft) throw new PortalError("conflict", `${standard.id} has no draft to apply ${p.id} to.`);
        const labels = { ours: `${standard.id} draft`, base: `${standard.id} revision ${base.number}`, theirs: `proposal ${p.id}` };
        const plain = mergeMarkdown({ base: base.markdown, ours: draft.markdown, theirs, labels });
        const resolutions = input.resolutions ?? [];
        if (resolutions.length) {
          if (!input.draftHash) throw new PortalError("bad_request", "Resolutions need draftHash: the hash of the standard draft the conflicts were shown for (from the 409 answer).", { draftHash: "required with resolutions" });
          if (input.draftHash !== draft.hash) {
            throw logged(
              p,
              input.actor,
              new MergeConflictError(
                `The draft of ${standard.id} changed since these conflicts were shown, so the resolutions may no longer fit. Review the conflicts as they are now and apply again.`,
                plain.conflicts,
                draft.hash,
              ),
            );
          }
          const known = new Set(plain.conflicts.map((c) => c.index));
          const unknown = resolutions.filter((r) => !known.has(r.index)).map((r) => r.index);
          if (unknown.length) {
            throw new PortalError("unprocessable", `There is no conflict ${unknown.join(", ")} in this merge (conflicts: ${[...known].join(", ") || "none"}).`, { resolutions: "unknown conflict index" });
          }
        }
        const settled = new Map<number, ConflictResolution>(resolutions.map((r) => [r.index, "markdown" in r ? { markdown: r.markdown } : { take: r.take }]));
        const merge = settled.size ? mergeMarkdown({ base: base.markdown, ours: draft.markdown, theirs, labels, resolutions: settled }) : plain;
        if (merge.conflicts.length) {
          const n = merge.conflicts.length;
          throw logged(
            p,
            input.actor,
            new MergeConflictError(
              `${standard.id} changed since revision ${base.number} in ${n} place${n === 1 ? "" : "s"} that ${p.id} also changes. Nothing was applied. For each conflict choose the standard's text, the proposal's, or your own, and apply again with the resolutions and draftHash. (Or edit the standard's draft: where it reads as the proposal does, or as revision ${base.number} did, the proposal applies without a conflict.)`,
              merge.conflicts,
              draft.hash,
            ),
          );
        }
        saveDraft({ standardId: standard.id, markdown: merge.merged, actorId: input.actor.id });
        standardId = standard.id;
        auditData = { kind: p.kind, standardId, baseRevision: base.number, draftHash: draft.hash, resolved: settled.size };
      } else {
        const created = createStandard({ committee: p.committee, title: p.title, scope: scopeOf(theirs, p.rationale), actorId: input.actor.id });
        saveDraft({ standardId: created.id, markdown: textForNewStandard(theirs, { id: created.id, committee: p.committee, title: p.title }), actorId: input.actor.id });
        standardId = created.id;
        auditData = { kind: p.kind, standardId };
      }

      let revision;
      try {
        revision = freezeRevision({ standardId, actorId: input.actor.id });
      } catch (err) {
        if (err instanceof PortalError && err.code === "unprocessable") {
          throw new PortalError("unprocessable", `Applying ${p.id} would leave rule problems in ${standardId}, so nothing was applied. ${err.message}`, err.fields);
        }
        if (err instanceof PortalError && err.code === "conflict" && /unchanged/.test(err.message)) {
          throw new PortalError("conflict", `${standardId} already holds everything ${p.id} changes, and that text is already its latest revision: there is nothing to apply. Withdraw the proposal instead.`);
        }
        throw err;
      }
      db().update(proposals).set({ state: step.to, standardId, appliedRevision: revision.number, updatedAt: at }).where(eq(proposals.id, p.id)).run();
      recordAudit({ actorId: input.actor.id, action: "proposal.applied", subjectType: "proposal", subjectId: p.id, data: { ...auditData, revision: revision.number, hash: revision.hash } });
      notifyProposalDecided({ proposalId: p.id, decision: "applied", actorId: input.actor.id, standardId, revision: revision.number });
      return {
        proposal: toView(findProposal(p.id)!),
        revision: {
          standardId,
          number: revision.number,
          hash: revision.hash,
          ruleset: revision.ruleset,
          conformance: { passed: revision.conformance.passed, failed: revision.conformance.failed },
        },
      };
    },
    { behavior: "immediate" },
  );
}

/** Logs a refused apply (like a refused lifecycle step) and returns the same error. */
function logged<E extends PortalError>(p: ProposalRow, actor: Actor, err: E): E {
  refusedStep({ p, actor, step: "apply", message: err.message });
  return err;
}

/** The proposals section of a standard's page: the proposals on it the actor may read (open ones first) and whether they may propose one; null for the public. */
export function standardProposalsSection(actor: Actor | null, standard: { id: string; committee: string; status: StandardStatus }) {
  if (!actor || !can(actor, "standard.readDraft", standard)) return null;
  const order: ProposalState[] = ["in-ballot", "submitted", "approved", "draft", "rejected", "applied", "withdrawn"];
  const items = listProposals({ actor, filter: { standardId: standard.id } }).sort((a, b) => order.indexOf(a.state) - order.indexOf(b.state));
  const canPropose = can(actor, "proposal.create", standard) && standard.status !== "withdrawn" && latestRevision(standard.id) !== undefined;
  return { proposals: items, canPropose };
}

/** Committees (code and name) in which the actor may propose a new standard. */
export function committeesForProposals(actor: Actor | null): { code: string; name: string }[] {
  return db()
    .select({ code: committees.code, name: committees.name })
    .from(committees)
    .orderBy(asc(committees.code))
    .all()
    .filter((c) => can(actor, "proposal.create", { committee: c.code, status: "draft" }));
}

/** Everything the proposal's page shows: the proposal, its redline, what the actor may do, the text to render, the amended standard's title, an open ballot. */
export function getProposalPage(input: { id: string; actor: Actor }) {
  const p = readableProposal(input.actor, input.id);
  const view = toView(p);
  const standard = p.standardId ? getStandard(p.standardId) : undefined;
  const ballot = activeBallotOnProposal(p.id);
  // Where a proposal that left the path stopped: for the lifecycle indicator.
  const stoppedAt: ProposalState | null = p.state === "rejected" ? "in-ballot" : p.state === "withdrawn" ? (p.decidedAt ? "in-ballot" : p.submittedAt ? "submitted" : "draft") : null;
  return {
    proposal: view,
    stoppedAt,
    standardTitle: standard?.title ?? null,
    diff: proposalDiff({ id: p.id, actor: input.actor }),
    can: proposalAbilities(input.actor, p),
    canEditStandard: standard ? can(input.actor, "standard.editDraft", standard) : false,
    // Shown in the page's "text" section (an h2): the text's own headings start at h3.
    segments: documentSegments(view.markdown, { headingShift: 2 }),
    ballotId: ballot?.id ?? null,
  };
}
