/**
 * Comment anchors follow the text: a while after a document changes (debounced like the derived
 * draft: once the changes pause, and at the latest `maxWaitMs` after the first change, however long
 * the typing goes on), the states of its comments are recomputed (attached or detached) and, when
 * any changed, every connection of the document gets a stateless "comments changed" message, on
 * which the editors' comment sidebars refetch the comments.
 */
import type { Document, Extension } from "@hocuspocus/server";
import debounce from "lodash/debounce";
import type { DebouncedFunc } from "lodash";
import { COMMENTS_CHANGED, refreshCommentStates } from "../../domain/comments.server";

/** The comment-anchors extension and `stop`, which cancels pending recomputations. */
export function commentAnchors(options: { debounceMs: number; maxWaitMs?: number; isOpen: () => boolean }): { extension: Extension; stop: () => void } {
  // Per document: the latest Document object, and its debounced recomputation (one timer per pause, not one per change).
  const pending = new Map<string, { document: Document; schedule: DebouncedFunc<() => void> }>();

  const recompute = (documentName: string) => {
    const job = pending.get(documentName);
    pending.delete(documentName);
    if (!job || !options.isOpen()) return;
    try {
      if (refreshCommentStates(documentName, job.document)) job.document.broadcastStateless(COMMENTS_CHANGED);
    } catch (error) {
      console.error(`[collab] could not recompute comment anchors of ${documentName}: ${(error as Error).message}`);
    }
  };

  const extension: Extension = {
    extensionName: "comment-anchors",
    async onChange({ documentName, document }) {
      let job = pending.get(documentName);
      if (!job) {
        job = { document, schedule: debounce(() => recompute(documentName), options.debounceMs, { maxWait: options.maxWaitMs ?? 10_000 }) };
        pending.set(documentName, job);
      }
      job.document = document;
      job.schedule();
    },
  };
  return {
    extension,
    stop: () => {
      for (const job of pending.values()) job.schedule.cancel();
      pending.clear();
    },
  };
}
