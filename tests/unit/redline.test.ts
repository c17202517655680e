import { describe, expect, it } from "vitest";
import { changedRuleFields, markdownBlocks, proseOf, redline, ruleDiff, suggestBump, type TextHunk } from "~/domain/redline";
import type { Rule } from "~/domain/rules";
import { extractRules } from "~/domain/standard-file";

function rule(id: string, overrides: Partial<Rule> = {}): Rule {
  return {
    id,
    title: `Rule ${id}`,
    description: `What ${id} decides.`,
    when: { "<": [{ var: "shipment.value" }, 150] },
    then: { duty: 0 },
    examples: [{ name: "below", input: { shipment: { value: 90 } }, expect: { applies: true, outcome: { duty: 0 } } }],
    ...overrides,
  };
}

function ruleBlock(r: Rule): string {
  return "```rule\n" + JSON.stringify(r, null, 2) + "\n```";
}

function doc(...blocks: string[]): string {
  return blocks.join("\n\n") + "\n";
}

/** The hunks as a compact, readable shape: op, block kind and the changed words. */
function summary(hunks: TextHunk[]) {
  return hunks.map((h) => ({
    op: h.op,
    block: h.block,
    deleted: h.words.filter((w) => w.op === "delete").map((w) => w.text.trim()),
    inserted: h.words.filter((w) => w.op === "insert").map((w) => w.text.trim()),
    moved: h.move !== undefined,
  }));
}

const P1 = "Cross-border sellers need one answer for every parcel sold to a consumer abroad.";
const P2 = "The answers differ by destination and change over time, so the rules carry dates.";
const P3 = "Each rule states its condition in JSON Logic and gives worked examples.";
const P4 = "Implementers run the conformance examples to prove their engine agrees with the portal.";
const TABLE = ["| Destination | Threshold | Currency |", "| --- | --- | --- |", "| EU | 150 | EUR |", "| UK | 135 | GBP |", "| AU | 1000 | AUD |"].join("\n");

describe("markdownBlocks", () => {
  it("splits headings, paragraphs, list items, table rows, quotes and fences, with their start lines", () => {
    const text = [
      "# EWTP-TAR-001 Title",
      "",
      "A paragraph",
      "on two lines.",
      "",
      "- first item",
      "  continued",
      "- second item",
      "1. numbered",
      "",
      TABLE,
      "",
      "> quoted",
      "> still quoted",
      "",
      "```json",
      "{}",
      "",
      "```",
      "",
      ruleBlock(rule("TAR-001.R1")),
      "",
      "---",
      "",
      "Setext heading",
      "==============",
    ].join("\n");
    const blocks = markdownBlocks(text);
    const lineOf = (exact: string) => text.split("\n").indexOf(exact) + 1;
    expect(blocks.map((b) => [b.kind, b.line])).toEqual([
      ["heading", 1],
      ["paragraph", 3],
      ["list-item", 6],
      ["list-item", 8],
      ["list-item", 9],
      ["table-row", 11],
      ["table-row", 12],
      ["table-row", 13],
      ["table-row", 14],
      ["table-row", 15],
      ["quote", 17],
      ["code", 20],
      ["rule", 25],
      ["break", lineOf("---")],
      ["heading", lineOf("Setext heading")],
    ]);
    expect(blocks[1].text).toBe("A paragraph\non two lines.");
    expect(blocks[2].text).toBe("- first item\n  continued");
    expect(blocks[11].text).toBe("```json\n{}\n\n```");
  });

  it("a ~~~ fence closes only with ~~~ of at least its length, and an unclosed fence runs to the end", () => {
    const blocks = markdownBlocks("~~~~rule\n{}\n```\n~~~\n~~~~\n\nafter\n\n```\nopen");
    expect(blocks.map((b) => b.kind)).toEqual(["rule", "paragraph", "code"]);
    expect(blocks[0].text).toBe("~~~~rule\n{}\n```\n~~~\n~~~~");
    expect(blocks[2].text).toBe("```\nopen");
  });

  it("proseOf drops the rule blocks and keeps everything else", () => {
    const text = doc("# Title", P1, ruleBlock(rule("TAR-001.R1")), P2);
    expect(proseOf(text)).toBe(["# Title", P1, P2].join("\n\n"));
  });

  it("an empty text has no blocks", () => {
    expect(markdownBlocks("")).toEqual([]);
    expect(markdownBlocks("\n\n  \n")).toEqual([]);
  });
});

