/**
 * Standard Markdown ⇄ Lexical document, in the browser and on the server (headless, no DOM).
 *
 * Built on @lexical/markdown: its transformers are used where they already write the canonical
 * form (ATX headings, fenced code, `*em*`, `**strong**`, inline code, links with titles), and ours
 * where they do not or where it has none: ```rule blocks ⇄ RuleNode, GFM pipe tables ⇄ TableNode,
 * lists (nested under the parent's content column), quotes (empty quote lines), `~~~` code fences,
 * and paragraphs (a line that would read back as another block is escaped).
 *
 * Anything else — raw HTML, footnotes, setext headings, nested block quotes, reference links,
 * thematic breaks — is not understood and imports as paragraph text, literally, so no text is lost
 * and it exports back as written.
 */
import { $createCodeNode, CodeNode } from "@lexical/code";
import { createHeadlessEditor } from "@lexical/headless";
import { $isListItemNode, $isListNode, type ListNode } from "@lexical/list";
import {
  $convertFromMarkdownString,
  $convertToMarkdownString,
  BOLD_ITALIC_STAR,
  BOLD_ITALIC_UNDERSCORE,
  BOLD_STAR,
  BOLD_UNDERSCORE,
  CODE,
  HEADING,
  INLINE_CODE,
  ITALIC_STAR,
  ITALIC_UNDERSCORE,
  LINK,
  ORDERED_LIST,
  STRIKETHROUGH,
  UNORDERED_LIST,
  type ElementTransformer,
  type MultilineElementTransformer,
  type TextFormatTransformer,
  type TextMatchTransformer,
  type Transformer,
} from "@lexical/markdown";
import { $createQuoteNode, $isQuoteNode, QuoteNode } from "@lexical/rich-text";
import {
  $createTableCellNode,
  $createTableNode,
  $createTableRowNode,
  $isTableCellNode,
  $isTableNode,
  $isTableRowNode,
  TableCellHeaderStates,
  TableCellNode,
  TableNode,
  TableRowNode,
} from "@lexical/table";
import {
  $createLineBreakNode,
  $createParagraphNode,
  $createTextNode,
  $getRoot,
  $isElementNode,
  $isParagraphNode,
  $isTextNode,
  ParagraphNode,
  type ElementFormatType,
  type ElementNode,
  type SerializedEditorState,
} from "lexical";
import { STANDARD_NODES } from "./nodes";
import { $createRuleNode, $isRuleNode, RuleNode } from "./rule-node";

// ---------------------------------------------------------------------------------------------
// Fenced blocks: ```rule / ~~~rule (RuleNode) and ~~~ code (CodeNode; ``` code is Lexical's CODE).

const OPENING_FENCE = /^( {0,3})(`{3,}|~{3,})(.*)$/;
const CLOSING_FENCE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;

/** Reads a fenced block starting at `start` with CommonMark closing rules: its body lines (indent stripped) and its last line. */
function readFence(lines: string[], start: number): { info: string; body: string[]; end: number; closed: boolean } | null {
  const open = OPENING_FENCE.exec(lines[start]);
  if (!open) return null;
  const [, indent, marker, rest] = open;
  if (marker[0] === "`" && rest.includes("`")) return null;
  const body: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const close = CLOSING_FENCE.exec(lines[i]);
    if (close && close[1][0] === marker[0] && close[1].length >= marker.length) return { info: rest.trim(), body, end: i, closed: true };
    let strip = 0;
    while (strip < indent.length && lines[i][strip] === " ") strip++;
    body.push(lines[i].slice(strip));
  }
  return { info: rest.trim(), body, end: lines.length - 1, closed: false };
}

/** A fence long enough that no line of `body` closes it early. */
function fenceFor(body: string): string {
  const runs = body.match(/^ {0,3}`{3,}/gm) ?? [];
  const longest = Math.max(2, ...runs.map((r) => r.trim().length));
  return "`".repeat(longest + 1);
}

