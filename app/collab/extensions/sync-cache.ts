/**
 * Fast first sync: a client that opens a document with nothing (an empty state vector, i.e. every
 * fresh page load) is answered with the document's whole state, and encoding that state is most of
 * the server's work in opening a large document (about 7 ms for 100,000 characters). This extension
 * keeps that answer, encoded once, until the document next changes, and sends it itself — the same
 * two messages Hocuspocus's MessageReceiver would send (SyncStep1 with the server's state vector,
 * then SyncStep2) — then turns the request into a message Hocuspocus ignores. A client that already
 * holds part of the document (a reconnection) gets Hocuspocus's own reply, the difference.
 */
import type { beforeHandleMessagePayload, Document, Extension } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import { QUERY_AWARENESS, SYNC, SYNC_STEP_1, SYNC_STEP_2 } from "../protocol";

/** The cached first-sync reply of each loaded document, dropped at its next change. */
const replies = new WeakMap<Document, Uint8Array>();
const watched = new WeakSet<Document>();

function message(documentName: string, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, documentName);
  encoding.writeVarUint(e, SYNC);
  write(e);
  return encoding.toUint8Array(e);
}

/** The SyncStep2 message carrying the whole document, from the cache or encoded now (and cached). */
function fullStateReply(document: Document): Uint8Array {
  let reply = replies.get(document);
  if (!reply) {
    const update = Y.encodeStateAsUpdate(document);
    reply = message(document.name, (e) => {
      encoding.writeVarUint(e, SYNC_STEP_2);
      encoding.writeVarUint8Array(e, update);
    });
    replies.set(document, reply);
  }
  return reply;
}

/** The sync-cache extension. */
export function syncCache(): Extension {
  return {
    extensionName: "sync-cache",
    async afterLoadDocument({ document }) {
      if (watched.has(document)) return;
      watched.add(document);
      document.on("update", () => replies.delete(document));
    },
    async beforeHandleMessage({ connection, document, update: data }: beforeHandleMessagePayload) {
      const decoder = decoding.createDecoder(data);
      decoding.readVarString(decoder);
      const typeOffset = decoder.pos;
      if (decoding.readVarUint(decoder) !== SYNC || decoding.readVarUint(decoder) !== SYNC_STEP_1) return;
      const stateVector = decoding.readVarUint8Array(decoder);
      if (Y.decodeStateVector(stateVector).size !== 0) return;
      // As MessageReceiver answers a SyncStep1 (with no reply callback): our state vector, so the
      // client sends what we lack, then everything it lacks.
      connection.send(message(document.name, (e) => {
        encoding.writeVarUint(e, SYNC_STEP_1);
        encoding.writeVarUint8Array(e, Y.encodeStateVector(document));
      }));
      connection.send(fullStateReply(document));
      // Already answered: Hocuspocus decodes this same buffer after the hook, and answers a
      // QueryAwareness on a connection without a reply callback with nothing.
      data[typeOffset] = QUERY_AWARENESS;
    },
  };
}
