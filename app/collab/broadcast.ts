/**
 * Relaying an edit or a presence change to everyone in a document, encoded once.
 *
 * Hocuspocus's `Document` relays each Yjs update and each awareness change by encoding the message
 * anew for every connection (for awareness that includes serializing the changed states to JSON),
 * and sends it back to the connection it came from as well. With N people in a document that is N
 * encodings per message, and the server's time grows with N² at a given typing rate per person.
 *
 * `encodeOnceBroadcast()` replaces those two methods on Hocuspocus's `Document` (it binds them in
 * its constructor, so this must run before the first document is created; `createCollabServer`
 * calls it): the message is encoded and framed once, and the same bytes go to every connection but
 * the one it came from (queued for each socket, see coalesce.ts; a connection whose socket is
 * closing gets Hocuspocus's own send, which closes it). Everything else is kept as Hocuspocus does it: the `onUpdate` callback (which drives
 * Hocuspocus's change hooks and debounced store), and the bookkeeping of which connection announced
 * which awareness client ids (the message guard relies on it to refuse forged presence).
 */
import { Document, OutgoingMessage, type Connection, type Hocuspocus } from "@hocuspocus/server";
import * as encoding from "lib0/encoding";
import { framedOnce, messageOf, relayedNow, sendFramed } from "./coalesce";
import { SYNC, SYNC_UPDATE } from "./protocol";

type AwarenessChange = { added: number[]; updated: number[]; removed: number[] };

/** The parts of Hocuspocus's Document that are private in its types. */
type DocumentInternals = {
  name: string;
  awareness: Document["awareness"];
  callbacks: { onUpdate: (document: Document, connection: Connection | undefined, update: Uint8Array) => void };
  connections: Map<unknown, { clients: Set<number>; connection: Connection }>;
  handleUpdate: (update: Uint8Array, origin: unknown) => unknown;
  handleAwarenessUpdate: (change: AwarenessChange, origin: unknown) => unknown;
};

let installed = false;

/** Makes every Hocuspocus Document created from now on encode each relayed message once. */
export function encodeOnceBroadcast(): void {
  if (installed) return;
  installed = true;
  const proto = Document.prototype as unknown as DocumentInternals;

  proto.handleUpdate = function handleUpdate(this: DocumentInternals, update: Uint8Array, origin: unknown) {
    if (this.connections.size > 0) {
      // Hocuspocus's sync message (document name, Sync, Update, the update with its length), framed
      // directly: this runs for every edit, and each intermediate buffer is garbage to collect.
      const length = varUint(update.length);
      const frame = framedOnce(updatePrefixOf(this), length, update);
      // The connection the update came from has it already (Yjs would ignore it).
      for (const { connection } of this.connections.values()) {
        if (connection !== origin && !sendFramed(connection.webSocket, frame)) connection.send(messageOf(frame));
      }
      relayedNow();
    }
    // Relayed first: Hocuspocus's change hooks and its debounced store do not delay the others' copy.
    this.callbacks.onUpdate(this as unknown as Document, origin as Connection | undefined, update);
    return this;
  };

  proto.handleAwarenessUpdate = function handleAwarenessUpdate(this: DocumentInternals, { added, updated, removed }: AwarenessChange, origin: unknown) {
    // Which connection (keyed by its WebSocket, the origin Hocuspocus applies awareness with) announced which client ids.
    if (origin !== null && origin !== undefined) {
      const entry = this.connections.get(origin);
      if (entry) {
        for (const clientId of added) entry.clients.add(clientId);
        for (const clientId of removed) entry.clients.delete(clientId);
      }
    }
    if (this.connections.size === 0) return this;
    const changed = added.concat(updated, removed);
    const message = new OutgoingMessage(this.name).createAwarenessUpdateMessage(this.awareness, changed).toUint8Array();
    const frame = framedOnce(message);
    for (const [socket, { connection }] of this.connections) {
      if (socket !== origin && !sendFramed(connection.webSocket, frame)) connection.send(message);
    }
    relayedNow();
    return this;
  };
}

/** Per document, the start of each of its sync update messages: its name, Sync, Update. */
const updatePrefixes = new WeakMap<object, Uint8Array>();

function updatePrefixOf(document: DocumentInternals): Uint8Array {
  let prefix = updatePrefixes.get(document);
  if (!prefix) {
    const encoder = encoding.createEncoder();
    encoding.writeVarString(encoder, document.name);
    encoding.writeVarUint(encoder, SYNC);
    encoding.writeVarUint(encoder, SYNC_UPDATE);
    prefix = encoding.toUint8Array(encoder);
    updatePrefixes.set(document, prefix);
  }
  return prefix;
}

/** `n` as a variable-length unsigned integer (lib0's varuint), in a small buffer from Node's pool. */
function varUint(n: number): Uint8Array {
  let bytes = 1;
  for (let rest = n; rest > 0x7f; rest = Math.floor(rest / 128)) bytes++;
  const out = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < bytes; i++) {
    out[i] = (n % 128) | (i < bytes - 1 ? 0x80 : 0);
    n = Math.floor(n / 128);
  }
  return out;
}

/** The parts of Hocuspocus (the server) that are private in its types. */
type HocuspocusInternals = {
  handleDocumentUpdate: (document: Document, connection: Connection | undefined, update: Uint8Array, request?: { url?: string; headers?: Record<string, unknown> }) => void;
  hooks: (name: string, payload: unknown) => Promise<unknown>;
  storeDocumentHooks: (document: Document, payload: unknown, immediately?: boolean) => unknown;
};

/**
 * Hocuspocus's handling of every change, made lighter: it runs the `onChange` hooks as before, but
 * builds the request's parameters only if a hook reads them (it parsed the URL on every edit), and
 * re-arms its debounced store (`onStoreDocument`, which here only checks whether to compact) at most
 * once every `rearmMs` instead of on every edit (a clearTimeout and a setTimeout, 250 times a second
 * with 50 people typing). The store then runs `debounce` ms after the last re-arm, i.e. at most
 * `rearmMs` earlier than after the last edit; Hocuspocus's maximum debounce is kept.
 */
export function lighterChangeHandling(hocuspocus: Hocuspocus, rearmMs = 1000): void {
  const server = hocuspocus as unknown as HocuspocusInternals;
  const rearmed = new WeakMap<Document, number>();
  server.handleDocumentUpdate = (document, connection, update, request) => {
    const payload = {
      instance: hocuspocus,
      clientsCount: document.getConnectionsCount(),
      context: connection?.context || {},
      document,
      documentName: document.name,
      requestHeaders: request?.headers ?? {},
      get requestParameters() {
        return new URLSearchParams(request?.url?.split("?")[1] ?? "");
      },
      socketId: connection?.socketId ?? "",
      update,
      transactionOrigin: connection,
    };
    void server.hooks("onChange", payload);
    // As Hocuspocus: a change made on the server (no connection) is stored by whoever made it.
    if (!connection) return;
    const now = Date.now();
    if (now - (rearmed.get(document) ?? 0) < rearmMs) return;
    rearmed.set(document, now);
    server.storeDocumentHooks(document, payload);
  };
}
