/**
 * The one provider adapter between the browser editor and the collaboration server: a Hocuspocus
 * 3.4 provider (`@hocuspocus/provider`) on its own socket to `ws(s)://<this host>/collab` (the
 * session cookie goes along with the upgrade), wrapped into the interface Lexical's
 * CollaborationPlugin expects from a `providerFactory` — `connect`, `disconnect`, `awareness`,
 * `on`/`off` with `sync`, `status`, `update` and `reload` — plus the connection state the page
 * shows (connecting, connected, reconnecting, offline) and the number of unacknowledged changes.
 *
 * Hocuspocus emits `synced` once per connection; Lexical waits for `sync(true)`, so the adapter
 * translates it (and emits `sync(false)` when the connection drops). The socket reconnects by
 * itself with back-off (at once when the browser comes back online); edits made meanwhile stay in
 * the Y.Doc and merge when it is back.
 */
import { HocuspocusProvider, HocuspocusProviderWebsocket } from "@hocuspocus/provider";
import type { Provider } from "@lexical/yjs";
import * as Y from "yjs";

/** The connection state as the page shows it. */
export type CollabStatus = "connecting" | "connected" | "reconnecting" | "offline";

/**
 * What the status pill and the page read: `loaded` once the document's content first arrived,
 * `refused` when the server would not (or no longer) let this user in.
 */
export type CollabSnapshot = { status: CollabStatus; unsynced: number; readOnly: boolean; refused: boolean; loaded: boolean };

/** One open collaborative document: the Y.Doc, the Hocuspocus provider, Lexical's view of it, and its state. */
export type CollabConnection = {
  name: string;
  doc: Y.Doc;
  provider: HocuspocusProvider;
  /** What Lexical's CollaborationPlugin gets from its providerFactory. */
  lexical: Provider;
  snapshot: () => CollabSnapshot;
  /** Calls `listener` whenever the snapshot may have changed; returns the unsubscribe function. */
  subscribe: (listener: () => void) => () => void;
  destroy: () => void;
};

/** Not connected for longer than this (ms) after losing the connection (or while first connecting): shown as offline. */
export const OFFLINE_AFTER_MS = 4000;

/** The collaboration endpoint of the page's own origin (same host and port, ws:// or wss://). */
export function collabUrl(location: Pick<Location, "protocol" | "host">): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/collab`;
}

type LexicalEvent = "sync" | "status" | "update" | "reload";

/** Opens the collaborative document `name` (`standard.<id>` or `proposal.<id>`); call `destroy` when done. */
export function openCollabDocument(name: string, options: { url?: string } = {}): CollabConnection {
  const doc = new Y.Doc();
  const listeners = new Set<() => void>();
  const lexicalListeners = new Map<LexicalEvent, Set<(payload: never) => void>>();
  const emitLexical = (type: LexicalEvent, payload: unknown) => {
    for (const cb of lexicalListeners.get(type) ?? []) (cb as (p: unknown) => void)(payload);
  };

  let socketStatus: "connecting" | "connected" | "disconnected" = "connecting";
  let everSynced = false;
  let refused = false;
  let destroyed = false;
  // When the connection was lost (or first attempted); null while connected and synced.
  let lostAt: number | null = Date.now();
  let offlineTimer: ReturnType<typeof setTimeout> | null = null;

  const notify = () => {
    for (const listener of listeners) listener();
  };
  const armOfflineTimer = () => {
    if (offlineTimer) clearTimeout(offlineTimer);
    offlineTimer = setTimeout(notify, OFFLINE_AFTER_MS + 50);
  };

  const socket = new HocuspocusProviderWebsocket({
    url: options.url ?? collabUrl(window.location),
    // Lexical's CollaborationPlugin connects when it mounts.
    autoConnect: false,
  });
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name,
    document: doc,
    // No token: the server authenticates the browser by the session cookie of the upgrade request.
    token: "",
  });

  const onSocketStatus = ({ status }: { status: string }) => {
    socketStatus = status === "connected" ? "connected" : status === "connecting" ? "connecting" : "disconnected";
    if (socketStatus !== "connected" && lostAt === null) {
      lostAt = Date.now();
      armOfflineTimer();
    }
    emitLexical("status", { status: socketStatus });
    notify();
  };
  const onSynced = () => {
    everSynced = true;
    refused = false;
    lostAt = null;
    emitLexical("sync", true);
    notify();
  };
  const onDisconnect = () => {
    emitLexical("sync", false);
    notify();
  };
  const onAuthenticationFailed = () => {
    refused = true;
    notify();
  };
  // The socket retries with a growing back-off (up to 30 s): when the browser says the network is
  // back, try at once instead of waiting out the current delay.
  const onOnline = () => {
    if (!destroyed && navigator.onLine && socket.shouldConnect && socket.status === "disconnected") void socket.connect()?.catch(() => undefined);
    notify();
  };
  socket.on("status", onSocketStatus);
  provider.on("synced", onSynced);
  provider.on("disconnect", onDisconnect);
  provider.on("unsyncedChanges", notify);
  provider.on("authenticated", notify);
  provider.on("authenticationFailed", onAuthenticationFailed);
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOnline);
  armOfflineTimer();

  const snapshot = (): CollabSnapshot => {
    const readOnly = provider.authorizedScope === "readonly";
    const unsynced = readOnly ? 0 : provider.unsyncedChanges;
    const online = typeof navigator === "undefined" || navigator.onLine !== false;
    let status: CollabStatus;
    if (refused) status = "offline";
    else if (socketStatus === "connected" && provider.isSynced) status = "connected";
    else if (!online || (lostAt !== null && Date.now() - lostAt > OFFLINE_AFTER_MS)) status = "offline";
    else status = everSynced ? "reconnecting" : "connecting";
    return { status, unsynced, readOnly, refused, loaded: everSynced };
  };

  const lexical = {
    awareness: provider.awareness,
    connect: () => {
      if (destroyed) return;
      provider.attach();
      return socket.connect();
    },
    disconnect: () => {
      if (destroyed) return;
      provider.detach();
      socket.disconnect();
    },
    on: (type: LexicalEvent, cb: (payload: never) => void) => {
      if (!lexicalListeners.has(type)) lexicalListeners.set(type, new Set());
      lexicalListeners.get(type)!.add(cb);
    },
    off: (type: LexicalEvent, cb: (payload: never) => void) => {
      lexicalListeners.get(type)?.delete(cb);
    },
  } as unknown as Provider;

  let cache: CollabSnapshot | null = null;
  return {
    name,
    doc,
    provider,
    lexical,
    // A stable object while nothing changed (useSyncExternalStore compares by identity).
    snapshot: () => {
      const next = snapshot();
      if (!cache || cache.status !== next.status || cache.unsynced !== next.unsynced || cache.readOnly !== next.readOnly || cache.refused !== next.refused || cache.loaded !== next.loaded) cache = next;
      return cache;
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    destroy: () => {
      if (destroyed) return;
      destroyed = true;
      if (offlineTimer) clearTimeout(offlineTimer);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOnline);
      listeners.clear();
      lexicalListeners.clear();
      provider.destroy();
      socket.destroy();
      doc.destroy();
    },
  };
}

/** A stable colour for a user id: a hue from the id's hash, dark enough for white text on it. */
export function colorForUser(id: string): string {
  let hash = 0;
  for (let i = 0; i < id.length; i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) | 0;
  const hue = Math.abs(hash) % 360;
  return `hsl(${hue}, 65%, 38%)`;
}
