/**
 * Durability: loads a document from its snapshot and later updates (creating its first content from
 * the draft on the server), and appends every later update by group commit: the updates that arrive
 * within one turn of the event loop are written in one transaction, and each acknowledgement
 * (Hocuspocus's SyncStatus message, which MessageReceiver sends right after applying the update) is
 * held back until the commit that holds the update. Changes made on the server (the API's PUT) are
 * committed at once, before the request answers. Compacts on Hocuspocus's debounced store and on
 * unload.
 */
import type { Connection, Extension, Hocuspocus } from "@hocuspocus/server";
import type * as Y from "yjs";
import { storageFailure } from "../../utils/errors";
import { closeSocket, type CollabContext } from "../context";
import { compact, loadOrCreate, pendingUpdateCount, type GroupCommit } from "../persistence.server";
import { SYNC_STATUS } from "../protocol";

/** Compact once this many updates follow the snapshot. */
const COMPACT_AFTER = 200;

/** WebSocket close code 1013, "Try Again Later": the server cannot take the change now. */
const TRY_AGAIN_LATER = 1013;

/**
 * Updates that could not be stored (the disk full, the database locked past busy_timeout) are never
 * acknowledged: the group commit keeps them queued and retries. The editors must be told, and the
 * live documents, which already hold those updates in memory, must not go on as if they were saved:
 * every socket on each document concerned is closed (1013, with the reason). The documents unload;
 * editors reconnect, reload the stored state and resend what was not stored (their editors show the
 * unsaved changes meanwhile). Storing an update twice — once by the retry, once resent — is harmless:
 * Yjs applies an update once.
 */
export function refuseUnstored(hocuspocus: Hocuspocus, docNames: Set<string>, error: unknown): void {
  const storage = storageFailure(error);
  const reason = storage ? (storage.kind === "full" ? "not saved: storage full, retry later" : "not saved: database busy, retry") : "not saved: storage error";
  for (const documentName of docNames) {
    const document = hocuspocus.documents.get(documentName);
    if (!document) continue;
    console.warn(`[collab] ${documentName}: updates could not be stored (${storage?.code ?? (error as Error).message}); closing its connections unacknowledged`);
    for (const connection of document.getConnections()) closeSocket(connection.webSocket, TRY_AGAIN_LATER, reason);
  }
}

/** Commits what is queued; on a refusal the queue stays and is retried (the failure is already reported). */
function flushLater(log: GroupCommit, documentName: string): boolean {
  try {
    log.flush();
    return true;
  } catch (error) {
    console.warn(`[collab] ${documentName}: pending updates not stored yet (${storageFailure(error)?.code ?? (error as Error).message}); retrying`);
    return false;
  }
}

/**
 * Compacts, and when the database refuses (full, locked), leaves the updates as they are: they are
 * stored, and the next compaction folds them. A throw here would reject Hocuspocus's unload promise,
 * which nothing awaits: an unhandled rejection that ends the process.
 */
function compactLater(documentName: string, live?: Y.Doc): void {
  try {
    compact(documentName, live);
  } catch (error) {
    console.warn(`[collab] ${documentName}: compaction postponed (${storageFailure(error)?.code ?? (error as Error).message})`);
  }
}

/**
 * True when a message Hocuspocus sends is an acknowledgement (document name, then type 8). This runs
 * for every message sent to every connection (each edit is broadcast to all), so it reads the bytes
 * directly instead of decoding the name into a string: a varuint length, that many bytes, the type.
 */
export function isAcknowledgement(message: unknown): boolean {
  if (!(message instanceof Uint8Array)) return false;
  let length = 0;
  let i = 0;
  for (let shift = 0; ; shift += 7) {
    if (i >= message.length || shift > 28) return false;
    const byte = message[i++];
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  i += length;
  return i < message.length && message[i] === SYNC_STATUS;
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
      // Updates of an earlier life of this document may still be on their way to disk.
      if (log.pending()) flushLater(log, documentName);
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
    // Edits handled directly (direct-updates) pass no hook: the connection holds its acknowledgements from the start.
    async connected({ connection }) {
      holdAcknowledgements(connection, log);
    },
    async onStoreDocument({ document, documentName }) {
      if (!options.isOpen()) return;
      // After a successful flush every update of the loaded document is stored: snapshot it as it is.
      if (flushLater(log, documentName) && pendingUpdateCount(documentName) >= COMPACT_AFTER) compactLater(documentName, document);
    },
    async afterUnloadDocument({ documentName }) {
      // After shutdown the database is closed; the updates are stored, compaction can wait.
      if (!options.isOpen()) return;
      if (flushLater(log, documentName)) compactLater(documentName);
    },
  };
}
