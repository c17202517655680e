/**
 * What a draft's text amounts to, computed without the database: its hash, its rule set,
 * conformance and rule problems (`analyseDraft`), and its rows in the search index
 * (`draftIndexRows`). The portal's writes use it (drafts.server.ts, search.server.ts), and so does
 * the derive worker (collab/derive-worker.ts), which prepares a live document's draft off the event
 * loop (`prepareDraft`) so that only the database writes are left to the main thread (ADR 0013).
 */
import { createHash } from "node:crypto";
import { markdownBlocks } from "./redline";
import { runConformance, type ExampleResult, type Rule, type RuleSet } from "./rules";
import { extractRules, type RuleBlockError } from "./standard-file";

/** Conformance of a draft or revision: counts and one result per example. */
export type Conformance = { passed: number; failed: number; results: ExampleResult[] };

/** What the rule blocks of a text amount to: the valid rules, conformance, and problems to fix. */
export type DraftAnalysis = { ruleset: RuleSet; conformance: Conformance; ruleErrors: RuleBlockError[] };

/** Normalises line endings: standard Markdown is stored with LF only, so equal texts hash equally. */
export function normalizeMarkdown(markdown: string): string {
  return markdown.replace(/\r\n?/g, "\n");
}

/** Hex SHA-256 of a text's UTF-8 bytes (the contract's revision hash). */
export function textHash(markdown: string): string {
  return createHash("sha256").update(markdown, "utf8").digest("hex");
}

/** The prefix of a standard's rule ids: `EWTP-TAR-001` → `TAR-001.R`. */
export function ruleIdPrefix(standardId: string): string {
  return `${standardId.replace(/^EWTP-/, "")}.R`;
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

/** One row of the search index for a standard (without its id and standard). */
export type IndexRow = { kind: "standard" | "draft" | "rule"; ref: string; title: string; body: string };

const MARKERS = /[\u0002\u0003]/g;

/** Removes the snippet markers (U+0002, U+0003) from indexed text, so a document can never fake a highlight. */
export function cleanIndexText(text: string): string {
  return text.replace(MARKERS, "");
}

/** The prose of a draft cut into sections at its headings (```rule blocks left out): heading text and body. */
export function draftSections(markdown: string): { heading: string; body: string }[] {
  const sections: { heading: string; body: string[] }[] = [{ heading: "", body: [] }];
  for (const block of markdownBlocks(markdown)) {
    if (block.kind === "rule") continue;
    if (block.kind === "heading") {
      const first = block.text.split("\n")[0];
      sections.push({ heading: first.replace(/^ {0,3}#{1,6}[ \t]*/, "").replace(/[ \t]+#+[ \t]*$/, "").trim(), body: [] });
    } else sections[sections.length - 1].body.push(block.text);
  }
  return sections.filter((s) => s.heading !== "" || s.body.length > 0).map((s) => ({ heading: s.heading, body: s.body.join("\n\n") }));
}

/** A draft's rows in the search index: one per section of its prose, one per valid rule. */
export function draftIndexRows(markdown: string, rules: readonly Rule[]): IndexRow[] {
  const rows: IndexRow[] = [];
  for (const section of draftSections(markdown)) rows.push({ kind: "draft", ref: cleanIndexText(section.heading), title: cleanIndexText(section.heading), body: cleanIndexText(section.body) });
  for (const rule of rules) rows.push({ kind: "rule", ref: rule.id, title: cleanIndexText(rule.title), body: cleanIndexText(`${rule.id}\n${rule.description}`) });
  return rows;
}

/**
 * A draft text made ready for its row: everything `storeDraft` would compute from it, as strings
 * where the row stores strings (a worker's answer crosses threads by copying, and strings copy cheaply).
 * Valid for this standard, this exact text and this set of retired rule ids only.
 */
export type PreparedDraft = {
  standardId: string;
  markdown: string;
  hash: string;
  /** The retired rule ids it was analysed against, sorted. */
  retired: string[];
  rulesetJson: string;
  conformanceJson: string;
  ruleErrorsJson: string;
  ruleCount: number;
  ruleErrorCount: number;
  indexRows: IndexRow[];
};

/** Prepares a (normalized) draft text for its row: hash, analysis and search rows. */
export function prepareDraft(standardId: string, markdown: string, retired: ReadonlySet<string>): PreparedDraft {
  const analysis = analyseDraft(standardId, markdown, retired);
  return {
    standardId,
    markdown,
    hash: textHash(markdown),
    retired: [...retired].sort(),
    rulesetJson: JSON.stringify(analysis.ruleset),
    conformanceJson: JSON.stringify(analysis.conformance),
    ruleErrorsJson: JSON.stringify(analysis.ruleErrors),
    ruleCount: analysis.ruleset.rules.length,
    ruleErrorCount: analysis.ruleErrors.length,
    indexRows: draftIndexRows(markdown, analysis.ruleset.rules),
  };
}
