/**
 * Durable storage of the collaborative documents: every Yjs update is appended to `collab_updates`
 * (better-sqlite3, synchronous=FULL) before its sender is acknowledged. Updates that arrive together
 * are appended by group commit (`groupCommit`): one transaction, one fsync, for everything that
 * arrived while the previous commit was being made durable — the fsync runs off the event loop, so
 * edits keep flowing meanwhile; the persistence extension holds each acknowledgement until the
 * commit that holds its update is on disk. A document loads from its latest snapshot plus the updates
 * after it; compaction folds them into a new snapshot in one transaction.
 */
import fs from "node:fs";
import type Database from "better-sqlite3";
import * as Y from "yjs";
import { getDraft } from "../domain/standards.server";
import { findProposal, proposalText } from "../domain/proposals.server";
import { db } from "../utils/db.server";
import { markdownIntoDoc } from "./yjs-markdown.server";

/** The kind and id a document name designates: `standard.<id>` or `proposal.<id>`; null for any other name. */
export function parseDocName(name: string): { kind: "standard" | "proposal"; id: string } | null {
  const m = /^(standard|proposal)\.([A-Za-z0-9_-]{1,64})$/.exec(name);
  return m ? { kind: m[1] as "standard" | "proposal", id: m[2] } : null;
}

/** Appends one update of a document (call it before the update is acknowledged); returns its row id. */
export function appendUpdate(docName: string, update: Uint8Array, userId: string | null = null): number {
  const info = db()
    .$client.prepare("insert into collab_updates (doc_name, \"update\", user_id, created_at) values (?, ?, ?, ?)")
    .run(docName, Buffer.from(update), userId, new Date().toISOString());
  return Number(info.lastInsertRowid);
}

/** One update waiting for the next group commit. */
type PendingUpdate = { docName: string; update: Uint8Array; userId: string | null };

/**
 * Group commit of updates: `enqueue` queues an update, and at the end of the current turn of the
 * event loop (setImmediate: after every message already read from the sockets has been applied) the
 * queue is appended in one transaction. The fsync that makes it durable does not run on the event
 * loop: the transaction is written to the WAL with synchronous=NORMAL (no fsync), then the WAL file
 * is fdatasync'd on libuv's thread pool (`fs.fdatasync`), and only then are the batch's callbacks — the senders'
 * acknowledgements — run. Updates arriving meanwhile wait and go together in the next commit, so a
 * busier document gets larger commits, not more of them. What is acknowledged is on disk exactly as
 * with synchronous=FULL (ADR 0007). `afterCommit` runs a callback once everything queued so far is
 * durable — at once when nothing is pending. A failed commit keeps the queue (and the callbacks) and
 * retries, so nothing is acknowledged that is not on disk.
 */
export type GroupCommit = {
  enqueue: (docName: string, update: Uint8Array, userId: string | null) => void;
  /** True while updates wait for a commit or for their fsync. */
  pending: () => boolean;
  /** Runs `callback` after the commit holding every update queued so far is on disk (at once if none is). */
  afterCommit: (callback: () => void) => void;
  /** Commits the queue now, synchronously and durably (API changes, compaction, unload, shutdown). Throws when the commit fails. */
  flush: () => void;
  /**
   * Runs `write` (a transaction of the caller's) without the fsync at its commit, then fdatasyncs the
   * WAL on the thread pool: for writes nobody waits on that can be made again from the live document
   * (a derived draft), so the event loop does not stop for the disk. A failed fsync is logged.
   */
  writeSyncingLater: <T>(write: () => T) => T;
  /** Commits what is queued and stops: later updates are neither stored nor acknowledged (their senders resend them). */
  close: () => void;
  /** Counters: commits made and updates appended (tests and the benchmark read them). */
  stats: () => { commits: number; updates: number; failures: number };
};

/** The connection's WAL file kept open for fdatasync; reopened if SQLite ever replaced the file. */
type WalFile = { path: string; fd: number | null };

