/**
 * Real @hocuspocus/provider clients in Node for the collaboration tests: a document over /collab
 * with a personal access token or a browser's session cookie (sent on the upgrade request).
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import WebSocket from "ws";
import * as Y from "yjs";

export type CollabClient = {
  provider: HocuspocusProvider;
  socket: HocuspocusProviderWebsocket;
  doc: Y.Doc;
  /** Resolves once the first sync finished (rejects when authentication fails). */
  synced: Promise<void>;
  /** The close codes the socket received, in order. */
  closeCodes: number[];
  /** Resolves when every local change has been acknowledged by the server. */
  acknowledged: () => Promise<void>;
  destroy: () => void;
};

/** A ws WebSocket that sends the given headers (Cookie, Origin) with its upgrade request. */
function webSocketWith(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { headers });
    }
  };
}

/** Connects one provider to `name` on the portal at `baseUrl` (http://host:port). */
export function connectDoc(baseUrl: string, name: string, credentials: { token?: string; cookie?: string; origin?: string }): CollabClient {
  const headers: Record<string, string> = {};
  if (credentials.cookie) headers.cookie = credentials.cookie;
  if (credentials.origin) headers.origin = credentials.origin;
  const closeCodes: number[] = [];
  const socket = new HocuspocusProviderWebsocket({
    url: `${baseUrl.replace(/^http/, "ws")}/collab`,
    WebSocketPolyfill: webSocketWith(headers),
    maxAttempts: 1,
    onClose: ({ event }) => {
      closeCodes.push(event.code);
      // A test client that was closed stays closed: no reconnection racing the portal's shutdown.
      socket.shouldConnect = false;
    },
  });
  const doc = new Y.Doc();
  let resolveSynced!: () => void;
  let rejectSynced!: (error: Error) => void;
  const synced = new Promise<void>((resolve, reject) => {
    resolveSynced = resolve;
    rejectSynced = reject;
  });
  synced.catch(() => undefined);
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name,
    document: doc,
    token: credentials.token ?? "",
    onSynced: () => resolveSynced(),
    onAuthenticationFailed: ({ reason }) => rejectSynced(new Error(`authentication failed: ${reason}`)),
  });
  provider.attach();
  const acknowledged = () =>
    new Promise<void>((resolve) => {
      if (provider.unsyncedChanges === 0) return resolve();
      const check = ({ number }: { number: number }) => {
        if (number === 0) {
          provider.off("unsyncedChanges", check);
          resolve();
        }
      };
      provider.on("unsyncedChanges", check);
    });
  return {
    provider,
    socket,
    doc,
    synced,
    closeCodes,
    acknowledged,
    destroy: () => {
      provider.destroy();
      socket.destroy();
    },
  };
}

/** Resolves when `predicate` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
