/**
 * Durability: loads a document from its snapshot and later updates (creating its first content from
 * the draft on the server), appends every later update synchronously as Yjs applies it — before
 * Hocuspocus acknowledges it (MessageReceiver writes SyncStatus after readUpdate returns) — and
 * compacts on Hocuspocus's debounced store and on unload.
 */
import type { Connection, Extension } from "@hocuspocus/server";
import type { CollabContext } from "../context";
import { appendUpdate, compact, loadOrCreate, pendingUpdateCount } from "../persistence.server";

/** Compact once this many updates follow the snapshot. */
const COMPACT_AFTER = 200;

/** The persistence extension. */
export function persistence(options: { isOpen: () => boolean }): Extension {
  return {
    extensionName: "persistence",
    async onLoadDocument({ document, documentName }) {
      loadOrCreate(document, documentName);
      // Registered after loading, so the stored state is not stored again. Yjs emits "update"
      // synchronously inside applyUpdate: the row is written before the acknowledgement is sent.
      document.on("update", (update: Uint8Array, origin: unknown) => {
        const userId = ((origin as Connection | undefined)?.context as CollabContext | undefined)?.userId ?? null;
        appendUpdate(documentName, update, userId);
      });
    },
    async onStoreDocument({ documentName }) {
      if (!options.isOpen()) return;
      if (pendingUpdateCount(documentName) >= COMPACT_AFTER) compact(documentName);
    },
    async afterUnloadDocument({ documentName }) {
      // After shutdown the database is closed; the updates are stored, compaction can wait.
      if (!options.isOpen()) return;
      compact(documentName);
    },
  };
}
