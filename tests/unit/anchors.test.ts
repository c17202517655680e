/**
 * Comment anchors: re-finding a quoted passage in changed text (app/domain/anchors.ts), and Yjs
 * relative positions of a passage in a standard's real collaborative structure
 * (app/collab/anchor-positions.ts) surviving edits before, inside and after it.
 */
import { describe, expect, it } from "vitest";
import * as Y from "yjs";
import { docText } from "../../app/collab/anchor-positions";
import { markdownFromDoc, markdownIntoDoc } from "../../app/collab/yjs-markdown.server";
import { anchorAt, anchorState, findAnchor, findOccurrences, similarity } from "../../app/domain/anchors";

const TEXT = "Goods below the de minimis value enter duty free. Goods above it pay duty at the border.";

describe("findAnchor", () => {
  it("finds a quoted passage and gives its offsets", () => {
    const m = findAnchor(TEXT, { quote: "enter duty free" });
    expect(m).not.toBeNull();
    expect(TEXT.slice(m!.start, m!.end)).toBe("enter duty free");
    expect(m!.ambiguous).toBe(false);
  });

  it("still finds it after text is inserted before, and after, the passage", () => {
    const changed = `Preamble added. ${TEXT} Annex added later.`;
    const m = findAnchor(changed, { quote: "enter duty free", prefix: "de minimis value ", suffix: ". Goods above" });
    expect(changed.slice(m!.start, m!.end)).toBe("enter duty free");
  });

  it("returns null when the passage was deleted or rewritten inside", () => {
    expect(findAnchor(TEXT.replace("enter duty free", ""), { quote: "enter duty free" })).toBeNull();
    expect(findAnchor(TEXT.replace("duty free", "free of duty"), { quote: "enter duty free" })).toBeNull();
  });

  it("tolerates whitespace changes: re-wrapped lines and doubled spaces", () => {
    const rewrapped = TEXT.replace("enter duty free", "enter\n  duty   free");
    const m = findAnchor(rewrapped, { quote: "enter duty  free" });
    expect(rewrapped.slice(m!.start, m!.end)).toBe("enter\n  duty   free");
  });

  it("chooses among duplicate quotes by prefix and suffix", () => {
    const text = "Parcels pay duty. Letters pay duty. Pallets pay duty.";
    const second = findAnchor(text, { quote: "pay duty", prefix: "Letters ", suffix: ". Pallets" });
    expect(second!.start).toBe(text.indexOf("Letters pay duty") + "Letters ".length);
    expect(second!.ambiguous).toBe(false);
    const third = findAnchor(text, { quote: "pay duty", prefix: "Pallets" });
    expect(third!.start).toBe(text.lastIndexOf("pay duty"));
  });

  it("says ambiguous when the context does not tell duplicates apart", () => {
    const m = findAnchor("pay duty and pay duty", { quote: "pay duty" });
    expect(m!.ambiguous).toBe(true);
    expect(m!.occurrences).toBe(2);
  });

  it("makes an anchor from a range that finds the same range again", () => {
    const start = TEXT.indexOf("pay duty");
    const anchor = anchorAt(TEXT, { start, end: start + "pay duty".length });
    expect(anchor.quote).toBe("pay duty");
    expect(anchor.prefix!.endsWith("Goods above it ")).toBe(true);
    expect(anchor.suffix!.startsWith(" at the border")).toBe(true);
    expect(findAnchor(TEXT, anchor)!.start).toBe(start);
  });

  it("rates similarity of passages from 0 to 1", () => {
    expect(similarity("enter duty free", "enter  duty free")).toBe(1);
    expect(similarity("enter duty free", "enter duty-free")).toBeGreaterThan(0.7);
    expect(similarity("enter duty free", "pay at the border")).toBeLessThan(0.3);
  });
});

describe("anchorState", () => {
  const anchor = { quote: "enter duty free" };
  it("is attached while the tracked range still holds similar text", () => {
    expect(anchorState({ text: TEXT, anchor, tracked: { start: 0, end: 15, text: "enter duty-free" } })).toBe("attached");
  });
  it("is detached when the tracked range collapsed, even though the quote occurs elsewhere", () => {
    expect(anchorState({ text: `${TEXT} They enter duty free.`, anchor, tracked: { start: 40, end: 40, text: "" } })).toBe("detached");
  });
  it("is detached when the positions are lost, and falls back to the quote without positions", () => {
    expect(anchorState({ text: TEXT, anchor, tracked: "lost" })).toBe("detached");
    expect(anchorState({ text: TEXT, anchor, tracked: null })).toBe("attached");
    expect(anchorState({ text: "nothing here", anchor, tracked: null })).toBe("detached");
  });
});

/** A standard's document built the way the server builds it. */
function standardDoc(markdown: string): Y.Doc {
  const doc = new Y.Doc();
  markdownIntoDoc(doc, markdown);
  return doc;
}

/** Replaces the document's text with an edited version of its Markdown (one Yjs change, as PUT /draft makes). */
function edit(doc: Y.Doc, change: (markdown: string) => string): void {
  markdownIntoDoc(doc, change(markdownFromDoc(doc)));
}

/** Applies a change to the characters of the first paragraph's text run, as a typist would. */
function typeInto(doc: Y.Doc, at: (text: string) => number, insert: string, remove = 0): void {
  const paragraph = (doc.get("root", Y.XmlText).toDelta() as { insert: Y.XmlText }[])[1].insert;
  const delta = paragraph.toDelta() as { insert: unknown }[];
  const chars = delta[1].insert as string;
  // Index 0 is the text node's property map; its characters follow.
  const index = 1 + at(chars);
  doc.transact(() => {
    if (remove) paragraph.delete(index, remove);
    if (insert) paragraph.insert(index, insert);
  });
}

