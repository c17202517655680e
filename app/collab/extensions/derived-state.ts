/**
 * Derived state: a while after a standard's document changes (debounced), its Markdown is exported
 * and written to the draft row with its rule set, conformance and search index, so every reader of
 * the draft (API, pages, revisions, search) follows the live text. A proposal's document is derived
 * the same way into the proposal's text (while it is a draft), so its redline, submission and merge
 * follow the live text. The write never touches the document, so it cannot feed back into it.
 */
import type { Document, Extension } from "@hocuspocus/server";
import { getDraft } from "../../domain/standards.server";
import { saveDraft } from "../../domain/drafts.server";
import { saveProposalTextFromDocument } from "../../domain/proposals.server";
import { normalizeMarkdownWhitespace } from "../../editor/markdown";
import type { CollabContext } from "../context";
import { parseDocName } from "../persistence.server";
import { markdownFromDoc } from "../yjs-markdown.server";

/** The derived-state extension and `flush`, which writes a document's pending derivation at once. */
export function derivedState(options: { debounceMs: number; isOpen: () => boolean }): { extension: Extension; flush: (documentName: string) => void; flushAll: () => void } {
  const pending = new Map<string, { timer: NodeJS.Timeout; document: Document; actorId: string | null }>();

  const derive = (documentName: string) => {
    const job = pending.get(documentName);
    if (!job) return;
    clearTimeout(job.timer);
    pending.delete(documentName);
    if (!options.isOpen()) return;
    const parsed = parseDocName(documentName);
    if (!parsed) return;
    if (parsed.kind === "proposal") {
      try {
        saveProposalTextFromDocument({ id: parsed.id, markdown: markdownFromDoc(job.document), actorId: job.actorId });
      } catch (error) {
        console.error(`[collab] could not derive the text of ${documentName}: ${(error as Error).message}`);
      }
      return;
    }
    try {
      const markdown = markdownFromDoc(job.document);
      const current = getDraft(parsed.id);
      // A PUT already saved this text (perhaps not whitespace-normalized): nothing to derive.
      if (current && normalizeMarkdownWhitespace(current.markdown) === markdown) return;
      saveDraft({ standardId: parsed.id, markdown, actorId: job.actorId, fromDocument: true });
    } catch (error) {
      console.error(`[collab] could not derive the draft of ${documentName}: ${(error as Error).message}`);
    }
  };

  const extension: Extension = {
    extensionName: "derived-state",
    async onChange({ documentName, document, context }) {
      const previous = pending.get(documentName);
      if (previous) clearTimeout(previous.timer);
      const actorId = (context as CollabContext | undefined)?.userId ?? previous?.actorId ?? null;
      const timer = setTimeout(() => derive(documentName), options.debounceMs);
      timer.unref();
      pending.set(documentName, { timer, document, actorId });
    },
    async beforeUnloadDocument({ documentName }) {
      derive(documentName);
    },
  };
  return { extension, flush: derive, flushAll: () => [...pending.keys()].forEach(derive) };
}
