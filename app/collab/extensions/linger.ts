/**
 * Keeps a document loaded for a while after its last editor leaves. Hocuspocus unloads a document
 * the moment its last connection closes, so someone who reloads the page, or comes back from
 * another page, makes the server load it again from SQLite: for a 1,000,000-character standard
 * about a third of a second during which every other document waits. Each loaded document holds a
 * Hocuspocus "direct connection" (which only keeps it loaded), and that is released `ms` after the
 * last WebSocket connection left, unless one came back meanwhile; the document then unloads as
 * before (stored, compacted, derived).
 */
import type { Document, Extension, Hocuspocus } from "@hocuspocus/server";

/** The linger extension, and `stop` (clears its timers; the server is closing). */
export function linger(options: { ms: number }): { extension: Extension; stop: () => void } {
  const held = new WeakSet<Document>();
  const timers = new Map<Document, NodeJS.Timeout>();

  const release = (document: Document, instance: Hocuspocus) => {
    timers.delete(document);
    if (document.getConnections().length > 0 || !held.has(document)) return;
    held.delete(document);
    document.removeDirectConnection();
    void instance.unloadDocument(document);
  };

  const extension: Extension = {
    extensionName: "linger",
    async afterLoadDocument({ document }) {
      if (options.ms <= 0 || held.has(document)) return;
      held.add(document);
      document.addDirectConnection();
    },
    async connected({ connection }) {
      const timer = timers.get(connection.document);
      if (timer) {
        clearTimeout(timer);
        timers.delete(connection.document);
      }
    },
    async onDisconnect({ document, instance }) {
      if (!held.has(document) || document.getConnections().length > 0) return;
      clearTimeout(timers.get(document));
      const timer = setTimeout(() => release(document, instance), options.ms);
      timer.unref();
      timers.set(document, timer);
    },
  };
  return {
    extension,
    stop: () => {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