describe("redline: prose", () => {
  it("identical texts have no hunks", () => {
    const text = doc("# Title", P1, P2, TABLE);
    expect(redline(text, text)).toEqual([]);
  });

  it("whitespace-only changes (line endings, re-wrapping, trailing spaces) are no change", () => {
    const from = doc("# Title", P1, P2);
    const to = doc("#  Title  ", P1.replace("one answer", "one\nanswer"), P2 + "   ").replace(/\n/g, "\r\n");
    expect(redline(from, to)).toEqual([]);
  });

  it("a changed word inside a paragraph is a word change in that paragraph, with its lines", () => {
    const from = doc("# Title", P1, P2);
    const to = doc("# Title", P1, P2.replace("dates", "validity dates"));
    const hunks = redline(from, to);
    expect(summary(hunks)).toEqual([{ op: "change", block: "paragraph", deleted: [], inserted: ["validity"], moved: false }]);
    expect(hunks[0].fromLine).toBe(5);
    expect(hunks[0].toLine).toBe(5);
    // The words rebuild both versions of the block.
    const words = hunks[0].words;
    expect(words.filter((w) => w.op !== "insert").map((w) => w.text).join("")).toBe(P2);
    expect(words.filter((w) => w.op !== "delete").map((w) => w.text).join("")).toBe(P2.replace("dates", "validity dates"));
  });

  it("a moved paragraph is a delete and an insert of that block sharing one move, and nothing else", () => {
    const from = doc("# Title", P1, P2, P3, P4);
    const to = doc("# Title", P2, P3, P4, P1);
    const hunks = redline(from, to);
    expect(summary(hunks)).toEqual([
      { op: "delete", block: "paragraph", deleted: [P1], inserted: [], moved: true },
      { op: "insert", block: "paragraph", deleted: [], inserted: [P1], moved: true },
    ]);
    expect(hunks[0].move).toEqual({ id: 1, fromLine: 3, toLine: 9 });
    expect(hunks[1].move).toEqual(hunks[0].move);
    expect(hunks[0].fromLine).toBe(3);
    expect(hunks[1].toLine).toBe(9);
  });

  it("two swapped paragraphs are one move, not a rewrite of both", () => {
    const hunks = redline(doc(P1, P2, P3), doc(P2, P1, P3));
    expect(hunks.map((h) => [h.op, h.move?.id])).toEqual([
      ["delete", 1],
      ["insert", 1],
    ]);
  });

  it("a changed word in a table cell is a word change in that row only", () => {
    const from = doc("## Thresholds", TABLE, P1);
    const to = doc("## Thresholds", TABLE.replace("| UK | 135 | GBP |", "| UK | 150 | GBP |"), P1);
    const hunks = redline(from, to);
    expect(summary(hunks)).toEqual([{ op: "change", block: "table-row", deleted: ["135"], inserted: ["150"], moved: false }]);
    expect(hunks[0].fromLine).toBe(6);
    expect(hunks[0].words).toEqual([
      { op: "equal", text: "| UK | " },
      { op: "delete", text: "135" },
      { op: "insert", text: "150" },
      { op: "equal", text: " | GBP |" },
    ]);
  });

  it("an added table row is an insert of that row; the other rows are untouched", () => {
    const to = TABLE + "\n| CN | 5000 | CNY |";
    expect(summary(redline(doc(TABLE), doc(to)))).toEqual([{ op: "insert", block: "table-row", deleted: [], inserted: ["| CN | 5000 | CNY |"], moved: false }]);
  });

  it("an inserted and a deleted paragraph are an insert and a delete", () => {
    expect(summary(redline(doc(P1, P3), doc(P1, P2, P3)))).toEqual([{ op: "insert", block: "paragraph", deleted: [], inserted: [P2], moved: false }]);
    const deleted = redline(doc(P1, P2, P3), doc(P1, P3));
    expect(summary(deleted)).toEqual([{ op: "delete", block: "paragraph", deleted: [P2], inserted: [], moved: false }]);
    expect(deleted[0]).toMatchObject({ fromLine: 3, toLine: null });
  });

  it("a paragraph rewritten from scratch is a delete and an insert, not a word soup", () => {
    const hunks = redline(doc(P1, P2, P3), doc(P1, "Completely new wording about something else entirely.", P3));
    expect(hunks.map((h) => h.op)).toEqual(["delete", "insert"]);
  });

  it("a renamed heading is a word change in the heading", () => {
    expect(summary(redline(doc("## 4 Rules", P1), doc("## 4 Requirements", P1)))).toEqual([
      { op: "change", block: "heading", deleted: ["Rules"], inserted: ["Requirements"], moved: false },
    ]);
  });

  it("a changed list item is a change of that item", () => {
    const from = doc("- the EU threshold\n- the UK threshold\n- the AU threshold");
    const to = doc("- the EU threshold\n- the United Kingdom threshold\n- the AU threshold");
    expect(summary(redline(from, to))).toEqual([{ op: "change", block: "list-item", deleted: ["UK"], inserted: ["United Kingdom"], moved: false }]);
  });

  it("several changes come back in document order", () => {
    const from = doc("# Title", P1, P2, P3, P4);
    const to = doc("# New title", P1, P2.replace("dates", "times"), P4, "A closing remark.");
    const hunks = redline(from, to);
    expect(hunks.map((h) => h.op)).toEqual(["change", "change", "delete", "insert"]);
    const lines = hunks.map((h) => h.fromLine ?? h.toLine ?? 0);
    expect(lines).toEqual([...lines].sort((a, b) => a - b));
  });

  it("rule blocks are not part of the prose diff: a changed rule leaves the text hunks empty", () => {
    const from = doc(P1, ruleBlock(rule("TAR-001.R1")), P2);
    const to = doc(P1, ruleBlock(rule("TAR-001.R1", { when: { "<=": [{ var: "shipment.value" }, 150] } })), P2);
    expect(redline(from, to)).toEqual([]);
  });

  it("from an empty text everything is inserted; to an empty text everything is deleted", () => {
    expect(redline("", doc(P1, P2)).map((h) => h.op)).toEqual(["insert", "insert"]);
    expect(redline(doc(P1, P2), "").map((h) => h.op)).toEqual(["delete", "delete"]);
  });
});