/** The Markdown of a rule block: pretty-printed JSON (2-space indent) when the source is JSON, else the source verbatim. */
export function ruleBlockMarkdown(source: string): string {
  let body = source;
  try {
    body = JSON.stringify(JSON.parse(source), null, 2);
  } catch {
    // Not JSON: kept exactly as written so the author can fix it.
  }
  const fence = fenceFor(body);
  return `${fence}rule\n${body}\n${fence}`;
}

/** ```rule (or ~~~rule) fenced blocks ⇄ RuleNode, with the same fence rules as findRuleBlocks. */
export const RULE: MultilineElementTransformer = {
  dependencies: [RuleNode],
  export: (node) => ($isRuleNode(node) ? ruleBlockMarkdown(node.getSource()) : null),
  regExpStart: /^ {0,3}(`{3,}|~{3,})[ \t]*rule[ \t]*$/,
  handleImportAfterStartMatch: ({ lines, rootNode, startLineIndex }) => {
    const fence = readFence(lines, startLineIndex);
    if (!fence || fence.info !== "rule") return null;
    rootNode.append($createRuleNode(fence.body.join("\n")));
    return [true, fence.end];
  },
  replace: () => false,
  type: "multiline-element",
};

/** ~~~ fenced code blocks (Lexical's CODE reads only backtick fences); exported with backticks. */
export const TILDE_CODE: MultilineElementTransformer = {
  dependencies: [CodeNode],
  regExpStart: /^ {0,3}~{3,}/,
  handleImportAfterStartMatch: ({ lines, rootNode, startLineIndex }) => {
    const fence = readFence(lines, startLineIndex);
    if (!fence) return null;
    const language = fence.info.split(/\s+/)[0] || undefined;
    const code = $createCodeNode(language);
    if (fence.body.length) code.append($createTextNode(fence.body.join("\n")));
    rootNode.append(code);
    return [true, fence.end];
  },
  replace: () => false,
  type: "multiline-element",
};

// ---------------------------------------------------------------------------------------------
// Inline content: the transformers that write the canonical form first, so export uses them.

const ASCII_PUNCTUATION = /[!-/:-@[-`{-~]/;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/**
 * Escapes plain text for standard Markdown, only where the importer would otherwise read syntax:
 * `*`, backtick and `~` always; `_` unless inside a word (snake_case stays as written); `\` before
 * punctuation or at the end; `(` right after `]` (it would make a link); `&#NN;` that would be read as a character.
 */
export function escapeMarkdownText(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const prev = text[i - 1] ?? "";
    const next = text[i + 1] ?? "";
    if (ch === "\\") out += next === "" || ASCII_PUNCTUATION.test(next) ? "\\\\" : "\\";
    else if (ch === "*" || ch === "`" || ch === "~") out += `\\${ch}`;
    else if (ch === "_") out += WORD_CHARACTER.test(prev) && WORD_CHARACTER.test(next) ? "_" : "\\_";
    else if (ch === "(" && prev === "]") out += "\\(";
    else if (ch === "&" && /^&#\d+;/.test(text.slice(i))) out += "&#38;";
    else out += ch;
  }
  return out;
}

/** Plain (unformatted) text: export only, with escapeMarkdownText instead of Lexical's escape-everything. */
export const PLAIN_TEXT: TextMatchTransformer = {
  dependencies: [],
  export: (node, _exportChildren, exportFormat) => {
    if (!$isTextNode(node) || node.getFormat() !== 0) return null;
    // exportFormat with no text closes any format still open before this node, and writes nothing else.
    return exportFormat(node, "") + escapeMarkdownText(node.getTextContent());
  },
  importRegExp: /(?!)/,
  regExp: /(?!)/,
  type: "text-match",
};

/** Text formats and links: `code`, **strong**, *em*, ~~strike~~, [links](url "title"); `_`-variants are read, never written. */
export const INLINE_TRANSFORMERS: Array<TextFormatTransformer | TextMatchTransformer> = [
  INLINE_CODE,
  BOLD_ITALIC_STAR,
  BOLD_ITALIC_UNDERSCORE,
  BOLD_STAR,
  BOLD_UNDERSCORE,
  ITALIC_STAR,
  ITALIC_UNDERSCORE,
  STRIKETHROUGH,
  LINK,
  PLAIN_TEXT,
];

// ---------------------------------------------------------------------------------------------
// GFM pipe tables ⇄ TableNode. Only tables whose rows start with "|" are read (the canonical form).

const TABLE_LINE = /^ {0,3}\|/;

/** Splits a table row into raw cell texts: unescaped pipes separate cells; `\|` stays in the cell. */
export function splitTableRow(line: string): string[] {
  let text = line.trim();
  if (text.startsWith("|")) text = text.slice(1);
  const cells: string[] = [];
  let current = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "\\" && text[i + 1] === "|") {
      current += "\\|";
      i++;
    } else if (ch === "|") {
      cells.push(current);
      current = "";
    } else current += ch;
  }
  if (current.trim() !== "" || cells.length === 0) cells.push(current);
  return cells.map((c) => c.trim());
}