/** A descriptor of the WAL file as it is now. */
function walDescriptor(wal: WalFile): number {
  if (wal.fd !== null) {
    // A WAL file is deleted only when the last connection closes; then a new one is made.
    if (fs.fstatSync(wal.fd).nlink > 0) return wal.fd;
    fs.closeSync(wal.fd);
  }
  wal.fd = fs.openSync(wal.path, "r");
  return wal.fd;
}

/** Builds a group-commit queue over the portal's database. */
export function groupCommit(
  options: {
    retryMs?: number;
    onFailure?: (docNames: Set<string>, error: unknown) => void;
    beforeCommit?: () => void;
    /** At least this long between the starts of two commits (0: the next turn). Fewer, larger commits cost the event loop less; acknowledgements wait up to this much longer. */
    minIntervalMs?: number;
  } = {},
): GroupCommit {
  let queue: PendingUpdate[] = [];
  let callbacks: (() => void)[] = [];
  // The batch written to the WAL whose fdatasync is under way, and the callbacks waiting for it.
  let syncing: { callbacks: (() => void)[] } | null = null;
  let immediate: NodeJS.Immediate | null = null;
  // A commit held back until `minIntervalMs` after the previous one started.
  let delayed: NodeJS.Timeout | null = null;
  let lastStart = -Infinity;
  const minIntervalMs = options.minIntervalMs ?? 0;
  let retry: NodeJS.Timeout | null = null;
  let lastError: unknown = null;
  // After close nothing more is committed or acknowledged.
  let closed = false;
  const stats = { commits: 0, updates: 0, failures: 0 };
  // Consecutive failed commits: retries back off (a locked database blocks the process for
  // busy_timeout on every attempt), up to five times the base delay.
  let failedInARow = 0;
  let prepared: { client: Database.Database; append: (batch: PendingUpdate[]) => void; synchronous: number; wal: WalFile | null } | null = null;
  // fdatasyncs of derived writes under way (they use the WAL's descriptor too).
  let derivedSyncs = 0;
  /** After close: closes the WAL's descriptor once no fdatasync uses it any more. */
  const closeWalIfIdle = () => {
    if (syncing || derivedSyncs > 0 || prepared?.wal?.fd == null) return;
    fs.closeSync(prepared.wal.fd);
    prepared.wal.fd = null;
  };
  const retryDelay = () => (options.retryMs ?? 1000) * Math.min(2 ** failedInARow++, 5);

  /** The connection, its batch append, its synchronous level, and its WAL file (null when there is none: the commit then syncs itself). */
  const connection = () => {
    const client = db().$client;
    // Prepared once per connection: this runs for every batch of edits (the hot path).
    if (prepared?.client !== client) {
      if (prepared?.wal?.fd != null) fs.closeSync(prepared.wal.fd);
      const wal = !client.memory && String(client.pragma("journal_mode", { simple: true })).toLowerCase() === "wal";
      const insert = client.prepare("insert into collab_updates (doc_name, \"update\", user_id, created_at) values (?, ?, ?, ?)");
      prepared = {
        client,
        append: client.transaction((batch: PendingUpdate[]) => {
          const at = new Date().toISOString();
          for (const u of batch) insert.run(u.docName, Buffer.from(u.update), u.userId, at);
        }),
        synchronous: Number(client.pragma("synchronous", { simple: true })),
        wal: wal ? { path: `${client.name}-wal`, fd: null } : null,
      };
    }
    return prepared;
  };

  /** Runs `run` with synchronous=NORMAL (its commit writes the WAL without an fsync), then restores the connection's level. */
  const withoutCommitSync = <T>(run: () => T): T => {
    const { client, synchronous } = connection();
    // (Not prepared statements: SQLite applies a synchronous pragma when it is prepared, not when it runs.)
    client.pragma("synchronous = NORMAL");
    try {
      return run();
    } finally {
      client.pragma(`synchronous = ${synchronous}`);
    }
  };

  /** Writes a batch in one transaction; `durable`: fsync'd before returning (the connection's synchronous=FULL), else only written to the WAL. */
  const write = (batch: PendingUpdate[], durable: boolean) => {
    const { append, wal } = connection();
    if (durable || !wal) return append(batch);
    withoutCommitSync(() => append(batch));
  };

  const succeeded = (count: number, done: (() => void)[]) => {
    stats.commits++;
    stats.updates += count;
    failedInARow = 0;
    lastError = null;
    for (const callback of done) callback();
  };

  const failed = (batch: PendingUpdate[], held: (() => void)[], error: unknown) => {
    stats.failures++;
    queue = batch.concat(queue);
    callbacks = held.concat(callbacks);
    lastError = error;
    console.error(`[collab] group commit of ${batch.length} updates failed, retrying (acknowledgements held): ${(error as Error).message}`);
    if (!retry) {
      retry = setTimeout(() => {
        retry = null;
        start();
      }, retryDelay());
      retry.unref();
    }
    options.onFailure?.(new Set(queue.map((u) => u.docName)), error);
  };

  const schedule = () => {
    if (immediate || delayed || syncing || retry || closed) return;
    const wait = lastStart + minIntervalMs - performance.now();
    if (wait > 0) delayed = setTimeout(start, wait);
    else immediate = setImmediate(start);
  };

  /** Writes the queue to the WAL and starts its fsync, unless an fsync is under way or a retry waits. */
  const start = () => {
    if (immediate) clearImmediate(immediate);
    immediate = null;
    if (delayed) clearTimeout(delayed);
    delayed = null;
    if (syncing || retry || closed) return;
    const batch = queue;
    const held = callbacks;
    queue = [];
    callbacks = [];
    if (batch.length === 0) {
      for (const callback of held) callback();
      return;
    }
    options.beforeCommit?.();
    lastStart = performance.now();
    const { wal } = connection();
    let fd: number | null = null;
    try {
      write(batch, false);
      if (wal) fd = walDescriptor(wal);
    } catch (error) {
      failed(batch, held, error);
      return;
    }
    if (fd === null) return succeeded(batch.length, held);
    const waiting = { callbacks: held };
    syncing = waiting;
    fs.fdatasync(fd, (error) => {
      if (syncing === waiting) syncing = null;
      if (closed) closeWalIfIdle();
      if (!error) succeeded(batch.length, waiting.callbacks);
      else {
        // The batch is in the database but perhaps not on disk: never acknowledged. Its editors are
        // told (their sockets close) and resend it; storing an update twice is harmless.
        stats.failures++;
        console.error(`[collab] fsync of ${batch.length} updates failed; not acknowledged: ${error.message}`);
        options.onFailure?.(new Set(batch.map((u) => u.docName)), error);
      }
      if (queue.length > 0 || callbacks.length > 0) schedule();
    });
  };

  const flush = () => {
    if (closed) {
      if (queue.length > 0) throw new Error("the collaboration server has stopped; these updates were not stored");
      return;
    }
    // A waiting retry is tried now.
    if (immediate) clearImmediate(immediate);
    immediate = null;
    if (delayed) clearTimeout(delayed);
    delayed = null;
    if (retry) clearTimeout(retry);
    retry = null;
    const batch = queue;
    const held = callbacks;
    queue = [];
    callbacks = [];
    const { wal } = connection();
    try {
      // A durable commit fsyncs the whole WAL, with the batch whose own fsync is still under way.
      if (batch.length > 0) write(batch, true);
      else if (syncing && wal) fs.fdatasyncSync(walDescriptor(wal));
    } catch (error) {
      failed(batch, held, error);
      throw error;
    }
    if (syncing) {
      const done = syncing.callbacks;
      syncing.callbacks = [];
      for (const callback of done) callback();
    }
    if (batch.length > 0) succeeded(batch.length, held);
    else for (const callback of held) callback();
  };

  return {
    enqueue(docName, update, userId) {
      queue.push({ docName, update, userId });
      schedule();
    },
    pending: () => queue.length > 0 || syncing !== null,
    afterCommit(callback) {
      if (queue.length === 0 && callbacks.length === 0 && !syncing && !retry && !closed) {
        callback();
        return;
      }
      // Nothing new queued: it waits for the fsync under way only.
      if (queue.length === 0 && callbacks.length === 0 && syncing) {
        syncing.callbacks.push(callback);
        return;
      }
      callbacks.push(callback);
      schedule();
    },
    flush,
    writeSyncingLater<T>(run: () => T): T {
      const { client, wal } = connection();
      // Inside a caller's transaction (a revision freezing the draft, which derives it first) the
      // level cannot change — SQLite refuses — and the caller's commit syncs anyway.
      if (!wal || closed || client.inTransaction) return run();
      const result = withoutCommitSync(run);
      derivedSyncs++;
      fs.fdatasync(walDescriptor(wal), (error) => {
        derivedSyncs--;
        if (error) console.error(`[collab] fsync after a derived write failed: ${error.message}`);
        if (closed) closeWalIfIdle();
      });
      return result;
    },
    close() {
      try {
        flush();
      } catch (error) {
        console.error(`[collab] could not write the last updates at shutdown: ${(error as Error).message}`);
      }
      closed = true;
      if (retry) clearTimeout(retry);
      retry = null;
      closeWalIfIdle();
    },
    stats: () => ({ ...stats }),
  };
}

