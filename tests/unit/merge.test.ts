/**
 * The three-way merge of standard Markdown (app/domain/merge.ts): what merges, what conflicts, how
 * conflicts are reported and resolved, and that no text is ever lost.
 */
import { describe, expect, it } from "vitest";
import { conflictChanges, mergeMarkdown, type ConflictResolution } from "~/domain/merge";
import { markdownBlocks } from "~/domain/redline";

const doc = (...blocks: string[]) => blocks.join("\n\n") + "\n";

const H = "# EWTP-TAR-001 Low-value consignments";
const P1 = "Cross-border sellers need one answer for every parcel sold to a consumer abroad.";
const P2 = "The answers differ by destination and change over time.";
const P3 = "Each rule states its condition in JSON Logic and gives worked examples.";
const P4 = "Implementers run the conformance examples to prove their engine agrees.";
const P5 = "Annex A lists the sources of every threshold and date.";

function rule(id: string, threshold = 150, title = `Threshold rule ${id}`): string {
  const body = {
    id,
    title,
    description: "Consignments below the threshold take the simplified route.",
    when: { "<": [{ var: "shipment.value" }, threshold] },
    then: { duty: 0 },
    examples: [{ name: "below", input: { shipment: { value: 90 } }, expect: { applies: true, outcome: { duty: 0 } } }],
  };
  return "```rule\n" + JSON.stringify(body, null, 2) + "\n```";
}

const TABLE = ["| Destination | Threshold |", "| --- | --- |", "| EU | 150 |", "| UK | 135 |", "| AU | 1000 |"];
const table = (rows: string[]) => rows.join("\n");

const merge = (base: string, ours: string, theirs: string, resolutions?: Record<number, ConflictResolution>) =>
  mergeMarkdown({ base, ours, theirs, resolutions: resolutions && new Map(Object.entries(resolutions).map(([k, v]) => [Number(k), v])) });

const BASE = doc(H, P1, P2, P3, P4, P5);

describe("edits that do not overlap merge", () => {
  it("takes a change made on one side only, whichever side", () => {
    const edited = doc(H, P1, P2 + " Rates too.", P3, P4, P5);
    expect(merge(BASE, BASE, edited)).toEqual({ merged: edited, conflicts: [] });
    expect(merge(BASE, edited, BASE)).toEqual({ merged: edited, conflicts: [] });
  });

  it("keeps both sides' edits to different paragraphs", () => {
    const ours = doc(H, "Sellers need ONE answer.", P2, P3, P4, P5);
    const theirs = doc(H, P1, P2, P3, P4, "Annex B lists them now.");
    expect(merge(BASE, ours, theirs)).toEqual({ merged: doc(H, "Sellers need ONE answer.", P2, P3, P4, "Annex B lists them now."), conflicts: [] });
  });

  it("keeps both sides' edits to adjacent paragraphs (diff3 alone would call them a conflict)", () => {
    const ours = doc(H, P1, "P2 by us.", P3, P4, P5);
    const theirs = doc(H, P1, P2, "P3 by them.", P4, P5);
    expect(merge(BASE, ours, theirs)).toEqual({ merged: doc(H, P1, "P2 by us.", "P3 by them.", P4, P5), conflicts: [] });
  });

  it("keeps an insertion on one side and a deletion elsewhere on the other", () => {
    const ours = doc(H, P1, "A new paragraph after P1.", P2, P3, P4, P5);
    const theirs = doc(H, P1, P2, P3, P5);
    expect(merge(BASE, ours, theirs)).toEqual({ merged: doc(H, P1, "A new paragraph after P1.", P2, P3, P5), conflicts: [] });
  });

  it("keeps insertions by both sides at different places, and appends at the end", () => {
    const ours = doc("Preface by us.", H, P1, P2, P3, P4, P5);
    const theirs = doc(H, P1, P2, P3, P4, P5, "Annex C by them.");
    expect(merge(BASE, ours, theirs).merged).toBe(doc("Preface by us.", H, P1, P2, P3, P4, P5, "Annex C by them."));
  });

  it("with identical sides, or nothing changed, the result is that text", () => {
    expect(merge(BASE, BASE, BASE)).toEqual({ merged: BASE, conflicts: [] });
    expect(merge("", "", "")).toEqual({ merged: "", conflicts: [] });
    expect(merge("", doc(P1), "")).toEqual({ merged: doc(P1), conflicts: [] });
  });
});