const DIVIDER_CELL = /^:?-+:?$/;

/** The column alignments of a GFM delimiter row, or null when `line` is not one. */
function parseDivider(line: string): ElementFormatType[] | null {
  if (!TABLE_LINE.test(line) && !/^ {0,3}:?-/.test(line)) return null;
  const cells = splitTableRow(line);
  if (!cells.length || !cells.every((c) => DIVIDER_CELL.test(c))) return null;
  return cells.map((c) => (c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : ""));
}

const BR = /<br\s*\/?>/i;

/** Fills a table cell with the inline Markdown of one cell; `<br>` separates paragraphs. */
function $fillCell(cell: TableCellNode, text: string, align: ElementFormatType): void {
  const parts = text.replace(/\\\|/g, "|").split(BR);
  $convertFromMarkdownString(parts.join("\n\n"), INLINE_TRANSFORMERS as Transformer[], cell);
  if (cell.getChildrenSize() === 0) cell.append($createParagraphNode());
  if (align) for (const child of cell.getChildren()) if ($isElementNode(child)) child.setFormat(align);
}

/** The inline Markdown of a table cell: paragraphs joined by `<br>`, pipes escaped, on one line. */
function cellMarkdown(cell: TableCellNode, exportChildren: (node: ElementNode) => string): string {
  return cell
    .getChildren()
    .map((child) => ($isElementNode(child) ? exportChildren(child) : child.getTextContent()))
    .join("<br>")
    .replace(/\n/g, "<br>")
    .replace(/\|/g, "\\|")
    .trim();
}

const DIVIDER_OF: Record<string, string> = { left: ":---", center: ":---:", right: "---:" };

/** GFM pipe tables ⇄ TableNode (first row = header row; column alignment kept on the cells' paragraphs). */
export const TABLE: MultilineElementTransformer = {
  dependencies: [TableNode, TableRowNode, TableCellNode],
  export: (node, exportChildren) => {
    if (!$isTableNode(node)) return null;
    const rows = node.getChildren().filter($isTableRowNode);
    const texts = rows.map((row) =>
      row
        .getChildren()
        .filter($isTableCellNode)
        .map((cell) => cellMarkdown(cell, exportChildren))
    );
    const width = Math.max(1, ...texts.map((r) => r.length));
    const header = rows[0]?.getChildren().filter($isTableCellNode) ?? [];
    const aligns = Array.from({ length: width }, (_, i) => {
      const first = header[i]?.getFirstChild();
      return $isElementNode(first) ? first.getFormatType() : "";
    });
    const line = (cells: string[]) => `| ${Array.from({ length: width }, (_, i) => cells[i] ?? "").join(" | ")} |`;
    const divider = `| ${aligns.map((a) => DIVIDER_OF[a] ?? "---").join(" | ")} |`;
    if (texts.length === 0) return null;
    return [line(texts[0]), divider, ...texts.slice(1).map(line)].join("\n");
  },
  regExpStart: TABLE_LINE,
  handleImportAfterStartMatch: ({ lines, rootNode, startLineIndex }) => {
    const header = splitTableRow(lines[startLineIndex]);
    const aligns = startLineIndex + 1 < lines.length ? parseDivider(lines[startLineIndex + 1]) : null;
    if (!aligns || aligns.length !== header.length) return null;
    const rows: string[][] = [header];
    let end = startLineIndex + 1;
    while (end + 1 < lines.length && TABLE_LINE.test(lines[end + 1])) rows.push(splitTableRow(lines[++end]));
    const width = Math.max(...rows.map((r) => r.length));
    const table = $createTableNode();
    rows.forEach((cells, r) => {
      const row = $createTableRowNode();
      for (let c = 0; c < width; c++) {
        const cell = $createTableCellNode(r === 0 ? TableCellHeaderStates.ROW : TableCellHeaderStates.NO_STATUS);
        $fillCell(cell, cells[c] ?? "", aligns[c] ?? "");
        row.append(cell);
      }
      table.append(row);
    });
    rootNode.append(table);
    return [true, end];
  },
  replace: () => false,
  type: "multiline-element",
};

