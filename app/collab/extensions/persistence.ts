/**
 * Durability: loads a document from its snapshot and later updates (creating its first content from
 * the draft on the server), and appends every later update by group commit: the updates that arrive
 * within one turn of the event loop are written in one transaction, and each acknowledgement
 * (Hocuspocus's SyncStatus message, which MessageReceiver sends right after applying the update) is
 * held back until the commit that holds the update. Changes made on the server (the API's PUT) are
 * committed at once, before the request answers. Compacts on Hocuspocus's debounced store and on
 * unload.
 */
import type { Connection, Extension } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import type { CollabContext } from "../context";
import { compact, loadOrCreate, pendingUpdateCount, type GroupCommit } from "../persistence.server";

/** Compact once this many updates follow the snapshot. */
const COMPACT_AFTER = 200;

/** Hocuspocus's message type of an acknowledgement ("SyncStatus"). */
const SYNC_STATUS = 8;

/** True when a message Hocuspocus sends is an acknowledgement (document name, then type 8). */
function isAcknowledgement(message: unknown): boolean {
  if (!(message instanceof Uint8Array)) return false;
  try {
    const decoder = decoding.createDecoder(message);
    decoding.readVarString(decoder);
    return decoding.readVarUint(decoder) === SYNC_STATUS;
  } catch {
    return false;
  }
}

const holding = new WeakSet<Connection>();

/** Makes a connection hold its acknowledgements until the updates queued before them are committed. */
function holdAcknowledgements(connection: Connection, log: GroupCommit): void {
  if (holding.has(connection)) return;
  holding.add(connection);
  const send = connection.send.bind(connection);
  connection.send = (message: unknown) => {
    if (log.pending() && isAcknowledgement(message)) log.afterCommit(() => send(message));
    else send(message);
  };
}

/** The persistence extension. */
export function persistence(options: { isOpen: () => boolean; log: GroupCommit }): Extension {
  const { log } = options;
  return {
    extensionName: "persistence",
    async onLoadDocument({ document, documentName }) {
      loadOrCreate(document, documentName);
      // Registered after loading, so the stored state is not stored again. Yjs emits "update"
      // synchronously inside applyUpdate, before Hocuspocus sends the acknowledgement, which
      // holdAcknowledgements then defers to the commit.
      document.on("update", (update: Uint8Array, origin: unknown) => {
        const connection = origin as Connection | undefined;
        const context = connection?.context as CollabContext | undefined;
        log.enqueue(documentName, update, context?.userId ?? null);
        // A change made on the server (not a client's message) is committed before its caller returns.
        if (!context) log.flush();
      });
    },
    async beforeHandleMessage({ connection }) {
      holdAcknowledgements(connection, log);
    },
    async onStoreDocument({ documentName }) {
      if (!options.isOpen()) return;
      log.flush();
      if (pendingUpdateCount(documentName) >= COMPACT_AFTER) compact(documentName);
    },
    async afterUnloadDocument({ documentName }) {
      // After shutdown the database is closed; the updates are stored, compaction can wait.
      if (!options.isOpen()) return;
      log.flush();
      compact(documentName);
    },
  };
}
