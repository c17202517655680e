/**
 * Frozen revisions of a standard: immutable snapshots of the draft numbered 00, 01, … holding the
 * standard Markdown, its Lexical JSON, the extracted rule set, the conformance results and the hex
 * SHA-256 of the Markdown. Nothing here updates or deletes a revision, and the database refuses to
 * (triggers in migrations 0002 and 0004, which also stop INSERT OR REPLACE). Ballots and releases build on these rows.
 */
import { and, asc, desc, eq } from "drizzle-orm";
import { retiredRuleIds, standardRevisions } from "../../db/schema";
import { markdownToEditorState } from "../editor/markdown";
import { db } from "../utils/db.server";
import { PortalError } from "../utils/errors";
import { recordAudit } from "./audit.server";
import { analyseDraft, getDraftView, type Conformance } from "./drafts.server";
import { redline, ruleDiff, suggestBump, type Bump, type RuleDiff, type TextHunk } from "./redline";
import type { RuleSet } from "./rules";
import { getDraft, getStandard, retiredRuleIdsOf, textHash } from "./standards.server";

/** A revision as listed with its standard. */
export type RevisionSummary = { number: string; hash: string; createdAt: string; createdBy: string | null };

/** A whole frozen revision. */
export type Revision = RevisionSummary & { standardId: string; markdown: string; lexical: unknown; ruleset: RuleSet; conformance: Conformance };

/** What a freeze produced: the revision, and the rule ids it retired. */
export type FrozenRevision = Revision & { retired: string[] };

/** The text and rule difference between two revisions (or a revision and the draft). */
export type StandardDiff = { from: string; to: string; text: TextHunk[]; rules: RuleDiff; suggestedBump: Bump };

/** The syntax of a revision number: two digits, three after revision 99. */
export const REVISION_NUMBER = /^[0-9]{2,3}$/;

/** The number after `last`: "00" first, then "01", …, "99", "100". */
export function nextRevisionNumber(last: string | undefined): string {
  return last === undefined ? "00" : String(Number(last) + 1).padStart(2, "0");
}

function toRevision(row: typeof standardRevisions.$inferSelect): Revision {
  return {
    standardId: row.standardId,
    number: row.number,
    hash: row.hash,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    markdown: row.markdown,
    lexical: JSON.parse(row.lexicalJson) as unknown,
    ruleset: JSON.parse(row.rulesetJson) as RuleSet,
    conformance: JSON.parse(row.conformanceJson) as Conformance,
  };
}

/** The revisions of a standard, oldest first (number, hash, when and by whom). */
export function listRevisions(standardId: string): RevisionSummary[] {
  return db()
    .select({ number: standardRevisions.number, hash: standardRevisions.hash, createdAt: standardRevisions.createdAt, createdBy: standardRevisions.createdBy })
    .from(standardRevisions)
    .where(eq(standardRevisions.standardId, standardId))
    .orderBy(asc(standardRevisions.id))
    .all();
}

/** One revision of a standard, or undefined. */
export function getRevision(standardId: string, number: string): Revision | undefined {
  const row = db()
    .select()
    .from(standardRevisions)
    .where(and(eq(standardRevisions.standardId, standardId), eq(standardRevisions.number, number)))
    .get();
  return row && toRevision(row);
}

/** The newest revision of a standard, or undefined when none was frozen. */
export function latestRevision(standardId: string): Revision | undefined {
  const row = db().select().from(standardRevisions).where(eq(standardRevisions.standardId, standardId)).orderBy(desc(standardRevisions.id)).limit(1).get();
  return row && toRevision(row);
}

/**
 * Freezes the current draft as the next revision. Refused (422, naming each rule and what to fix)
 * while any ```rule block is invalid, repeats an id or reuses a retired id; refused (409) when the
 * draft is unchanged since the last revision or the standard is withdrawn. Failing conformance
 * examples do not block: they are recorded in the revision. Rule ids in the previous revision
 * but not in this one are retired for good. One transaction with the audit entry.
 * Authorization (standard.freezeRevision) is the caller's job.
 */
