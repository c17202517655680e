/**
 * Standard Markdown ⇄ Lexical, on the server (headless, no DOM).
 *
 * Round trips compare under normalizeMarkdownWhitespace, applied to both sides: CRLF → LF, trailing
 * spaces and tabs removed from every line, runs of 3+ newlines collapsed to one blank line, no
 * leading blank lines, exactly one final newline.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createHeadlessEditor } from "@lexical/headless";
import { $createParagraphNode, $createTextNode, $getRoot, type SerializedEditorState, type SerializedLexicalNode } from "lexical";
import { describe, expect, it } from "vitest";
import { findRuleBlocks, parseStandardFile } from "~/domain/standard-file";
import {
  $exportMarkdown,
  $importMarkdown,
  editorStateToMarkdown,
  escapeMarkdownText,
  markdownToEditorState,
  normalizeMarkdownWhitespace,
  ruleBlockMarkdown,
  ruleSourcesOf,
} from "~/editor/markdown";
import { STANDARD_NODES } from "~/editor/nodes";

type AnyNode = SerializedLexicalNode & { children?: AnyNode[]; text?: string; format?: number | string; [key: string]: unknown };

const dir = join(process.cwd(), "standards");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".md"))
  .sort();

const roundTrip = (markdown: string) => editorStateToMarkdown(markdownToEditorState(markdown));
const nodes = (state: SerializedEditorState): AnyNode[] => state.root.children as AnyNode[];
const all = (state: SerializedEditorState): AnyNode[] => {
  const out: AnyNode[] = [];
  const walk = (n: AnyNode) => {
    out.push(n);
    n.children?.forEach(walk);
  };
  nodes(state).forEach(walk);
  return out;
};
const textOf = (state: SerializedEditorState) =>
  all(state)
    .map((n) =>
      typeof n.text === "string" ? n.text : n.type === "rule" ? String(n.source) : n.type === "linebreak" ? "\n" : n.type === "link" ? `${String(n.url)} ` : ""
    )
    .join("");

describe("conversion runs on the server", () => {
  it("has no DOM in this environment, and still converts", () => {
    expect(typeof document).toBe("undefined");
    expect(roundTrip("# Title\n\nText.\n")).toBe("# Title\n\nText.\n");
  });
});

describe.each(files)("seed standard %s", (file) => {
  const body = parseStandardFile(readFileSync(join(dir, file), "utf8"), `standards/${file}`).body;
  const state = markdownToEditorState(body);

  it("round-trips Markdown → Lexical → Markdown (equal after whitespace normalization)", () => {
    const out = editorStateToMarkdown(state);
    expect(normalizeMarkdownWhitespace(out)).toBe(normalizeMarkdownWhitespace(body));
  });

  it("round-trips through the serialized JSON too (what the browser sends back)", () => {
    const reparsed = JSON.parse(JSON.stringify(state)) as SerializedEditorState;
    expect(normalizeMarkdownWhitespace(editorStateToMarkdown(reparsed))).toBe(normalizeMarkdownWhitespace(body));
  });

  it("has as many rule nodes as findRuleBlocks finds rule blocks, with the same sources", () => {
    const blocks = findRuleBlocks(body);
    expect(blocks.length).toBeGreaterThan(0);
    expect(ruleSourcesOf(state)).toEqual(blocks.map((b) => b.source));
  });

  it("imports its tables as tables, with a header row", () => {
    const tables = nodes(state).filter((n) => n.type === "table");
    const pipeTables = body.split("\n").filter((line, i, lines) => line.startsWith("|") && /^\|( *:?-+:? *\|)+$/.test(lines[i + 1] ?? ""));
    expect(tables.length).toBe(pipeTables.length);
    const firstCell = tables[0].children![0].children![0];
    expect(firstCell.type).toBe("tablecell");
    expect(firstCell.headerState).toBe(1);
  });
});

describe("targeted constructs", () => {
  it("a table with inline code and emphasis in its cells, an escaped pipe, a link and an aligned column", () => {
    const md = [
      "| Field | Meaning |",
      "| :--- | ---: |",
      "| `shipment.dest_ct` | *Destination*, e.g. **EU** |",
      '| `a\\|b` | one \\| two and [spec](https://jsonlogic.com "JSON Logic") |',
      "",
    ].join("\n");
    const state = markdownToEditorState(md);
    expect(editorStateToMarkdown(state)).toBe(md);
    const table = nodes(state)[0];
    expect(table.type).toBe("table");
    const cells = table.children!.map((row) => row.children!);
    const texts = (cell: AnyNode) => cell.children![0].children!;
    expect(texts(cells[1][0])).toMatchObject([{ text: "shipment.dest_ct", format: 16 }]);
    expect(texts(cells[1][1])).toMatchObject([{ text: "Destination", format: 2 }, { text: ", e.g. " }, { text: "EU", format: 1 }]);
    expect(texts(cells[2][0])).toMatchObject([{ text: "a|b", format: 16 }]);
    expect(texts(cells[2][1])[0]).toMatchObject({ text: "one | two and " });
    expect(cells[0][1].children![0].format).toBe("right");
  });

  it("a table whose rows have fewer or more cells keeps every cell's text", () => {
    const out = roundTrip("| a | b |\n| --- | --- |\n| 1 |\n| 1 | 2 | 3 |\n");
    expect(out).toBe("| a | b |  |\n| --- | --- | --- |\n| 1 |  |  |\n| 1 | 2 | 3 |\n");
  });

  it("nested lists, bulleted and numbered, indented to the parent's content column", () => {
    const md = "- a\n  - b\n    - c\n- d\n\n1. one\n   1. one.one\n   2. one.two\n2. two\n   - mixed\n";
    const state = markdownToEditorState(md);
    expect(editorStateToMarkdown(state)).toBe(md);
    const bullet = nodes(state)[0];
    expect(bullet).toMatchObject({ type: "list", listType: "bullet" });
    const nested = bullet.children![1].children![0];
    expect(nested).toMatchObject({ type: "list", listType: "bullet" });
    expect(nested.children![0].children![0]).toMatchObject({ text: "b" });
  });

  it("a link with a title", () => {
    const md = 'See the [operations reference](https://jsonlogic.com/operations.html "JSON Logic operations").\n';
    const state = markdownToEditorState(md);
    expect(editorStateToMarkdown(state)).toBe(md);
    const link = nodes(state)[0].children!.find((n) => n.type === "link")!;
    expect(link).toMatchObject({ url: "https://jsonlogic.com/operations.html", title: "JSON Logic operations" });
  });

  it("a rule block with invalid JSON survives verbatim", () => {
    const broken = '{\n  "id": "TAR-001.R99",\n  "title": "Missing comma"\n  "when": {"==": [1, 1]}, \n}';
    const md = `Before.\n\n\`\`\`rule\n${broken}\n\`\`\`\n\nAfter.\n`;
    const state = markdownToEditorState(md);
    expect(ruleSourcesOf(state)).toEqual([broken]);
    expect(editorStateToMarkdown(state)).toBe(md);
  });

  it("a rule block with valid JSON is exported pretty-printed with a 2-space indent", () => {
    const compact = '{"id":"TAR-001.R1","then":{"duty":0}}';
    expect(roundTrip(`\`\`\`rule\n${compact}\n\`\`\`\n`)).toBe(`\`\`\`rule\n${JSON.stringify(JSON.parse(compact), null, 2)}\n\`\`\`\n`);
  });

  it("~~~rule fences and unclosed rule fences are rule blocks too, as findRuleBlocks says", () => {
    for (const md of ['~~~rule\n{"id": "X"}\n~~~\n', '```rule\n{"id": "X"}\n```\n\n```rule\n{"id": "unclosed"\n']) {
      expect(ruleSourcesOf(markdownToEditorState(md))).toEqual(findRuleBlocks(md).map((b) => b.source));
    }
  });

  it("a rule body containing a fence gets a longer fence, so it still reads back as one block", () => {
    const source = "not json\n```\nstill the rule";
    const md = ruleBlockMarkdown(source);
    expect(md.startsWith("````rule\n")).toBe(true);
    expect(ruleSourcesOf(markdownToEditorState(md))).toEqual([source]);
  });

  it("code blocks keep their language and content", () => {
    expect(roundTrip('```json\n{"a": 1}\n\n  indented\n```\n')).toBe('```json\n{"a": 1}\n\n  indented\n```\n');
    expect(roundTrip("~~~\nplain\n~~~\n")).toBe("```\nplain\n```\n");
  });

  it("quotes, with bold, several lines and an empty quote line", () => {
    const md = "> **NOTE** First line\n> second line\n>\n> after an empty line\n";
    const state = markdownToEditorState(md);
    expect(nodes(state)).toHaveLength(1);
    expect(nodes(state)[0].type).toBe("quote");
    expect(editorStateToMarkdown(state)).toBe(md);
  });

  describe("unknown constructs import without losing text", () => {
    const cases: Record<string, string> = {
      "raw HTML": '<div class="note">\n<b>Important</b> text\n</div>\n',
      footnotes: "A claim.[^1]\n\n[^1]: The footnote text.\n",
      "setext headings": "A setext title\n==============\n\nA subtitle\n----------\n",
      "nested block quotes": "> > quoted twice\n> quoted once\n",
      "thematic break": "Above.\n\n---\n\nBelow.\n",
      "reference links": "See [the spec][spec].\n\n[spec]: https://example.org/spec\n",
      images: "![A diagram](diagram.png)\n",
      "indented code": "Para.\n\n    indented code line\n",
      "HTML comments": "<!-- a comment -->\n",
      "definition-like lines": "Term\n: Definition\n",
    };
    it.each(Object.entries(cases))("%s", (_name, md) => {
      const state = markdownToEditorState(md);
      const text = textOf(state);
      for (const word of md.match(/[A-Za-z]{3,}/g) ?? []) expect(text).toContain(word);
      expect(normalizeMarkdownWhitespace(editorStateToMarkdown(state))).toBe(normalizeMarkdownWhitespace(md));
    });

    it("a star thematic break keeps its characters (escaped as text)", () => {
      const state = markdownToEditorState("***\n");
      expect(textOf(state)).toBe("***");
      expect(roundTrip(roundTrip("***\n"))).toBe(roundTrip("***\n"));
    });
  });

  it("empty and blank documents give an empty document, not an error", () => {
    expect(nodes(markdownToEditorState(""))).toHaveLength(1);
    expect(roundTrip("")).toBe("");
    expect(roundTrip("\n\n  \n")).toBe("");
  });

  it("CRLF line endings and a BOM are read as LF", () => {
    expect(roundTrip("\uFEFF# Title\r\n\r\nText.\r\n")).toBe("# Title\n\nText.\n");
  });

  it("refuses a serialized state with an unknown node type (so the save action can answer 400)", () => {
    const state = { root: { type: "root", version: 1, children: [{ type: "no-such-node", version: 1 }] } } as unknown as SerializedEditorState;
    expect(() => editorStateToMarkdown(state)).toThrow();
  });
});

describe("plain text written in the editor reads back as the same text", () => {
  const editor = () =>
    createHeadlessEditor({
      nodes: [...STANDARD_NODES],
      onError: (e) => {
        throw e;
      },
    });
  const tricky = [
    "snake_case_name stays as written",
    "_leading and trailing_",
    "2 * 3 * 4 and a*b*c",
    "a `tick` and ~~tilde~~ and ~one",
    "C:\\Users\\x and \\* and ends with \\",
    "[not a link](really) and [just brackets]",
    "&#38; and &amp; and & alone",
    "# not a heading",
    "- not a list",
    "1. not a list either",
    "> not a quote",
    "| not | a table |",
  ];
  it.each(tricky)("%s", (text) => {
    const e = editor();
    e.update(
      () =>
        $getRoot()
          .clear()
          .append($createParagraphNode().append($createTextNode(text))),
      { discrete: true }
    );
    const md = e.getEditorState().read($exportMarkdown);
    const back = editor();
    back.update(() => $importMarkdown(md), { discrete: true });
    const state = back.getEditorState().toJSON();
    expect(nodes(state)).toHaveLength(1);
    expect(textOf(state)).toBe(text);
  });

  it("escapes only where the importer would read syntax", () => {
    expect(escapeMarkdownText("snake_case")).toBe("snake_case");
    expect(escapeMarkdownText("_x_")).toBe("\\_x\\_");
    expect(escapeMarkdownText("a*b")).toBe("a\\*b");
    expect(escapeMarkdownText("C:\\Users")).toBe("C:\\Users");
  });
});
