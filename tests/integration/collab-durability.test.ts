/**
 * Durability of the collaborative documents in a real server process: every edit the server
 * acknowledged survives `kill -9`. Ten clients make twenty edits each, wait for the server's
 * acknowledgement, the process is killed, restarted on the same DATA_DIR, and every edit is there.
 * Then, because acknowledgements wait for a group commit, the process is killed while writers are
 * still typing: every edit acknowledged before the kill is there after the restart.
 */
import { type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { markdownFromDoc } from "../../app/collab/yjs-markdown.server";
import { connectDoc, eventually, type CollabClient } from "../support/collab";
import { tempDataDir } from "../support/portal";
import { exited, spawnListening } from "../support/process";

const children: ChildProcess[] = [];
const clients: CollabClient[] = [];
const dataDir = tempDataDir("ewtp-collab-k9-");
let token = "";

afterAll(() => {
  for (const c of clients) c.destroy();
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the portal process on DATA_DIR; resolves with its base URL (and a token when asked). */
async function startServer(makeToken: boolean): Promise<{ child: ChildProcess; base: string; token?: string }> {
  const args = ["--import", "tsx", "tests/support/collab-server-main.ts", ...(makeToken ? ["--make-token"] : [])];
  const { child, port, output } = await spawnListening(args, { DATA_DIR: dataDir, NODE_ENV: "test" }, { timeoutMs: 60_000, track: (c) => children.push(c) });
  return { child, base: `http://127.0.0.1:${port}`, token: /token (\S+)/.exec(output())?.[1] };
}


describe("collaborative documents", () => {
  it("keep every acknowledged edit of 10 concurrent writers through kill -9", async () => {
    const first = await startServer(true);
    token = first.token!;
    const name = "standard.EWTP-CUS-001";
    const writers = Array.from({ length: 10 }, () => connectDoc(first.base, name, { token }));
    clients.push(...writers);
    await Promise.all(writers.map((w) => w.synced));
    const text = markdownFromDoc(writers[0].doc);
    const started = Date.now();

    await Promise.all(
      writers.map(async (w, i) => {
        for (let e = 0; e < 20; e++) {
          w.doc.getArray<string>("probe").push([`writer ${i} edit ${e}`]);
          await new Promise((r) => setTimeout(r, Math.random() * 10));
        }
        await w.acknowledged();
      }),
    );
    // Every edit is acknowledged; the clients leave (so they do not reconnect) and the server dies at once.
    for (const w of writers) w.destroy();
    first.child.kill("SIGKILL");
    await exited(first.child);
    console.log(`acknowledged after ${Date.now() - started} ms`);

    const second = await startServer(false);
    const reader = connectDoc(second.base, name, { token });
    clients.push(reader);
    await reader.synced;
    const edits = new Set(reader.doc.getArray<string>("probe").toArray());
    const missing: string[] = [];
    for (let i = 0; i < 10; i++) for (let e = 0; e < 20; e++) if (!edits.has(`writer ${i} edit ${e}`)) missing.push(`writer ${i} edit ${e}`);
    expect(missing).toEqual([]);
    expect(edits.size).toBe(200);
    expect(markdownFromDoc(reader.doc)).toBe(text);
    second.child.kill("SIGKILL");
  }, 120_000);

  it("keep every edit acknowledged before a kill -9 that comes while 10 writers are still typing", async () => {
    const server = await startServer(false);
    const name = "standard.EWTP-CUS-001";
    const writers = Array.from({ length: 10 }, () => connectDoc(server.base, name, { token }));
    clients.push(...writers);
    await Promise.all(writers.map((w) => w.synced));
    // Per writer: edits pushed so far, and how many of them the server had acknowledged (all
    // sent updates are acknowledged whenever the provider's count of unsynced changes drops to 0).
    const pushed = writers.map(() => 0);
    const acked = writers.map(() => 0);
    writers.forEach((w, i) =>
      w.provider.on("unsyncedChanges", ({ number }: { number: number }) => {
        if (number === 0) acked[i] = pushed[i];
      }),
    );
    let killed = false;
    // Type until the kill (bounded in time, not in count: on a slow machine a count ran out before
    // every writer had edits acknowledged, and the kill then came after all typing had stopped).
    const typingEnds = Date.now() + 90_000;
    const typing = writers.map(async (w, i) => {
      while (!killed && Date.now() < typingEnds) {
        w.doc.getArray<string>("probe-2").push([`writer ${i} live edit ${pushed[i]}`]);
        pushed[i]++;
        await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
      }
    });
    // Kill once every writer has had some edits acknowledged, at a moment when some writer has edits
    // not yet acknowledged (typing goes on). Without the second condition the kill could fall just
    // after one commit's acknowledgements reached every writer before anyone typed again.
    await eventually(() => acked.every((n) => n >= 10) && pushed.some((n, i) => n > acked[i]), 60_000, "acknowledged edits from every writer, and some not yet acknowledged");
    const ackedAtKill = [...acked];
    server.child.kill("SIGKILL");
    killed = true;
    await exited(server.child);
    await Promise.all(typing);
    for (const w of writers) w.destroy();
    expect(pushed.some((n, i) => n > ackedAtKill[i])).toBe(true);

    const restarted = await startServer(false);
    const reader = connectDoc(restarted.base, name, { token });
    clients.push(reader);
    await reader.synced;
    const stored = new Set(reader.doc.getArray<string>("probe-2").toArray());
    const missing: string[] = [];
    for (let i = 0; i < 10; i++) for (let e = 0; e < ackedAtKill[i]; e++) if (!stored.has(`writer ${i} live edit ${e}`)) missing.push(`writer ${i} live edit ${e}`);
    expect(missing).toEqual([]);
    restarted.child.kill("SIGKILL");
  }, 180_000);
});
