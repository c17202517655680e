/**
 * Durability of the collaborative documents in a real server process: every edit the server
 * acknowledged survives `kill -9`. Ten clients make twenty edits each, wait for the server's
 * acknowledgement, the process is killed, restarted on the same DATA_DIR, and every edit is there.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { markdownFromDoc } from "../../app/collab/yjs-markdown.server";
import { connectDoc, type CollabClient } from "../support/collab";
import { tempDataDir } from "../support/portal";

const children: ChildProcess[] = [];
const clients: CollabClient[] = [];
const dataDir = tempDataDir("ewtp-collab-k9-");

afterAll(() => {
  for (const c of clients) c.destroy();
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** Starts the portal process on DATA_DIR; resolves with its base URL (and a token when asked). */
async function startServer(makeToken: boolean): Promise<{ child: ChildProcess; base: string; token?: string }> {
  const args = ["--import", "tsx", "tests/support/collab-server-main.ts", ...(makeToken ? ["--make-token"] : [])];
  const child = spawn(process.execPath, args, { env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: "test" }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = /listening on port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on("data", check);
    child.once("exit", () => reject(new Error(`server exited:\n${out}`)));
  });
  return { child, base: `http://127.0.0.1:${port}`, token: /token (\S+)/.exec(out)?.[1] };
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", () => r())));

describe("collaborative documents", () => {
  it("keep every acknowledged edit of 10 concurrent writers through kill -9", async () => {
    const first = await startServer(true);
    const token = first.token!;
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
});