describe("the same edit on both sides", () => {
  it("merges once", () => {
    const both = doc(H, P1, "P2, agreed by both.", P3, P4, P5);
    expect(merge(BASE, both, both)).toEqual({ merged: both, conflicts: [] });
  });

  it("merges once when both sides make it alongside different other edits", () => {
    const ours = doc(H, "P1 by us.", "P2, agreed by both.", P3, P4, P5);
    const theirs = doc(H, P1, "P2, agreed by both.", P3, P4, "P5 by them.");
    expect(merge(BASE, ours, theirs)).toEqual({ merged: doc(H, "P1 by us.", "P2, agreed by both.", P3, P4, "P5 by them."), conflicts: [] });
  });

  it("a paragraph deleted on both sides is deleted once", () => {
    const without = doc(H, P1, P2, P4, P5);
    expect(merge(BASE, without, without)).toEqual({ merged: without, conflicts: [] });
  });
});

describe("overlapping edits conflict", () => {
  it("two different edits of one paragraph: a conflict with the three versions, their lines, and all of it in the merged text", () => {
    const ours = doc(H, P1, "P3 as the standard now says it.", P4, P5).replace(P1 + "\n\n", P1 + "\n\n" + P2 + "\n\n");
    const theirs = doc(H, P1, P2, "P3 as the proposal says it.", P4, P5);
    const r = merge(BASE, ours, theirs);
    expect(r.conflicts).toEqual([
      {
        index: 0,
        base: [P3],
        ours: ["P3 as the standard now says it."],
        theirs: ["P3 as the proposal says it."],
        markdown: { base: P3 + "\n", ours: "P3 as the standard now says it.\n", theirs: "P3 as the proposal says it.\n" },
        lines: { base: 7, ours: 7, theirs: 7 },
      },
    ]);
    expect(r.merged).toContain("P3 as the standard now says it.");
    expect(r.merged).toContain("P3 as the proposal says it.");
    expect(r.merged).toContain(P3);
    expect(r.merged).toMatch(/<<<<<<< ours[\s\S]*\|\|\|\|\|\|\| base[\s\S]*=======[\s\S]*>>>>>>> theirs/);
  });

  it("two different insertions at the same place conflict (their order is not ours to choose)", () => {
    const ours = doc(H, P1, "Inserted by us.", P2, P3, P4, P5);
    const theirs = doc(H, P1, "Inserted by them.", P2, P3, P4, P5);
    const r = merge(BASE, ours, theirs);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0]).toMatchObject({ base: [], ours: ["Inserted by us."], theirs: ["Inserted by them."], lines: { base: null } });
  });

  it("an insertion right next to a paragraph the other side changed conflicts", () => {
    const ours = doc(H, P1, "P2 by us.", P3, P4, P5);
    const theirs = doc(H, P1, P2, "Inserted by them after P2.", P3, P4, P5);
    expect(merge(BASE, ours, theirs).conflicts).toHaveLength(1);
  });

  it("numbers several conflicts in order, and leaves the parts between them merged", () => {
    const ours = doc(H, "P1 ours.", P2, "P3 ours.", P4, "P5 ours.");
    const theirs = doc("Heading by them", "P1 theirs.", P2, "P3 theirs.", P4, P5);
    const r = merge(BASE, ours, theirs);
    expect(r.conflicts.map((c) => [c.index, c.ours, c.theirs])).toEqual([
      // The first region spans the heading: theirs replaced it, ours kept it.
      [0, [H, "P1 ours."], ["Heading by them", "P1 theirs."]],
      [1, ["P3 ours."], ["P3 theirs."]],
    ]);
    expect(r.merged.endsWith("P5 ours.\n")).toBe(true);
  });
});

describe("deletion against edit", () => {
  it("a paragraph deleted on one side and edited on the other conflicts, keeping the edit visible", () => {
    const ours = doc(H, P1, P2, P4, P5);
    const theirs = doc(H, P1, P2, "P3, improved by the proposal.", P4, P5);
    const r = merge(BASE, ours, theirs);
    expect(r.conflicts).toEqual([expect.objectContaining({ base: [P3], ours: [], theirs: ["P3, improved by the proposal."], lines: { base: 7, ours: null, theirs: 7 } })]);
    expect(r.merged).toContain("P3, improved by the proposal.");
  });

  it("the other way round too", () => {
    const ours = doc(H, P1, P2, "P3 edited in the standard.", P4, P5);
    const theirs = doc(H, P1, P2, P4, P5);
    expect(merge(BASE, ours, theirs).conflicts).toEqual([expect.objectContaining({ base: [P3], ours: ["P3 edited in the standard."], theirs: [] })]);
  });
});

