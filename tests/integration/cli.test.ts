/**
 * The administration CLI run as an administrator runs it: a separate process on a DATA_DIR, next to
 * a running portal on the same DATA_DIR. Checks what it prints, its exit codes, and that what it
 * creates works (the admin exists, the token authenticates, the backup opens).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { verifyPassword } from "../../app/auth/password.server";
import { call } from "../support/http";
import { startPortal, tempDataDir, type TestPortal } from "../support/portal";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PASSWORD = "a long and careful passphrase";
const ONE_ERROR_LINE = /^error: [^\n]+\n$/;

// Each test starts one or two CLI processes (tsx compiling the CLI takes seconds on a loaded machine).
vi.setConfig({ testTimeout: 60_000 });

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs `portal.ts <args>` as its own process on `dataDir`, with `input` on standard input. */
function runCli(args: string[], options: { dataDir: string; input?: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: options.dataDir };
    delete env.INIT_CWD; // relative paths would resolve against where npm was started
    const child = spawn(process.execPath, ["--import", "tsx", "app/cli/portal.ts", ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? "");
  });
}

/** Opens a database file read-only (another process's view). */
function openReadOnly(file: string) {
  return new Database(file, { readonly: true, fileMustExist: true });
}

describe("on a fresh DATA_DIR", () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = tempDataDir("ewtp-cli-fresh-");
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("admin:create migrates, seeds, creates the Secretariat (CH) and an active admin whose password is stdin without its newline", async () => {
    const run = await runCli(["admin:create", "--email", "Sec.Admin@Example.org", "--name", "Sara Secretariat", "--password-stdin"], { dataDir, input: `${PASSWORD}\n` });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("sec.admin@example.org");
    const d = openReadOnly(path.join(dataDir, "portal.db"));
    try {
      const org = d.prepare("select id, name, kind, country from organizations where name = 'Secretariat'").get() as { id: string; kind: string; country: string };
      expect(org).toMatchObject({ kind: "secretariat", country: "CH" });
      const user = d.prepare("select email, role, status, org_id as orgId, password_hash as hash from users").get() as { email: string; role: string; status: string; orgId: string; hash: string };
      expect(user).toMatchObject({ email: "sec.admin@example.org", role: "admin", status: "active", orgId: org.id });
      expect(await verifyPassword(user.hash, PASSWORD)).toBe(true);
      expect(await verifyPassword(user.hash, `${PASSWORD}\n`)).toBe(false);
      expect((d.prepare("select count(*) as n from committees").get() as { n: number }).n).toBeGreaterThanOrEqual(5);
    } finally {
      d.close();
    }
  });

  it("audit:verify reports the intact chain", async () => {
    const run = await runCli(["audit:verify"], { dataDir });
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^audit chain ok: \d+ entries\ncheckpoints ok: none signed yet\n$/);
  });
});

