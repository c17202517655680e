/**
 * Online backup under write load: while organisations are created over the API, experts vote and
 * four clients edit a live document, the operator runs `backup` (the CLI, its own process). The
 * backup is restored with `restore` into a fresh DATA_DIR, the portal starts on it, and: the
 * integrity check is `ok`, `audit:verify` passes, everything acknowledged before the backup began
 * is there, nothing requested after it finished is, and nothing is half-written.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { tempDataDir } from "../support/portal";
import { api, EDITED_DOCUMENT, halfWritten, kill9, killAll, openReadOnly, prepareScenario, runCli, startPortalProcess } from "./support";

const dataDir = tempDataDir("ewtp-fault-backup-");
const restoredDir = tempDataDir("ewtp-fault-restored-");
const backupDir = tempDataDir("ewtp-fault-backupfile-");
const clients: CollabClient[] = [];

afterAll(() => {
  for (const c of clients) c.destroy();
  killAll();
  for (const d of [dataDir, restoredDir, backupDir]) fs.rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("online backup under write load", () => {
  it("restores into a fresh DATA_DIR with integrity, a verifying record and everything acknowledged before it began", async () => {
    const scenario = await prepareScenario(dataDir, 4);
    const portal = await startPortalProcess(dataDir);
    let stopped = false;

    const orgsAcked: string[] = [];
    const orgsRequestedAfterBackup: string[] = [];
    let backupDone = false;
    const creating = (async () => {
      for (let n = 0; !stopped; n++) {
        const name = `Backup Load Parcels ${n}`;
        const after = backupDone;
        const res = await api(portal.base, scenario.adminToken, "POST", "/orgs", { name, kind: "company", country: "SG" });
        expect(res.status, JSON.stringify(res.body)).toBe(201);
        orgsAcked.push(name);
        if (after) orgsRequestedAfterBackup.push(name);
      }
    })();

    const votesAcked = new Map<string, number>();
    const voting = scenario.voters.map(async (voter, i) => {
      for (let n = 0; !stopped; n++) {
        const res = await api(portal.base, voter.token, "PUT", `/ballots/${scenario.ballotId}/vote`, { position: n % 2 ? "approve" : "abstain" });
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        votesAcked.set(voter.id, res.body.vote.version);
        await sleep(5 + i);
      }
    });

    const writers = Array.from({ length: 4 }, () => connectDoc(portal.base, EDITED_DOCUMENT, { token: scenario.adminToken }));
    clients.push(...writers);
    await Promise.all(writers.map((w) => w.synced));
    const editsAcked: string[] = [];
    const editing = writers.map(async (w, i) => {
      for (let n = 0; !stopped; n++) {
        const label = `writer ${i} edit ${n}`;
        w.doc.getArray<string>("probe").push([label]);
        await w.acknowledged();
        editsAcked.push(label);
        await sleep(Math.random() * 15);
      }
    });

    await eventually(() => orgsAcked.length >= 20 && editsAcked.length >= 20 && votesAcked.size === scenario.voters.length, 90_000, "write load to build up");
    // What was acknowledged before the backup began must be in it.
    const before = { orgs: [...orgsAcked], edits: [...editsAcked], votes: new Map(votesAcked) };
    const backupFile = path.join(backupDir, "portal-backup.db");
    const backup = await runCli(dataDir, ["backup", "--out", backupFile]);
    backupDone = true;
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backup written to .*portal-backup\.db \(\d+ pages\)/);
    const duringBackup = orgsAcked.length - before.orgs.length;
    await eventually(() => orgsRequestedAfterBackup.length >= 3, 60_000, "writes after the backup");
    stopped = true;
    await Promise.all([creating, ...voting, ...editing]);
    for (const w of writers) w.destroy();
    const keys = await (await fetch(`${portal.base}/api/v1/keys`)).json();
    await kill9(portal);
    console.log(`backup taken with ${duringBackup} organisations created while it ran`);

    // Why restore wants the keys: the backup copied alone into a DATA_DIR gets new keys, and its
    // signed checkpoints no longer verify.
    const copiedDir = tempDataDir("ewtp-fault-copied-");
    try {
      fs.copyFileSync(backupFile, path.join(copiedDir, "portal.db"));
      const copied = await runCli(copiedDir, ["audit:verify"]);
      expect(copied.code).toBe(1);
      expect(copied.stderr).toMatch(/^error: audit checkpoint \d+ \(entry \d+\) fails: its signature does not verify/);
    } finally {
      fs.rmSync(copiedDir, { recursive: true, force: true });
    }

    // A file that is not a database is refused before anything is written.
    const notABackup = path.join(backupDir, "notes.txt");
    fs.writeFileSync(notABackup, "this is not a database ".repeat(200));
    const wrongFile = await runCli(restoredDir, ["restore", "--from", notABackup]);
    expect(wrongFile.code).toBe(1);
    expect(wrongFile.stderr).toMatch(/^error: .*notes\.txt is not a portal backup/);
    expect(fs.readdirSync(restoredDir)).toEqual([]);

    // Restoring without the signing keys is refused, saying what to give; nothing is written.
    const withoutKeys = await runCli(restoredDir, ["restore", "--from", backupFile]);
    expect(withoutKeys.code).toBe(1);
    expect(withoutKeys.stderr).toMatch(/^error: the backup holds signed checkpoints or releases, but the \w+ key is not at .*--keys-from/);
    expect(fs.readdirSync(restoredDir)).toEqual([]);

    const restored = await runCli(restoredDir, ["restore", "--from", backupFile, "--keys-from", path.join(dataDir, "keys")]);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/integrity ok; audit chain ok: \d+ entries/);
    // Restoring over an existing database is refused.
    const again = await runCli(restoredDir, ["restore", "--from", backupFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists: restore only into a DATA_DIR without a database/);

    const second = await startPortalProcess(restoredDir);
    expect(await (await fetch(`${second.base}/api/v1/keys`)).json()).toEqual(keys);

    const orgs = await api(second.base, scenario.adminToken, "GET", "/orgs");
    expect(orgs.status).toBe(200);
    const names = new Set((orgs.body.orgs as { name: string }[]).map((o) => o.name));
    expect(before.orgs.filter((n) => !names.has(n))).toEqual([]);
    expect(orgsRequestedAfterBackup.filter((n) => names.has(n))).toEqual([]);

    const reader = connectDoc(second.base, EDITED_DOCUMENT, { token: scenario.adminToken });
    clients.push(reader);
    await reader.synced;
    const present = new Set(reader.doc.getArray<string>("probe").toArray());
    expect(before.edits.filter((label) => !present.has(label))).toEqual([]);

    const sqlite = openReadOnly(restoredDir);
    try {
      expect(sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
      const stored = new Map((sqlite.prepare("select voter_id as voterId, version from votes where ballot_id = ?").all(scenario.ballotId) as { voterId: string; version: number }[]).map((v) => [v.voterId, v.version]));
      for (const [voterId, version] of before.votes) expect(stored.get(voterId)).toBeGreaterThanOrEqual(version);
      expect(halfWritten(sqlite)).toEqual([]);
    } finally {
      sqlite.close();
    }

    const verified = await runCli(restoredDir, ["audit:verify"]);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
    await kill9(second);
  }, 240_000);
});
