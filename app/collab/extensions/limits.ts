/**
 * Resource limits: messages per second per socket, documents per socket, and the time a socket may
 * stay without authenticating any document. (The message size cap is ws's `maxPayload`.) Also the
 * framing of every message, before Hocuspocus sees it: Hocuspocus queues, without limit, every
 * message for a document name it has not authenticated yet, so a message whose document name was
 * never announced with an authentication message on this socket (random bytes, a forged name) closes
 * the socket, as does one whose name and type do not decode.
 */
import type { Extension } from "@hocuspocus/server";
import * as decoding from "lib0/decoding";
import { closeSocket, type CollabContext, type SocketState } from "../context";

/** The Hocuspocus message type of an authentication message. */
const AUTH = 2;

/** The bytes of a ws message, whatever form ws delivers it in. */
function bytesOf(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data as Buffer[]));
  return new Uint8Array(0);
}

/** The limits of one socket. */
export type Limits = { messagesPerSecond: number; burst: number; documentsPerSocket: number; authTimeoutMs: number };

/** Defaults: generous for typing and cursor moves, tight for floods. */
export const DEFAULT_LIMITS: Limits = { messagesPerSecond: 100, burst: 400, documentsPerSocket: 20, authTimeoutMs: 10_000 };

/** Watches one socket: closes it (1008) on a message flood or when nothing authenticates in time. */
export function guardSocket(state: SocketState, limits: Limits): void {
  let tokens = limits.burst;
  let last = Date.now();
  // Document names this socket announced with an authentication message.
  const announced = new Set<string>();
  state.ws.on("message", (data: unknown) => {
    const now = Date.now();
    tokens = Math.min(limits.burst, tokens + ((now - last) / 1000) * limits.messagesPerSecond);
    last = now;
    if (--tokens < 0) {
      console.warn(`[collab] closing a socket: more than ${limits.messagesPerSecond} messages per second`);
      closeSocket(state.ws, 1008, "rate limit");
      return;
    }
    let name: string;
    let type: number;
    try {
      const decoder = decoding.createDecoder(bytesOf(data));
      name = decoding.readVarString(decoder);
      type = decoding.readVarUint(decoder);
    } catch (error) {
      console.warn(`[collab] closing a socket: a message that does not decode (${(error as Error).message})`);
      closeSocket(state.ws, 1003, "malformed message");
      return;
    }
    if (type === AUTH) {
      announced.add(name);
      if (announced.size > limits.documentsPerSocket * 2) {
        console.warn(`[collab] closing a socket: it asked for more than ${limits.documentsPerSocket * 2} documents`);
        closeSocket(state.ws, 1008, "too many documents");
      }
    } else if (!announced.has(name)) {
      console.warn(`[collab] closing a socket: a message (type ${type}) for a document it never authenticated for`);
      closeSocket(state.ws, 1008, "not authenticated for that document");
    }
  });
  const timer = setTimeout(() => {
    if (!state.authenticated) closeSocket(state.ws, 1008, "authentication timeout");
  }, limits.authTimeoutMs);
  timer.unref();
  state.ws.once("close", () => clearTimeout(timer));
}

/** The extension that caps how many documents one socket may open. */
export function documentLimit(limits: Limits): Extension {
  return {
    extensionName: "limits",
    // Runs before authentication (priority), so a socket cannot make the server load many documents.
    priority: 1000,
    async onConnect({ documentName, context }) {
      const { socket } = context as CollabContext;
      socket.documents.add(documentName);
      if (socket.documents.size > limits.documentsPerSocket) {
        throw Object.assign(new Error("too many documents"), { reason: `at most ${limits.documentsPerSocket} documents per connection` });
      }
    },
    async onDisconnect({ documentName, context }) {
      (context as CollabContext).socket?.documents.delete(documentName);
    },
  };
}