const MD = `# Duty\n\n${TEXT}\n\nSecond paragraph about labels.\n`;

describe("Yjs relative positions of a passage", () => {
  function commented() {
    const doc = standardDoc(MD);
    const t = docText(doc);
    const start = t.text.indexOf("enter duty free");
    const rel = t.relativeRange({ start, end: start + "enter duty free".length })!;
    expect(rel).not.toBeNull();
    return { doc, rel };
  }

  it("reads the document's text with blocks on their own lines", () => {
    expect(docText(standardDoc(MD)).text).toBe(`Duty\n${TEXT}\nSecond paragraph about labels.\n`);
  });

  it("keep the passage when text is typed before it and after it", () => {
    const { doc, rel } = commented();
    typeInto(doc, (s) => 0, "Note: ");
    typeInto(doc, (s) => s.length, " Revised.");
    const now = docText(doc).resolve(rel.start, rel.end);
    expect(now).not.toBe("lost");
    expect((now as { text: string }).text).toBe("enter duty free");
  });

  it("stretch over text typed inside the passage and stay attached", () => {
    const { doc, rel } = commented();
    typeInto(doc, (s) => s.indexOf("duty free"), "customs ");
    const t = docText(doc);
    const now = t.resolve(rel.start, rel.end);
    expect((now as { text: string }).text).toBe("enter customs duty free");
    expect(anchorState({ text: t.text, anchor: { quote: "enter duty free" }, tracked: now })).toBe("attached");
  });

  it("collapse when the passage is deleted: detached, even when the same words are typed elsewhere", () => {
    const { doc, rel } = commented();
    typeInto(doc, (s) => s.indexOf("enter duty free"), "", "enter duty free".length);
    typeInto(doc, (s) => s.length, " Samples enter duty free.");
    const t = docText(doc);
    expect(t.text).toContain("enter duty free");
    expect(anchorState({ text: t.text, anchor: { quote: "enter duty free" }, tracked: t.resolve(rel.start, rel.end) })).toBe("detached");
  });

  it("are lost when the whole paragraph is replaced, so the comment detaches", () => {
    const { doc, rel } = commented();
    edit(doc, (md) => md.replace(TEXT, "Everything pays duty."));
    const t = docText(doc);
    expect(anchorState({ text: t.text, anchor: { quote: "enter duty free" }, tracked: t.resolve(rel.start, rel.end) })).toBe("detached");
  });
});

describe("findOccurrences (a passage typed by a reader who cannot select)", () => {
  it("finds typed words once, and anchors them as a selection of the same words would be", () => {
    const found = findOccurrences(TEXT, "enter duty free");
    expect(found.count).toBe(1);
    const [o] = found.occurrences;
    expect(TEXT.slice(o.start, o.end)).toBe("enter duty free");
    expect(o.before.endsWith("de minimis value ")).toBe(true);
    expect(o.after.startsWith(". Goods above")).toBe(true);
    expect(anchorAt(TEXT, o)).toEqual(anchorAt(TEXT, { start: TEXT.indexOf("enter duty free"), end: TEXT.indexOf("enter duty free") + 15 }));
  });

  it("finds nothing when the words are not in the text (exact: no guessing, case counts)", () => {
    expect(findOccurrences(TEXT, "enter duty-free")).toEqual({ count: 0, occurrences: [] });
    expect(findOccurrences(TEXT, "Enter duty free").count).toBe(0);
    expect(findOccurrences(TEXT, "   ").count).toBe(0);
  });

  it("lists every occurrence with the words around it, so that the reader can choose one", () => {
    const text = "Parcels pay duty. Letters pay duty. Pallets pay duty.";
    const found = findOccurrences(text, "pay duty");
    expect(found.count).toBe(3);
    expect(found.occurrences.map((o) => text.slice(o.start, o.end))).toEqual(["pay duty", "pay duty", "pay duty"]);
    expect(found.occurrences.map((o) => o.before.trim().split(" ").at(-1))).toEqual(["Parcels", "Letters", "Pallets"]);
    expect(found.occurrences[2].before.startsWith("…")).toBe(true); // longer than the 40 characters kept
    const chosen = anchorAt(text, found.occurrences[1]);
    expect(findAnchor(text, chosen)!.start).toBe(found.occurrences[1].start);
  });

  it("cuts long context at a word and counts beyond the listed limit", () => {
    const text = Array.from({ length: 30 }, (_, i) => `Clause ${i} applies to consignments of low value.`).join(" ");
    const found = findOccurrences(text, "applies to", { limit: 5, contextChars: 16 });
    expect(found.count).toBe(30);
    expect(found.occurrences).toHaveLength(5);
    expect(found.occurrences[3].before).toBe("…value. Clause 3 "); // not "…f low value. Clause 3"
    expect(found.occurrences[3].after).toBe(" consignments of…");
    expect(findOccurrences(text, "applies to", { contextChars: 14 }).occurrences[3].after).toBe(" consignments…"); // not " consignments o…"
  });

  it("matches across line breaks and doubled spaces, and straight quotes and hyphens typed for curly ones and dashes", () => {
    const text = "The operator’s declaration\n  covers the goods — all of them.";
    const found = findOccurrences(text, "operator's declaration covers the goods - all");
    expect(found.count).toBe(1);
    expect(text.slice(found.occurrences[0].start, found.occurrences[0].end)).toBe("operator’s declaration\n  covers the goods — all");
  });

  it("keeps the context within the passage's block (a heading's words are not shown as a paragraph's)", () => {
    const text = "Release of consignments\nConsignments held for inspection are released.\nAnnex";
    const [o] = findOccurrences(text, "held for").occurrences;
    expect(o.before).toBe("Consignments ");
    expect(o.after).toBe(" inspection are released.");
  });
});
