/**
 * Re-finding a commented passage in a document's current plain text (pure; shared by the server
 * and the browser). An anchor is the quoted passage with some text before (prefix) and after
 * (suffix) it. Matching is exact up to whitespace: every run of whitespace counts as one space, so
 * re-wrapped or re-indented text still matches. When the quote occurs several times, the prefix and
 * suffix choose between the occurrences; when it no longer occurs, the passage is gone (null) and the
 * comment is detached: a passage is never guessed elsewhere.
 */

/** A commented passage as quoted when the comment was made. */
export type Anchor = { quote: string; prefix?: string | null; suffix?: string | null };

/** Where a passage is, as offsets into the text searched (`end` exclusive). */
export type AnchorRange = { start: number; end: number };

/** A found passage; `ambiguous` when several occurrences fit the prefix and suffix equally well. */
export type AnchorMatch = AnchorRange & { ambiguous: boolean; occurrences: number };

/** How many characters of context are kept before and after a quote. */
export const CONTEXT_CHARS = 32;

/** The longest quote kept (characters); longer selections are refused. */
export const MAX_QUOTE_CHARS = 2000;

/** Collapses every run of whitespace to one space and trims the ends. */
export function normalizeWhitespace(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/** The text with whitespace runs collapsed, and for each character of it the offset it came from. */
function collapse(text: string): { text: string; origin: number[] } {
  let out = "";
  const origin: number[] = [];
  let inSpace = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      if (inSpace) continue;
      inSpace = true;
      out += " ";
    } else {
      inSpace = false;
      out += ch;
    }
    origin.push(i);
  }
  origin.push(text.length);
  return { text: out, origin };
}

/** Length of the longest common suffix of `a` and `b`. */
function commonSuffix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

/** Length of the longest common prefix of `a` and `b`. */
function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * Finds the anchor's passage in `text`: exact (up to whitespace); among several occurrences the one
 * whose surroundings best match the prefix and suffix. Returns offsets into `text`, or null when the
 * quote does not occur (the passage is gone).
 */
export function findAnchor(text: string, anchor: Anchor): AnchorMatch | null {
  const quote = normalizeWhitespace(anchor.quote);
  if (!quote) return null;
  const hay = collapse(text);
  const starts: number[] = [];
  for (let at = hay.text.indexOf(quote); at !== -1; at = hay.text.indexOf(quote, at + 1)) starts.push(at);
  if (starts.length === 0) return null;
  const prefix = normalizeWhitespace(anchor.prefix ?? "");
  const suffix = normalizeWhitespace(anchor.suffix ?? "");
  let best = -1;
  let bestScore = -1;
  let tie = false;
  for (const at of starts) {
    // Context is compared whitespace-insensitively at the seam: trim the hay's side too.
    const before = hay.text.slice(Math.max(0, at - prefix.length - 1), at).trimEnd();
    const after = hay.text.slice(at + quote.length, at + quote.length + suffix.length + 1).trimStart();
    const score = commonSuffix(before, prefix) + commonPrefix(after, suffix);
    if (score > bestScore) {
      best = at;
      bestScore = score;
      tie = false;
    } else if (score === bestScore) {
      tie = true;
    }
  }
  return { start: hay.origin[best], end: hay.origin[best + quote.length - 1] + 1, ambiguous: tie, occurrences: starts.length };
}

/** The anchor for the passage `range` of `text`: the quote and up to CONTEXT_CHARS of context each side (whitespace collapsed). */
export function anchorAt(text: string, range: AnchorRange, contextChars = CONTEXT_CHARS): Anchor {
  const quote = normalizeWhitespace(text.slice(range.start, range.end));
  const before = text.slice(0, range.start).replace(/\s+/g, " ").trimStart();
  const after = text.slice(range.end).replace(/\s+/g, " ").trimEnd();
  return { quote, prefix: before.slice(Math.max(0, before.length - contextChars)), suffix: after.slice(0, contextChars) };
}