/** True when anything (a snapshot or an update) is stored for the document. */
export function hasStoredState(docName: string): boolean {
  const client = db().$client;
  return (
    client.prepare("select 1 from collab_snapshots where doc_name = ?").get(docName) !== undefined ||
    client.prepare("select 1 from collab_updates where doc_name = ? limit 1").get(docName) !== undefined
  );
}

/** Applies the stored state (latest snapshot, then every later update in order) to `doc`; returns how many updates followed the snapshot. */
export function loadInto(doc: Y.Doc, docName: string): number {
  const client = db().$client;
  const snapshot = client.prepare("select state, last_update_id as lastUpdateId from collab_snapshots where doc_name = ?").get(docName) as
    | { state: Buffer; lastUpdateId: number }
    | undefined;
  const rows = client
    .prepare("select \"update\" as bytes from collab_updates where doc_name = ? and id > ? order by id")
    .all(docName, snapshot?.lastUpdateId ?? 0) as { bytes: Buffer }[];
  Y.transact(doc, () => {
    if (snapshot) Y.applyUpdate(doc, snapshot.state);
    for (const row of rows) Y.applyUpdate(doc, row.bytes);
  }, "persistence");
  return rows.length;
}

/** The stored document as a fresh Y.Doc (latest snapshot plus later updates). */
export function loadDoc(docName: string): Y.Doc {
  const doc = new Y.Doc();
  loadInto(doc, docName);
  return doc;
}

