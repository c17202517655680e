// Three-way merge of standard Markdown, block by block. Pure: no I/O, no database.
//
// The texts are split into the same blocks the redline uses (paragraphs, headings, list items, table
// rows, fenced code; a ```rule block is one block, never merged inside), and node-diff3 merges the
// block sequences. A change made on one side only is taken; the same change made on both sides is
// taken once; changes that touch the same blocks are a conflict, reported with all three versions.
// Two changes to *adjacent* blocks are not an overlap (GNU diff3 would call them one): they merge.
// An insertion next to a block the other side changed stays a conflict, because where the new block
// belongs relative to the changed one is a judgement call.
//
// Nothing is dropped: with conflicts left, `merged` carries every side of each conflict between
// markers, and `conflicts` lists them; callers that store text store it only when there are none.
import { diffWords } from "diff";
import { diff3Merge, diffIndices } from "node-diff3";
import { markdownBlocks } from "./redline";

/**
 * One place where both sides changed the same blocks. `index` is the conflict's 0-based position
 * among all conflicts of the merge (stable for the same three texts, so a resolution can name it);
 * `base`, `ours` and `theirs` are the blocks of each side there; `markdown` is each side's region as
 * one standard Markdown text (table rows and tight lists kept together), a starting point for a
 * resolution; `lines` are the 1-based lines where the region starts in each text (null when that
 * side has no block there).
 */
export type MergeConflict = {
  index: number;
  base: string[];
  ours: string[];
  theirs: string[];
  markdown: { base: string; ours: string; theirs: string };
  lines: { base: number | null; ours: number | null; theirs: number | null };
};

/** The merge: the merged standard Markdown and the conflicts still to resolve (none = `merged` is final). */
export type MergeResult = { merged: string; conflicts: MergeConflict[] };

/** How to settle one conflict: take one side's blocks as they are, or the text an editor wrote. */
export type ConflictResolution = { take: "ours" | "theirs" | "base" } | { markdown: string };

/** Labels of the conflict markers written into `merged` for unresolved conflicts. */
export type MergeLabels = { ours: string; base: string; theirs: string };

const DEFAULT_LABELS: MergeLabels = { ours: "ours", base: "base", theirs: "theirs" };

/**
 * A block as the merge compares it: the separator that precedes it ("\n" when it follows the
 * previous block directly, as table rows and tight list items do, else a blank line) and its
 * exact text. Keeping the separator in the unit lets a merge rebuild tables and lists exactly.
 */
type Unit = { key: string; line: number };

const TIGHT = "\n";
const LOOSE = "\n\n";

function unitsOf(markdown: string): Unit[] {
  let previousEnd = Number.NEGATIVE_INFINITY;
  return markdownBlocks(markdown).map((b) => {
    const tight = b.line === previousEnd + 1;
    previousEnd = b.line + b.text.split("\n").length - 1;
    return { key: (tight ? TIGHT : LOOSE) + b.text, line: b.line };
  });
}

const textOf = (key: string) => key.replace(/^\n+/, "");
const separatorOf = (key: string) => (key.startsWith(LOOSE) ? LOOSE : TIGHT);

/** Joins units back into standard Markdown: no leading blank lines, one final newline. */
function joinUnits(keys: readonly string[]): string {
  const text = keys.join("").replace(/^\n+/, "");
  return text === "" ? "" : text + "\n";
}

type Hunk = { start: number; end: number; content: string[] };

/**
 * One side's changes of the base. A run of n blocks replaced by n blocks is split into n one-block
 * replacements, so that a change both sides made inside a larger edit is recognised as the same.
 */
function hunks(o: string[], side: string[]): Hunk[] {
  return diffIndices(o, side).flatMap((h) => {
    const [start, length] = h.buffer1;
    const content = h.buffer2Content;
    if (length > 1 && content.length === length) return content.map((c, i) => ({ start: start + i, end: start + i + 1, content: [c] }));
    return [{ start, end: start + length, content }];
  });
}

const sameHunk = (x: Hunk, y: Hunk) => x.start === y.start && x.end === y.end && x.content.length === y.content.length && x.content.every((c, i) => c === y.content[i]);

/** Whether two changes of the base (one per side) touch the same blocks or compete for the same position. */
function overlap(x: Hunk, y: Hunk): boolean {
  if (x.start < y.end && y.start < x.end) return true;
  const xInserts = x.start === x.end;
  const yInserts = y.start === y.end;
  if (xInserts && yInserts) return x.start === y.start;
  if (xInserts) return y.start <= x.start && x.start <= y.end;
  if (yInserts) return x.start <= y.start && y.start <= x.end;
  return false; // disjoint changes, possibly adjacent
}

