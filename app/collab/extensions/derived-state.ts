/**
 * Derived state: a while after a standard's document changes (debounced, and at the latest
 * `maxWaitMs` after its first underived change, however long the typing goes on), its Markdown is
 * exported and written to the draft row with its rule set, conformance and search index, so every
 * reader of the draft (API, pages, revisions, search) follows the live text. A proposal's document
 * is derived the same way into the proposal's text (while it is a draft), so its redline, submission
 * and merge follow the live text. The write never touches the document, so it cannot feed back into it.
 *
 * The export (Yjs → Lexical → Markdown, tens of milliseconds for a large standard) runs in a worker
 * thread (derive-worker.ts, ADR 0013): the worker keeps a replica of each document, fed the updates
 * it has not seen yet (the document's own update events, collected as they happen: encoding the
 * difference at dispatch walked the whole document), and answers with the Markdown and, for a
 * standard, the draft row prepared from it (hash, rule set, conformance, search rows). Only the
 * writes stay here, on the portal's one connection; a row another writer changed meanwhile (a PUT)
 * is compared with the text first. At most one derivation per document is in flight. `flush` is synchronous: it
 * exports on this thread, and any worker result dispatched before it is dropped (each dispatch and
 * each flush takes a new sequence number; only the latest one may write). If the worker cannot
 * start or dies, everything is derived on this thread, as before.
 */
import { EventEmitter } from "node:events";
import debounce from "lodash/debounce";
import type { DebouncedFunc } from "lodash";
import type { Document, Extension } from "@hocuspocus/server";
import * as encoding from "lib0/encoding";
import * as Y from "yjs";
import type { PreparedDraft } from "../../domain/draft-analysis";
import { retiredRuleIdsOf } from "../../domain/standards.server";
import { storedDraftHash, storedDraftText, storeDraft } from "../../domain/drafts.server";
import { releaseWrites } from "../coalesce";
import { saveProposalTextFromDocument } from "../../domain/proposals.server";
import { normalizeMarkdownWhitespace } from "../../editor/markdown";
import type { CollabContext } from "../context";
import type { DeriveResult } from "../derive-worker";
import { startDeriveWorker, type DeriveWorker } from "../derive-worker-client";
import { parseDocName } from "../persistence.server";
import { markdownFromDoc } from "../yjs-markdown.server";

/** Counters of the derivations (tests read them; `mode` says whether the worker is in use). */
export type DerivedStats = {
  /** "worker" while the worker runs (or has not been needed yet), "main" after it failed. */
  mode: "worker" | "main";
  /** Requests sent to the worker. */
  dispatched: number;
  /** Worker results written (or found equal to the row). */
  fromWorker: number;
  /** Worker results dropped because a flush (or a newer dispatch) superseded them. */
  stale: number;
  /** Derivations made on the main thread (flush, unload, shutdown, fallback). */
  onMainThread: number;
  /** Derivations in the worker now. */
  inFlight: number;
};

/**
 * Events for observers (tests): `dispatch` (documentName, seq) when a derivation is sent to the
 * worker, `result` (documentName, seq, outcome: "written" | "stale" | "failed", markdown) when its answer
 * has been handled (a written result is in the row by then).
 */
export type DerivedEvents = EventEmitter;

type DocState = {
  document: Document;
  actorId: string | null;
  /** Changes not yet covered by a derivation (dispatched or made). */
  dirty: boolean;
  /**
   * Called on every change: the derivation falls due once changes pause for `debounceMs`, and at the
   * latest `maxWaitMs` after the first underived change. (lodash's debounce keeps one timer per pause
   * instead of re-arming one on every change, which at 50 people typing was 250 times a second.)
   */
  schedule: DebouncedFunc<() => void>;
  /** The sequence number of the latest dispatch or flush: only a result carrying it may be written. */
  seq: number;
  /** The derivation in the worker, if any (its sequence number and author). */
  inFlight: { seq: number; actorId: string | null } | null;
  /** A derivation fell due while one was in flight: dispatch again when it returns. */
  again: boolean;
  /** The worker holds a replica of the document, fed every update but those in `unsent`. */
  replica: boolean;
  /** The document's updates since the last dispatch, in order (collected only while the worker holds a replica). */
  unsent: Uint8Array[];
  /** Collects the document's updates into `unsent`. */
  collect: (update: Uint8Array) => void;
  /** The hash of the draft row as this extension last wrote or found it (a standard's document). */
  rowHash: string | null;
};