describe("rule blocks are whole blocks", () => {
  const base = doc(H, P1, rule("TAR-001.R1"), P2, rule("TAR-001.R2"), P3);

  it("two edits of different fields of one rule conflict instead of being spliced line by line", () => {
    const ours = base.replace(rule("TAR-001.R1"), rule("TAR-001.R1", 150, "Title changed by us"));
    const theirs = base.replace(rule("TAR-001.R1"), rule("TAR-001.R1", 200));
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toHaveLength(1);
    expect(r.conflicts[0].ours).toEqual([rule("TAR-001.R1", 150, "Title changed by us")]);
    expect(r.conflicts[0].theirs).toEqual([rule("TAR-001.R1", 200)]);
    expect(r.conflicts[0].base).toEqual([rule("TAR-001.R1")]);
  });

  it("a rule edited on one side and a paragraph on the other merge", () => {
    const ours = base.replace(P3, "P3 edited in the standard.");
    const theirs = base.replace(rule("TAR-001.R2"), rule("TAR-001.R2", 175));
    expect(merge(base, ours, theirs)).toEqual({ merged: doc(H, P1, rule("TAR-001.R1"), P2, rule("TAR-001.R2", 175), "P3 edited in the standard."), conflicts: [] });
  });

  it("two different rules edited on the two sides merge", () => {
    const ours = base.replace(rule("TAR-001.R1"), rule("TAR-001.R1", 120));
    const theirs = base.replace(rule("TAR-001.R2"), rule("TAR-001.R2", 175));
    expect(merge(base, ours, theirs).merged).toBe(doc(H, P1, rule("TAR-001.R1", 120), P2, rule("TAR-001.R2", 175), P3));
  });

  it("a rule added on one side and a rule removed on the other merge", () => {
    const ours = doc(H, P1, rule("TAR-001.R1"), P2, rule("TAR-001.R2"), P3, rule("TAR-001.R3"));
    const theirs = doc(H, P1, P2, rule("TAR-001.R2"), P3);
    expect(merge(base, ours, theirs)).toEqual({ merged: doc(H, P1, P2, rule("TAR-001.R2"), P3, rule("TAR-001.R3")), conflicts: [] });
  });

  it("the same rule edit on both sides merges once", () => {
    const both = base.replace(rule("TAR-001.R2"), rule("TAR-001.R2", 99));
    expect(merge(base, both, both)).toEqual({ merged: both, conflicts: [] });
  });
});

describe("tables and lists stay together", () => {
  const base = doc(H, table(TABLE), P1, ["- first", "- second", "- third"].join("\n"));

  it("rows edited on both sides merge into one table, without blank lines between rows", () => {
    const ours = base.replace("| EU | 150 |", "| EU | 150 (illustrative) |");
    const theirs = base.replace("| AU | 1000 |", "| AU | 1000 |\n| NZ | 1000 |");
    const r = merge(base, ours, theirs);
    expect(r.conflicts).toEqual([]);
    expect(r.merged).toContain(["| Destination | Threshold |", "| --- | --- |", "| EU | 150 (illustrative) |", "| UK | 135 |", "| AU | 1000 |", "| NZ | 1000 |"].join("\n"));
  });

  it("list items added at the start and the end of a tight list keep the list tight", () => {
    const ours = base.replace("- first", "- zeroth\n- first");
    const theirs = base.replace("- third", "- third\n- fourth");
    expect(merge(base, ours, theirs).merged).toContain("- zeroth\n- first\n- second\n- third\n- fourth");
  });

  it("a conflict inside a table gives each side's rows as one Markdown text", () => {
    const ours = base.replace("| UK | 135 |", "| UK | 135 GBP |");
    const theirs = base.replace("| UK | 135 |", "| UK | 0 |");
    const [c] = merge(base, ours, theirs).conflicts;
    expect(c.markdown).toEqual({ base: "| UK | 135 |\n", ours: "| UK | 135 GBP |\n", theirs: "| UK | 0 |\n" });
  });
});

