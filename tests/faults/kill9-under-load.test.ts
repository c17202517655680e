/**
 * kill -9 of the portal process in the middle of concurrent work: four clients editing one live
 * document over /collab, six experts voting (and changing their votes) in an open ballot over the
 * API, and the secretariat publishing releases. The process is killed while all of it is in flight
 * (a publication request among it), restarted on the same DATA_DIR, and then: every acknowledged
 * edit is in the document, every vote answered 200 is stored (and counted), every publication
 * answered 201 is served with files matching its signed manifest, nothing is half-written, and
 * `audit:verify` (the CLI, as its own process) passes.
 */
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { tempDataDir } from "../support/portal";
import { api, EDITED_DOCUMENT, halfWritten, kill9, killAll, openReadOnly, prepareScenario, PUBLISHABLE, runCli, sha256, startPortalProcess } from "./support";

const dataDir = tempDataDir("ewtp-fault-k9-");
const clients: CollabClient[] = [];

afterAll(() => {
  for (const c of clients) c.destroy();
  killAll();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const POSITIONS = ["approve", "disapprove", "abstain"] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("kill -9 during editing, voting and publishing", () => {
  it("keeps every acknowledged edit, every vote answered 200 and every publication answered 201, and the record verifies", async () => {
    const scenario = await prepareScenario(dataDir);
    const first = await startPortalProcess(dataDir);
    let killed = false;
    let markKilled!: () => void;
    const killedSignal = new Promise<"killed">((r) => (markKilled = () => r("killed")));

    // Editors: each pushes an edit, waits for the server's acknowledgement, records it, repeats.
    const writers = Array.from({ length: 4 }, () => connectDoc(first.base, EDITED_DOCUMENT, { token: scenario.adminToken }));
    clients.push(...writers);
    await Promise.all(writers.map((w) => w.synced));
    const acknowledgedEdits: string[] = [];
    const editing = writers.map(async (w, i) => {
      for (let n = 0; !killed; n++) {
        const label = `writer ${i} edit ${n}`;
        w.doc.getArray<string>("probe").push([label]);
        if ((await Promise.race([w.acknowledged().then(() => "ack" as const), killedSignal])) === "killed") return;
        acknowledgedEdits.push(label);
        await sleep(Math.random() * 15);
      }
    });

    // Voters: each casts, then changes, its vote in a loop; a 200 answer is a promise kept.
    const acknowledgedVotes = new Map<string, { version: number; position: string }>();
    const voting = scenario.voters.map(async (voter, i) => {
      for (let n = 0; !killed; n++) {
        const position = POSITIONS[(i + n) % POSITIONS.length];
        const res = await api(first.base, voter.token, "PUT", `/ballots/${scenario.ballotId}/vote`, { position, reason: `round ${n}` });
        if (res.status === 0) return;
        expect(res.status, JSON.stringify(res.body)).toBe(200);
        acknowledgedVotes.set(voter.id, { version: res.body.vote.version, position });
        await sleep(Math.random() * 15);
      }
    });

    // Publisher: the first release is answered; the second is in flight when the process dies.
    const published: { standard: string; manifest: any }[] = [];
    const publish = async (standard: string) => {
      const res = await api(first.base, scenario.adminToken, "POST", `/standards/${standard}/releases`, { revision: scenario.publishable[standard] });
      if (res.status === 0) return;
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      published.push({ standard, manifest: res.body });
    };
    await publish(PUBLISHABLE[0]);
    await eventually(() => acknowledgedEdits.length >= 40 && acknowledgedVotes.size === scenario.voters.length, 90_000, "load to build up");
    const secondPublication = publish(PUBLISHABLE[1]);
    await sleep(5 + Math.random() * 40);
    await kill9(first);
    killed = true;
    markKilled();
    await Promise.all([...editing, ...voting, secondPublication]);
    for (const w of writers) w.destroy();
    expect(acknowledgedEdits.length).toBeGreaterThanOrEqual(40);
    console.log(`killed with ${acknowledgedEdits.length} acknowledged edits, ${[...acknowledgedVotes.values()].reduce((s, v) => s + v.version, 0)} acknowledged votes, ${published.length} publications answered`);

    const second = await startPortalProcess(dataDir);

    // Every acknowledged edit is in the live document.
    const reader = connectDoc(second.base, EDITED_DOCUMENT, { token: scenario.adminToken });
    clients.push(reader);
    await reader.synced;
    const present = new Set(reader.doc.getArray<string>("probe").toArray());
    expect(acknowledgedEdits.filter((label) => !present.has(label))).toEqual([]);

    const sqlite = openReadOnly(dataDir);
    try {
      // Every vote answered 200 is stored: its version or the one after it (a request in flight may have committed).
      const stored = new Map(
        (sqlite.prepare("select voter_id as voterId, version, position from votes where ballot_id = ?").all(scenario.ballotId) as { voterId: string; version: number; position: string }[]).map((v) => [v.voterId, v]),
      );
      for (const [i, voter] of scenario.voters.entries()) {
        const acked = acknowledgedVotes.get(voter.id)!;
        const row = stored.get(voter.id);
        expect(row, `vote of voter ${i}`).toBeDefined();
        expect([acked.version, acked.version + 1]).toContain(row!.version);
        expect(row!.position).toBe(POSITIONS[(i + row!.version - 1) % POSITIONS.length]);
      }
      // …and counted: the live tally covers every stored vote.
      const ballot = await api(second.base, scenario.adminToken, "GET", `/ballots/${scenario.ballotId}`);
      expect(ballot.status).toBe(200);
      const t = ballot.body.tally;
      expect(t.approve + t.disapprove + t.abstain + t.excluded).toBe(stored.size);

      // Nothing half-written: no vote without its audit entry, no release without its files.
      expect(halfWritten(sqlite)).toEqual([]);
    } finally {
      sqlite.close();
    }

    // Every publication answered 201 is served, with files matching its signed manifest.
    expect(published.map((p) => p.standard)).toContain(PUBLISHABLE[0]);
    for (const { standard, manifest } of published) {
      const base = `${second.base}/api/v1/standards/${standard}/releases/${manifest.signed.version}`;
      const served = await fetch(base);
      expect(served.status).toBe(200);
      expect(await served.json()).toEqual(manifest);
      for (const [name, file] of Object.entries(manifest.signed.files as Record<string, { sha256: string; length: number }>)) {
        const bytes = Buffer.from(await (await fetch(`${base}/${name}`, { headers: { "accept-encoding": "identity" } })).arrayBuffer());
        expect({ name, sha256: sha256(bytes), length: bytes.length }).toEqual({ name, ...file });
      }
    }

    // The record verifies, checked by the CLI as an operator would, next to the running portal.
    const verified = await runCli(dataDir, ["audit:verify"]);
    expect(verified.stderr).toBe("");
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^audit chain ok: \d+ entries/);
    await kill9(second);
  }, 240_000);
});
