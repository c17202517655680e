/**
 * A real portal for one test file: its own temporary DATA_DIR and SQLite database, the API-only
 * Express app listening on an ephemeral port, and the public URL set to where it really listens
 * (so CSRF origin checks and invitation links use the bound address).
 *
 * The database handle is process-wide (app/utils/db.server keeps it on globalThis), so a test file
 * runs one portal at a time: start it in `beforeAll`, close it in `afterAll`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createPortal } from "../../server";
import type { CollabOptions } from "../../app/collab/server";
import { closeDb, db as processDb, type Db } from "../../app/utils/db.server";
import { readEnv, setEnv, type Env } from "../../app/utils/env.server";

export type TestPortal = {
  /** Where the portal listens, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  baseUrl: string;
  /** The API base, `${baseUrl}/api/v1`. */
  apiUrl: string;
  /** The DATA_DIR the portal uses. */
  dataDir: string;
  /** The portal's configuration as it runs (public URL = baseUrl). */
  env: Env;
  /** The portal's database connection (the process-wide one). */
  db: Db;
  /** Stops the server, closes the database and removes the temporary DATA_DIR (unless it was given). */
  close: () => Promise<void>;
};

/** Makes a fresh temporary directory for a DATA_DIR. */
export function tempDataDir(prefix = "ewtp-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Starts a portal on port 0 with its own temporary DATA_DIR (or the one given): API-only by
 * default, or `mode: "production"` for the pages too (needs `npm run build`); `collab` sets the
 * collaboration server's options (e.g. `derivedDebounceMs`, `derivedMaxWaitMs`).
 */
export async function startPortal(options: { dataDir?: string; dataDirPrefix?: string; mode?: "api-only" | "production"; collab?: CollabOptions } = {}): Promise<TestPortal> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? tempDataDir(options.dataDirPrefix);
  closeDb(); // never reuse a connection to another test's database
  const initial = readEnv({ DATA_DIR: dataDir, PORT: "0", LOG_REQUESTS: "0" });
  const portal = await createPortal({ mode: options.mode ?? "api-only", env: initial, collab: options.collab });
  const port = await portal.listen(0);
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: Env = { ...initial, port, publicUrl: baseUrl, publicOrigin: new URL(baseUrl).origin };
  setEnv(env);
  return {
    baseUrl,
    apiUrl: `${baseUrl}/api/v1`,
    dataDir,
    env,
    db: processDb(),
    close: async () => {
      await portal.close(1000);
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Row counts of every application table (migrations bookkeeping excluded), to prove a refused write wrote nothing. */
export function tableCounts(db: Db): Record<string, number> {
  const tables = db.$client
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '__drizzle%' order by name")
    .all() as { name: string }[];
  const out: Record<string, number> = {};
  for (const { name } of tables) out[name] = (db.$client.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n;
  return out;
}

/** The newest audit entry (action and data), or undefined when the log is empty. */
export function lastAuditEvent(db: Db): { seq: number; action: string; data: Record<string, unknown> } | undefined {
  const row = db.$client.prepare("select seq, action, data from audit_events order by seq desc limit 1").get() as
    | { seq: number; action: string; data: string }
    | undefined;
  return row && { seq: row.seq, action: row.action, data: JSON.parse(row.data) as Record<string, unknown> };
}