describe("resolutions", () => {
  const ours = doc(H, P1, "P2 ours.", P3, P4, "P5 ours.");
  const theirs = doc(H, P1, "P2 theirs.", P3, P4, "P5 theirs.");

  it("take one side, the other side or the base per conflict; resolved conflicts are no longer reported", () => {
    expect(merge(BASE, ours, theirs, { 0: { take: "theirs" }, 1: { take: "ours" } })).toEqual({ merged: doc(H, P1, "P2 theirs.", P3, P4, "P5 ours."), conflicts: [] });
    expect(merge(BASE, ours, theirs, { 0: { take: "base" }, 1: { take: "theirs" } }).merged).toBe(doc(H, P1, P2, P3, P4, "P5 theirs."));
  });

  it("an editor's own text replaces the region; the other conflicts keep their index", () => {
    const r = merge(BASE, ours, theirs, { 0: { markdown: "P2 rewritten.\n\nAnd a second paragraph.\n" } });
    expect(r.conflicts.map((c) => c.index)).toEqual([1]);
    expect(r.merged).toContain(doc(P1, "P2 rewritten.", "And a second paragraph.", P3));
  });

  it("an empty text deletes the region, on purpose", () => {
    expect(merge(BASE, ours, theirs, { 0: { markdown: "" }, 1: { take: "ours" } }).merged).toBe(doc(H, P1, P3, P4, "P5 ours."));
  });

  it("an editor's text for a table row stays in the table", () => {
    const base = doc(H, table(TABLE), P1);
    const r = merge(base, base.replace("| UK | 135 |", "| UK | 135 GBP |"), base.replace("| UK | 135 |", "| UK | 0 |"), { 0: { markdown: "| UK | 0 GBP |\n" } });
    expect(r.merged).toContain("| EU | 150 |\n| UK | 0 GBP |\n| AU | 1000 |");
  });
});

describe("nothing is lost", () => {
  // A small deterministic PRNG so failures reproduce.
  function prng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  function mutate(blocks: string[], rand: () => number, tag: string): string[] {
    const out = [...blocks];
    const edits = 1 + Math.floor(rand() * 3);
    for (let e = 0; e < edits; e++) {
      const i = Math.floor(rand() * (out.length + 1));
      const what = rand();
      if (what < 0.34 && i < out.length) out[i] = `${out[i]} (edited by ${tag} ${e})`;
      else if (what < 0.67 && i < out.length) out.splice(i, 1);
      else out.splice(i, 0, `Inserted by ${tag} ${e}.`);
    }
    return out;
  }

  const texts = (markdown: string) => markdownBlocks(markdown).map((b) => b.text);

  it("for 400 random edit pairs: every block either side added is in the result, a conflict, or both", () => {
    const rand = prng(20240611);
    const base = Array.from({ length: 8 }, (_, i) => `Paragraph ${i + 1} of the base text.`);
    for (let run = 0; run < 400; run++) {
      const ours = mutate(base, rand, "ours");
      const theirs = mutate(base, rand, "theirs");
      const r = merge(doc(...base), doc(...ours), doc(...theirs));
      const merged = texts(r.merged);
      const conflicted = new Set(r.conflicts.flatMap((c) => [...c.ours, ...c.theirs]));
      for (const block of [...ours, ...theirs].filter((b) => !base.includes(b))) {
        expect(merged.includes(block) || conflicted.has(block), `run ${run}: ${block}`).toBe(true);
        expect(merged, `run ${run}: ${block} is in the merged text (between markers if conflicting)`).toContain(block);
      }
      if (r.conflicts.length === 0) {
        // A clean merge deletes a base block only when a side deleted it, and keeps every block both sides kept.
        for (const block of base) {
          const kept = ours.includes(block) && theirs.includes(block);
          expect(merged.includes(block), `run ${run}: ${block}`).toBe(kept);
        }
        expect(r.merged).not.toContain("<<<<<<<");
      }
    }
  });

  it("merging a side with an unchanged other side gives that side back, block for block", () => {
    const text = doc(H, table(TABLE), "- one\n- two", rule("TAR-001.R1"), "> quoted\n> twice", "```\ncode\n\nwith a blank line\n```", P1);
    expect(merge(BASE, BASE, text).merged).toBe(text);
    expect(merge(text, text, text).merged).toBe(text);
  });
});

describe("conflictChanges", () => {
  it("marks how each side of a conflict differs from the base, word by word", () => {
    const [c] = merge(doc(P1), doc("Cross-border sellers and platforms need one answer."), doc("Cross-border sellers need two answers.")).conflicts;
    const changes = conflictChanges(c);
    expect(changes.ours.filter((s) => s.op === "insert").map((s) => s.text.trim())).toContain("and platforms");
    expect(changes.theirs.filter((s) => s.op === "insert").map((s) => s.text.trim())).toContain("two answers");
    expect(changes.theirs.map((s) => (s.op === "delete" ? "" : s.text)).join("")).toBe(c.markdown.theirs);
    expect(changes.ours.map((s) => (s.op === "insert" ? "" : s.text)).join("")).toBe(c.markdown.base);
  });
});
