/**
 * The Lexical node classes of a standard's document, shared by the browser editor and the server's
 * headless editor (Markdown import and export), so both read and write the same serialized state.
 */
import { CodeHighlightNode, CodeNode } from "@lexical/code";
import { LinkNode } from "@lexical/link";
import { ListItemNode, ListNode } from "@lexical/list";
import { HeadingNode, QuoteNode } from "@lexical/rich-text";
import { TableCellNode, TableNode, TableRowNode } from "@lexical/table";
import type { Klass, LexicalNode } from "lexical";
import { RuleNode } from "./rule-node";

/** Every node a standard's document may contain, besides Lexical's built-in paragraph, text, line break and tab. */
export const STANDARD_NODES: ReadonlyArray<Klass<LexicalNode>> = [
  HeadingNode,
  QuoteNode,
  ListNode,
  ListItemNode,
  LinkNode,
  CodeNode,
  CodeHighlightNode,
  TableNode,
  TableRowNode,
  TableCellNode,
  RuleNode,
];