/**
 * The stored version of a document: the id of the last update it holds (in its snapshot or after
 * it), 0 when nothing is stored. Compaction keeps it (it folds without changing the content).
 */
export function storedVersion(docName: string): number {
  const client = db().$client;
  const row = client
    .prepare(
      "select max(coalesce((select max(id) from collab_updates where doc_name = ?), 0), coalesce((select last_update_id from collab_snapshots where doc_name = ?), 0)) as v",
    )
    .get(docName, docName) as { v: number };
  return row.v;
}

/** Stored documents read recently, by name, with the version they were read at (the most recently used last). */
const storedDocs = new Map<string, { version: number; doc: Y.Doc; database: unknown }>();
const STORED_DOCS_KEPT = 8;
let storedDocLoads = 0;

/**
 * The stored document, read-only and shared: loaded again only when its stored version changed (a
 * later update), so reading the comments of a document nobody has open does not rebuild it every
 * time. Null when nothing is stored. Callers must not change or destroy it.
 */
export function cachedStoredDoc(docName: string): Y.Doc | null {
  const version = storedVersion(docName);
  const database = db().$client;
  const hit = storedDocs.get(docName);
  if (hit) storedDocs.delete(docName);
  if (version === 0) {
    hit?.doc.destroy();
    return null;
  }
  if (hit && hit.version === version && hit.database === database) {
    storedDocs.set(docName, hit);
    return hit.doc;
  }
  hit?.doc.destroy();
  const doc = loadDoc(docName);
  storedDocLoads++;
  storedDocs.set(docName, { version, doc, database });
  for (const [name, entry] of storedDocs) {
    if (storedDocs.size <= STORED_DOCS_KEPT) break;
    storedDocs.delete(name);
    entry.doc.destroy();
  }
  return doc;
}

