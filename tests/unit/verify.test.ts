/**
 * The implementer's `verify` against repositories built here: a small fixture builder writes the
 * export layout (index, keys, manifests, files) signed with Ed25519 keys generated in the test, in
 * the formats of the API contract. A good repository passes and is remembered; each attack the
 * issue names — a tampered file, manifest or index, a wrong root key, an expired index, an older
 * index than the stored one, a file longer than its listed length, a file from another release, a
 * missing file — fails with its own message naming the release and file. Over HTTP, an endless
 * file and a server that never answers are cut off instead of exhausting memory or hanging.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import canonicalize from "canonicalize";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultStatePath, verifyRepository, type VerifyReport } from "../../app/releases/verify";

// ─── The fixture builder ──────────────────────────────────────────────────────────────────────────

type Key = { privateKey: KeyObject; keyid: string; publicKey: string };

function makeKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  return { privateKey, keyid: createHash("sha256").update(raw).digest("hex"), publicKey: raw.toString("base64") };
}

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

function signedDocument(key: Key, signed: unknown): string {
  const sig = sign(null, Buffer.from(canonicalize(signed)!, "utf8"), key.privateKey).toString("base64");
  return JSON.stringify({ signed, signatures: [{ keyid: key.keyid, sig }] });
}

type ReleaseSpec = { standard: string; version: string; files?: Record<string, string> };

const DAY = 24 * 60 * 60 * 1000;

/** Rule-set text of the same length for every version "1.0.x", so files of two releases can be swapped unnoticed by length. */
const rulesetOf = (standard: string, version: string) => JSON.stringify({ standard, version, rules: [{ id: "TAR-001.R1", when: { "<": [{ var: "shipment.value" }, 150] }, then: { duty: 0 } }] });

function defaultFiles(r: ReleaseSpec): Record<string, string> {
  return {
    "ruleset.json": rulesetOf(r.standard, r.version),
    "conformance.json": JSON.stringify({ standard: r.standard, version: r.version, examples: [] }),
    "document.md": `# ${r.standard}\n\nVersion ${r.version}.\n`,
    "document.html": `<h1>${r.standard}</h1><p>Version ${r.version}.</p>`,
  };
}

type Repository = { dir: string; rootKey: string; indexKey: Key; releaseKey: Key };

/** Writes a repository in the export layout under `dir`, signed with the given (or fresh) keys. */
function buildRepository(
  dir: string,
  options: { releases: ReleaseSpec[]; version?: number; expires?: string; indexKey?: Key; releaseKey?: Key; manifestKey?: Key },
): Repository {
  const indexKey = options.indexKey ?? makeKey();
  const releaseKey = options.releaseKey ?? makeKey();
  const entries: Record<string, { sha256: string; length: number }> = {};
  for (const r of options.releases) {
    const base = path.join(dir, "api/v1/standards", r.standard, "releases", r.version);
    fs.mkdirSync(base, { recursive: true });
    const files: Record<string, { sha256: string; length: number }> = {};
    for (const [name, text] of Object.entries(r.files ?? defaultFiles(r))) {
      const bytes = Buffer.from(text, "utf8");
      fs.writeFileSync(path.join(base, name), bytes);
      files[name] = { sha256: sha256(bytes), length: bytes.length };
    }
    const manifest = signedDocument(options.manifestKey ?? releaseKey, {
      _type: "release",
      standard: r.standard,
      version: r.version,
      publishedAt: "2026-11-01T10:00:00.000Z",
      effectiveFrom: "2026-12-01T00:00:00.000Z",
      supersedes: null,
      revisionHash: sha256(r.version),
      ballotId: "ballot-1",
      files,
    });
    fs.writeFileSync(path.join(base, "manifest.json"), manifest);
    entries[`${r.standard}@${r.version}`] = { sha256: sha256(manifest), length: Buffer.byteLength(manifest) };
  }
  const index = signedDocument(indexKey, {
    _type: "index",
    version: options.version ?? 1,
    expires: options.expires ?? new Date(Date.now() + 7 * DAY).toISOString(),
    releases: entries,
    keys: [{ keyid: releaseKey.keyid, role: "release", publicKey: releaseKey.publicKey }],
  });
  fs.mkdirSync(path.join(dir, "api/v1"), { recursive: true });
  fs.writeFileSync(path.join(dir, "api/v1/index.json"), index);
  const keys = JSON.stringify({
    keys: [
      { keyid: releaseKey.keyid, algorithm: "ed25519", publicKey: releaseKey.publicKey, role: "release" },
      { keyid: indexKey.keyid, algorithm: "ed25519", publicKey: indexKey.publicKey, role: "index" },
    ],
  });
  fs.writeFileSync(path.join(dir, "api/v1/keys"), keys);
  fs.writeFileSync(path.join(dir, "api/v1/keys.json"), keys);
  return { dir, rootKey: indexKey.keyid, indexKey, releaseKey };
}

