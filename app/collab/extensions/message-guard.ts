/**
 * Inspects each message before Hocuspocus applies it: a Yjs update or an awareness (presence)
 * message that does not decode closes the socket (1003) and is logged, so it never reaches the
 * shared document or the other clients; awareness from a read-only connection is dropped, so
 * observers cannot forge others' cursors, and awareness that speaks for a client id another
 * connection owns is dropped, so an editor cannot forge or erase someone else's presence. The
 * presence an editor publishes names the signed-in user: a `name` and the `awarenessData` role and
 * user id (what the editor's presence list and cursor labels show) are written over with the
 * connection's authenticated user's before the state is applied and relayed; the colour and the
 * cursor stay as the browser chose them.
 */
import type { beforeHandleMessagePayload, Extension } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import type { WebSocket } from "ws";
import { closeSocket, type CollabContext, type PresenceIdentity } from "../context";
import { AWARENESS, QUERY_AWARENESS, SYNC, SYNC_STEP_2, SYNC_UPDATE } from "../protocol";

/** The message guard extension. */
export function messageGuard(): Extension {
  return {
    extensionName: "message-guard",
    async beforeHandleMessage({ connection, document, update: data, documentName }: beforeHandleMessagePayload) {
      const decoder = decoding.createDecoder(data);
      decoding.readVarString(decoder);
      const typeOffset = decoder.pos;
      const type = decoding.readVarUint(decoder);
      if (type === AWARENESS) {
        let entries: AwarenessEntry[];
        try {
          entries = decodeAwareness(decoding.readVarUint8Array(decoder));
        } catch (error) {
          console.warn(`[collab] closing a connection to ${documentName}: malformed awareness message (${(error as Error).message})`);
          closeSocket(connection.webSocket, 1003, "malformed awareness");
          throw Object.assign(new Error("malformed awareness"), { code: 1003, reason: "malformed awareness" });
        }
        const identity = (connection.context as CollabContext | undefined)?.presence;
        if (connection.readOnly || !identity || ownedByAnother(document, connection.webSocket, entries.map((e) => e.clientId))) {
          // Hocuspocus gives no way to drop a message without closing the connection; the message
          // is decoded from this same buffer after this hook, so turn it into a QueryAwareness, which
          // Connection.handleMessage answers with nothing (it passes no reply callback).
          data[typeOffset] = QUERY_AWARENESS;
          return;
        }
        const truthful = entries.map((e) => ({ ...e, state: truthfulState(e.state, identity) }));
        if (truthful.every((e, i) => e.state === entries[i]!.state)) return;
        // The corrected state is longer or shorter than the claimed one, so it cannot be written
        // into this buffer: drop the message as above and apply the corrected update in its place,
        // as Hocuspocus would (with this connection as origin, so the client ids become its own
        // and the change is relayed to every connection). No later hook refuses awareness.
        data[typeOffset] = QUERY_AWARENESS;
        document.applyAwarenessUpdate(connection, encodeAwareness(truthful));
        return;
      }
      if (type !== SYNC) return;
      const syncType = decoding.readVarUint(decoder);
      if (syncType !== SYNC_STEP_2 && syncType !== SYNC_UPDATE) return;
      let update: Uint8Array;
      try {
        update = decoding.readVarUint8Array(decoder);
      } catch (error) {
        throw refuseUpdate(connection.webSocket, documentName, error as Error);
      }
      const malformed = malformedUpdate(update);
      if (malformed) throw refuseUpdate(connection.webSocket, documentName, malformed);
    },
  };
}

/** Why `update` is no Yjs update (it does not decode), or null when it decodes. */
export function malformedUpdate(update: Uint8Array): Error | null {
  try {
    Y.decodeUpdate(update);
    return null;
  } catch (error) {
    return error as Error;
  }
}

/**
 * Closes the socket a malformed Yjs update came on (1003), logs it, and returns the error that makes
 * Hocuspocus close the document connection too. The update reaches neither the document nor anyone else.
 */
export function refuseUpdate(socket: WebSocket, documentName: string, error: Error): Error {
  console.warn(`[collab] closing a connection to ${documentName}: malformed Yjs update (${error.message})`);
  closeSocket(socket, 1003, "malformed update");
  return Object.assign(new Error("malformed update"), { code: 1003, reason: "malformed update" });
}

/** One entry of a y-protocols awareness update: a client's state (null when it left) at a clock. */
type AwarenessEntry = { clientId: number; clock: number; state: unknown };

/** Throws unless `update` is a well-formed y-protocols awareness update: entries of client id, clock and a JSON state. */
function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  const decoder = decoding.createDecoder(update);
  const count = decoding.readVarUint(decoder);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    entries.push({ clientId, clock, state: JSON.parse(decoding.readVarString(decoder)) as unknown });
  }
  if (decoding.hasContent(decoder)) throw new Error("trailing bytes");
  return entries;
}

/** The awareness update of `entries`, encoded as y-protocols' `encodeAwarenessUpdate` does. */
function encodeAwareness(entries: AwarenessEntry[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const { clientId, clock, state } of entries) {
    encoding.writeVarUint(encoder, clientId);
    encoding.writeVarUint(encoder, clock);
    encoding.writeVarString(encoder, JSON.stringify(state));
  }
  return encoding.toUint8Array(encoder);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `state` with its `name` and its `awarenessData` role and user id (where it has them) replaced
 * by the signed-in user's; the same object when it already told the truth (or is no object: a
 * departure's null, which names nobody).
 */
export function truthfulState(state: unknown, identity: PresenceIdentity): unknown {
  if (!isRecord(state)) return state;
  let next = state;
  if ("name" in state && state.name !== identity.name) next = { ...next, name: identity.name };
  if ("awarenessData" in state) {
    const data = state.awarenessData;
    if (!isRecord(data) || data.role !== identity.role || data.userId !== identity.userId) {
      next = { ...next, awarenessData: { ...(isRecord(data) ? data : {}), role: identity.role, userId: identity.userId } };
    }
  }
  return next;
}

/**
 * Whether any of `clientIds` is the presence of another connection to the document (Hocuspocus
 * records which connection announced each client id). A browser also echoes others' states it
 * received; dropping such a message loses nothing, since the server holds those states already.
 */
function ownedByAnother(document: beforeHandleMessagePayload["document"], socket: unknown, clientIds: number[]): boolean {
  if (clientIds.length === 0) return false;
  const connections = (document as unknown as { connections: Map<unknown, { clients: Set<number> }> }).connections;
  // Plain loops: this runs for every presence message against every connection of the document.
  for (const [other, { clients }] of connections) {
    if (other === socket || clients.size === 0) continue;
    for (const id of clientIds) if (clients.has(id)) return true;
  }
  return false;
}
