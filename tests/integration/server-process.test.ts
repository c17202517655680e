/**
 * The real portal process, as `npm start` runs it (production build, real SQLite): health,
 * security headers, the /collab upgrade hook, graceful shutdown on SIGTERM, and an acknowledged
 * write surviving `kill -9`. Needs `npm run build` first (`npm test` does it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDataDir } from "../support/portal";
import { spawnListening } from "../support/process";

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

/** Starts `node server.ts` on a free port and resolves when it listens. */
async function startServer(dataDir: string): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  expect(fs.existsSync(path.resolve("build/server/index.js")), "run `npm run build` before this test").toBe(true);
  const { child, port, output } = await spawnListening(
    ["--import", "tsx", "server.ts"],
    { NODE_ENV: "production", PORTAL_MAIN: "1", PORT: "0", DATA_DIR: dataDir },
    { timeoutMs: 30_000, track: (c) => children.push(c) },
  );
  return { child, base: `http://localhost:${port}`, output };
}

/** Runs the CLI's admin:create on a DATA_DIR. */
function createAdminViaCli(dataDir: string, email: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const cli = spawn(process.execPath, ["--import", "tsx", "app/cli/portal.ts", "admin:create", "--email", email, "--name", "Test Admin", "--password-stdin"], {
      env: { ...process.env, DATA_DIR: dataDir },
    });
    cli.stdin.end("correct horse battery staple");
    cli.once("exit", (code) => (code === 0 ? resolve() : reject(new Error("admin:create failed"))));
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => (child.exitCode !== null ? r(child.exitCode) : child.once("exit", (code) => r(code))));

/** Sends a raw upgrade request and returns the first line of the answer (or "" when none comes in time). */
function upgrade(base: string, pathname: string): Promise<string> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = net.connect(Number(url.port), url.hostname, () => {
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    });
    let data = "";
    socket.on("data", (d) => (data += d));
    const done = () => resolve(data.split("\r\n")[0] ?? "");
    socket.on("close", done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, 1500);
  });
}

describe("the portal process", () => {
  it("answers /healthz with the database reachable and sends strict security headers", async () => {
    const { base } = await startServer(tempDataDir());
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const page = await fetch(`${base}/login`, { redirect: "manual" });
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    // The nonce in the header is the one on the page's scripts.
    const nonce = /nonce-([^']+)'/.exec(csp)![1];
    const html = await (await fetch(`${base}/setup`)).text();
    const pageNonces = [...html.matchAll(/<script[^>]*nonce="([^"]+)"/g)].map((m) => m[1]);
    expect(pageNonces.length).toBeGreaterThan(0);
    expect(new Set(pageNonces).size).toBe(1);
    expect(pageNonces[0]).not.toBe(nonce); // a fresh nonce per request
  });

  it("claims WebSocket upgrades on /collab only and leaves other paths alone", async () => {
    const { base } = await startServer(tempDataDir());
    // The collaboration server answers the handshake (a tool sends no Origin; see collab-server.test.ts).
    expect(await upgrade(base, "/collab")).toMatch(/^HTTP\/1\.1 101/);
    expect(await upgrade(base, "/some-other-socket")).toBe("");
  });

  it("finishes and closes the database cleanly on SIGTERM", async () => {
    const dataDir = tempDataDir();
    const { child, base, output } = await startServer(dataDir);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
    expect(output()).toContain("SIGTERM received");
    // Closing the last connection checkpoints and removes the write-ahead log.
    expect(fs.existsSync(path.join(dataDir, "portal.db-wal"))).toBe(false);
  });

  it("keeps an acknowledged write through kill -9", async () => {
    const dataDir = tempDataDir();
    const first = await startServer(dataDir);
    const token = await createAdminViaCli(dataDir, "k9@ewtp.example").then(
      () =>
        new Promise<string>((resolve) => {
          let out = "";
          const cli = spawn(process.execPath, ["--import", "tsx", "app/cli/portal.ts", "token:create", "--email", "k9@ewtp.example"], { env: { ...process.env, DATA_DIR: dataDir } });
          cli.stdout.on("data", (d) => (out += d));
          cli.once("exit", () => resolve(out.trim()));
        }),
    );
    const created = await fetch(`${first.base}/api/v1/orgs`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "Durable Parcels Ltd", kind: "company", country: "SG" }),
    });
    expect(created.status).toBe(201);
    first.child.kill("SIGKILL");
    await exited(first.child);

    const second = await startServer(dataDir);
    const list = await fetch(`${second.base}/api/v1/orgs`, { headers: { authorization: `Bearer ${token}` } });
    expect((await list.json()).orgs.map((o: { name: string }) => o.name)).toContain("Durable Parcels Ltd");
  }, 60_000); // two server starts and two CLI runs: slow on a loaded machine

  it("throttles sign-in per account and per address, and a forged X-Forwarded-For does not escape it", async () => {
    const dataDir = tempDataDir();
    await createAdminViaCli(dataDir, "admin@ewtp.example");
    const { base } = await startServer(dataDir);
    const attempt = (email: string, forwardedFor: string) =>
      fetch(`${base}/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": forwardedFor },
        body: new URLSearchParams({ email, password: "wrong password", redirectTo: "/" }).toString(),
        redirect: "manual",
      });
    // Per account: the sixth failure within the window is refused, whatever address it claims.
    for (let i = 0; i < 5; i++) expect((await attempt("target@ewtp.example", `198.51.100.${i}`)).status).toBe(401);
    const locked = await attempt("target@ewtp.example", "203.0.113.77");
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await locked.text()).toContain("Too many attempts");
    // Per address: many accounts from one real address, each claiming another origin, hit the address limit.
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) statuses.push((await attempt(`spray${i}@ewtp.example`, `192.0.2.${i}`)).status);
    expect(statuses.slice(0, 15).every((s) => s === 401)).toBe(true);
    expect(statuses[15]).toBe(429);
  }, 60_000); // starts a server process and a CLI run: slow on a loaded machine
});