/**
 * diff3 treats changes to adjacent blocks as one conflict. Re-examine such a region: when no change
 * of one side overlaps a change of the other, apply both; otherwise it stays a conflict (null).
 */
function refine(o: string[], a: string[], b: string[]): string[] | null {
  const fromA = hunks(o, a);
  const fromB = hunks(o, b);
  const all: Hunk[] = [...fromA];
  for (const y of fromB) {
    const twin = fromA.find((x) => sameHunk(x, y));
    if (twin) continue;
    if (fromA.some((x) => overlap(x, y))) return null;
    all.push(y);
  }
  all.sort((x, y) => x.start - y.start || x.end - y.end);
  const out: string[] = [];
  let at = 0;
  for (const h of all) {
    out.push(...o.slice(at, h.start), ...h.content);
    at = h.end;
  }
  out.push(...o.slice(at));
  return out;
}

/** The units an editor's own text contributes, attached to the surroundings like the blocks it replaces. */
function resolutionUnits(markdown: string, replaced: string[]): string[] {
  const keys = unitsOf(markdown).map((u) => u.key);
  if (keys.length && replaced.length) keys[0] = separatorOf(replaced[0]) + textOf(keys[0]);
  return keys;
}

/**
 * Merges `theirs` into `ours`, both derived from `base`, block by block (node-diff3's diff3Merge
 * over the block sequences). Conflicts named in `resolutions` (by index) are settled as given; the
 * others are returned, and `merged` shows them between conflict markers with all three versions.
 */
export function mergeMarkdown(input: {
  base: string;
  ours: string;
  theirs: string;
  resolutions?: ReadonlyMap<number, ConflictResolution>;
  labels?: Partial<MergeLabels>;
}): MergeResult {
  const labels = { ...DEFAULT_LABELS, ...input.labels };
  const base = unitsOf(input.base);
  const ours = unitsOf(input.ours);
  const theirs = unitsOf(input.theirs);
  const regions = diff3Merge(
    ours.map((u) => u.key),
    base.map((u) => u.key),
    theirs.map((u) => u.key),
    { excludeFalseConflicts: true },
  );

  const out: string[] = [];
  const conflicts: MergeConflict[] = [];
  let index = 0;
  for (const region of regions) {
    if (region.ok) {
      out.push(...region.ok);
      continue;
    }
    const c = region.conflict!;
    const refined = refine(c.o, c.a, c.b);
    if (refined) {
      out.push(...refined);
      continue;
    }
    const resolution = input.resolutions?.get(index);
    if (resolution) {
      if ("markdown" in resolution) out.push(...resolutionUnits(resolution.markdown, c.a.length ? c.a : c.b.length ? c.b : c.o));
      else out.push(...(resolution.take === "ours" ? c.a : resolution.take === "theirs" ? c.b : c.o));
    } else {
      conflicts.push({
        index,
        base: c.o.map(textOf),
        ours: c.a.map(textOf),
        theirs: c.b.map(textOf),
        markdown: { base: joinUnits(c.o), ours: joinUnits(c.a), theirs: joinUnits(c.b) },
        lines: {
          base: c.o.length ? base[c.oIndex].line : null,
          ours: c.a.length ? ours[c.aIndex].line : null,
          theirs: c.b.length ? theirs[c.bIndex].line : null,
        },
      });
      out.push(
        `${LOOSE}<<<<<<< ${labels.ours}`,
        ...c.a,
        `${LOOSE}||||||| ${labels.base}`,
        ...c.o,
        `${LOOSE}=======`,
        ...c.b,
        `${LOOSE}>>>>>>> ${labels.theirs}`,
      );
    }
    index++;
  }
  return { merged: joinUnits(out), conflicts };
}

/** A piece of one side of a conflict compared with the base: unchanged, inserted or deleted words. */
export type SideSegment = { op: "equal" | "insert" | "delete"; text: string };

/** How each side of a conflict differs from the base, word by word (for showing the conflict, not for merging). */
export function conflictChanges(conflict: Pick<MergeConflict, "markdown">): { ours: SideSegment[]; theirs: SideSegment[] } {
  const words = (from: string, to: string): SideSegment[] => {
    const out: SideSegment[] = [];
    const changes = diffWords(from, to, { timeout: 200 }) ?? [
      { value: from, added: false, removed: true, count: 1 },
      { value: to, added: true, removed: false, count: 1 },
    ];
    for (const c of changes) {
      const op = c.added ? "insert" : c.removed ? "delete" : "equal";
      const last = out[out.length - 1];
      if (last && last.op === op) last.text += c.value;
      else if (c.value !== "") out.push({ op, text: c.value });
    }
    return out;
  };
  return { ours: words(conflict.markdown.base, conflict.markdown.ours), theirs: words(conflict.markdown.base, conflict.markdown.theirs) };
}
