/**
 * The working draft of a standard: reading it with its extracted rule set and conformance results,
 * and saving new text.
 *
 * Every read of the draft goes through `getDraftView` and every write through `saveDraft` (the API's
 * PUT, the editor page, later the collaboration server's store hook). Today the draft row in
 * `standard_drafts` is the source of truth; when the collaborative document becomes it, these two
 * functions change their insides (read the document's Markdown / apply one change to it) and
 * nothing that calls them does.
 */
import { eq } from "drizzle-orm";
import { standardDrafts, standards } from "../../db/schema";
import { liveDocuments } from "../collab/live.server";
import { db } from "../utils/db.server";
import { PortalError } from "../utils/errors";
import { recordAudit } from "./audit.server";
import { runConformance, type ExampleResult, type Rule, type RuleSet } from "./rules";
import { indexStandard } from "./search.server";
import { extractRules, type RuleBlockError } from "./standard-file";
import { retiredRuleIdsOf, ruleIdPrefix, textHash } from "./standards.server";

/** The largest draft accepted, in UTF-8 bytes of Markdown (a 100-page standard is about 300 KB). */
export const MAX_DRAFT_BYTES = 2 * 1024 * 1024;

/** Conformance of a draft or revision: counts and one result per example. */
export type Conformance = { passed: number; failed: number; results: ExampleResult[] };

/** What the rule blocks of a text amount to: the valid rules, conformance, and problems to fix. */
export type DraftAnalysis = { ruleset: RuleSet; conformance: Conformance; ruleErrors: RuleBlockError[] };

/** The draft as the API and the editor show it. */
export type DraftView = DraftAnalysis & { standardId: string; markdown: string; hash: string; updatedAt: string; updatedBy: string | null };

/** Normalises line endings: standard Markdown is stored with LF only, so equal texts hash equally. */
export function normalizeMarkdown(markdown: string): string {
  return markdown.replace(/\r\n?/g, "\n");
}

/**
 * Extracts and checks the rules of a standard's text: block errors from extractRules, plus one error
 * per rule that reuses a retired id of this standard (so the editor shows it long before freezing).
 */
export function analyseDraft(standardId: string, markdown: string, retired: ReadonlySet<string> = new Set()): DraftAnalysis {
  const { rules, errors } = extractRules(markdown, { idPrefix: ruleIdPrefix(standardId) });
  const ruleErrors = [...errors];
  const kept: Rule[] = [];
  for (const rule of rules) {
    if (retired.has(rule.id)) {
      ruleErrors.push({
        index: -1,
        line: lineOfRule(markdown, rule.id),
        message: `rule ${rule.id} reuses a retired rule id: it was removed in an earlier revision, and ids are never reused. Give the rule a new id.`,
      });
    } else kept.push(rule);
  }
  ruleErrors.sort((a, b) => a.line - b.line);
  const conformance = runConformance(kept);
  return { ruleset: { standard: standardId, version: "draft", rules: kept }, conformance, ruleErrors };
}

function lineOfRule(markdown: string, ruleId: string): number {
  const at = markdown.indexOf(`"${ruleId}"`);
  return at < 0 ? 0 : markdown.slice(0, at).split("\n").length;
}

function parseCache<T>(json: string | null): T | undefined {
  if (json === null) return undefined;
  try {
    return JSON.parse(json) as T;
  } catch {
    return undefined;
  }
}

/** The working draft of a standard with its rule set, conformance results and rule problems; undefined when there is none. */
export function getDraftView(standardId: string): DraftView | undefined {
  // A live collaborative document may hold text not yet derived into the row: write it first.
  liveDocuments()?.flush(`standard.${standardId}`);
  const row = db().select().from(standardDrafts).where(eq(standardDrafts.standardId, standardId)).get();
  if (!row) return undefined;
  const retired = retiredRuleIdsOf(standardId);
  const ruleset = parseCache<RuleSet>(row.rulesetJson);
  const conformance = parseCache<Conformance>(row.conformanceJson);
  const ruleErrors = parseCache<RuleBlockError[]>(row.ruleErrorsJson);
  // The cache is valid until a rule id is retired after it was written; recompute if it may be stale.
  const cached = ruleset && conformance && ruleErrors && !ruleset.rules.some((r) => retired.has(r.id));
  const analysis = cached ? { ruleset, conformance, ruleErrors } : analyseDraft(standardId, row.markdown, retired);
  return {
    standardId,
    markdown: row.markdown,
    hash: row.hash,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
    ...analysis,
  };
}

