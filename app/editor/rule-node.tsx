/**
 * The rule block: a Lexical DecoratorNode holding one machine-readable rule as its JSON source text.
 *
 * The source is kept as text, not parsed, so that a broken rule (invalid JSON, schema violation,
 * duplicate id) survives every round trip — Markdown, serialized state, and later Yjs, which syncs
 * the one `__source` property. exportJSON/importJSON never touch the DOM; createDOM only runs in a
 * browser editor.
 */
import {
  $applyNodeReplacement,
  $getDocument,
  DecoratorNode,
  type EditorConfig,
  type LexicalNode,
  type LexicalUpdateJSON,
  type NodeKey,
  type SerializedLexicalNode,
  type Spread,
} from "lexical";
import type { JSX } from "react";
import { RuleBlock } from "./rule-block";

/**
 * Events that must not reach Lexical's handlers on the editor root when they come from the rule
 * block's own inputs and buttons (typing "Backspace" in a textarea must not delete the block).
 * Stopped on the host element: React listens on that element too (it is the decorator's portal
 * container), so the form still gets them, and Lexical, further up, does not.
 */
const ISOLATED_EVENTS = [
  "keydown",
  "keyup",
  "keypress",
  "beforeinput",
  "input",
  "change",
  "paste",
  "cut",
  "copy",
  "drop",
  "dragstart",
  "dragover",
  "compositionstart",
  "compositionupdate",
  "compositionend",
] as const;

const stopAtHost = (event: Event) => event.stopPropagation();

/** The serialized form of a rule block: `source` is the rule's JSON text exactly as stored. */
export type SerializedRuleNode = Spread<{ source: string }, SerializedLexicalNode>;

/** A block holding one machine-readable rule (its JSON source), shown as a readable card with a structured form. */
export class RuleNode extends DecoratorNode<JSX.Element> {
  __source: string;

  /** The node type in serialized states and Markdown transformers. */
  static getType(): string {
    return "rule";
  }

  /** A copy of the node with the same key (Lexical's copy-on-write). */
  static clone(node: RuleNode): RuleNode {
    return new RuleNode(node.__source, node.__key);
  }

  /** Rebuilds a rule block from its serialized form. */
  static importJSON(json: SerializedRuleNode): RuleNode {
    return $createRuleNode().updateFromJSON(json);
  }

  constructor(source = "", key?: NodeKey) {
    super(key);
    this.__source = source;
  }

  /** Applies a serialized form to this node. */
  updateFromJSON(json: LexicalUpdateJSON<SerializedRuleNode>): this {
    return super.updateFromJSON(json).setSource(typeof json.source === "string" ? json.source : "");
  }

  /** The serialized form: type, version and the source text; nothing derived. */
  exportJSON(): SerializedRuleNode {
    return { ...super.exportJSON(), type: "rule", version: 1, source: this.getSource() };
  }

  /** The rule's JSON source text as stored (valid or not). */
  getSource(): string {
    return this.getLatest().__source;
  }

  /** Replaces the rule's JSON source text. */
  setSource(source: string): this {
    const self = this.getWritable();
    self.__source = source;
    return self;
  }

  /** The element hosting the React card (browser editors only); it keeps the card's own events away from the editor. */
  createDOM(config: EditorConfig): HTMLElement {
    const element = $getDocument().createElement("div");
    const className = (config.theme as { rule?: string }).rule;
    if (className) element.className = className;
    for (const type of ISOLATED_EVENTS) element.addEventListener(type, stopAtHost);
    return element;
  }

  /** The host element never changes; the card re-renders from decorate(). */
  updateDOM(): false {
    return false;
  }

  /** Rule blocks are blocks, not inline content. */
  isInline(): false {
    return false;
  }

  /** The rule's source, so plain-text exports and search see the rule's words. */
  getTextContent(): string {
    return this.getSource();
  }

  /** The readable card with validation, examples and the edit form. */
  decorate(): JSX.Element {
    return <RuleBlock nodeKey={this.getKey()} source={this.__source} />;
  }
}

/** Creates a rule block holding `source` (the rule's JSON text). */
export function $createRuleNode(source = ""): RuleNode {
  return $applyNodeReplacement(new RuleNode(source));
}

/** Whether `node` is a rule block. */
export function $isRuleNode(node: LexicalNode | null | undefined): node is RuleNode {
  return node instanceof RuleNode;
}
