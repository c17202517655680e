/** A temporary database for unit tests that need one but no HTTP server. */
import fs from "node:fs";
import path from "node:path";
import { closeDb, openDatabase, setDb, type Db } from "../../app/utils/db.server";
import { readEnv, setEnv } from "../../app/utils/env.server";
import { tempDataDir } from "./portal";

/** Opens a migrated SQLite database in a fresh DATA_DIR and makes it the process-wide connection. */
export function openTempDb(extraEnv: Record<string, string> = {}): { db: Db; dataDir: string; close: () => void } {
  closeDb();
  const dataDir = tempDataDir("ewtp-unit-");
  setEnv(readEnv({ DATA_DIR: dataDir, LOG_REQUESTS: "0", ...extraEnv }));
  const db = openDatabase(path.join(dataDir, "portal.db"));
  setDb(db);
  return {
    db,
    dataDir,
    close: () => {
      closeDb();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
