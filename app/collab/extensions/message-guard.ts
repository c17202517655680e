/**
 * Inspects each message before Hocuspocus applies it: a Yjs update or an awareness (presence)
 * message that does not decode closes the socket (1003) and is logged, so it never reaches the
 * shared document or the other clients; awareness from a read-only connection is dropped, so
 * observers cannot forge others' cursors, and awareness that speaks for a client id another
 * connection owns is dropped, so an editor cannot forge or erase someone else's presence.
 */
import type { beforeHandleMessagePayload, Extension } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import { closeSocket } from "../context";

// y-protocols / Hocuspocus message types.
const SYNC = 0;
const AWARENESS = 1;
const QUERY_AWARENESS = 3;
const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;

/** The message guard extension. */
export function messageGuard(): Extension {
  return {
    extensionName: "message-guard",
    async beforeHandleMessage({ connection, document, update: data, documentName }: beforeHandleMessagePayload) {
      const decoder = decoding.createDecoder(data);
      decoding.readVarString(decoder);
      const typeOffset = decoder.pos;
      const type = decoding.readVarUint(decoder);
      let clientIds: number[] = [];
      if (type === AWARENESS) {
        try {
          clientIds = checkAwareness(decoding.readVarUint8Array(decoder));
        } catch (error) {
          console.warn(`[collab] closing a connection to ${documentName}: malformed awareness message (${(error as Error).message})`);
          closeSocket(connection.webSocket, 1003, "malformed awareness");
          throw Object.assign(new Error("malformed awareness"), { code: 1003, reason: "malformed awareness" });
        }
      }
      if (type === AWARENESS && (connection.readOnly || ownedByAnother(document, connection.webSocket, clientIds))) {
        // Hocuspocus gives no way to drop a message without closing the connection; the message
        // is decoded from this same buffer after this hook, so turn it into a QueryAwareness, which
        // Connection.handleMessage answers with nothing (it passes no reply callback).
        data[typeOffset] = QUERY_AWARENESS;
        return;
      }
      if (type !== SYNC) return;
      const syncType = decoding.readVarUint(decoder);
      if (syncType !== SYNC_STEP_2 && syncType !== SYNC_UPDATE) return;
      try {
        const update = decoding.readVarUint8Array(decoder);
        Y.decodeUpdate(update);
      } catch (error) {
        console.warn(`[collab] closing a connection to ${documentName}: malformed Yjs update (${(error as Error).message})`);
        closeSocket(connection.webSocket, 1003, "malformed update");
        throw Object.assign(new Error("malformed update"), { code: 1003, reason: "malformed update" });
      }
    },
  };
}

/** Throws unless `update` is a well-formed y-protocols awareness update: entries of client id, clock and a JSON state. Returns the client ids. */
function checkAwareness(update: Uint8Array): number[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(decoding.readVarUint(decoder));
    decoding.readVarUint(decoder);
    JSON.parse(decoding.readVarString(decoder));
  }
  if (decoding.hasContent(decoder)) throw new Error("trailing bytes");
  return ids;
}

/**
 * Whether any of `clientIds` is the presence of another connection to the document (Hocuspocus
 * records which connection announced each client id). A browser also echoes others' states it
 * received; dropping such a message loses nothing, since the server holds those states already.
 */
function ownedByAnother(document: beforeHandleMessagePayload["document"], socket: unknown, clientIds: number[]): boolean {
  if (clientIds.length === 0) return false;
  const connections = (document as unknown as { connections: Map<unknown, { clients: Set<number> }> }).connections;
  for (const [other, { clients }] of connections) {
    if (other === socket) continue;
    if (clientIds.some((id) => clients.has(id))) return true;
  }
  return false;
}
