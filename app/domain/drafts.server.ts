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
import { analyseDraft, normalizeMarkdown, prepareDraft, textHash, type Conformance, type DraftAnalysis, type PreparedDraft } from "./draft-analysis";
import type { RuleSet } from "./rules";
import { indexStandard } from "./search.server";
import type { RuleBlockError } from "./standard-file";
import { retiredRuleIdsOf } from "./standards.server";

/** The largest draft accepted, in UTF-8 bytes of Markdown (a 100-page standard is about 300 KB). */
export const MAX_DRAFT_BYTES = 2 * 1024 * 1024;

export type { Conformance, DraftAnalysis } from "./draft-analysis";
export { analyseDraft } from "./draft-analysis";

/** The draft as the API and the editor show it. */
export type DraftView = DraftAnalysis & { standardId: string; markdown: string; hash: string; updatedAt: string; updatedBy: string | null };

export { normalizeMarkdown } from "./draft-analysis";

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

/** Writes a prepared draft's row (text, hash and analysis cache) and re-indexes the standard; call inside a transaction. */
export function writeDraftRow(prepared: PreparedDraft, actorId: string | null): void {
  const values = {
    markdown: prepared.markdown,
    hash: prepared.hash,
    updatedAt: new Date().toISOString(),
    updatedBy: actorId,
    rulesetJson: prepared.rulesetJson,
    conformanceJson: prepared.conformanceJson,
    ruleErrorsJson: prepared.ruleErrorsJson,
  };
  db()
    .insert(standardDrafts)
    .values({ standardId: prepared.standardId, ...values })
    .onConflictDoUpdate({ target: standardDrafts.standardId, set: values })
    .run();
  indexStandard(prepared.standardId, prepared.indexRows);
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
 * every few seconds while people type, on the event loop, and nobody reads the answer); returns the
 * hash of the draft as stored.
 */
export function storeDraft(input: {
  standardId: string;
  markdown: string;
  actorId: string | null;
  baseHash?: string;
  fromDocument?: boolean;
  /** The text already prepared (by the derive worker); used when it is this text, analysed against today's retired rule ids. */
  prepared?: PreparedDraft;
}): string {
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
  const hash = db().transaction(() => {
    const standard = db().select().from(standards).where(eq(standards.id, input.standardId)).get();
    if (!standard) throw new PortalError("not_found", `No standard ${input.standardId}.`);
    // (The hash only: the text is tens of kilobytes, and equal hashes are equal texts.)
    const current = db().select({ hash: standardDrafts.hash }).from(standardDrafts).where(eq(standardDrafts.standardId, input.standardId)).get();
    if (input.baseHash !== undefined && current && current.hash !== input.baseHash) {
      throw new PortalError("conflict", "The draft changed since you opened it. Reload it, reapply your change and save again.");
    }
    const given = input.prepared && input.prepared.standardId === input.standardId && input.prepared.markdown === markdown ? input.prepared : undefined;
    const hash = given?.hash ?? textHash(markdown);
    if (current && current.hash === hash) return hash;
    const retired = retiredRuleIdsOf(input.standardId);
    const prepared = given && sameIds(given.retired, retired) ? given : prepareDraft(input.standardId, markdown, retired);
    writeDraftRow(prepared, input.actorId);
    db().update(standards).set({ updatedAt: new Date().toISOString() }).where(eq(standards.id, input.standardId)).run();
    recordAudit({
      actorId: input.actorId,
      action: "standard.draftSaved",
      subjectType: "standard",
      subjectId: input.standardId,
      data: { hash, previousHash: current?.hash ?? null, bytes, rules: prepared.ruleCount, ruleErrors: prepared.ruleErrorCount },
    });
    return hash;
  });
  // The collaborative document is the live text: apply the saved text to it as one change that
  // connected editors see (unless the text came from that document).
  if (!input.fromDocument) liveDocuments()?.applyMarkdown(`standard.${input.standardId}`, markdown);
  return hash;
}

/** The hash of a standard's stored draft row, without deriving a live document first (undefined: no row). */
export function storedDraftHash(standardId: string): string | undefined {
  return db().select({ hash: standardDrafts.hash }).from(standardDrafts).where(eq(standardDrafts.standardId, standardId)).get()?.hash;
}

/** The text and hash of a standard's stored draft row, without deriving a live document first (undefined: no row). */
export function storedDraftText(standardId: string): { markdown: string; hash: string } | undefined {
  return db().select({ markdown: standardDrafts.markdown, hash: standardDrafts.hash }).from(standardDrafts).where(eq(standardDrafts.standardId, standardId)).get();
}

/** True when a sorted list of rule ids holds exactly the ids of a set. */
function sameIds(sorted: readonly string[], ids: ReadonlySet<string>): boolean {
  return sorted.length === ids.size && sorted.every((id) => ids.has(id));
}
