/**
 * What the collaboration extensions share about one WebSocket (all documents it carries) and one
 * document connection on it.
 */
import type { WebSocket } from "ws";

/** State of one WebSocket, shared by every document connection multiplexed on it. */
export type SocketState = {
  ws: WebSocket;
  /** The upgrade request's Cookie header (the browser's session), if any. */
  cookie: string | undefined;
  /** True once any document on this socket authenticated (the auth timeout stops then). */
  authenticated: boolean;
  /** The documents this socket has asked for. */
  documents: Set<string>;
};

/** The name and role the other participants see for a connection's user. */
export type PresenceIdentity = { userId: string; name: string; role: string };

/** The Hocuspocus context of one document connection: the socket, and who was let in with what rights. */
export type CollabContext = {
  socket: SocketState;
  userId?: string;
  /**
   * Who the signed-in user is, as the presence (awareness) they publish must say: the message
   * guard writes these over the name and role a browser claims. Refreshed by the session re-check.
   */
  presence?: PresenceIdentity;
  /** The credential the connection authenticated with, re-checked periodically. */
  credential?: { token?: string; cookie?: string };
  readOnly?: boolean;
};

/** Closes a whole socket with a WebSocket close code and a short reason (at most 123 bytes). */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) return;
  try {
    ws.close(code, reason.slice(0, 120));
  } catch {
    ws.terminate();
    return;
  }
  // A hostile peer may never answer the close handshake (ws would wait 30 s, still reading): cut it.
  const timer = setTimeout(() => ws.terminate(), 1000);
  timer.unref();
  ws.once("close", () => clearTimeout(timer));
}