// ---------------------------------------------------------------------------------------------
// Block elements.

/** Lists with CommonMark nesting: a sublist is indented to its parent item's content column ("- " → 2, "1. " → 3). */
function $listMarkdown(list: ListNode, exportChildren: (node: ElementNode) => string, indent: string): string {
  const out: string[] = [];
  let index = 0;
  let contentColumn = 2;
  for (const item of list.getChildren()) {
    if (!$isListItemNode(item)) continue;
    const first = item.getFirstChild();
    if (item.getChildrenSize() === 1 && $isListNode(first)) {
      out.push($listMarkdown(first, exportChildren, indent + " ".repeat(contentColumn)));
      continue;
    }
    const type = list.getListType();
    const marker = type === "number" ? `${list.getStart() + index}. ` : type === "check" ? `- [${item.getChecked() ? "x" : " "}] ` : "- ";
    let text = exportChildren(item);
    // An item text that starts like an ordered list marker would read back as a nested list.
    if (type !== "number") text = text.replace(/^(\s{0,3}\d+)(\.\s)/, "$1\\$2");
    out.push(indent + marker + text);
    contentColumn = type === "check" ? 2 : marker.length;
    index++;
  }
  return out.join("\n");
}

const listExport: ElementTransformer["export"] = (node, exportChildren) => ($isListNode(node) ? $listMarkdown(node, exportChildren, "") : null);

/** Bulleted lists: Lexical's import (column-aware nesting), canonical export. */
export const BULLET_LIST: ElementTransformer = { ...UNORDERED_LIST, export: listExport };

/** Numbered lists: Lexical's import, canonical export. */
export const NUMBERED_LIST: ElementTransformer = { ...ORDERED_LIST, export: listExport };

/** Block quotes: one QuoteNode per run of "> " lines; an empty quote line (">") is kept. */
export const QUOTE: ElementTransformer = {
  dependencies: [QuoteNode],
  export: (node, exportChildren) => {
    if (!$isQuoteNode(node)) return null;
    return exportChildren(node)
      .split("\n")
      .map((line) => (line === "" ? ">" : `> ${line}`))
      .join("\n");
  },
  regExp: /^>(?:\s|$)/,
  replace: (parentNode, children, _match, isImport) => {
    const previous = parentNode.getPreviousSibling();
    if (isImport && $isQuoteNode(previous)) {
      // Continue the quote on a new line; LineBreakNode keeps the line structure for export.
      previous.append($createLineBreakNode(), ...children);
      parentNode.remove();
      return;
    }
    const quote = $createQuoteNode();
    quote.append(...children);
    parentNode.replace(quote);
  },
  type: "element",
};

