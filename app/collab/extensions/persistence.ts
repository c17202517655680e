/**
 * Durability: loads a document from its snapshot and later updates (creating its first content from
 * the draft on the server), appends every later update synchronously as Yjs applies it — before
 * Hocuspocus acknowledges it (MessageReceiver writes SyncStatus after readUpdate returns) — and
 * compacts on Hocuspocus's debounced store and on unload.
 */
import type { Connection, Document, Extension } from "@hocuspocus/server";
import { storageFailure } from "../../utils/errors";
import { closeSocket, type CollabContext } from "../context";
import { appendUpdate, compact, loadOrCreate, pendingUpdateCount } from "../persistence.server";

/** Compact once this many updates follow the snapshot. */
const COMPACT_AFTER = 200;

/** WebSocket close code 1013, "Try Again Later": the server cannot take the change now. */
const TRY_AGAIN_LATER = 1013;

/**
 * An update that could not be stored (the disk full, the database locked past busy_timeout) must not
 * be acknowledged, and the live document, which already holds it in memory, must not outlive it.
 * y-protocols swallows a throwing update handler and Hocuspocus would then acknowledge, so instead
 * every socket on the document is closed (1013, with the reason) before the acknowledgement is
 * written (Hocuspocus sends nothing on a closing socket). The document unloads; editors reconnect,
 * reload the stored state and resend what was not stored; their editors show the unsaved changes.
 */
function refuseUnstored(document: Document, documentName: string, error: unknown): void {
  const storage = storageFailure(error);
  const reason = storage ? (storage.kind === "full" ? "not saved: storage full, retry later" : "not saved: database busy, retry") : "not saved: storage error";
  console.warn(`[collab] ${documentName}: an update could not be stored (${storage?.code ?? (error as Error).message}); closing its connections unacknowledged`);
  for (const connection of document.getConnections()) closeSocket(connection.webSocket, TRY_AGAIN_LATER, reason);
}

/**
 * Compacts, and when the database refuses (full, locked), leaves the updates as they are: they are
 * stored, and the next compaction folds them. A throw here would reject Hocuspocus's unload promise,
 * which nothing awaits: an unhandled rejection that ends the process.
 */
function compactLater(documentName: string): void {
  try {
    compact(documentName);
  } catch (error) {
    console.warn(`[collab] ${documentName}: compaction postponed (${storageFailure(error)?.code ?? (error as Error).message})`);
  }
}

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
        try {
          appendUpdate(documentName, update, userId);
        } catch (error) {
          refuseUnstored(document, documentName, error);
        }
      });
    },
    async onStoreDocument({ documentName }) {
      if (!options.isOpen()) return;
      if (pendingUpdateCount(documentName) >= COMPACT_AFTER) compactLater(documentName);
    },
    async afterUnloadDocument({ documentName }) {
      // After shutdown the database is closed; the updates are stored, compaction can wait.
      if (!options.isOpen()) return;
      compactLater(documentName);
    },
  };
}