describe("ruleDiff", () => {
  const r1 = rule("TAR-001.R1");
  const r2 = rule("TAR-001.R2");
  const r3 = rule("TAR-001.R3");

  it("no change gives empty lists", () => {
    expect(ruleDiff([r1, r2], [r1, r2])).toEqual({ added: [], removed: [], changed: [] });
  });

  it("a rule with a changed `when` is changed in the field when only (hand-written case, through the Markdown)", () => {
    const from = extractRules(doc(P1, ruleBlock(r1), ruleBlock(r2))).rules;
    const to = extractRules(doc(P1, ruleBlock(r1), ruleBlock({ ...r2, when: { "<=": [{ var: "shipment.value" }, 150] } }))).rules;
    expect(ruleDiff(from, to)).toEqual({ added: [], removed: [], changed: [{ id: "TAR-001.R2", fields: ["when"] }] });
  });

  it("a removed rule is removed (hand-written case, through the Markdown)", () => {
    const from = extractRules(doc(P1, ruleBlock(r1), ruleBlock(r2), ruleBlock(r3))).rules;
    const to = extractRules(doc(P1, ruleBlock(r1), ruleBlock(r3))).rules;
    expect(ruleDiff(from, to)).toEqual({ added: [], removed: ["TAR-001.R2"], changed: [] });
  });

  it("added rules are listed in the new order, removed in the old order", () => {
    expect(ruleDiff([r1, r2, r3], [rule("TAR-001.R5"), r2, rule("TAR-001.R4")])).toEqual({
      added: ["TAR-001.R5", "TAR-001.R4"],
      removed: ["TAR-001.R1", "TAR-001.R3"],
      changed: [],
    });
  });

  it("compares canonically: key order inside when/then/examples is no change", () => {
    const reordered: Rule = JSON.parse(JSON.stringify({ examples: r1.examples, then: r1.then, when: r1.when, description: r1.description, title: r1.title, id: r1.id }));
    reordered.examples = [{ expect: { outcome: { duty: 0 }, applies: true }, input: { shipment: { value: 90 } }, name: "below" }];
    expect(ruleDiff([r1], [reordered])).toEqual({ added: [], removed: [], changed: [] });
  });

  it("a moved rule (same content, another place) is no change", () => {
    expect(ruleDiff([r1, r2], [r2, r1])).toEqual({ added: [], removed: [], changed: [] });
  });

  it("names every changed field, in a fixed order", () => {
    const changed = rule("TAR-001.R1", {
      title: "New title",
      description: "New description.",
      when: true,
      then: { duty: 5 },
      examples: [{ name: "any", input: {}, expect: { applies: true, outcome: { duty: 5 } } }],
    });
    expect(changedRuleFields(r1, changed)).toEqual(["title", "description", "when", "then", "examples"]);
    expect(changedRuleFields(r1, { ...r1, then: { duty: 0, route: "simplified" } })).toEqual(["then"]);
    expect(changedRuleFields(r1, { ...r1, examples: [...r1.examples, { name: "above", input: { shipment: { value: 200 } }, expect: { applies: false, outcome: null } }] })).toEqual([
      "examples",
    ]);
  });

  it("a field the format may add later is compared too", () => {
    const withExtra = { ...r1, effectiveFrom: "2026-01-01" } as Rule;
    expect(changedRuleFields(r1, withExtra)).toEqual(["effectiveFrom"]);
  });
});

