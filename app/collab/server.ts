/**
 * The collaboration server: Hocuspocus on the portal's own HTTP server at /collab, one Yjs document
 * per standard draft (`standard.<id>`) and per proposal draft (`proposal.<id>`), built from small
 * extensions (limits, authentication, message guard, persistence, derived state, session re-check).
 */
import type http from "node:http";
import type { Duplex } from "node:stream";
import { Hocuspocus } from "@hocuspocus/server";
import { WebSocketServer } from "ws";
import { coalesceWrites, releaseWrites } from "./coalesce";
import { encodeOnceBroadcast, lighterChangeHandling } from "./broadcast";
import { env } from "../utils/env.server";
import type { SocketState } from "./context";
import { authentication } from "./extensions/authentication";
import { derivedState, type DerivedEvents, type DerivedStats } from "./extensions/derived-state";
import { DEFAULT_LIMITS, documentLimit, guardSocket, type Limits } from "./extensions/limits";
import { messageGuard } from "./extensions/message-guard";
import { directUpdates } from "./extensions/direct-updates";
import { persistence, refuseUnstored } from "./extensions/persistence";
import { linger } from "./extensions/linger";
import { sessionRecheck } from "./extensions/session-recheck";
import { syncCache } from "./extensions/sync-cache";
import { commentAnchors } from "./extensions/comment-anchors";
import { setLiveDocuments } from "./live.server";
import { appendUpdate, groupCommit, hasStoredState, loadDoc, type GroupCommit } from "./persistence.server";
import { markdownIntoDoc } from "./yjs-markdown.server";

/** The largest WebSocket message accepted (1 MiB); ws closes the socket with 1009 above it. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

/** The collaboration server, as server.ts attaches it. */
export type CollabServer = {
  hocuspocus: Hocuspocus;
  /** The upgrade handler for /collab: Origin check first, then the WebSocket handshake. */
  handleUpgrade: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;
  /** Replaces a document's text with Markdown as one change (live document, or its stored state). */
  applyMarkdown: (documentName: string, markdown: string) => void;
  /** Writes a document's pending derived draft now. */
  flush: (documentName: string) => void;
  /** Re-checks every open connection's rights now (the timer does it every `recheckMs`). */
  recheck: () => void;
  /** The loaded document of that name, if open. */
  document: (documentName: string) => import("yjs").Doc | undefined;
  /** Sends a stateless message to every connection of a loaded document. */
  broadcastStateless: (documentName: string, payload: string) => void;
  /** The group commit of updates (its counters show how many updates each commit carried). */
  log: GroupCommit;
  /** The group commit's counters (also on the live documents, for the benchmark). */
  commitStats: () => { commits: number; updates: number; failures: number };
  /** Counters of the derived drafts (worker or main thread); tests read them. */
  derivedStats: () => DerivedStats;
  /** `dispatch` and `result` events of the derivations sent to the worker (tests observe them). */
  derivedEvents: DerivedEvents;
  /** Closes every socket, writes pending derived state and stops the derive worker. */
  close: () => Promise<void>;
};

/** Options of the collaboration server (tests shorten the timings). */
export type CollabOptions = {
  limits?: Partial<Limits>;
  /** Derive a changed document's draft once its changes pause this long (1 s). */
  derivedDebounceMs?: number;
  /** …and at the latest this long after its first underived change, even while typing goes on (10 s). */
  derivedMaxWaitMs?: number;
  /** The derive worker's module (default ./derive-worker.ts); tests point it at a missing file to see the fallback. */
  deriveWorkerEntry?: URL;
  recheckMs?: number;
  /** At least this long between the starts of two group commits (10 ms). */
  commitIntervalMs?: number;
  /** How long a document stays loaded after its last editor leaves (30 s; 0: unload at once). */
  lingerMs?: number;
};

