/**
 * Shared pieces of the fault suite: a DATA_DIR prepared through the real domain functions (people,
 * an open ballot, revisions approved for publication), the portal as its own process (so it can be
 * killed with SIGKILL), the CLI as its own process, and the invariants every surviving database must
 * hold (no vote without its audit entry, no release without its files and its audit entry).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { seedDatabase } from "../../db/seed";
import { createBallot } from "../../app/domain/ballots.server";
import { freezeRevision } from "../../app/domain/revisions.server";
import { closeDb, db } from "../../app/utils/db.server";
import { readEnv, setEnv } from "../../app/utils/env.server";
import { accessTokenFor, createAdmin, createOrg, createUser } from "../support/factories";
import { exited, spawnListening } from "../support/process";
import { recordApprovingBallot } from "../support/releases";

export const BALLOT_STANDARD = "EWTP-TAR-001";
export const EDITED_DOCUMENT = "standard.EWTP-CUS-001";
export const PUBLISHABLE = ["EWTP-LOG-001", "EWTP-TRU-001"] as const;

export type Scenario = {
  dataDir: string;
  adminId: string;
  adminToken: string;
  ballotId: string;
  voters: { id: string; token: string }[];
  /** Revision approved (by a closed ballot) for publication, per standard in PUBLISHABLE. */
  publishable: Record<string, string>;
};

export const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

/** A revision of `standardId` frozen now, and a closed ballot that approved it (voting is the ballots suite's business). */
export function approveForPublication(standardId: string, adminId: string): string {
  const revision = freezeRevision({ standardId, actorId: adminId });
  recordApprovingBallot(standardId, revision, adminId);
  return revision.number;
}

/**
 * Fills `dataDir` (migrated, seeded) with an admin, `voterCount` experts of the ballot's committee,
 * an open ballot on a frozen revision of BALLOT_STANDARD, and PUBLISHABLE revisions approved for
 * publication; closes the database again so a portal process can open it.
 */
export async function prepareScenario(dataDir: string, voterCount = 6): Promise<Scenario> {
  closeDb();
  setEnv(readEnv({ DATA_DIR: dataDir, LOG_REQUESTS: "0" }));
  db();
  seedDatabase();
  const admin = (await createAdmin()).user;
  const institute = createOrg({ kind: "expert", country: "DE" });
  const voters: Scenario["voters"] = [];
  for (let i = 0; i < voterCount; i++) {
    const user = await createUser({ org: institute, role: "expert", committees: ["TAR"], name: `Voter ${i}` });
    voters.push({ id: user.id, token: accessTokenFor(user.id).token });
  }
  const revision = freezeRevision({ standardId: BALLOT_STANDARD, actorId: admin.id });
  const ballot = createBallot(
    {
      subject: { standardId: BALLOT_STANDARD, revision: revision.number },
      rule: "simple-majority",
      voterUnit: "individual",
      eligible: { roles: ["expert"] },
      closesAt: new Date(Date.now() + 6 * 60 * 60 * 1000).toISOString(),
    },
    admin.id,
  );
  const publishable: Record<string, string> = {};
  for (const id of PUBLISHABLE) publishable[id] = approveForPublication(id, admin.id);
  const adminToken = accessTokenFor(admin.id).token;
  closeDb();
  return { dataDir, adminId: admin.id, adminToken, ballotId: ballot.id, voters, publishable };
}

export type PortalProcess = { child: ChildProcess; base: string; output: () => string };

const live: ChildProcess[] = [];

/** Kills (SIGKILL) every portal and CLI process this file started and that still runs. */
export function killAll(): void {
  for (const c of live.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
}

/** Starts the portal (API and /collab, no build needed) as its own process on DATA_DIR; resolves when it listens. */
export async function startPortalProcess(dataDir: string): Promise<PortalProcess> {
  const { child, port, output } = await spawnListening(
    ["--import", "tsx", "tests/support/collab-server-main.ts"],
    { DATA_DIR: dataDir, NODE_ENV: "test" },
    { timeoutMs: 90_000, name: "the portal", track: (c) => live.push(c) },
  );
  return { child, base: `http://127.0.0.1:${port}`, output };
}

export { exited };

/** Kills the portal process with SIGKILL and waits until it is gone. */
export async function kill9(portal: PortalProcess): Promise<void> {
  portal.child.kill("SIGKILL");
  await exited(portal.child);
}

/** Runs the portal CLI (`app/cli/portal.ts`) as its own process on DATA_DIR. */
export function runCli(dataDir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "app/cli/portal.ts", ...args], {
      env: { ...process.env, DATA_DIR: dataDir, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    live.push(child);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A JSON API call with a bearer token; `status` 0 when no answer came (the process died). */
export async function api(base: string, token: string, method: string, pathname: string, body?: unknown): Promise<{ status: number; body: any; retryAfter: string | null }> {
  try {
    const res = await fetch(`${base}/api/v1${pathname}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text && (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text, retryAfter: res.headers.get("retry-after") };
  } catch {
    return { status: 0, body: null, retryAfter: null };
  }
}

/** Opens a DATA_DIR's database read-only from the test (next to a running portal: WAL readers do not block it). */
export function openReadOnly(dataDir: string): Database.Database {
  return new Database(path.join(dataDir, "portal.db"), { readonly: true, fileMustExist: true });
}

/**
 * Nothing half-written: every vote has the audit entry of its exact version, every release has its
 * four files (hash and length as stored) and its `release.published` entry. Returns the problems.
 */
export function halfWritten(sqlite: Database.Database): string[] {
  const problems: string[] = [];
  const votes = sqlite.prepare("select ballot_id as ballotId, unit_id as unitId, version, position from votes").all() as { ballotId: string; unitId: string; version: number; position: string }[];
  const voteEntries = sqlite.prepare("select subject_id as ballotId, data from audit_events where action in ('vote.cast', 'vote.changed')").all() as { ballotId: string; data: string }[];
  const entryKeys = new Set(voteEntries.map((e) => {
    const d = JSON.parse(e.data) as { unitId: string; version: number; position: string };
    return `${e.ballotId}/${d.unitId}/${d.version}/${d.position}`;
  }));
  for (const v of votes) if (!entryKeys.has(`${v.ballotId}/${v.unitId}/${v.version}/${v.position}`)) problems.push(`vote ${v.unitId} v${v.version} has no audit entry`);
  const releases = sqlite.prepare("select id, standard_id as standardId, version from releases").all() as { id: number; standardId: string; version: string }[];
  for (const r of releases) {
    const files = sqlite.prepare("select name, bytes, sha256, length from release_files where release_id = ?").all(r.id) as { name: string; bytes: Buffer; sha256: string; length: number }[];
    if (files.length !== 4) problems.push(`release ${r.standardId}@${r.version} has ${files.length} files`);
    for (const f of files) if (sha256(f.bytes) !== f.sha256 || f.bytes.length !== f.length) problems.push(`release ${r.standardId}@${r.version} file ${f.name} does not match its hash`);
    const entry = sqlite
      .prepare("select 1 from audit_events where action = 'release.published' and subject_id = ? and json_extract(data, '$.version') = ?")
      .get(r.standardId, r.version);
    if (!entry) problems.push(`release ${r.standardId}@${r.version} has no audit entry`);
  }
  return problems;
}