describe("next to a running portal on the same DATA_DIR", () => {
  let dataDir: string;
  let portal: TestPortal;
  const adminEmail = "head.of.secretariat@example.org";
  const count = (table: string) => (portal.db.$client.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

  beforeAll(async () => {
    dataDir = tempDataDir("ewtp-cli-");
    portal = await startPortal({ dataDir });
  });
  afterAll(async () => {
    await portal?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe("admin:create", () => {
    it("creates the admin, in a Secretariat of the country given", async () => {
      const run = await runCli(["admin:create", "--email", adminEmail, "--name", "Hana Head", "--password-stdin", "--country", "de"], { dataDir, input: `${PASSWORD}\n` });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const row = portal.db.$client
        .prepare("select u.role, u.status, o.name, o.kind, o.country from users u join organizations o on o.id = u.org_id where u.email = ?")
        .get(adminEmail);
      expect(row).toEqual({ role: "admin", status: "active", name: "Secretariat", kind: "secretariat", country: "DE" });
    });

    it("a second admin joins the existing Secretariat", async () => {
      const run = await runCli(["admin:create", "--email", "deputy@example.org", "--name", "Dana Deputy", "--password-stdin"], { dataDir, input: PASSWORD });
      expect(run.code).toBe(0);
      expect(count("organizations where kind = 'secretariat'")).toBe(1);
      const orgs = portal.db.$client.prepare("select distinct org_id from users where role = 'admin'").all();
      expect(orgs).toHaveLength(1);
    });

    it("a bad email is refused with one error line and nothing is created", async () => {
      const users = count("users");
      const run = await runCli(["admin:create", "--email", "not-an-email", "--name", "Bad Email", "--password-stdin"], { dataDir, input: PASSWORD });
      expect(run.code).not.toBe(0);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
      expect(run.stderr).toMatch(/email/i);
      expect(run.stdout).toBe("");
      expect(count("users")).toBe(users);
    });

    it("an email that already has an account, in any letter case, is refused and nothing changes", async () => {
      const users = count("users");
      const audit = count("audit_events");
      const run = await runCli(["admin:create", "--email", adminEmail.toUpperCase(), "--name", "Hana Again", "--password-stdin"], { dataDir, input: PASSWORD });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
      expect(run.stderr).toMatch(/already exists/);
      expect(count("users")).toBe(users);
      expect(count("audit_events")).toBe(audit);
    });

    it("a password that is too short is refused", async () => {
      const run = await runCli(["admin:create", "--email", "shorty@example.org", "--name", "Short Password", "--password-stdin"], { dataDir, input: "short\n" });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
      expect(run.stderr).toMatch(/password/i);
      expect(portal.db.$client.prepare("select count(*) as n from users where email = 'shorty@example.org'").get()).toEqual({ n: 0 });
    });

    it.each([
      ["without --password-stdin", ["admin:create", "--email", "x@example.org", "--name", "No Stdin Flag"]],
      ["without --email", ["admin:create", "--name", "No Email", "--password-stdin"]],
      ["with an unknown flag", ["admin:create", "--email", "x@example.org", "--name", "X", "--password-stdin", "--admin-of-everything"]],
      ["with an unknown country", ["admin:create", "--email", "x@example.org", "--name", "X", "--password-stdin", "--country", "ZZ"]],
      ["an unknown command", ["make-me-admin"]],
      ["no command at all", []],
    ])("%s is a usage error (exit 2, one error line)", async (_name, args) => {
      const run = await runCli(args, { dataDir, input: PASSWORD });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
      expect(run.stdout).toBe("");
    });

    it("help lists the commands on standard output", async () => {
      const run = await runCli(["help"], { dataDir });
      expect(run.code).toBe(0);
      for (const c of ["admin:create", "token:create", "backup", "audit:verify"]) expect(run.stdout).toContain(c);
    });
  });

  describe("token:create", () => {
    it("prints only the token, and it works as a bearer token against the portal", async () => {
      const run = await runCli(["token:create", "--email", adminEmail], { dataDir });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ewtp_pat_[a-z2-7]+\n$/);
      const token = run.stdout.trim();
      const me = await call(portal, "/me", { token });
      expect(me.status, me.text).toBe(200);
      expect(me.body.user.email).toBe(adminEmail);
      expect(me.body.role).toBe("admin");
      const created = await call(portal, "/orgs", { method: "POST", token, body: { name: "Made With A CLI Token", kind: "company", country: "CN" } });
      expect(created.status, created.text).toBe(201);
    });

    it("--read-only --label gives a labelled token that reads but cannot write", async () => {
      const run = await runCli(["token:create", "--email", adminEmail, "--label", "CI reader", "--read-only"], { dataDir });
      expect(run.code).toBe(0);
      const token = run.stdout.trim();
      expect(token).toMatch(/^ewtp_pat_/);
      expect((await call(portal, "/me", { token })).status).toBe(200);
      const refused = await call(portal, "/orgs", { method: "POST", token, body: { name: "Read Only Attempt", kind: "company", country: "CN" } });
      expect(refused.status).toBe(403);
      expect(portal.db.$client.prepare("select read_only from access_tokens where label = 'CI reader'").get()).toEqual({ read_only: 1 });
    });

    it("an unknown account is refused with one error line and no token", async () => {
      const run = await runCli(["token:create", "--email", "nobody@example.org"], { dataDir });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
    });

    it("a bad email is a usage error", async () => {
      const run = await runCli(["token:create", "--email", "nobody"], { dataDir });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
    });
  });

  describe("backup", () => {
    it("writes a valid, self-contained SQLite file containing the admin, while the portal runs", async () => {
      const out = path.join(dataDir, "backup-1.db");
      const run = await runCli(["backup", "--out", out], { dataDir });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(fs.existsSync(`${out}-wal`)).toBe(false);
      const d = openReadOnly(out);
      try {
        expect(d.pragma("integrity_check", { simple: true })).toBe("ok");
        expect(d.prepare("select role, status from users where email = ?").get(adminEmail)).toEqual({ role: "admin", status: "active" });
        expect((d.prepare("select count(*) as n from audit_events").get() as { n: number }).n).toBeGreaterThan(0);
      } finally {
        d.close();
      }
      expect((await call(portal, "/openapi.json")).status).toBe(200);
    });

    it("refuses to overwrite an existing file, which stays as it was", async () => {
      const out = path.join(dataDir, "precious.db");
      fs.writeFileSync(out, "do not overwrite me");
      const run = await runCli(["backup", "--out", out], { dataDir });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
      expect(run.stderr).toMatch(/exists/);
      expect(fs.readFileSync(out, "utf8")).toBe("do not overwrite me");
    });

    it("refuses a second backup onto the first", async () => {
      const out = path.join(dataDir, "backup-2.db");
      expect((await runCli(["backup", "--out", out], { dataDir })).code).toBe(0);
      const digest = createHash("sha256").update(fs.readFileSync(out)).digest("hex");
      const again = await runCli(["backup", "--out", out], { dataDir });
      expect(again.code).toBe(1);
      expect(createHash("sha256").update(fs.readFileSync(out)).digest("hex")).toBe(digest);
    });

    it("without --out is a usage error", async () => {
      const run = await runCli(["backup"], { dataDir });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
    });
  });

  describe("audit:verify", () => {
    it("reports an intact chain with its number of entries", async () => {
      const run = await runCli(["audit:verify"], { dataDir });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^audit chain ok: ${count("audit_events")} entries\ncheckpoints ok: \\d+ signed; the latest covers entry \\d+ `));
    });

    it("names the first tampered entry and exits 1", async () => {
      portal.db.$client.exec("DROP TRIGGER audit_events_no_update"); // as with the sqlite3 command line
      portal.db.$client.prepare(`update audit_events set data = '{"tampered":true}' where seq = 2`).run();
      const run = await runCli(["audit:verify"], { dataDir });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toMatch(ONE_ERROR_LINE);
      expect(run.stderr).toMatch(/entry 2\b/);
    });
  });
});