/** Builds the collaboration server (it registers itself as the process's live documents). */
export function createCollabServer(options: CollabOptions = {}): CollabServer {
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  encodeOnceBroadcast();
  let open = true;
  const isOpen = () => open;
  // A failed commit keeps its updates queued (retried, nothing acknowledged) and tells the editors of
  // the documents concerned: their sockets close with 1013 and they resend when they reconnect.
  // What was relayed in this turn leaves before the commit holds the event loop.
  // Commits start at most every 10 ms: fewer, larger ones (acknowledgements wait ~10 ms more; edits reach the others at once).
  const log = groupCommit({ onFailure: (docNames, error) => refuseUnstored(hocuspocus, docNames, error), beforeCommit: releaseWrites, minIntervalMs: options.commitIntervalMs ?? 10 });
  const derived = derivedState({ debounceMs: options.derivedDebounceMs ?? 1000, maxWaitMs: options.derivedMaxWaitMs ?? 10_000, isOpen, workerEntry: options.deriveWorkerEntry, writeWith: (write) => log.writeSyncingLater(write) });
  const recheck = sessionRecheck({ intervalMs: options.recheckMs ?? 30_000 });
  // A document stays loaded this long after its last editor leaves (a page reload does not reload it from SQLite).
  const lingering = linger({ ms: options.lingerMs ?? 30_000 });
  const anchors = commentAnchors({ debounceMs: options.derivedDebounceMs ?? 1000, maxWaitMs: options.derivedMaxWaitMs ?? 10_000, isOpen });
  const hocuspocus = new Hocuspocus({
    quiet: true,
    // Persistence appends every update as it arrives; the debounced store only triggers compaction.
    debounce: 5000,
    maxDebounce: 30_000,
    // Edits skip Hocuspocus's hook chains (direct-updates does what these three do for an edit); after persistence, whose `connected` holds acknowledgements.
    extensions: [documentLimit(limits), authentication(), messageGuard(), persistence({ isOpen, log }), syncCache(), directUpdates({ handles: ["message-guard", "persistence", "sync-cache"] }), derived.extension, recheck.extension, anchors.extension, lingering.extension],
  });
  lighterChangeHandling(hocuspocus);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });

  const handleUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    // Cross-site WebSocket hijacking: a browser always sends Origin; it must be the portal's own.
    // Tools (no Origin) authenticate with a token and carry no ambient credential.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== env().publicOrigin) {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Messages written to this socket within one turn of the event loop leave in one system call.
      coalesceWrites(ws, socket);
      const state: SocketState = { ws, cookie: req.headers.cookie, authenticated: false, documents: new Set() };
      guardSocket(state, limits);
      ws.on("error", (error) => console.warn(`[collab] socket error: ${error.message}`));
      hocuspocus.handleConnection(ws, req, { socket: state });
    });
  };

  const applyMarkdown = (documentName: string, markdown: string) => {
    const live = hocuspocus.documents.get(documentName);
    if (live) {
      markdownIntoDoc(live, markdown, "api");
      return;
    }
    // Not loaded: change the stored state, which is what the document will load from.
    if (!hasStoredState(documentName)) return;
    const doc = loadDoc(documentName);
    const update = markdownIntoDoc(doc, markdown, "api");
    doc.destroy();
    if (update) appendUpdate(documentName, update, null);
  };

  const server: CollabServer = {
    hocuspocus,
    log,
    handleUpgrade,
    applyMarkdown,
    flush: derived.flush,
    recheck: recheck.check,
    document: (documentName) => hocuspocus.documents.get(documentName),
    broadcastStateless: (documentName, payload) => hocuspocus.documents.get(documentName)?.broadcastStateless(payload),
    commitStats: () => log.stats(),
    derivedStats: derived.stats,
    derivedEvents: derived.events,
    close: async () => {
      recheck.stop();
      anchors.stop();
      lingering.stop();
      derived.flushAll();
      log.close();
      open = false;
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      setLiveDocuments(null);
      await derived.stop();
    },
  };
  setLiveDocuments(server);
  return server;
}