const TAR1 = { standard: "EWTP-TAR-001", version: "1.0.0" };
const TAR2 = { standard: "EWTP-TAR-001", version: "1.0.1" };
const LOG1 = { standard: "EWTP-LOG-002", version: "2.1.0" };
const fileOf = (repo: Repository, r: ReleaseSpec, name: string) => path.join(repo.dir, "api/v1/standards", r.standard, "releases", r.version, name);

function flipByte(file: string, at = 10): void {
  const bytes = fs.readFileSync(file);
  bytes[at] ^= 0x01;
  fs.writeFileSync(file, bytes);
}

// ─── The tests ────────────────────────────────────────────────────────────────────────────────────

let work: string;
let statePath: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "ewtp-verify-"));
  statePath = path.join(work, "state", "last-index.json");
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const repoDir = (name = "repo") => path.join(work, name);
const run = (repo: Pick<Repository, "dir" | "rootKey">, extra: { release?: string; now?: Date; from?: string } = {}) =>
  verifyRepository({ from: extra.from ?? repo.dir, rootKey: repo.rootKey, statePath, release: extra.release, now: extra.now });

function problemsOf(report: VerifyReport): string[] {
  expect(report.ok).toBe(false);
  return report.ok ? [] : report.problems;
}

describe("a repository as the portal exports it", () => {
  it("passes: every release, every file, with the summary an implementer reads", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1, TAR2, LOG1], version: 4 });
    const report = await run(repo);
    expect(report).toMatchObject({ ok: true, indexVersion: 4, releases: 3, files: 12 });
    if (report.ok) expect(report.summary).toMatch(/^ok: index version 4 \(expires \d{4}-\d\d-\d\dT[^)]+\), 3 releases, 12 files verified$/);
  });

  it("remembers the accepted index in the state file, and only then", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1], version: 7 });
    flipByte(fileOf(repo, TAR1, "document.md"));
    expect((await run(repo)).ok).toBe(false);
    expect(fs.existsSync(statePath)).toBe(false);

    const good = buildRepository(repoDir("good"), { releases: [TAR1], version: 7, indexKey: repo.indexKey });
    expect((await run(good)).ok).toBe(true);
    const stored = JSON.parse(fs.readFileSync(statePath, "utf8"));
    expect(stored).toMatchObject({ rootKey: repo.rootKey, version: 7, sha256: sha256(fs.readFileSync(path.join(good.dir, "api/v1/index.json"))) });
    expect(stored.index).toBe(fs.readFileSync(path.join(good.dir, "api/v1/index.json"), "utf8"));
  });

  it("accepts the root key in capitals, and a mirror that only has keys.json", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1] });
    fs.rmSync(path.join(repo.dir, "api/v1/keys"));
    expect((await run({ dir: repo.dir, rootKey: repo.rootKey.toUpperCase() })).ok).toBe(true);
  });

  it("--release checks that release only, still verifying the index; an unknown release is named", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1, LOG1] });
    flipByte(fileOf(repo, TAR1, "ruleset.json"));
    expect(await run(repo, { release: "EWTP-LOG-002@2.1.0" })).toMatchObject({ ok: true, releases: 1, files: 4 });
    expect(problemsOf(await run(repo, { release: "EWTP-LOG-002@9.9.9" }))).toEqual(["EWTP-LOG-002@9.9.9 is not in the index (version 1)"]);
    fs.writeFileSync(path.join(repo.dir, "api/v1/index.json"), "{}");
    expect(problemsOf(await run(repo, { release: "EWTP-LOG-002@2.1.0" }))[0]).toMatch(/^api\/v1\/index\.json is not a signed document/);
  });

  it("the default state file is per root key under XDG_STATE_HOME, else ~/.local/state", () => {
    expect(defaultStatePath("AB".repeat(32), { XDG_STATE_HOME: "/var/lib/me" })).toBe(path.join("/var/lib/me", "ewtp-verify", `${"ab".repeat(32)}.json`));
    expect(defaultStatePath("ab".repeat(32), {})).toBe(path.join(os.homedir(), ".local/state/ewtp-verify", `${"ab".repeat(32)}.json`));
  });
});

