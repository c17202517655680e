// The redline between two texts of a standard: a block-level alignment of the prose with word-level
// changes inside changed blocks, and a semantic diff of the rules. Pure: no I/O, no database.
//
// Why blocks first: a word diff over a whole 100-page text is slow and, worse, misleading: a moved
// paragraph turns into hundreds of scattered word edits. Aligning blocks (paragraphs, headings,
// list items, table rows, code) first makes a move a move, and a changed word in a table cell a word
// change in that row. ```rule blocks are left out of the prose diff: the rule diff covers them.
import { diffArrays, diffWords } from "diff";
import { canonicalJson, type Rule } from "./rules";

/** What kind of Markdown block a piece of text is. */
export type BlockKind = "heading" | "paragraph" | "list-item" | "table-row" | "quote" | "code" | "rule" | "break" | "html";

/** One block of a Markdown text, with the 1-based line it starts on. */
export type MarkdownBlock = { kind: BlockKind; text: string; line: number };

/** A piece of a changed block: unchanged, inserted or deleted words (with their spacing). */
export type WordSegment = { op: "equal" | "insert" | "delete"; text: string };

/**
 * One change in the prose. `insert`: a block only in the new text; `delete`: only in the old;
 * `change`: the same block with words changed. A moved block is a `delete` and an `insert` that
 * share a `move` (its id and both lines). Lines are 1-based; `fromLine` is null for inserts,
 * `toLine` null for deletes.
 */
export type TextHunk = {
  op: "insert" | "delete" | "change";
  block: BlockKind;
  fromLine: number | null;
  toLine: number | null;
  words: WordSegment[];
  move?: { id: number; fromLine: number; toLine: number };
};

/** The semantic difference between two rule sets: rule ids added, removed, and changed with the fields that changed. */
export type RuleDiff = { added: string[]; removed: string[]; changed: { id: string; fields: string[] }[] };

/** A semantic version bump. */
export type Bump = "major" | "minor" | "patch";

const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const SETEXT_UNDERLINE = /^ {0,3}(?:=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const TABLE_ROW = /^ {0,3}\|/;
const LIST_ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const QUOTE = /^ {0,3}>/;
const HTML_BLOCK = /^ {0,3}<(?:!--|[A-Za-z][A-Za-z0-9-]*[\s/>])/;

function startsBlock(line: string): boolean {
  return OPENING_FENCE.test(line) || HEADING.test(line) || TABLE_ROW.test(line) || LIST_ITEM.test(line) || QUOTE.test(line) || THEMATIC_BREAK.test(line);
}

/**
 * Splits standard Markdown into blocks: fenced code (```rule blocks as kind "rule"), headings,
 * paragraphs, list items (each item with its continuation lines), table rows (one block per row),
 * block quotes, thematic breaks and HTML blocks. Blank lines separate blocks.
 */
export function markdownBlocks(markdown: string): MarkdownBlock[] {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const blocks: MarkdownBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    const start = i;
    const fence = OPENING_FENCE.exec(line);
    if (fence && !(fence[2][0] === "`" && fence[3].includes("`"))) {
      const marker = fence[2];
      i++;
      while (i < lines.length) {
        const close = CLOSING_FENCE.exec(lines[i]);
        i++;
        if (close && close[1][0] === marker[0] && close[1].length >= marker.length) break;
      }
      blocks.push({ kind: fence[3].trim() === "rule" ? "rule" : "code", text: lines.slice(start, i).join("\n"), line: start + 1 });
      continue;
    }
    if (HEADING.test(line)) {
      blocks.push({ kind: "heading", text: line, line: start + 1 });
      i++;
      continue;
    }
    if (THEMATIC_BREAK.test(line)) {
      blocks.push({ kind: "break", text: line, line: start + 1 });
      i++;
      continue;
    }
    if (TABLE_ROW.test(line)) {
      blocks.push({ kind: "table-row", text: line, line: start + 1 });
      i++;
      continue;
    }
    let kind: BlockKind = "paragraph";
    if (QUOTE.test(line)) kind = "quote";
    else if (LIST_ITEM.test(line)) kind = "list-item";
    else if (HTML_BLOCK.test(line)) kind = "html";
    i++;
    while (i < lines.length && lines[i].trim() !== "") {
      const next = lines[i];
      if (kind === "quote") {
        if (!QUOTE.test(next)) break;
      } else if (startsBlock(next) && !(kind === "paragraph" && SETEXT_UNDERLINE.test(next))) {
        break;
      }
      i++;
    }
    const text = lines.slice(start, i).join("\n");
    // A paragraph underlined with === or --- is a (setext) heading.
    if (kind === "paragraph" && i - start >= 2 && SETEXT_UNDERLINE.test(lines[i - 1])) kind = "heading";
    blocks.push({ kind, text, line: start + 1 });
  }
  return blocks;
}