/** How many times cachedStoredDoc loaded a document from the database (tests read it). */
export function cachedStoredDocLoads(): number {
  return storedDocLoads;
}

/**
 * Folds every stored update of the document into its snapshot and deletes them, in one transaction;
 * returns how many were folded. With `live` — the loaded document, every update of which is stored
 * (flush first) — the snapshot is encoded from it instead of being rebuilt from storage: a busy
 * document has thousands of updates to replay, which would hold the event loop for a long time.
 */
export function compact(docName: string, live?: Y.Doc): number {
  const client = db().$client;
  return client.transaction(() => {
    const last = client.prepare("select max(id) as id from collab_updates where doc_name = ?").get(docName) as { id: number | null };
    if (last.id === null) return 0;
    let state: Buffer;
    if (live) state = Buffer.from(Y.encodeStateAsUpdate(live));
    else {
      const doc = loadDoc(docName);
      state = Buffer.from(Y.encodeStateAsUpdate(doc));
      doc.destroy();
    }
    client
      .prepare(
        "insert into collab_snapshots (doc_name, state, last_update_id, updated_at) values (?, ?, ?, ?) on conflict(doc_name) do update set state = excluded.state, last_update_id = excluded.last_update_id, updated_at = excluded.updated_at",
      )
      .run(docName, state, last.id, new Date().toISOString());
    return client.prepare("delete from collab_updates where doc_name = ? and id <= ?").run(docName, last.id).changes;
  }).immediate();
}

/** How many updates are stored after the document's snapshot (compaction decides on it). */
export function pendingUpdateCount(docName: string): number {
  const client = db().$client;
  const snapshot = client.prepare("select last_update_id as id from collab_snapshots where doc_name = ?").get(docName) as { id: number } | undefined;
  return (client.prepare("select count(*) as n from collab_updates where doc_name = ? and id > ?").get(docName, snapshot?.id ?? 0) as { n: number }).n;
}

/** The Markdown a document starts from: the standard's draft or the proposal's text; undefined when it does not exist. */
export function initialMarkdownOf(docName: string): string | undefined {
  const parsed = parseDocName(docName);
  if (!parsed) return undefined;
  if (parsed.kind === "standard") return getDraft(parsed.id)?.markdown;
  const proposal = findProposal(parsed.id);
  return proposal ? proposalText(proposal).markdown : undefined;
}

/**
 * Loads a document into `doc` from storage; when nothing is stored yet, creates its first content
 * on the server from the draft's Markdown and stores that as its first update (never a browser's).
 */
export function loadOrCreate(doc: Y.Doc, docName: string): void {
  if (hasStoredState(docName)) {
    loadInto(doc, docName);
    return;
  }
  const markdown = initialMarkdownOf(docName);
  if (markdown === undefined) throw new Error(`No document ${docName}.`);
  const update = markdownIntoDoc(doc, markdown, "persistence");
  if (update) appendUpdate(docName, update, null);
}