export function freezeRevision(input: { standardId: string; actorId: string | null }): FrozenRevision {
  return db().transaction(
    () => {
      const standard = getStandard(input.standardId);
      if (!standard) throw new PortalError("not_found", `No standard ${input.standardId}.`);
      if (standard.status === "withdrawn") throw new PortalError("conflict", `${standard.id} is withdrawn: its text can no longer be revised.`);
      const draft = getDraft(standard.id);
      if (!draft) throw new PortalError("conflict", `${standard.id} has no draft to freeze.`);
      const previous = latestRevision(standard.id);
      if (previous && previous.hash === draft.hash) {
        throw new PortalError("conflict", `The draft is unchanged since revision ${previous.number}: there is nothing new to freeze.`);
      }

      const analysis = analyseDraft(standard.id, draft.markdown, retiredRuleIdsOf(standard.id));
      if (analysis.ruleErrors.length) {
        const n = analysis.ruleErrors.length;
        const list = analysis.ruleErrors.map((e, i) => `${i + 1}) ${e.message}`).join("; ");
        throw new PortalError(
          "unprocessable",
          `The revision was not frozen: ${n} rule problem${n === 1 ? "" : "s"} to fix in the draft first. ${list}`,
          Object.fromEntries(analysis.ruleErrors.map((e, i) => [`rules.${i}`, e.message])),
        );
      }

      let lexicalJson: string;
      try {
        const state: unknown = markdownToEditorState(draft.markdown);
        lexicalJson = typeof state === "string" ? state : JSON.stringify(state);
      } catch (err) {
        throw new PortalError("unprocessable", `The draft could not be converted for the editor (${err instanceof Error ? err.message : String(err)}). Simplify the Markdown near that construct and freeze again.`);
      }

      const number = nextRevisionNumber(previous?.number);
      const ruleset: RuleSet = { standard: standard.id, version: `revision-${number}`, rules: analysis.ruleset.rules };
      const hash = textHash(draft.markdown);
      const kept = new Set(ruleset.rules.map((r) => r.id));
      const retired = (previous?.ruleset.rules ?? []).map((r) => r.id).filter((id) => !kept.has(id));
      const row = db()
        .insert(standardRevisions)
        .values({
          standardId: standard.id,
          number,
          markdown: draft.markdown,
          lexicalJson,
          rulesetJson: JSON.stringify(ruleset),
          conformanceJson: JSON.stringify(analysis.conformance),
          hash,
          createdBy: input.actorId,
        })
        .returning()
        .get();
      for (const ruleId of retired) {
        db().insert(retiredRuleIds).values({ standardId: standard.id, ruleId, retiredInRevision: number }).run();
      }
      recordAudit({
        actorId: input.actorId,
        action: "standard.revisionFrozen",
        subjectType: "standard",
        subjectId: standard.id,
        data: { number, hash, rules: ruleset.rules.length, passed: analysis.conformance.passed, failed: analysis.conformance.failed, retired },
      });
      return { ...toRevision(row), retired };
    },
    { behavior: "immediate" },
  );
}

/** The text of a revision number, or of the current draft for "draft"; 404 when there is no such revision. */
function textAt(standardId: string, at: string): { markdown: string; rules: RuleSet["rules"] } {
  if (at === "draft") {
    const draft = getDraftView(standardId);
    if (!draft) throw new PortalError("not_found", `${standardId} has no draft.`);
    return { markdown: draft.markdown, rules: draft.ruleset.rules };
  }
  const revision = getRevision(standardId, at);
  if (!revision) throw new PortalError("not_found", `${standardId} has no revision ${at}. List its revisions with GET /standards/${standardId}.`);
  return { markdown: revision.markdown, rules: revision.ruleset.rules };
}

/** The redline between two revisions of a standard (either may be "draft"): prose hunks, the rule diff and the bump it suggests. */
export function diffRevisions(input: { standardId: string; from: string; to: string }): StandardDiff {
  const from = textAt(input.standardId, input.from);
  const to = textAt(input.standardId, input.to);
  const text = redline(from.markdown, to.markdown);
  const rules = ruleDiff(from.rules, to.rules);
  return { from: input.from, to: input.to, text, rules, suggestedBump: suggestBump(rules, text.length > 0) };
}
