/**
 * Comment anchors follow the text: a while after a document changes (debounced like the derived
 * draft), the states of its comments are recomputed (attached or detached) and, when any changed,
 * every connection of the document gets a stateless "comments changed" message, on which the
 * editors' comment sidebars refetch the comments.
 */
import type { Document, Extension } from "@hocuspocus/server";
import { COMMENTS_CHANGED, refreshCommentStates } from "../../domain/comments.server";

/** The comment-anchors extension and `stop`, which cancels pending recomputations. */
export function commentAnchors(options: { debounceMs: number; isOpen: () => boolean }): { extension: Extension; stop: () => void } {
  const pending = new Map<string, { timer: NodeJS.Timeout; document: Document }>();

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
      const previous = pending.get(documentName);
      if (previous) clearTimeout(previous.timer);
      const timer = setTimeout(() => recompute(documentName), options.debounceMs);
      timer.unref();
      pending.set(documentName, { timer, document });
    },
  };
  return {
    extension,
    stop: () => {
      for (const job of pending.values()) clearTimeout(job.timer);
      pending.clear();
    },
  };
}
