/**
 * Edits handled as they arrive. Hocuspocus passes every incoming message through two chains of
 * promises before it applies it: the `beforeHandleMessage` hooks of every extension (each with its
 * own `then` and `catch`, and a payload that parses the request's URL again) and then the
 * `beforeSync` hooks. For an edit that is ~40 µs at the median and ~150 µs at the 95th percentile
 * on this project's benchmark machine, a fifth of the time an edit spends in the server, and under
 * load the chains of several messages interleave, so each edit waits for the others' hooks.
 *
 * Hocuspocus's hooks decide nothing about an edit here that this extension does not decide itself,
 * in the same order, synchronously: on a connection with edit rights, a Yjs update (or SyncStep2)
 * message is checked to decode (the message guard's check, the same function; a malformed one
 * closes the socket with 1003), applied with the connection as origin (so it is relayed to the
 * others and appended to the log, as before), and acknowledged (the persistence extension holds
 * the acknowledgement until the update is committed). Every other message (presence, sync
 * requests, stateless, anything on a read-only connection) takes Hocuspocus's path unchanged.
 *
 * Order is kept: while a message of a connection is still in Hocuspocus's chain, the connection's
 * later messages follow it there.
 *
 * It is only correct while the extensions that have `beforeHandleMessage` or `beforeSync` hooks are
 * the ones listed in `handles` (their hooks are known to do, for an edit, what is done here);
 * `onConfigure` checks that, and with any other such extension configured it stays off and says so.
 */
import { Hocuspocus, OutgoingMessage, type Connection, type Extension, type onConfigurePayload } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import * as Y from "yjs";
import { malformedUpdate, refuseUpdate } from "./message-guard";
import { SYNC, SYNC_STEP_2, SYNC_UPDATE } from "../protocol";

/** The parts of Hocuspocus's Connection that are private in its types. */
type ConnectionInternals = {
  document: Y.Doc & { name: string };
  readOnly: boolean;
  webSocket: Connection["webSocket"];
  send: (message: Uint8Array) => void;
  close: (event?: { code: number; reason: string }) => void;
  handleMessage: (data: Uint8Array) => void;
  callbacks: { beforeHandleMessage: (connection: unknown, data: Uint8Array) => Promise<unknown> };
};

/** The extension; `handles` names the extensions whose message hooks it stands in for. */
export function directUpdates(options: { handles: string[] }): Extension & { enabled: () => boolean } {
  let enabled = false;
  return {
    extensionName: "direct-updates",
    enabled: () => enabled,
    async onConfigure({ configuration }: onConfigurePayload) {
      // Hocuspocus adds the configuration's own hooks as a last, unnamed extension: no-ops unless configured.
      const defaults = new Hocuspocus().configuration;
      const isDefault = (hook: unknown, standard: unknown) => hook === undefined || String(hook) === String(standard);
      const others = configuration.extensions.filter((extension) => {
        if (extension.extensionName === "direct-updates" || options.handles.includes(extension.extensionName ?? "")) return false;
        return !isDefault(extension.beforeHandleMessage, defaults.beforeHandleMessage) || !isDefault(extension.beforeSync, defaults.beforeSync);
      });
      enabled = others.length === 0;
      if (!enabled) {
        console.warn(`[collab] edits take Hocuspocus's hook chain: ${others.map((e) => e.extensionName ?? "an unnamed extension").join(", ")} inspects messages`);
      }
    },
    async connected({ connection }) {
      if (enabled) handleUpdatesDirectly(connection as unknown as ConnectionInternals);
    },
  };
}

const direct = new WeakSet<object>();

function handleUpdatesDirectly(connection: ConnectionInternals): void {
  if (direct.has(connection)) return;
  direct.add(connection);
  const viaHooks = connection.handleMessage.bind(connection);
  const hooks = connection.callbacks.beforeHandleMessage;
  // Messages of this connection still in Hocuspocus's chain. The count rises as a message enters it
  // (synchronously, so a later message read from the same chunk sees it) and drops in the microtask
  // right before the message is applied (the chain's next link); messages are only ever delivered
  // by tasks, never between two microtasks, so none is applied ahead of one that came before it.
  let inChain = 0;
  connection.callbacks.beforeHandleMessage = (conn, data) => {
    inChain++;
    return hooks(conn, data).finally(() => {
      inChain--;
    });
  };
  connection.handleMessage = (data: Uint8Array) => {
    if (inChain > 0 || connection.readOnly || !applyUpdate(connection, data)) viaHooks(data);
  };
}

/**
 * Applies `data` if it is an edit (Yjs update or SyncStep2) for this connection's document; false,
 * having done nothing, for any other message.
 */
function applyUpdate(connection: ConnectionInternals, data: Uint8Array): boolean {
  const document = connection.document;
  let update: Uint8Array;
  try {
    const decoder = decoding.createDecoder(data);
    if (decoding.readVarString(decoder) !== document.name) return false;
    if (decoding.readVarUint(decoder) !== SYNC) return false;
    const syncType = decoding.readVarUint(decoder);
    if (syncType !== SYNC_UPDATE && syncType !== SYNC_STEP_2) return false;
    update = decoding.readVarUint8Array(decoder);
  } catch {
    // Truncated: Hocuspocus's path reports it as it always has.
    return false;
  }
  const malformed = malformedUpdate(update);
  if (malformed) {
    const error = refuseUpdate(connection.webSocket, document.name, malformed) as Error & { code: number; reason: string };
    connection.close({ code: error.code, reason: error.reason });
    return true;
  }
  try {
    Y.applyUpdate(document, update, connection);
  } catch (error) {
    // As Hocuspocus's readSyncStep2: an error thrown by an event handler is logged, the edit acknowledged.
    console.error("Caught error while handling a Yjs update", error);
  }
  connection.send(acknowledgementOf(document));
  return true;
}

/** Per document, its acknowledgement ("SyncStatus: saved"): the same bytes every time, made once. */
const acknowledgements = new WeakMap<object, Uint8Array>();

function acknowledgementOf(document: Y.Doc & { name: string }): Uint8Array {
  let ack = acknowledgements.get(document);
  if (!ack) {
    ack = new OutgoingMessage(document.name).writeSyncStatus(true).toUint8Array();
    acknowledgements.set(document, ack);
  }
  return ack;
}
