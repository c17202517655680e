/**
 * The one database connection of the process. The Remix bundle and server.ts load this module
 * separately, so the handle lives on globalThis.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import * as schema from "../../db/schema";
import { env } from "./env.server";
import { storageFailure } from "./errors";

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

const g = globalThis as { __portalDb?: Db };

/** The migrations folder, resolved from the project root (the server bundle moves, the root does not). */
export function migrationsFolder(): string {
  return path.resolve(process.cwd(), "db/migrations");
}

/** Opens (creating if needed) the SQLite file with the pragmas durability needs, and migrates it. */
export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = drizzle(sqlite, { schema }) as Db;
  migrate(db, { migrationsFolder: migrationsFolder() });
  return db;
}

/** Makes `db` the process-wide connection. */
export function setDb(db: Db): void {
  g.__portalDb = db;
}

/** The process-wide connection; opened from DATA_DIR on first use. */
export function db(): Db {
  if (!g.__portalDb) {
    g.__portalDb = openDatabase(path.join(env().dataDir, "portal.db"));
  }
  return g.__portalDb;
}

/** Closes the process-wide connection (graceful shutdown, tests). */
export function closeDb(): void {
  if (g.__portalDb) {
    g.__portalDb.$client.close();
    g.__portalDb = undefined;
  }
}

/** True when the database answers a trivial query. */
export function databaseReachable(): boolean {
  try {
    return db().$client.prepare("select 1 as ok").get() !== undefined;
  } catch {
    return false;
  }
}

/**
 * Runs a write that only keeps records up to date (a token's or a session's last use): when the
 * storage refuses it (disk full, or locked by another process past busy_timeout) it is logged and
 * skipped at once, so reading who someone is never fails, nor waits, nor ends the process from a
 * timer, because of bookkeeping. Any other error is thrown as usual.
 */
export function bookkeeping(write: () => void): void {
  // It does not wait for a lock another process holds: waiting up to busy_timeout on every request
  // for a last-use stamp would stall the whole portal.
  const sqlite = db().$client;
  const timeout = sqlite.pragma("busy_timeout", { simple: true }) as number;
  sqlite.pragma("busy_timeout = 0");
  try {
    write();
  } catch (error) {
    const failure = storageFailure(error);
    if (!failure) throw error;
    console.warn(`[db] bookkeeping write skipped (${failure.code}); it is retried on the next use`);
  } finally {
    sqlite.pragma(`busy_timeout = ${Number(timeout)}`);
  }
}