// A paragraph line that would read back as a heading, quote or list is escaped ("\# ", "\> ", "\- ", "1\. ").
const BLOCK_START = /^(\s*)(#{1,6}(?=\s)|>(?=\s|$)|[-+](?=\s)|\d+(?=\.\s))/;

/** Paragraphs: export only; escapes a line start that would otherwise read back as another block. */
export const PARAGRAPH: ElementTransformer = {
  dependencies: [ParagraphNode],
  export: (node, exportChildren) => {
    if (!$isParagraphNode(node)) return null;
    return exportChildren(node)
      .split("\n")
      .map((line) => line.replace(BLOCK_START, (_m, ws: string, mark: string) => (/^\d/.test(mark) ? `${ws}${mark}\\` : `${ws}\\${mark}`)))
      .join("\n");
  },
  regExp: /(?!)/,
  replace: () => false,
  type: "element",
};

/** Every transformer of standard Markdown, in the order import and export try them. */
export const STANDARD_TRANSFORMERS: Transformer[] = [
  RULE,
  CODE,
  TILDE_CODE,
  TABLE,
  HEADING,
  QUOTE,
  BULLET_LIST,
  NUMBERED_LIST,
  PARAGRAPH,
  ...INLINE_TRANSFORMERS,
];

// ---------------------------------------------------------------------------------------------
// Whitespace: what export guarantees, and the normalization the round-trip test applies.

/** Tidies exported Markdown: no blank lines at the start, at most one blank line between blocks (outside fences), one final newline. */
export function tidyMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let fence: { char: string; length: number } | null = null;
  for (const line of lines) {
    if (fence) {
      out.push(line);
      const close = CLOSING_FENCE.exec(line);
      if (close && close[1][0] === fence.char && close[1].length >= fence.length) fence = null;
      continue;
    }
    const open = OPENING_FENCE.exec(line);
    if (open && !(open[2][0] === "`" && open[3].includes("`"))) fence = { char: open[2][0], length: open[2].length };
    if (line.trim() === "" && (out.length === 0 || out[out.length - 1].trim() === "")) continue;
    out.push(line.trim() === "" ? "" : line);
  }
  while (out.length && out[out.length - 1] === "") out.pop();
  return out.length ? `${out.join("\n")}\n` : "";
}

/**
 * The whitespace normalization under which import→export is lossless: CRLF → LF, trailing spaces
 * and tabs removed from every line, runs of 3+ newlines collapsed to one blank line, no leading
 * blank lines, exactly one final newline. Applied to both sides of the round-trip test.
 */
export function normalizeMarkdownWhitespace(markdown: string): string {
  const text = markdown
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+/, "")
    .replace(/\n*$/, "\n");
  return text === "\n" ? "" : text;
}

// ---------------------------------------------------------------------------------------------
// Conversion.

/** Replaces the document (inside editor.update) with the content of standard Markdown. */
export function $importMarkdown(markdown: string): void {
  const text = markdown.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  $convertFromMarkdownString(text, STANDARD_TRANSFORMERS, undefined, false, false);
  const root = $getRoot();
  if (root.getChildrenSize() === 0) root.append($createParagraphNode());
}

/** The document (inside editor.read or editor.update) as standard Markdown, tidied, ending in one newline. */
export function $exportMarkdown(): string {
  return tidyMarkdown($convertToMarkdownString(STANDARD_TRANSFORMERS, undefined, false));
}

function headlessEditor() {
  return createHeadlessEditor({
    namespace: "standard",
    nodes: [...STANDARD_NODES],
    onError: (error) => {
      throw error;
    },
  });
}

/** Converts standard Markdown to a serialized Lexical state (server-side, no DOM). */
export function markdownToEditorState(markdown: string): SerializedEditorState {
  const editor = headlessEditor();
  editor.update(() => $importMarkdown(markdown), { discrete: true });
  return editor.getEditorState().toJSON();
}

/** Converts a serialized Lexical state to standard Markdown (server-side, no DOM); throws on an unknown node type. */
export function editorStateToMarkdown(state: SerializedEditorState): string {
  const editor = headlessEditor();
  editor.setEditorState(editor.parseEditorState(state));
  return editor.getEditorState().read(() => $exportMarkdown());
}

/** The rule block sources of a serialized state, in document order (for counts and checks without an editor). */
export function ruleSourcesOf(state: SerializedEditorState): string[] {
  const out: string[] = [];
  const walk = (node: { type?: string; source?: unknown; children?: unknown }) => {
    if (node.type === "rule" && typeof node.source === "string") out.push(node.source);
    if (Array.isArray(node.children)) for (const child of node.children) walk(child as typeof node);
  };
  walk(state.root as unknown as { children?: unknown });
  return out;
}