/** The prose of a standard: every block except ```rule blocks, separated by blank lines (for the text diff and the search index). */
export function proseOf(markdown: string): string {
  return markdownBlocks(markdown)
    .filter((b) => b.kind !== "rule")
    .map((b) => b.text)
    .join("\n\n");
}

/** Whitespace-insensitive identity of a block: its kind and its words. */
function blockKey(b: MarkdownBlock): string {
  return `${b.kind}\u0000${b.text.trim().replace(/\s+/g, " ")}`;
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Dice coefficient of the two blocks' word multisets: 1 for the same words, 0 for none in common. */
function similarity(a: string[], b: string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const w of a) counts.set(w, (counts.get(w) ?? 0) + 1);
  let common = 0;
  for (const w of b) {
    const n = counts.get(w) ?? 0;
    if (n > 0) {
      common++;
      counts.set(w, n - 1);
    }
  }
  return (2 * common) / (a.length + b.length);
}

/** Word-level changes between two versions of one block. */
function wordSegments(from: string, to: string): WordSegment[] {
  const changes = diffWords(from, to, { timeout: 200 }) ?? [
    { value: from, removed: true, added: false, count: 1 },
    { value: to, removed: false, added: true, count: 1 },
  ];
  const out: WordSegment[] = [];
  for (const c of changes) {
    const op = c.added ? "insert" : c.removed ? "delete" : "equal";
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += c.value;
    else if (c.value !== "") out.push({ op, text: c.value });
  }
  return out;
}

type Indexed = { block: MarkdownBlock; index: number; words?: string[] };
type Pending = { kind: "delete"; item: Indexed } | { kind: "insert"; item: Indexed } | { kind: "change"; from: Indexed; to: Indexed };

const PAIR_THRESHOLD = 0.5;
const PAIR_LOOKAHEAD = 40;

/** Pairs the removed and added blocks of one changed stretch into word-level changes, in document order. */
function pairRun(removed: Indexed[], added: Indexed[]): Pending[] {
  const out: Pending[] = [];
  const wordsOf = (x: Indexed) => (x.words ??= words(x.block.text));
  let j = 0;
  for (const r of removed) {
    let best = -1;
    let bestScore = 0;
    for (let k = j; k < Math.min(added.length, j + PAIR_LOOKAHEAD); k++) {
      if (added[k].block.kind !== r.block.kind) continue;
      const score = similarity(wordsOf(r), wordsOf(added[k]));
      // A lone block replaced by a lone block of its kind is a change when it keeps some words.
      const lone = removed.length === 1 && added.length === 1 && score > 0;
      if ((score >= PAIR_THRESHOLD || lone) && score > bestScore) {
        best = k;
        bestScore = score;
        if (score === 1) break;
      }
    }
    if (best < 0) {
      out.push({ kind: "delete", item: r });
      continue;
    }
    for (; j < best; j++) out.push({ kind: "insert", item: added[j] });
    out.push({ kind: "change", from: r, to: added[best] });
    j = best + 1;
  }
  for (; j < added.length; j++) out.push({ kind: "insert", item: added[j] });
  return out;
}

/**
 * The prose redline between two standard Markdown texts: blocks aligned first (```rule blocks
 * excluded), then words compared inside blocks that changed. Whitespace-only changes are no change.
 */