describe("each attack fails with a message naming what failed", () => {
  it("a tampered file (one byte flipped)", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1, LOG1] });
    flipByte(fileOf(repo, TAR1, "ruleset.json"));
    expect(problemsOf(await run(repo))).toEqual(["EWTP-TAR-001@1.0.0: ruleset.json: SHA-256 does not match the manifest (tampered, or a file from another release)"]);
  });

  it("every tampered file is listed, one per line", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1, LOG1] });
    flipByte(fileOf(repo, TAR1, "document.html"));
    flipByte(fileOf(repo, LOG1, "conformance.json"));
    const problems = problemsOf(await run(repo));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^EWTP-LOG-002@2\.1\.0: conformance\.json: SHA-256 does not match/);
    expect(problems[1]).toMatch(/^EWTP-TAR-001@1\.0\.0: document\.html: SHA-256 does not match/);
  });

  it("a tampered manifest (one byte flipped) no longer matches the index", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1] });
    flipByte(fileOf(repo, TAR1, "manifest.json"), 40);
    expect(problemsOf(await run(repo))).toEqual([
      "EWTP-TAR-001@1.0.0: manifest api/v1/standards/EWTP-TAR-001/releases/1.0.0/manifest.json: SHA-256 does not match the index (tampered, or the manifest of another release)",
    ]);
  });

  it("a manifest signed by a key other than the release key in the index", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1], manifestKey: makeKey() });
    expect(problemsOf(await run(repo))).toEqual([
      "EWTP-TAR-001@1.0.0: manifest api/v1/standards/EWTP-TAR-001/releases/1.0.0/manifest.json: signature does not verify with the release key listed in the index",
    ]);
  });

  it("a tampered index (its version raised after signing): the signature fails", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1], version: 3 });
    const file = path.join(repo.dir, "api/v1/index.json");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace('"version":3', '"version":30'));
    expect(problemsOf(await run(repo))).toEqual(["api/v1/index.json: the signature by the root key does not verify (the index was altered after signing)"]);
  });

  it("a wrong root key", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1] });
    const other = makeKey().keyid;
    expect(problemsOf(await run({ dir: repo.dir, rootKey: other }))).toEqual([
      `api/v1/index.json has no signature by the root key ${other} (signed by ${repo.rootKey}): a wrong --root-key, or not this portal's index`,
    ]);
  });

  it("an index re-signed by an attacker's key whose key document claims the pinned key id", async () => {
    const attacker = makeKey();
    const repo = buildRepository(repoDir(), { releases: [TAR1], indexKey: attacker });
    const pinned = makeKey().keyid;
    // Forge: claim the pinned key id for the attacker's signature and public key.
    for (const rel of ["api/v1/index.json", "api/v1/keys", "api/v1/keys.json"]) {
      const file = path.join(repo.dir, rel);
      fs.writeFileSync(file, fs.readFileSync(file, "utf8").replaceAll(attacker.keyid, pinned));
    }
    expect(problemsOf(await run({ dir: repo.dir, rootKey: pinned }))).toEqual([
      `api/v1/keys: the public key listed for the root key does not hash to its key id ${pinned}; the key document cannot be trusted`,
    ]);
  });

  it("an expired index", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1], expires: "2026-01-08T00:00:00.000Z" });
    const problems = problemsOf(await run(repo, { now: new Date("2026-01-09T12:00:00.000Z") }));
    expect(problems).toEqual(["api/v1/index.json: index expired at 2026-01-08T00:00:00.000Z (checked at 2026-01-09T12:00:00.000Z): a stale copy or a frozen mirror"]);
  });

  it("an older index than the stored one (rollback or frozen mirror), and nothing is stored", async () => {
    const keys = { indexKey: makeKey(), releaseKey: makeKey() };
    const newer = buildRepository(repoDir("newer"), { releases: [TAR1, TAR2], version: 5, ...keys });
    expect((await run(newer)).ok).toBe(true);
    const before = fs.readFileSync(statePath, "utf8");
    const older = buildRepository(repoDir("older"), { releases: [TAR1], version: 4, ...keys });
    expect(problemsOf(await run(older))).toEqual(["api/v1/index.json: index version 4 is older than the stored version 5 (rollback or frozen mirror)"]);
    expect(fs.readFileSync(statePath, "utf8")).toBe(before);
    // A newer one is accepted and replaces the stored copy.
    buildRepository(repoDir("newest"), { releases: [TAR1, TAR2, LOG1], version: 6, ...keys });
    expect(await run({ dir: repoDir("newest"), rootKey: newer.rootKey })).toMatchObject({ ok: true, indexVersion: 6 });
    expect(JSON.parse(fs.readFileSync(statePath, "utf8")).version).toBe(6);
  });

  it("a different index under the stored version is refused", async () => {
    const keys = { indexKey: makeKey(), releaseKey: makeKey() };
    const first = buildRepository(repoDir("first"), { releases: [TAR1], version: 5, ...keys });
    expect((await run(first)).ok).toBe(true);
    const fork = buildRepository(repoDir("fork"), { releases: [TAR1, LOG1], version: 5, ...keys });
    expect(problemsOf(await run(fork))).toEqual([
      "api/v1/index.json: index version 5 differs from the stored index of the same version (two indexes under one version: refused)",
    ]);
  });

  it("a file longer than its listed length", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1] });
    fs.appendFileSync(fileOf(repo, TAR1, "conformance.json"), " ");
    const listed = Buffer.byteLength(defaultFiles(TAR1)["conformance.json"]);
    expect(problemsOf(await run(repo))).toEqual([`EWTP-TAR-001@1.0.0: conformance.json is longer than its listed length (${listed} bytes)`]);
  });

  it("a file shorter than its listed length", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1] });
    const file = fileOf(repo, TAR1, "document.md");
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, 5));
    expect(problemsOf(await run(repo))).toEqual([`EWTP-TAR-001@1.0.0: document.md is shorter than its listed length (5 of ${bytes.length} bytes)`]);
  });

  it("a file from another release mixed in (same length, other bytes)", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1, TAR2] });
    const mixed = fileOf(repo, TAR2, "ruleset.json");
    expect(fs.statSync(mixed).size).toBe(fs.statSync(fileOf(repo, TAR1, "ruleset.json")).size);
    fs.copyFileSync(fileOf(repo, TAR1, "ruleset.json"), mixed);
    expect(problemsOf(await run(repo))).toEqual(["EWTP-TAR-001@1.0.1: ruleset.json: SHA-256 does not match the manifest (tampered, or a file from another release)"]);
  });

  it("a manifest from another release served in its place", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1, TAR2] });
    fs.copyFileSync(fileOf(repo, TAR1, "manifest.json"), fileOf(repo, TAR2, "manifest.json"));
    expect(fs.statSync(fileOf(repo, TAR1, "manifest.json")).size).toBe(fs.statSync(fileOf(repo, TAR2, "manifest.json")).size);
    expect(problemsOf(await run(repo))).toEqual([
      "EWTP-TAR-001@1.0.1: manifest api/v1/standards/EWTP-TAR-001/releases/1.0.1/manifest.json: SHA-256 does not match the index (tampered, or the manifest of another release)",
    ]);
  });

  it("a missing file, and a missing manifest", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1, LOG1] });
    fs.rmSync(fileOf(repo, TAR1, "document.html"));
    fs.rmSync(fileOf(repo, LOG1, "manifest.json"));
    const problems = problemsOf(await run(repo));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^EWTP-LOG-002@2\.1\.0: manifest api\/v1\/standards\/EWTP-LOG-002\/releases\/2\.1\.0\/manifest\.json is missing \(.+ does not exist\)$/);
    expect(problems[1]).toMatch(/^EWTP-TAR-001@1\.0\.0: document\.html is missing \(.+document\.html does not exist\)$/);
  });

  it("no index at all, and a --from that is neither a URL nor a directory", async () => {
    fs.mkdirSync(repoDir());
    expect(problemsOf(await run({ dir: repoDir(), rootKey: makeKey().keyid }))[0]).toMatch(/^api\/v1\/index\.json is missing/);
    expect(problemsOf(await run({ dir: path.join(work, "nowhere"), rootKey: makeKey().keyid }))[0]).toMatch(/is neither an http\(s\) URL nor a directory$/);
  });

  it("a corrupt state file fails closed instead of forgetting the stored version", async () => {
    const repo = buildRepository(repoDir(), { releases: [TAR1] });
    fs.mkdirSync(path.dirname(statePath), { recursive: true });
    fs.writeFileSync(statePath, "not json");
    expect(problemsOf(await run(repo))[0]).toMatch(/^the state file .* is not a stored index/);
  });
});

