/**
 * `export:repository` and `verify` as an operator and an implementer run them: the real CLI as its
 * own process, next to a real portal whose releases were published through the real publishing
 * path. The export is the API's bytes at the API's paths; `verify` passes against the export and
 * against the portal's own URL, names the file when one byte of the mirror is flipped, and refuses
 * a mirror rolled back to an older index than it accepted before. Re-exporting repairs the mirror.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli as runCliInProcess } from "../../app/cli/portal";
import { createAdmin } from "../support/factories";
import { startPortal, type TestPortal } from "../support/portal";
import { publishTestRelease } from "../support/releases";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ONE_ERROR_LINE = /^error: [^\n]+\n$/;
/** Each CLI run is a fresh Node process (several seconds on a busy machine); a test runs up to three. */
const CLI_TIMEOUT = 120_000;

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs `portal.ts <args>` as its own process on `dataDir`, relative paths against `cwd`. */
function runCli(args: string[], options: { dataDir: string; cwd?: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, DATA_DIR: options.dataDir, INIT_CWD: options.cwd ?? ROOT };
    const child = spawn(process.execPath, ["--import", "tsx", "app/cli/portal.ts", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

let portal: TestPortal;
let work: string;
let mirror: string;
let statePath: string;
let rootKey: string;
let adminId: string;
const RELEASES = [
  { standard: "EWTP-TAR-001", version: "1.0.0" },
  { standard: "EWTP-LOG-001", version: "1.0.0" },
];

async function get(rel: string): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(`${portal.baseUrl}/${rel}`);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

const mirrorFile = (rel: string) => path.join(mirror, ...rel.split("/"));
const verify = (from: string, extra: string[] = []) => runCli(["verify", "--from", from, "--root-key", rootKey, "--state", statePath, ...extra], { dataDir: portal.dataDir });

beforeAll(async () => {
  portal = await startPortal();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "ewtp-verify-cli-"));
  mirror = path.join(work, "mirror");
  statePath = path.join(work, "state", "index.json");
  adminId = (await createAdmin()).user.id;
  for (const r of RELEASES) publishTestRelease({ standard: r.standard, adminId, version: r.version });
  const keys = (await (await fetch(`${portal.apiUrl}/keys`)).json()) as { keys: { keyid: string; role: string }[] };
  rootKey = keys.keys.find((k) => k.role === "index")!.keyid;
}, 60_000);

afterAll(async () => {
  await portal?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe("export:repository", { timeout: CLI_TIMEOUT }, () => {
  it("writes the index, the keys, every manifest and file with the bytes the API serves, at the API's paths", async () => {
    const run = await runCli(["export:repository", "--out", "mirror"], { dataDir: portal.dataDir, cwd: work });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const index = await get("api/v1/index.json");
    const version = (JSON.parse(index.bytes.toString("utf8")) as { signed: { version: number } }).signed.version;
    expect(run.stdout).toMatch(new RegExp(`^exported 2 releases, index version ${version} \\(expires [^)]+\\) to ${mirror.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&")} \\(13 files, 13 written\\)\\n$`));

    expect(fs.readFileSync(mirrorFile("api/v1/index.json")).equals(index.bytes)).toBe(true);
    const keys = await get("api/v1/keys");
    expect(fs.readFileSync(mirrorFile("api/v1/keys")).equals(keys.bytes)).toBe(true);
    expect(fs.readFileSync(mirrorFile("api/v1/keys.json")).equals(keys.bytes)).toBe(true);
    for (const r of RELEASES) {
      const base = `api/v1/standards/${r.standard}/releases/${r.version}`;
      const manifest = await get(base);
      expect(manifest.status).toBe(200);
      expect(fs.readFileSync(mirrorFile(`${base}/manifest.json`)).equals(manifest.bytes)).toBe(true);
      // The alias the mirror relies on answers the same bytes from the portal.
      expect((await get(`${base}/manifest.json`)).bytes.equals(manifest.bytes)).toBe(true);
      for (const name of ["ruleset.json", "conformance.json", "document.md", "document.html"]) {
        const file = await get(`${base}/${name}`);
        expect(file.status).toBe(200);
        expect(fs.readFileSync(mirrorFile(`${base}/${name}`)).equals(file.bytes), `${base}/${name}`).toBe(true);
      }
    }
    // No temporary files are left behind.
    const leftovers = fs.readdirSync(mirror, { recursive: true }).map(String).filter((f) => f.includes(".tmp"));
    expect(leftovers).toEqual([]);
  });

  it("re-running into the same directory writes nothing that is already right", async () => {
    const run = await runCli(["export:repository", "--out", mirror], { dataDir: portal.dataDir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\(13 files, 0 written\)\n$/);
  });

  it("refuses a path that is a file, and a missing --out, with one error line", async () => {
    const file = path.join(work, "a-file");
    fs.writeFileSync(file, "x");
    const onFile = await runCli(["export:repository", "--out", file], { dataDir: portal.dataDir });
    expect(onFile.code).toBe(1);
    expect(onFile.stderr).toMatch(ONE_ERROR_LINE);
    expect(onFile.stderr).toContain("is not a directory");
    const missing = await runCli(["export:repository"], { dataDir: portal.dataDir });
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toBe("error: --out is required\n");
  });
});

describe("verify", { timeout: CLI_TIMEOUT }, () => {
  it("passes against the exported directory and remembers the index", async () => {
    const run = await verify(mirror);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: index version \d+ \(expires [^)]+\), 2 releases, 8 files verified\n$/);
    expect(fs.existsSync(statePath)).toBe(true);
  });

  it("passes against the portal's URL", async () => {
    const run = await verify(portal.baseUrl);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ok: index version \d+ \(expires [^)]+\), 2 releases, 8 files verified\n$/);
  });

  it("one flipped byte in the mirror fails, naming the release and the file; --release checks one release", async () => {
    const rel = "api/v1/standards/EWTP-TAR-001/releases/1.0.0/ruleset.json";
    const bytes = fs.readFileSync(mirrorFile(rel));
    bytes[20] ^= 0x01;
    fs.writeFileSync(mirrorFile(rel), bytes);
    const run = await verify(mirror);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe("error: EWTP-TAR-001@1.0.0: ruleset.json: SHA-256 does not match the manifest (tampered, or a file from another release)\n");
    // The other release is intact.
    const other = await verify(mirror, ["--release", "EWTP-LOG-001@1.0.0"]);
    expect(other.code).toBe(0);
    expect(other.stdout).toMatch(/, 1 release, 4 files verified\n$/);
  });

  it("re-exporting repairs the mirror", async () => {
    const run = await runCli(["export:repository", "--out", mirror], { dataDir: portal.dataDir });
    expect(run.stdout).toMatch(/\(13 files, 1 written\)\n$/);
    expect((await verify(mirror)).code).toBe(0);
  });

  it("after a new publication the newer index is accepted, and a mirror rolled back to the old index is refused", async () => {
    const oldIndex = fs.readFileSync(mirrorFile("api/v1/index.json"));
    const oldVersion = (JSON.parse(oldIndex.toString("utf8")) as { signed: { version: number } }).signed.version;
    publishTestRelease({ standard: "EWTP-CUS-001", adminId, version: "1.0.0" });
    const exported = await runCli(["export:repository", "--out", mirror], { dataDir: portal.dataDir });
    expect(exported.stdout).toMatch(new RegExp(`^exported 3 releases, index version ${oldVersion + 1} `));
    const newer = await verify(mirror);
    expect(newer.stderr).toBe("");
    expect(newer.stdout).toMatch(new RegExp(`^ok: index version ${oldVersion + 1} .*, 3 releases, 12 files verified\\n$`));

    fs.writeFileSync(mirrorFile("api/v1/index.json"), oldIndex);
    const rolledBack = await verify(mirror);
    expect(rolledBack.code).toBe(1);
    expect(rolledBack.stderr).toBe(
      `error: api/v1/index.json: index version ${oldVersion} is older than the stored version ${oldVersion + 1} (rollback or frozen mirror)\n`,
    );
  });

  it("a wrong root key fails, naming the key", async () => {
    const other = "ab".repeat(32);
    const run = await runCli(["verify", "--from", portal.baseUrl, "--root-key", other, "--state", path.join(work, "other-state.json")], { dataDir: portal.dataDir });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(ONE_ERROR_LINE);
    expect(run.stderr).toContain(`has no signature by the root key ${other}`);
  });

  it("the default state file lives under XDG_STATE_HOME, per root key", async () => {
    const stateHome = path.join(work, "xdg-state");
    const run = await runCli(["verify", "--from", portal.baseUrl, "--root-key", rootKey.toUpperCase()], { dataDir: portal.dataDir, env: { XDG_STATE_HOME: stateHome } });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(fs.existsSync(path.join(stateHome, "ewtp-verify", `${rootKey}.json`))).toBe(true);
  });

  it.each([
    ["a root key that is not a key id", ["verify", "--from", ".", "--root-key", "abc"], /--root-key: must be the index key id/],
    ["no --from", ["verify", "--root-key", "ab".repeat(32)], /--from is required/],
    ["a --from that is neither a URL nor a directory", ["verify", "--from", "no-such-dir", "--root-key", "ab".repeat(32)], /neither an http\(s\) URL nor an existing directory/],
    ["a malformed --release", ["verify", "--from", ".", "--root-key", "ab".repeat(32), "--release", "EWTP-TAR-001"], /--release: must be ID@VERSION/],
  ])("%s is a usage error (exit 2, one error line)", async (_name, args, message) => {
    // In-process (the same runCli the executable calls): the command line is refused before any work.
    const run = { stdout: "", stderr: "", code: 0 };
    const io = { stdout: (t: string) => void (run.stdout += t), stderr: (t: string) => void (run.stderr += t), readStdin: async () => "", stdinIsTty: true, cwd: work };
    run.code = await runCliInProcess(args, io);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(ONE_ERROR_LINE);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
  });
});