/** The derived-state extension, `flush` (writes a document's pending derivation at once), `flushAll` and `stop`. */
export function derivedState(options: {
  debounceMs: number;
  maxWaitMs?: number;
  isOpen: () => boolean;
  /** The worker's module (tests point it at a missing file to see the fallback). */
  workerEntry?: URL;
  /** Runs a derived write (default: as it is); the server makes it skip the fsync at its commit and sync the WAL off the event loop. */
  writeWith?: <T>(write: () => T) => T;
  /** A derivation the worker has not answered in this long means the worker hangs: it is given up (60 s). */
  workerTimeoutMs?: number;
}): {
  extension: Extension;
  flush: (documentName: string) => void;
  flushAll: () => void;
  stop: () => Promise<void>;
  stats: () => DerivedStats;
  events: DerivedEvents;
} {
  const maxWaitMs = options.maxWaitMs ?? 10_000;
  const docs = new Map<string, DocState>();
  const events: DerivedEvents = new EventEmitter();
  const counters = { dispatched: 0, fromWorker: 0, stale: 0, onMainThread: 0 };
  // One counter for every document, so a result can never match a later state of the same name.
  let lastSeq = 0;
  // The worker starts with the first document loaded (most portals never open one); null when it failed.
  let worker: DeriveWorker | null = null;
  let workerFailed = false;
  const workerTimeoutMs = options.workerTimeoutMs ?? 60_000;
  let stopped = false;

  // The document whose derived text is being written: reads of the draft or proposal made during the
  // write (getDraft, getDraftView, a proposal's save) flush the live document, and that flush must not export it again on this thread (it would write the newest text, then this
  // write would put the older one over it and the newer changes would count as derived).
  let writing: string | null = null;

  /** The database part: writes the Markdown into the draft row or the proposal's text. */
  const write = (documentName: string, markdown: string, actorId: string | null, prepared?: PreparedDraft) => {
    const previous = writing;
    writing = documentName;
    // Writing the draft (rules, conformance, search index) holds the event loop for milliseconds: what was relayed in this turn leaves first.
    releaseWrites();
    try {
      // No one waits on this write and the live document can derive it again: it does not hold the event loop for the disk.
      (options.writeWith ?? ((w) => w()))(() => writeRow(documentName, markdown, actorId, prepared));
    } finally {
      writing = previous;
    }
  };

  const writeRow = (documentName: string, markdown: string, actorId: string | null, prepared?: PreparedDraft) => {
    const parsed = parseDocName(documentName);
    if (!parsed) return;
    if (parsed.kind === "proposal") {
      try {
        saveProposalTextFromDocument({ id: parsed.id, markdown, actorId });
      } catch (error) {
        console.error(`[collab] could not derive the text of ${documentName}: ${(error as Error).message}`);
      }
      return;
    }
    const state = docs.get(documentName);
    try {
      const stored = storedDraftHash(parsed.id);
      if (prepared && stored === prepared.hash) return;
      // Unless the row is still what this extension wrote (the usual case while people type), the
      // text is compared: a PUT may have saved this text already (perhaps not whitespace-normalized).
      if (!prepared || !state || stored !== state.rowHash) {
        const current = storedDraftText(parsed.id);
        if (current && normalizeMarkdownWhitespace(current.markdown) === markdown) {
          if (state) state.rowHash = current.hash;
          return;
        }
      }
      const hash = storeDraft({ standardId: parsed.id, markdown, actorId, fromDocument: true, prepared });
      if (state) state.rowHash = hash;
    } catch (error) {
      console.error(`[collab] could not derive the draft of ${documentName}: ${(error as Error).message}`);
    }
  };

  const clearTimers = (state: DocState) => state.schedule.cancel();

  /** The worker will need the document's whole state again. */
  const dropReplica = (state: DocState) => {
    state.replica = false;
    state.unsent = [];
  };

  /** For a standard's document: the draft row to prepare in the worker (against the standard's retired rule ids now). */
  const standardToPrepare = (documentName: string): { id: string; retired: string[] } | undefined => {
    const parsed = parseDocName(documentName);
    if (parsed?.kind !== "standard") return undefined;
    try {
      return { id: parsed.id, retired: [...retiredRuleIdsOf(parsed.id)] };
    } catch {
      // The database cannot be read now: the write prepares the row itself.
      return undefined;
    }
  };

  /** Derives on this thread, now: flush, unload, shutdown, and every derivation once the worker failed. */
  const deriveHere = (documentName: string) => {
    const state = docs.get(documentName);
    if (!state || writing === documentName) return;
    const workerHolds = state.inFlight !== null && state.inFlight.seq === state.seq;
    if (!state.dirty && !workerHolds) return;
    clearTimers(state);
    state.dirty = false;
    state.again = false;
    // A worker result dispatched before now is older than what is written here: it must not write.
    state.seq = ++lastSeq;
    if (!options.isOpen()) return;
    let markdown: string;
    try {
      markdown = markdownFromDoc(state.document);
    } catch (error) {
      console.error(`[collab] could not derive ${documentName}: ${(error as Error).message}`);
      return;
    }
    counters.onMainThread++;
    write(documentName, markdown, state.actorId);
  };

  const ensureWorker = (): DeriveWorker | null => {
    if (workerFailed || stopped) return null;
    worker ??= startDeriveWorker({ onResult, onFailure, entry: options.workerEntry });
    return worker.alive() ? worker : null;
  };

  /** A derivation fell due (debounce or maximum wait): send it to the worker, or derive here. */
  const due = (documentName: string) => {
    const state = docs.get(documentName);
    if (!state) return;
    clearTimers(state);
    if (!state.dirty) return;
    if (state.inFlight) {
      state.again = true;
      return;
    }
    const w = ensureWorker();
    if (!w || !options.isOpen()) return deriveHere(documentName);
    const seq = ++lastSeq;
    // What the replica lacks: the whole state the first time, else the updates since the last dispatch.
    const encoder = encoding.createEncoder();
    if (state.replica) for (const update of state.unsent) encoding.writeVarUint8Array(encoder, update);
    else encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(state.document));
    const updates = encoding.toUint8Array(encoder);
    const standard = standardToPrepare(documentName);
    if (!w.post({ type: "derive", name: documentName, seq, updates, standard }, [updates.buffer as ArrayBuffer])) return deriveHere(documentName);
    state.replica = true;
    state.unsent = [];
    state.seq = seq;
    state.dirty = false;
    state.again = false;
    state.inFlight = { seq, actorId: state.actorId };
    counters.dispatched++;
    // An export takes well under a second even for the largest draft; no answer at all means a hung worker.
    setTimeout(() => {
      if (docs.get(documentName)?.inFlight?.seq === seq) worker?.abandon(new Error(`no answer for ${documentName} in ${workerTimeoutMs} ms`));
    }, workerTimeoutMs).unref();
    events.emit("dispatch", documentName, seq);
  };

  function onResult(result: DeriveResult) {
    const state = docs.get(result.name);
    // The document was unloaded (or reloaded) since: its state is gone or is another one.
    if (!state || state.inFlight?.seq !== result.seq) return;
    const { actorId } = state.inFlight;
    state.inFlight = null;
    let outcome: "written" | "stale" | "failed";
    if ("error" in result) {
      console.error(`[collab] could not derive ${result.name} in the worker: ${result.error}`);
      // The worker dropped its replica: it gets the whole state next time. This time the main
      // thread tries (below), once: a text the export cannot handle is not sent round again.
      dropReplica(state);
      outcome = "failed";
    } else if (result.seq !== state.seq || !options.isOpen()) {
      // A flush derived a newer text meanwhile (and a PUT may have written after it): never overwrite it.
      counters.stale++;
      outcome = "stale";
    } else {
      counters.fromWorker++;
      write(result.name, result.markdown, actorId, result.prepared);
      outcome = "written";
    }
    events.emit("result", result.name, result.seq, outcome, "error" in result ? undefined : result.markdown);
    if (outcome === "failed" && result.seq === state.seq) {
      state.dirty = true;
      deriveHere(result.name);
    } else if (state.again) {
      state.again = false;
      if (state.dirty) due(result.name);
    }
  }

  function onFailure(error: Error) {
    workerFailed = true;
    worker = null;
    console.error(`[collab] the derive worker failed (${error.message}); deriving drafts on the main thread from now on`);
    // What the worker held is derived here, now.
    for (const [name, state] of docs) {
      dropReplica(state);
      if (state.inFlight) {
        state.inFlight = null;
        state.dirty = true;
        deriveHere(name);
      }
    }
  }

  /** Forgets a document (and its replica in the worker). */
  const forget = (documentName: string) => {
    const state = docs.get(documentName);
    if (!state) return;
    clearTimers(state);
    state.document.off("update", state.collect);
    docs.delete(documentName);
    worker?.post({ type: "drop", name: documentName });
  };

  const extension: Extension = {
    extensionName: "derived-state",
    async afterLoadDocument() {
      // Start the worker before anyone types, so its first derivation does not wait for it.
      ensureWorker();
    },
    async onChange({ documentName, document, context }) {
      let state = docs.get(documentName);
      if (state && state.document !== document) {
        // The document was reloaded: the old state (and the worker's replica) describe another Y.Doc.
        forget(documentName);
        state = undefined;
      }
      if (!state) {
        const schedule = debounce(() => due(documentName), options.debounceMs, { maxWait: maxWaitMs });
        const created: DocState = {
          document,
          actorId: null,
          dirty: false,
          schedule,
          seq: 0,
          inFlight: null,
          again: false,
          replica: false,
          unsent: [],
          collect: (update) => {
            if (created.replica) created.unsent.push(update);
          },
          rowHash: null,
        };
        document.on("update", created.collect);
        docs.set(documentName, created);
        state = created;
      }
      state.actorId = (context as CollabContext | undefined)?.userId ?? state.actorId;
      state.dirty = true;
      state.schedule();
    },
    async beforeUnloadDocument({ documentName }) {
      deriveHere(documentName);
    },
    async afterUnloadDocument({ documentName }) {
      forget(documentName);
    },
  };

  return {
    extension,
    flush: deriveHere,
    flushAll: () => [...docs.keys()].forEach(deriveHere),
    stop: async () => {
      stopped = true;
      for (const name of [...docs.keys()]) forget(name);
      const w = worker;
      worker = null;
      await w?.stop();
    },
    stats: () => ({
      mode: workerFailed ? "main" : "worker",
      ...counters,
      inFlight: [...docs.values()].filter((s) => s.inFlight).length,
    }),
    events,
  };
}