describe("suggestBump", () => {
  const none = { added: [], removed: [], changed: [] };
  it("a removed rule is major", () => expect(suggestBump({ ...none, removed: ["X"] }, false)).toBe("major"));
  it("a changed rule is major, even with rules added", () => expect(suggestBump({ ...none, added: ["Y"], changed: [{ id: "X", fields: ["title"] }] }, true)).toBe("major"));
  it("an added rule is minor", () => expect(suggestBump({ ...none, added: ["Y"] }, true)).toBe("minor"));
  it("text only is patch", () => expect(suggestBump(none, true)).toBe("patch"));
  it("no change at all is patch", () => expect(suggestBump(none, false)).toBe("patch"));
});

describe("a 100-page document", () => {
  // About 100 pages: 100 sections, each a heading, 8 paragraphs of ~60 words, a 10-row table and a rule.
  const WORDS = "consignment duty threshold parcel seller marketplace customs value destination carrier declaration import tax rate currency origin".split(" ");
  function paragraph(section: number, n: number): string {
    const words: string[] = [];
    for (let i = 0; i < 60; i++) words.push(WORDS[(section * 7 + n * 13 + i * 5) % WORDS.length]);
    return `Section ${section} paragraph ${n}: ${words.join(" ")}.`;
  }
  function bigDocument(edit: (section: number) => string[] | null = () => null): string {
    const blocks: string[] = ["# EWTP-TAR-009 A long standard"];
    for (let s = 1; s <= 100; s++) {
      const own = edit(s);
      if (own) {
        blocks.push(...own);
        continue;
      }
      blocks.push(`## ${s} Section ${s}`);
      for (let p = 1; p <= 8; p++) blocks.push(paragraph(s, p));
      blocks.push(["| Country | Threshold |", "| --- | --- |", ...Array.from({ length: 10 }, (_, r) => `| C${s}-${r} | ${s * 10 + r} |`)].join("\n"));
      blocks.push(ruleBlock(rule(`TAR-009.R${s}`)));
    }
    return doc(...blocks);
  }
  function section(s: number, change: (blocks: string[]) => string[]): string[] {
    const blocks = [`## ${s} Section ${s}`, ...Array.from({ length: 8 }, (_, i) => paragraph(s, i + 1))];
    blocks.push(["| Country | Threshold |", "| --- | --- |", ...Array.from({ length: 10 }, (_, r) => `| C${s}-${r} | ${s * 10 + r} |`)].join("\n"));
    blocks.push(ruleBlock(rule(`TAR-009.R${s}`)));
    return change(blocks);
  }

  const from = bigDocument();
  const to = bigDocument((s) => {
    if (s % 10 === 3) return section(s, (b) => b.map((x, i) => (i === 4 ? x.replace("paragraph 4:", "paragraph 4 (amended):") : x)));
    if (s === 50) return section(s, (b) => b.map((x, i) => (i === 9 ? x.replace("| C50-7 | 507 |", "| C50-7 | 570 |") : x)));
    if (s === 60) return section(s, (b) => b.filter((_, i) => i !== 2));
    if (s === 70) return section(s, (b) => [...b.slice(0, 3), "A new paragraph in section seventy.", ...b.slice(3)]);
    if (s === 80) return section(s, (b) => [b[0], ...b.slice(2, 9), b[1], ...b.slice(9)]);
    if (s === 90) return section(s, (b) => b.slice(0, 10));
    return null;
  });

  it("is about 100 pages of text", () => {
    expect(from.length).toBeGreaterThan(250_000);
  });

  it("finds exactly the edits: 10 word changes, a table cell, a deletion, an insertion, a move; the removed rule only in the rule diff", () => {
    const hunks = redline(from, to);
    const changes = hunks.filter((h) => h.op === "change");
    expect(changes).toHaveLength(11);
    expect(changes.filter((h) => h.block === "paragraph").every((h) => h.words.some((w) => w.op === "insert" && w.text.includes("amended")))).toBe(true);
    expect(summary(changes.filter((h) => h.block === "table-row"))).toEqual([{ op: "change", block: "table-row", deleted: ["507"], inserted: ["570"], moved: false }]);
    const moved = hunks.filter((h) => h.move);
    expect(moved.map((h) => h.op)).toEqual(["delete", "insert"]);
    expect(moved[0].words[0].text).toBe(paragraph(80, 1));
    const plain = hunks.filter((h) => !h.move && h.op !== "change");
    expect(summary(plain)).toEqual([
      { op: "delete", block: "paragraph", deleted: [paragraph(60, 2)], inserted: [], moved: false },
      { op: "insert", block: "paragraph", deleted: [], inserted: ["A new paragraph in section seventy."], moved: false },
    ]);
    expect(hunks).toHaveLength(15);
    expect(ruleDiff(extractRules(from).rules, extractRules(to).rules)).toEqual({ added: [], removed: ["TAR-009.R90"], changed: [] });
  });
});
