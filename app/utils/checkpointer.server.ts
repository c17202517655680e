/**
 * Checkpoints of the write-ahead log off the event loop: a worker thread with a connection of its
 * own (db/checkpointer.worker.mjs) runs a PASSIVE checkpoint every `intervalMs`, and the portal's
 * connection only checkpoints by itself past `fallbackPages` (if the worker is gone, the log still
 * cannot grow without bound). Started by the server (server.ts), not by tools and tests that open
 * the database for a moment.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Db } from "./db.server";

export type CheckpointerStats = { checkpoints: number; pagesCheckpointed: number; busy: number; errors: number; lastError: string | null };

export type Checkpointer = {
  /** The worker's counters. */
  stats: () => Promise<CheckpointerStats>;
  /** Runs a checkpoint now (tests) and answers the counters after it. */
  checkpointNow: () => Promise<CheckpointerStats>;
  /** Stops the worker and closes its connection; the portal's connection checkpoints by itself again. */
  stop: () => Promise<void>;
};

/** The worker's script: beside the database code, resolved from the project root (the server bundle moves, the root does not). */
export function checkpointerScript(root = process.cwd()): URL {
  return pathToFileURL(path.join(root, "db/checkpointer.worker.mjs"));
}

/** Starts the checkpointer for the database of `db` (a file database in WAL mode; otherwise null). */
export function startCheckpointer(db: Db, options: { intervalMs?: number; fallbackPages?: number } = {}): Checkpointer | null {
  const client = db.$client;
  if (client.memory || String(client.pragma("journal_mode", { simple: true })).toLowerCase() !== "wal") return null;
  const defaultPages = Number(client.pragma("wal_autocheckpoint", { simple: true }));
  const worker = new Worker(checkpointerScript(), { workerData: { file: client.name, intervalMs: options.intervalMs ?? 500 } });
  worker.unref();
  let alive = true;
  const restore = () => {
    if (!alive) return;
    alive = false;
    // Checkpointing falls back to the connection itself, at SQLite's default threshold.
    if (client.open) client.pragma(`wal_autocheckpoint = ${defaultPages}`);
  };
  worker.on("error", (error) => {
    console.error(`[db] the checkpointer stopped (${error.message}); the portal's connection checkpoints by itself`);
    restore();
  });
  worker.on("exit", restore);
  client.pragma(`wal_autocheckpoint = ${options.fallbackPages ?? 10_000}`);

  const ask = (message: "stats" | "checkpoint") =>
    new Promise<CheckpointerStats>((resolve, reject) => {
      if (!alive) return reject(new Error("the checkpointer is not running"));
      worker.once("message", (reply: { stats: CheckpointerStats }) => resolve(reply.stats));
      worker.postMessage(message);
    });
  return {
    stats: () => ask("stats"),
    checkpointNow: () => ask("checkpoint"),
    stop: () =>
      new Promise<void>((resolve) => {
        if (!alive) return resolve();
        worker.once("exit", () => resolve());
        restore();
        worker.postMessage("stop");
      }),
  };
}
