// The WAL checkpointer (plain JavaScript: a worker thread loads it without the TypeScript loader).
//
// SQLite folds the write-ahead log back into the database file in a "checkpoint", which writes the
// pages and fsyncs the file. By default the connection that commits when the log passes 1,000 pages
// does it, inside that commit: on the portal's one connection that is the event loop, stalled for
// several milliseconds every second or two while people type. This worker holds a connection of its
// own and runs PASSIVE checkpoints (they never wait for, nor block, readers or the writer) every
// `intervalMs`; the portal's connection keeps a far higher automatic threshold as a fallback
// (app/utils/checkpointer.server.ts). See ADR 0004.
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";

const { file, intervalMs } = workerData;
const db = new Database(file, { fileMustExist: true });
// Never wait: a checkpoint that cannot run now runs at the next tick.
db.pragma("busy_timeout = 0");
// The database file is synced after each checkpoint, before the log can be reused.
db.pragma("synchronous = FULL");

const stats = { checkpoints: 0, pagesCheckpointed: 0, busy: 0, errors: 0, lastError: null };

function checkpoint() {
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)");
    stats.checkpoints++;
    if (result.busy) stats.busy++;
    // Pages of the log now in the database file (cumulative until the log restarts).
    stats.pagesCheckpointed = Math.max(stats.pagesCheckpointed, result.checkpointed);
  } catch (error) {
    stats.errors++;
    stats.lastError = error instanceof Error ? error.message : String(error);
  }
}

const timer = setInterval(checkpoint, intervalMs);

parentPort.on("message", (message) => {
  if (message === "stats") parentPort.postMessage({ stats });
  else if (message === "checkpoint") {
    checkpoint();
    parentPort.postMessage({ stats });
  } else if (message === "stop") {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
