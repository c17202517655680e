/**
 * `audit:verify` against a tamperer with the sqlite3 command line: after a real ballot (votes, a
 * close, a signed checkpoint), editing any single row of the audit log — or a checkpoint — makes
 * the command exit 1 naming it, while the untouched record verifies with its checkpoints.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../app/cli/portal";
import { accessTokenFor, createAdmin, createOrg, createUser } from "../support/factories";
import { call } from "../support/http";
import { startPortal, tempDataDir } from "../support/portal";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SQLITE3 = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"].find((p) => fs.existsSync(p));

let dataDir: string;
let entries = 0;

beforeAll(async () => {
  dataDir = tempDataDir("ewtp-audit-verify-");
  const portal = await startPortal({ dataDir });
  try {
    const admin = (await createAdmin()).user;
    const org = createOrg({ kind: "expert" });
    const experts = [await createUser({ org, role: "expert", committees: ["TAR"] }), await createUser({ org, role: "expert", committees: ["TAR"] })];
    const adminToken = accessTokenFor(admin.id).token;
    const tokens = experts.map((e) => accessTokenFor(e.id).token);
    const standard = await call(portal, "/standards", { method: "POST", token: tokens[0], body: { committee: "TAR", title: "Audited ballot", scope: "A standard whose ballot the audit record covers." } });
    await call(portal, `/standards/${standard.body.standard.id}/revisions`, { method: "POST", token: tokens[0] });
    const ballot = await call(portal, "/ballots", {
      method: "POST",
      token: adminToken,
      body: { subject: { standardId: standard.body.standard.id, revision: "00" }, rule: "iso", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: new Date(Date.now() + 3600_000).toISOString() },
    });
    for (const [i, token] of tokens.entries()) await call(portal, `/ballots/${ballot.body.ballot.id}/vote`, { method: "PUT", token, body: { position: i ? "disapprove" : "approve", reason: "A reason." } });
    expect((await call(portal, `/ballots/${ballot.body.ballot.id}/close`, { method: "POST", token: adminToken })).status).toBe(200);
    entries = (portal.db.$client.prepare("select count(*) as n from audit_events").get() as { n: number }).n;
  } finally {
    await portal.close();
  }
});

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** Runs audit:verify in this process on a DATA_DIR. */
async function verifyIn(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const previous = process.env.DATA_DIR;
  process.env.DATA_DIR = dir;
  try {
    const code = await runCli(["audit:verify"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), readStdin: async () => "", stdinIsTty: false, cwd: ROOT });
    return { code, stdout, stderr };
  } finally {
    process.env.DATA_DIR = previous;
  }
}

/** A copy of the data directory (database and keys) to tamper with. */
function copyOfData(): string {
  const dir = tempDataDir("ewtp-tampered-");
  fs.cpSync(dataDir, dir, { recursive: true });
  return dir;
}

/** Runs SQL with the sqlite3 command line, as someone holding the database file would. */
function sqlite(dir: string, sql: string): void {
  execFileSync(SQLITE3!, [path.join(dir, "portal.db"), sql]);
}

describe.skipIf(!SQLITE3)("audit:verify against edits made with the sqlite3 command line", () => {
  it("the untouched record verifies, chain and checkpoints", async () => {
    const run = await verifyIn(dataDir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^audit chain ok: ${entries} entries\\ncheckpoints ok: \\d+ signed; the latest covers entry ${entries} `));
  });

  it("editing any single row of the audit log is named, row by row", async () => {
    expect(entries).toBeGreaterThan(10);
    for (let seq = 1; seq <= entries; seq++) {
      const dir = copyOfData();
      try {
        // Alternate what is edited: the data, the time, the action.
        const edit = ["data = json_set(data, '$.tampered', 1)", "at = '2020-01-01T00:00:00.000Z'", "action = 'forged'"][seq % 3];
        sqlite(dir, `DROP TRIGGER audit_events_no_update; UPDATE audit_events SET ${edit} WHERE seq = ${seq};`);
        const run = await verifyIn(dir);
        expect(run.code, `row ${seq}`).toBe(1);
        expect(run.stderr, `row ${seq}`).toBe(`error: audit chain broken at entry ${seq}: entry content does not match its hash\n`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it("as its own process: exit 1 and one line naming the entry; a forged checkpoint is named too", async () => {
    const dir = copyOfData();
    try {
      sqlite(dir, "DROP TRIGGER audit_events_no_update; UPDATE audit_events SET actor_id = 'someone-else' WHERE seq = 3;");
      const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir };
        delete env.INIT_CWD;
        const child = spawn(process.execPath, ["--import", "tsx", "app/cli/portal.ts", "audit:verify"], { cwd: ROOT, env });
        let stderr = "";
        child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
        child.on("close", (code) => resolve({ code, stderr }));
      });
      expect(run).toEqual({ code: 1, stderr: "error: audit chain broken at entry 3: entry content does not match its hash\n" });

      const forged = copyOfData();
      try {
        sqlite(forged, "DROP TRIGGER audit_checkpoints_no_update; UPDATE audit_checkpoints SET reason = 'nothing happened' WHERE id = (SELECT max(id) FROM audit_checkpoints);");
        const again = await verifyIn(forged);
        expect(again.code).toBe(1);
        expect(again.stderr).toMatch(/^error: audit checkpoint \d+ \(entry \d+\) fails: its signature does not verify/);
      } finally {
        fs.rmSync(forged, { recursive: true, force: true });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
