/**
 * A document's plain text as comments see it, read from the Yjs structure that @lexical/yjs (V1
 * binding) keeps under the XmlText "root": each element is an XmlText embedded in its parent, each
 * text node a Y.Map of its properties followed by its characters, each decorator (rule block) an
 * XmlElement. Blocks end with a newline; inline elements (links) do not. The same walk over the
 * Lexical tree (see app/editor/comments-plugin.tsx) gives the same text, which is how a browser
 * selection becomes Yjs relative positions and how a stored position becomes a highlight.
 *
 * Shared by the server and the browser: Yjs only, no I/O.
 */
import * as Y from "yjs";
import type { AnchorRange } from "../domain/anchors";

/** Lexical element types that are inline (no line break after them). */
export const INLINE_ELEMENT_TYPES = new Set(["link", "autolink"]);

/** One run of characters of one XmlText: where it is in the text and in the XmlText's index space. */
type Run = { type: Y.XmlText; index: number; offset: number; length: number };

/** The linear text of a document and the map between text offsets and Yjs positions. */
export type DocText = {
  text: string;
  /** The text offset of a Yjs absolute position (an index in one XmlText), or null when the type is not part of the tree. */
  offsetOf: (type: unknown, index: number) => number | null;
  /** Yjs relative positions (JSON) of a text range: the start sticks to its first character, the end to its last. */
  relativeRange: (range: AnchorRange) => { start: unknown; end: unknown } | null;
  /** Where relative positions (JSON) point today: the range and its text; "lost" when they cannot be resolved. */
  resolve: (start: unknown, end: unknown) => (AnchorRange & { text: string }) | "lost";
};

/** Reads the document's text under its root XmlText (named "root" by @lexical/yjs). */
export function docText(doc: Y.Doc, rootName = "root"): DocText {
  const root = doc.get(rootName, Y.XmlText) as Y.XmlText;
  let text = "";
  const runs: Run[] = [];
  // For every XmlText: the text offset before each of its indices (and after the last).
  const indexOffsets = new Map<unknown, number[]>();

  const walk = (type: Y.XmlText) => {
    const offsets: number[] = [];
    let index = 0;
    for (const op of type.toDelta() as { insert: unknown }[]) {
      const insert = op.insert;
      if (typeof insert === "string") {
        runs.push({ type, index, offset: text.length, length: insert.length });
        for (let i = 0; i < insert.length; i++) offsets.push(text.length + i);
        text += insert;
        index += insert.length;
        continue;
      }
      offsets.push(text.length);
      if (insert instanceof Y.XmlText) {
        walk(insert);
        const kind = insert.getAttribute("__type") as string | undefined;
        if (!INLINE_ELEMENT_TYPES.has(kind ?? "")) text += "\n";
      } else if (insert instanceof Y.Map) {
        if (insert.get("__type") === "linebreak") text += "\n";
      } else {
        // A decorator (a rule block): a block of its own.
        text += "\n";
      }
      index += 1;
    }
    offsets.push(text.length);
    indexOffsets.set(type, offsets);
  };
  walk(root);

  const offsetOf = (type: unknown, index: number) => {
    const offsets = indexOffsets.get(type);
    if (!offsets) return null;
    return offsets[Math.min(Math.max(index, 0), offsets.length - 1)];
  };

  const relativeRange = (range: AnchorRange) => {
    if (range.end <= range.start) return null;
    const first = runs.find((r) => r.offset <= range.start && range.start < r.offset + r.length);
    const last = runs.find((r) => r.offset < range.end && range.end <= r.offset + r.length);
    if (!first || !last) return null;
    const start = Y.createRelativePositionFromTypeIndex(first.type, first.index + (range.start - first.offset), 0);
    const end = Y.createRelativePositionFromTypeIndex(last.type, last.index + (range.end - last.offset), -1);
    return { start: Y.relativePositionToJSON(start), end: Y.relativePositionToJSON(end) };
  };

  const resolve = (start: unknown, end: unknown): (AnchorRange & { text: string }) | "lost" => {
    try {
      const a = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(start), doc);
      const b = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(end), doc);
      if (!a || !b) return "lost";
      const from = offsetOf(a.type, a.index);
      const to = offsetOf(b.type, b.index);
      if (from === null || to === null) return "lost";
      return { start: from, end: Math.max(from, to), text: to > from ? text.slice(from, to) : "" };
    } catch {
      return "lost";
    }
  };

  return { text, offsetOf, relativeRange, resolve };
}
