/**
 * What every rule block needs to know about the rest of the document: the standard's rule id
 * prefix, retired ids, and the rule blocks in document order (to flag duplicate ids and to feed the
 * conformance panel). Kept up to date from the editor with a mutation listener on RuleNode.
 */
import { useLexicalComposerContext } from "@lexical/react/LexicalComposerContext";
import { $dfs } from "@lexical/utils";
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { countRuleIds, parseJson, type RuleContext } from "./rule-form";
import { $isRuleNode, RuleNode } from "./rule-node";

/** One rule block of the document: its node key and its source text. */
export type RuleEntry = { key: string; source: string };

/** The document-wide facts about rules that rule blocks and the conformance panel read. */
export type RuleDocument = {
  idPrefix: string;
  retiredIds: ReadonlySet<string>;
  entries: readonly RuleEntry[];
  /** How many rule blocks use each id. */
  idCounts: ReadonlyMap<string, number>;
};

const EMPTY: RuleDocument = { idPrefix: "", retiredIds: new Set(), entries: [], idCounts: new Map() };
const RuleDocumentContext = createContext<RuleDocument>(EMPTY);

/** The rule facts of the document around the calling component. */
export function useRuleDocument(): RuleDocument {
  return useContext(RuleDocumentContext);
}

/** The validation context of one rule block: prefix, retired ids, and the ids of every other block. */
export function ruleContextFor(doc: RuleDocument, nodeKey: string): RuleContext {
  const own = doc.entries.find((e) => e.key === nodeKey);
  const ownParsed = own ? parseJson(own.source) : null;
  const ownId = ownParsed?.ok ? (ownParsed.value as { id?: unknown } | null)?.id : undefined;
  const otherIds = new Set<string>();
  for (const [id, count] of doc.idCounts) {
    if (count > (id === ownId ? 1 : 0)) otherIds.add(id);
  }
  return { idPrefix: doc.idPrefix || undefined, retiredIds: doc.retiredIds, otherIds };
}

function sameEntries(a: readonly RuleEntry[], b: readonly RuleEntry[]): boolean {
  return a.length === b.length && a.every((e, i) => e.key === b[i].key && e.source === b[i].source);
}

/** Provides the rule facts to everything below it; must sit inside the LexicalComposer. */
export function RuleDocumentProvider({ idPrefix, retiredIds, children }: { idPrefix: string; retiredIds: readonly string[]; children: ReactNode }) {
  const [editor] = useLexicalComposerContext();
  const [entries, setEntries] = useState<readonly RuleEntry[]>([]);

  useEffect(() => {
    const collect = () => {
      const next = editor.getEditorState().read(() =>
        $dfs()
          .map(({ node }) => node)
          .filter($isRuleNode)
          .map((node) => ({ key: node.getKey(), source: node.getSource() }))
      );
      setEntries((prev) => (sameEntries(prev, next) ? prev : next));
    };
    collect();
    // Rule blocks change rarely: re-read only when one is created, changed, moved or removed.
    return editor.registerMutationListener(RuleNode, collect, { skipInitialization: true });
  }, [editor]);

  const retired = useMemo(() => new Set(retiredIds), [retiredIds]);
  const value = useMemo<RuleDocument>(
    () => ({ idPrefix, retiredIds: retired, entries, idCounts: countRuleIds(entries.map((e) => e.source)) }),
    [idPrefix, retired, entries]
  );
  return <RuleDocumentContext.Provider value={value}>{children}</RuleDocumentContext.Provider>;
}