describe("over HTTP", () => {
  let server: http.Server;
  let base: string;
  let repo: Repository;
  let sentOfEndlessFile = 0;

  beforeEach(async () => {
    repo = buildRepository(repoDir(), { releases: [TAR1] });
    sentOfEndlessFile = 0;
    server = http.createServer((req, res) => {
      const rel = decodeURIComponent((req.url ?? "/").slice(1));
      if (rel === "hang/api/v1/index.json") return; // never answers
      const endless = rel === "endless/api/v1/standards/EWTP-TAR-001/releases/1.0.0/document.html";
      const file = path.join(repo.dir, rel.replace(/^(endless|hang)\//, ""));
      if (endless) {
        // No Content-Length: the client must stop reading by itself.
        res.writeHead(200, { "content-type": "text/html" });
        const chunk = Buffer.alloc(64 * 1024, 0x61);
        const pump = () => {
          while (!res.destroyed && sentOfEndlessFile < 512 * 1024 * 1024) {
            sentOfEndlessFile += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", pump);
          }
          res.end();
        };
        res.on("close", () => res.destroy());
        return pump();
      }
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end('{"error":{"code":"not_found","message":"No such file."}}');
      res.writeHead(200, { "content-type": "application/json" }).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("a repository served over HTTP passes, with or without a trailing slash", async () => {
    expect(await run(repo, { from: base })).toMatchObject({ ok: true, releases: 1, files: 4 });
    expect(await run(repo, { from: `${base}/` })).toMatchObject({ ok: true, releases: 1, files: 4 });
  });

  it("an endless file is cut off after its listed length instead of being read to the end", async () => {
    const problems = problemsOf(await run(repo, { from: `${base}/endless` }));
    const listed = Buffer.byteLength(defaultFiles(TAR1)["document.html"]);
    expect(problems).toEqual([`EWTP-TAR-001@1.0.0: document.html is longer than its listed length (${listed} bytes)`]);
    expect(sentOfEndlessFile).toBeLessThan(512 * 1024 * 1024);
  });

  it("a server that never answers fails with the timeout named, and a refused connection names the address", async () => {
    const report = await verifyRepository({ from: `${base}/hang`, rootKey: repo.rootKey, statePath, timeoutMs: 300 });
    expect(problemsOf(report)).toEqual([`api/v1/index.json cannot be read: ${base}/hang/api/v1/index.json: no complete answer within 0.3 s`]);
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = problemsOf(await verifyRepository({ from: `http://127.0.0.1:${port}`, rootKey: repo.rootKey, statePath }));
    expect(refused[0]).toMatch(new RegExp(`^api/v1/index\\.json cannot be read: http://127\\.0\\.0\\.1:${port}/api/v1/index\\.json: .*ECONNREFUSED`));
  });
});