/** Writes a draft row (text, hash and analysis cache) and re-indexes the standard; call inside a transaction. */
export function writeDraftRow(input: { standardId: string; markdown: string; actorId: string | null; analysis: DraftAnalysis }): void {
  const values = {
    markdown: input.markdown,
    hash: textHash(input.markdown),
    updatedAt: new Date().toISOString(),
    updatedBy: input.actorId,
    rulesetJson: JSON.stringify(input.analysis.ruleset),
    conformanceJson: JSON.stringify(input.analysis.conformance),
    ruleErrorsJson: JSON.stringify(input.analysis.ruleErrors),
  };
  db()
    .insert(standardDrafts)
    .values({ standardId: input.standardId, ...values })
    .onConflictDoUpdate({ target: standardDrafts.standardId, set: values })
    .run();
  indexStandard(input.standardId);
}

/**
 * Saves new draft text: refuses more than MAX_DRAFT_BYTES (413) and, when `baseHash` is given, a
 * draft that changed since the caller read it (409). Stores text, hash and analysis, re-indexes
 * search and records an audit entry, all in one transaction. Saving identical text changes nothing.
 * Authorization (standard.editDraft) is the caller's job. The text is then applied to the live
 * collaborative document, if there is one (`fromDocument`: the text came from it).
 */
export function saveDraft(input: { standardId: string; markdown: string; actorId: string | null; baseHash?: string; fromDocument?: boolean }): DraftView {
  storeDraft(input);
  return getDraftView(input.standardId)!;
}

/**
 * `saveDraft` without reading the saved draft back (the derived drafts of live documents write
 * every few seconds while people type, on the event loop, and nobody reads the answer).
 */
export function storeDraft(input: { standardId: string; markdown: string; actorId: string | null; baseHash?: string; fromDocument?: boolean }): void {
  // Compare against the live text, not a row that lags the collaborative document.
  if (!input.fromDocument) liveDocuments()?.flush(`standard.${input.standardId}`);
  const markdown = normalizeMarkdown(input.markdown);
  const bytes = Buffer.byteLength(markdown, "utf8");
  if (bytes > MAX_DRAFT_BYTES) {
    throw new PortalError(
      "payload_too_large",
      `The draft is ${bytes} bytes; the limit is ${MAX_DRAFT_BYTES} bytes (2 MiB) of Markdown. Split the standard or move annexes into separate standards.`,
    );
  }
  db().transaction(() => {
    const standard = db().select().from(standards).where(eq(standards.id, input.standardId)).get();
    if (!standard) throw new PortalError("not_found", `No standard ${input.standardId}.`);
    const current = db().select().from(standardDrafts).where(eq(standardDrafts.standardId, input.standardId)).get();
    if (input.baseHash !== undefined && current && current.hash !== input.baseHash) {
      throw new PortalError("conflict", "The draft changed since you opened it. Reload it, reapply your change and save again.");
    }
    const hash = textHash(markdown);
    if (current && current.hash === hash && current.markdown === markdown) return;
    const analysis = analyseDraft(input.standardId, markdown, retiredRuleIdsOf(input.standardId));
    writeDraftRow({ standardId: input.standardId, markdown, actorId: input.actorId, analysis });
    db().update(standards).set({ updatedAt: new Date().toISOString() }).where(eq(standards.id, input.standardId)).run();
    recordAudit({
      actorId: input.actorId,
      action: "standard.draftSaved",
      subjectType: "standard",
      subjectId: input.standardId,
      data: { hash, previousHash: current?.hash ?? null, bytes, rules: analysis.ruleset.rules.length, ruleErrors: analysis.ruleErrors.length },
    });
  });
  // The collaborative document is the live text: apply the saved text to it as one change that
  // connected editors see (unless the text came from that document).
  if (!input.fromDocument) liveDocuments()?.applyMarkdown(`standard.${input.standardId}`, markdown);
}