/** Character bigrams of a whitespace-collapsed, lower-cased string. */
function bigrams(s: string): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i < s.length - 1; i++) {
    const g = s.slice(i, i + 2);
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

/** How alike two passages are, from 0 to 1 (Dice coefficient over character bigrams, whitespace-insensitive). */
export function similarity(a: string, b: string): number {
  const x = normalizeWhitespace(a).toLowerCase();
  const y = normalizeWhitespace(b).toLowerCase();
  if (x === y) return 1;
  if (x.length < 2 || y.length < 2) return 0;
  const gx = bigrams(x);
  const gy = bigrams(y);
  let common = 0;
  for (const [g, n] of gx) common += Math.min(n, gy.get(g) ?? 0);
  return (2 * common) / (x.length - 1 + (y.length - 1));
}

/** A passage still counts as the commented one while it is at least this similar to the quote. */
export const SIMILAR_ENOUGH = 0.5;

/**
 * Whether a comment is still attached, given where its Yjs relative positions resolve today
 * (`tracked`: the text between them, or null when they are absent) and the document's text:
 * tracked and non-empty and similar → attached; tracked but collapsed (the passage was deleted) →
 * detached even if the same words occur elsewhere; tracked but rewritten beyond recognition →
 * attached only if the quote is still found overlapping the tracked range; untracked → the quote
 * fallback decides.
 */
export function anchorState(input: { text: string; anchor: Anchor; tracked: (AnchorRange & { text: string }) | null | "lost" }): "attached" | "detached" {
  const { text, anchor, tracked } = input;
  if (tracked === "lost") return "detached";
  if (tracked === null) return findAnchor(text, anchor) ? "attached" : "detached";
  if (tracked.end <= tracked.start || !normalizeWhitespace(tracked.text)) return "detached";
  if (similarity(tracked.text, anchor.quote) >= SIMILAR_ENOUGH) return "attached";
  const found = findAnchor(text, anchor);
  return found && found.start < tracked.end && found.end > tracked.start ? "attached" : "detached";
}

/** One place where typed words occur: its offsets in the text, and the words just before and after it. */
export type Occurrence = AnchorRange & { before: string; after: string };

/** What a search for typed words found: how often they occur in all, and the first `limit` occurrences. */
export type OccurrenceSearch = { count: number; occurrences: Occurrence[] };

/**
 * Typographic twins a keyboard types differently (curly and straight quotes, dashes and hyphens) read as one
 * character, so that words typed on any keyboard find the draft's text; the fold keeps every character in its
 * place (same length), so offsets stay valid.
 */
function foldTypography(s: string): string {
  return s.replace(/[‘’‚‛′`]/g, "'").replace(/[“”„‟″]/g, '"').replace(/[‐‑‒–—−]/g, "-");
}

/**
 * The words next to a passage (side "before": those ending at `at`; "after": those starting there), at
 * most `chars` characters of them, within its block (a line of the text: paragraph, heading, item):
 * cut at a word boundary, with "…" where the block goes on.
 */
function contextWords(text: string, at: number, chars: number, side: "before" | "after"): string {
  if (side === "before") {
    const blockStart = text.lastIndexOf("\n", at - 1) + 1;
    const flat = text.slice(blockStart, at).replace(/\s+/g, " ").trimStart();
    if (flat.length <= chars) return flat;
    const cut = flat.slice(flat.length - chars);
    if (flat[flat.length - chars - 1] === " ") return `…${cut.trimStart()}`;
    const space = cut.indexOf(" ");
    return space > 0 && space < cut.length - 1 ? `…${cut.slice(space + 1)}` : `…${cut}`;
  }
  const blockEnd = text.indexOf("\n", at);
  const flat = text.slice(at, blockEnd === -1 ? text.length : blockEnd).replace(/\s+/g, " ").trimEnd();
  if (flat.length <= chars) return flat;
  const cut = flat.slice(0, chars);
  if (flat[chars] === " ") return `${cut.trimEnd()}…`;
  const space = cut.lastIndexOf(" ");
  return space > 0 ? `${cut.slice(0, space)}…` : `${cut}…`;
}

/**
 * Where the words a reader typed (or pasted) occur in `text`: exactly, up to whitespace and the
 * typographic twins above; every occurrence counted, the first `limit` returned with up to
 * `contextChars` of the words around each, within its block (so that a reader can tell them apart). A comment made from
 * an occurrence is anchored with `anchorAt(text, occurrence)`, exactly as a selection of it would be.
 */
export function findOccurrences(text: string, words: string, options: { limit?: number; contextChars?: number } = {}): OccurrenceSearch {
  const limit = options.limit ?? 10;
  const contextChars = options.contextChars ?? 40;
  const needle = foldTypography(normalizeWhitespace(words));
  if (!needle) return { count: 0, occurrences: [] };
  const hay = collapse(text);
  const folded = foldTypography(hay.text);
  const occurrences: Occurrence[] = [];
  let count = 0;
  for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + 1)) {
    count++;
    if (occurrences.length >= limit) continue;
    const start = hay.origin[at];
    const end = hay.origin[at + needle.length - 1] + 1;
    occurrences.push({ start, end, before: contextWords(text, start, contextChars, "before"), after: contextWords(text, end, contextChars, "after") });
  }
  return { count, occurrences };
}