export function redline(fromMarkdown: string, toMarkdown: string): TextHunk[] {
  const from = markdownBlocks(fromMarkdown).filter((b) => b.kind !== "rule");
  const to = markdownBlocks(toMarkdown).filter((b) => b.kind !== "rule");
  const fromKeys = from.map(blockKey);
  const toKeys = to.map(blockKey);
  const aligned = diffArrays(fromKeys, toKeys);

  // Stretches of removed/added blocks between unchanged ones.
  const runs: { removed: Indexed[]; added: Indexed[] }[] = [];
  let fi = 0;
  let ti = 0;
  let run: { removed: Indexed[]; added: Indexed[] } | null = null;
  for (const part of aligned) {
    if (!part.added && !part.removed) {
      run = null;
      fi += part.count;
      ti += part.count;
      continue;
    }
    if (!run) runs.push((run = { removed: [], added: [] }));
    for (let k = 0; k < part.count; k++) {
      if (part.removed) run.removed.push({ block: from[fi], index: fi++ });
      else run.added.push({ block: to[ti], index: ti++ });
    }
  }

  // Moves: a block removed in one place and added, word for word, in another.
  const removedByKey = new Map<string, Indexed[]>();
  for (const r of runs.flatMap((x) => x.removed)) {
    const key = fromKeys[r.index];
    removedByKey.set(key, [...(removedByKey.get(key) ?? []), r]);
  }
  const moveOf = new Map<Indexed, { id: number; fromLine: number; toLine: number }>();
  let moveId = 0;
  for (const a of runs.flatMap((x) => x.added)) {
    const candidates = removedByKey.get(toKeys[a.index]);
    const r = candidates?.shift();
    if (!r) continue;
    const move = { id: ++moveId, fromLine: r.block.line, toLine: a.block.line };
    moveOf.set(r, move);
    moveOf.set(a, move);
  }

  const hunks: TextHunk[] = [];
  for (const { removed, added } of runs) {
    const moved = (x: Indexed) => moveOf.has(x);
    const pending = pairRun(removed.filter((x) => !moved(x)), added.filter((x) => !moved(x)));
    // Put the moved blocks back in their places among the others (deletes by old index, inserts by new).
    const items: Pending[] = [];
    const movedRemoved = removed.filter(moved);
    const movedAdded = added.filter(moved);
    for (const p of pending) {
      const fromIndex = p.kind === "insert" ? Infinity : p.kind === "delete" ? p.item.index : p.from.index;
      const toIndex = p.kind === "delete" ? Infinity : p.kind === "insert" ? p.item.index : p.to.index;
      while (movedRemoved.length && movedRemoved[0].index < fromIndex) items.push({ kind: "delete", item: movedRemoved.shift()! });
      while (movedAdded.length && movedAdded[0].index < toIndex) items.push({ kind: "insert", item: movedAdded.shift()! });
      items.push(p);
    }
    for (const r of movedRemoved) items.push({ kind: "delete", item: r });
    for (const a of movedAdded) items.push({ kind: "insert", item: a });

    for (const p of items) {
      if (p.kind === "change") {
        hunks.push({ op: "change", block: p.to.block.kind, fromLine: p.from.block.line, toLine: p.to.block.line, words: wordSegments(p.from.block.text, p.to.block.text) });
        continue;
      }
      const { block } = p.item;
      const hunk: TextHunk =
        p.kind === "delete"
          ? { op: "delete", block: block.kind, fromLine: block.line, toLine: null, words: [{ op: "delete", text: block.text }] }
          : { op: "insert", block: block.kind, fromLine: null, toLine: block.line, words: [{ op: "insert", text: block.text }] };
      const move = moveOf.get(p.item);
      if (move) hunk.move = move;
      hunks.push(hunk);
    }
  }
  return hunks;
}

const RULE_FIELD_ORDER = ["title", "description", "when", "then", "examples"];

/** The fields of two versions of a rule that differ, compared as canonical JSON (key order and spacing do not matter). */
export function changedRuleFields(from: Rule, to: Rule): string[] {
  const a = from as unknown as Record<string, unknown>;
  const b = to as unknown as Record<string, unknown>;
  const extra = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => k !== "id" && !RULE_FIELD_ORDER.includes(k)).sort();
  return [...RULE_FIELD_ORDER, ...extra].filter((field) => canonicalJson(a[field]) !== canonicalJson(b[field]));
}

/** The semantic rule diff: ids added (in new order), removed (in old order), and changed with the names of the changed fields. */
export function ruleDiff(fromRules: Rule[], toRules: Rule[]): RuleDiff {
  const before = new Map(fromRules.map((r) => [r.id, r]));
  const after = new Map(toRules.map((r) => [r.id, r]));
  const added = toRules.filter((r) => !before.has(r.id)).map((r) => r.id);
  const removed = fromRules.filter((r) => !after.has(r.id)).map((r) => r.id);
  const changed: RuleDiff["changed"] = [];
  for (const rule of toRules) {
    const old = before.get(rule.id);
    if (!old) continue;
    const fields = changedRuleFields(old, rule);
    if (fields.length) changed.push({ id: rule.id, fields });
  }
  return { added, removed, changed };
}

/** The version bump a change calls for: a removed or changed rule → major, an added rule → minor, anything else (text only, or nothing) → patch. */
export function suggestBump(diff: RuleDiff, textChanged: boolean): Bump {
  if (diff.removed.length > 0 || diff.changed.length > 0) return "major";
  if (diff.added.length > 0) return "minor";
  void textChanged; // text-only changes and no changes at all are both a patch
  return "patch";
}
