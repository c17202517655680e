/**
 * Resource limits: messages per second per socket, documents per socket, and the time a socket may
 * stay without authenticating any document. (The message size cap is ws's `maxPayload`.)
 */
import type { Extension } from "@hocuspocus/server";
import { closeSocket, type CollabContext, type SocketState } from "../context";

/** The limits of one socket. */
export type Limits = { messagesPerSecond: number; burst: number; documentsPerSocket: number; authTimeoutMs: number };

/** Defaults: generous for typing and cursor moves, tight for floods. */
export const DEFAULT_LIMITS: Limits = { messagesPerSecond: 100, burst: 400, documentsPerSocket: 20, authTimeoutMs: 10_000 };

/** Watches one socket: closes it (1008) on a message flood or when nothing authenticates in time. */
export function guardSocket(state: SocketState, limits: Limits): void {
  let tokens = limits.burst;
  let last = Date.now();
  state.ws.on("message", () => {
    const now = Date.now();
    tokens = Math.min(limits.burst, tokens + ((now - last) / 1000) * limits.messagesPerSecond);
    last = now;
    if (--tokens < 0) {
      console.warn(`[collab] closing a socket: more than ${limits.messagesPerSecond} messages per second`);
      closeSocket(state.ws, 1008, "rate limit");
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
