/**
 * The administration CLI: `npm run -s portal -- <command> [flags]` (`-s` keeps npm's own banner off
 * standard output, which matters for `token:create`).
 *
 * It reads DATA_DIR like the server, applies migrations and the seed, so it works on a fresh data
 * directory and next to a running portal (SQLite WAL). Exit codes: 0 success; 1 the command failed;
 * 2 the command line is wrong. On failure it writes exactly one line, `error: <message>`, to stderr.
 */
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import Database from "better-sqlite3";
import { z } from "zod";
import { seedDatabase } from "../../db/seed";
import { verifyAuditRecord } from "../domain/checkpoints.server";
import { exportRepository } from "../releases/export.server";
import { defaultStatePath, verifyRepository } from "../releases/verify";
import { createAccessToken, createOrganization, createUser, findUserByEmail, listOrganizations } from "../domain/members.server";
import { AccessTokenInputSchema, CountrySchema, EmailSchema, PasswordSchema, PersonNameSchema } from "../domain/members.schemas";
import { keyPath, KEY_ROLES } from "../domain/signing-keys.server";
import { closeDb, db } from "../utils/db.server";
import { readEnv, setEnv } from "../utils/env.server";

/** The command line is wrong (unknown command or flag, missing or invalid flag value): exit code 2. */
export class UsageError extends Error {}

/** The command could not do its job: exit code 1. */
export class CommandError extends Error {}

/** The command found several problems (`verify`): exit code 1, one `error:` line per problem. */
export class ProblemsError extends CommandError {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

/** Where a command writes and reads, so the CLI can run in-process or as its own process. */
export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** The whole of standard input (only read by commands that ask for it). */
  readStdin: () => Promise<string>;
  /** True when standard input is a terminal (no password piped in). */
  stdinIsTty: boolean;
  /** The directory relative paths in flags are resolved against. */
  cwd: string;
};

type Options = NonNullable<ParseArgsConfig["options"]>;

type Command = {
  usage: string;
  summary: string;
  options: Options;
  schema: z.ZodType<any>;
  run: (flags: any, io: CliIo) => Promise<void>;
};

/** The organisation every secretariat admin belongs to. */
export const SECRETARIAT_NAME = "Secretariat";

const AdminCreateFlags = z.object({
  email: EmailSchema,
  name: PersonNameSchema,
  "password-stdin": z.literal(true, { message: "is required: pipe the password on standard input" }),
  country: CountrySchema.optional(),
});

const TokenCreateFlags = z.object({
  email: EmailSchema,
  label: AccessTokenInputSchema.shape.label.optional(),
  "read-only": z.boolean().optional(),
});

const BackupFlags = z.object({
  out: z.string().trim().min(1, "give the backup file's path"),
});

const RestoreFlags = z.object({
  from: z.string().trim().min(1, "give the backup file's path"),
  "keys-from": z.string().trim().min(1, "give the folder holding the signing keys (the old DATA_DIR/keys)").optional(),
});

const NoFlags = z.object({});

const ExportRepositoryFlags = z.object({
  out: z.string().trim().min(1, "give the directory to export into"),
});

const VerifyFlags = z.object({
  from: z.string().trim().min(1, "give the portal's or mirror's base URL, or an exported directory"),
  "root-key": z
    .string()
    .trim()
    .regex(/^[0-9a-fA-F]{64}$/, "must be the index key id: 64 hex digits (the SHA-256 of the index public key)")
    .transform((k) => k.toLowerCase()),
  state: z.string().trim().min(1, "give the state file's path").optional(),
  release: z
    .string()
    .trim()
    .regex(/^[^@\s]+@[^@\s]+$/, "must be ID@VERSION, e.g. EWTP-TAR-001@1.0.0")
    .optional(),
});

let openedDatabase = false;

/** Opens the database of DATA_DIR (as the server does), migrated and seeded. */
function openPortalDatabase() {
  setEnv(readEnv());
  openedDatabase = true;
  const handle = db(); // opens and applies migrations
  seedDatabase();
  return handle;
}

/** `--from` as verify takes it: an http(s) URL as given, or a directory resolved against the working directory. */
function repositoryLocation(from: string, cwd: string): string {
  if (/^https?:\/\//i.test(from)) {
    if (!URL.canParse(from)) throw new UsageError(`--from: ${from} is not a valid URL`);
    return from;
  }
  const dir = path.resolve(cwd, from);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UsageError(`--from: ${from} is neither an http(s) URL nor an existing directory`);
  return dir;
}

const commands: Record<string, Command> = {
  "admin:create": {
    usage: "admin:create --email E --name N --password-stdin [--country CC]",
    summary: 'creates an active secretariat admin (and the "Secretariat" organisation if missing; country default CH); the password is read from standard input',
    options: { email: { type: "string" }, name: { type: "string" }, "password-stdin": { type: "boolean" }, country: { type: "string" } },
    schema: AdminCreateFlags,
    run: async (flags: z.infer<typeof AdminCreateFlags>, io) => {
      if (io.stdinIsTty) throw new UsageError("--password-stdin reads the password from a pipe, e.g. printf '%s\\n' \"$PASSWORD\" | npm run -s portal -- admin:create …");
      const raw = (await io.readStdin()).replace(/\r?\n$/, "");
      const password = PasswordSchema.safeParse(raw);
      if (!password.success) throw new CommandError(`password from standard input: ${password.error.issues[0]?.message ?? "not valid"}`);
      openPortalDatabase();
      if (findUserByEmail(flags.email)) throw new CommandError(`an account for ${flags.email} already exists`);
      let org = listOrganizations().find((o) => o.name.toLowerCase() === SECRETARIAT_NAME.toLowerCase());
      if (org && org.kind !== "secretariat")
        throw new CommandError(`the organisation "${org.name}" exists but is of kind ${org.kind}, not secretariat; rename it first`);
      org ??= createOrganization({ name: SECRETARIAT_NAME, kind: "secretariat", country: flags.country ?? "CH" }, null);
      const { user } = await createUser({ email: flags.email, name: flags.name, orgId: org.id, role: "admin", password: password.data }, null);
      io.stdout(`created admin ${user.email} (${user.id}) in organisation ${org.name}\n`);
    },
  },
  "token:create": {
    usage: "token:create --email E [--label L] [--read-only]",
    summary: "prints a new personal access token of that user on standard output, and nothing else",
    options: { email: { type: "string" }, label: { type: "string" }, "read-only": { type: "boolean" } },
    schema: TokenCreateFlags,
    run: async (flags: z.infer<typeof TokenCreateFlags>, io) => {
      openPortalDatabase();
      const user = findUserByEmail(flags.email);
      if (!user) throw new CommandError(`no account for ${flags.email}`);
      if (user.status !== "active") throw new CommandError(`the account ${user.email} is ${user.status}, not active: a token of it would not work`);
      const token = createAccessToken(user.id, flags.label ?? "created with the portal CLI", flags["read-only"] ?? false);
      io.stdout(`${token.token}\n`);
    },
  },
  backup: {
    usage: "backup --out FILE",
    summary: "writes a consistent online backup of the database (SQLite backup API) to a new file",
    options: { out: { type: "string" } },
    schema: BackupFlags,
    run: async (flags: z.infer<typeof BackupFlags>, io) => {
      const out = path.resolve(io.cwd, flags.out);
      if (fs.existsSync(out)) throw new CommandError(`${out} already exists; a backup never overwrites a file`);
      if (!fs.existsSync(path.dirname(out))) throw new CommandError(`the folder ${path.dirname(out)} does not exist`);
      // A backup only reads: a read-only connection, without the migrations and seeding the other
      // commands run on opening (they take the write lock a running portal needs for its writes).
      const file = path.join(readEnv().dataDir, "portal.db");
      if (!fs.existsSync(file)) throw new CommandError(`there is no database at ${file} to back up (is DATA_DIR right?)`);
      const source = new Database(file, { readonly: true, fileMustExist: true });
      source.pragma("busy_timeout = 5000");
      // Claim the name atomically, so a file appearing meanwhile is not overwritten either.
      try {
        fs.closeSync(fs.openSync(out, "wx"));
      } catch (err) {
        throw new CommandError(`cannot create ${out}: ${(err as Error).message}`);
      }
      try {
        // After the first step, copy every remaining page in one step: one read transaction, so the
        // running portal's writes (another connection) cannot restart the copy again and again.
        const progress = await source.backup(out, { progress: () => 0x7fffffff });
        // Make the copy one self-contained file (no -wal/-shm beside it) and check it reads back.
        const copy = new Database(out, { fileMustExist: true });
        try {
          copy.pragma("journal_mode = DELETE");
          const check = copy.pragma("integrity_check", { simple: true });
          if (check !== "ok") throw new CommandError(`the backup failed its integrity check: ${String(check)}`);
        } finally {
          copy.close();
        }
        io.stdout(`backup written to ${out} (${progress.totalPages} pages)\n`);
      } catch (err) {
        fs.rmSync(out, { force: true });
        throw err;
      } finally {
        source.close();
      }
    },
  },
  restore: {
    usage: "restore --from FILE [--keys-from DIR]",
    summary:
      "installs a backup as DATA_DIR's database (DATA_DIR must hold none): checks its integrity, copies the signing keys from DIR (the old DATA_DIR/keys) unless DATA_DIR has them or RELEASE_KEY_PATH/INDEX_KEY_PATH name them, migrates it and verifies the audit record",
    options: { from: { type: "string" }, "keys-from": { type: "string" } },
    schema: RestoreFlags,
    run: async (flags: z.infer<typeof RestoreFlags>, io) => {
      const from = path.resolve(io.cwd, flags.from);
      if (!fs.existsSync(from) || !fs.statSync(from).isFile()) throw new CommandError(`no backup file at ${from}`);
      const env = readEnv();
      const target = path.join(env.dataDir, "portal.db");
      for (const f of [target, `${target}-wal`])
        if (fs.existsSync(f)) throw new CommandError(`${f} already exists: restore only into a DATA_DIR without a database (stop the portal and move the old one aside first)`);
      // The backup must be a sound SQLite database before anything is written.
      let signed: boolean;
      try {
        const backup = new Database(from, { readonly: true, fileMustExist: true });
        try {
          const check = backup.pragma("integrity_check", { simple: true });
          if (check !== "ok") throw new CommandError(`the backup fails its integrity check: ${String(check)}`);
          const count = (table: string) => (backup.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
          signed = count("audit_checkpoints") + count("releases") > 0;
        } finally {
          backup.close();
        }
      } catch (err) {
        if (err instanceof CommandError) throw err;
        throw new CommandError(`${from} is not a portal backup: ${(err as Error).message}`);
      }
      // Signed checkpoints and releases verify only with the keys that signed them.
      setEnv(env);
      const keysFrom = flags["keys-from"] ? path.resolve(io.cwd, flags["keys-from"]) : null;
      const copies: { from: string; to: string }[] = [];
      for (const role of KEY_ROLES) {
        const { file, configured } = keyPath(role);
        if (fs.existsSync(file)) continue;
        const source = keysFrom && path.join(keysFrom, path.basename(file));
        if (!configured && source && fs.existsSync(source)) copies.push({ from: source, to: file });
        else if (signed)
          throw new CommandError(
            `the backup holds signed checkpoints or releases, but the ${role} key is not at ${file}: give --keys-from with the old DATA_DIR/keys folder (or set RELEASE_KEY_PATH and INDEX_KEY_PATH); with new keys the record would not verify`,
          );
      }
      fs.mkdirSync(env.dataDir, { recursive: true });
      for (const c of copies) {
        fs.mkdirSync(path.dirname(c.to), { recursive: true, mode: 0o700 });
        fs.copyFileSync(c.from, c.to, fs.constants.COPYFILE_EXCL);
        fs.chmodSync(c.to, 0o600);
      }
      // Copy under a temporary name, flush it, then rename: a crash leaves no half-copied portal.db.
      const partial = `${target}.restoring`;
      fs.copyFileSync(from, partial);
      const fd = fs.openSync(partial, "r+");
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      fs.renameSync(partial, target);
      openPortalDatabase(); // migrates a backup from an older version
      const check = db().$client.pragma("integrity_check", { simple: true });
      const result = verifyAuditRecord();
      if (check !== "ok" || !result.ok) {
        closeDb();
        for (const f of [target, `${target}-wal`, `${target}-shm`]) fs.rmSync(f, { force: true });
        for (const c of copies) fs.rmSync(c.to, { force: true });
        const problem = !result.ok ? `audit record fails at entry ${result.problem.seq}: ${result.problem.message}` : `integrity check: ${String(check)}`;
        throw new CommandError(`the restored database was removed again: ${problem}`);
      }
      io.stdout(`restored ${from} into ${target}${copies.length ? ` (with the signing keys from ${keysFrom})` : ""}\n`);
      io.stdout(`integrity ok; audit chain ok: ${result.entries} entries, ${result.checkpoints} signed checkpoints\n`);
    },
  },
  "audit:verify": {
    usage: "audit:verify",
    summary: "recomputes the audit hash chain and checks every signed checkpoint; names the first bad entry or checkpoint",
    options: {},
    schema: NoFlags,
    run: async (_flags, io) => {
      openPortalDatabase();
      const result = verifyAuditRecord();
      if (!result.ok) {
        const p = result.problem;
        if (p.kind === "entry") throw new CommandError(`audit chain broken at entry ${p.seq}: ${p.message}`);
        throw new CommandError(`audit checkpoint ${p.id} (entry ${p.seq}) fails: ${p.message}`);
      }
      io.stdout(`audit chain ok: ${result.entries} entries\n`);
      io.stdout(
        result.latest
          ? `checkpoints ok: ${result.checkpoints} signed; the latest covers entry ${result.latest.seq} (signed ${result.latest.signedAt}, key ${result.keyid})\n`
          : "checkpoints ok: none signed yet\n",
      );
    },
  },
  "export:repository": {
    usage: "export:repository --out DIR",
    summary: "writes every published release, the keys and the signed index as static files (paths as the API below api/v1/; manifests as …/{version}/manifest.json) for a mirror; re-running updates DIR",
    options: { out: { type: "string" } },
    schema: ExportRepositoryFlags,
    run: async (flags: z.infer<typeof ExportRepositoryFlags>, io) => {
      const out = path.resolve(io.cwd, flags.out);
      if (fs.existsSync(out) && !fs.statSync(out).isDirectory()) throw new CommandError(`${out} exists and is not a directory`);
      openPortalDatabase();
      const done = exportRepository(out);
      io.stdout(
        `exported ${done.releases} release${done.releases === 1 ? "" : "s"}, index version ${done.indexVersion} (expires ${done.expires}) to ${done.dir} (${done.files} files, ${done.written} written)\n`,
      );
    },
  },
  verify: {
    usage: "verify --from URL-or-DIR --root-key KEYID [--state FILE] [--release ID@VERSION]",
    summary:
      "checks a portal, a mirror or an exported directory: the index signed by the pinned key, not expired, not older than the last accepted one (kept in --state, default $XDG_STATE_HOME/ewtp-verify/KEYID.json), every manifest and file by signature, length and SHA-256; names every problem",
    options: { from: { type: "string" }, "root-key": { type: "string" }, state: { type: "string" }, release: { type: "string" } },
    schema: VerifyFlags,
    run: async (flags: z.infer<typeof VerifyFlags>, io) => {
      const from = repositoryLocation(flags.from, io.cwd);
      const statePath = flags.state ? path.resolve(io.cwd, flags.state) : defaultStatePath(flags["root-key"]);
      const report = await verifyRepository({ from, rootKey: flags["root-key"], statePath, release: flags.release });
      if (!report.ok) throw new ProblemsError(report.problems);
      io.stdout(`${report.summary}\n`);
    },
  },
};

/** The help text listing every command. */
export function usageText(): string {
  const lines = ["Usage: npm run -s portal -- <command> [flags]", "", "Commands:"];
  for (const c of Object.values(commands)) lines.push(`  ${c.usage}`, `      ${c.summary}`);
  lines.push("", "DATA_DIR (default ./data) selects the database, as for the server.", "Exit codes: 0 success, 1 failure, 2 wrong command line.");
  return lines.join("\n") + "\n";
}

function flagError(error: z.ZodError, given: Record<string, unknown>): UsageError {
  const issue = error.issues[0];
  const flag = String(issue?.path[0] ?? "");
  if (flag && given[flag] === undefined) return new UsageError(`--${flag} is required`);
  return new UsageError(`--${flag}: ${issue?.message ?? "not valid"}`);
}

/** Runs one command line (without `node script`); returns the exit code. Errors go to `io.stderr` as one line. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === "help" || name === "--help" || name === "-h") {
      io.stdout(usageText());
      return 0;
    }
    if (!name) throw new UsageError(`no command given; commands: ${Object.keys(commands).join(", ")} (see "help")`);
    const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (!command) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(commands).join(", ")}`);
    let values: Record<string, unknown>;
    try {
      values = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }).values;
    } catch (err) {
      throw new UsageError(`${(err as Error).message} (usage: ${command.usage})`);
    }
    const flags = command.schema.safeParse(values);
    if (!flags.success) throw flagError(flags.error, values);
    await command.run(flags.data, io);
    return 0;
  } catch (err) {
    const messages = err instanceof ProblemsError ? err.problems : [err instanceof Error ? err.message : String(err)];
    for (const message of messages) io.stderr(`error: ${message.replace(/\s*\n\s*/g, " ").trim()}\n`);
    return err instanceof UsageError ? 2 : 1;
  } finally {
    if (openedDatabase) closeDb();
    openedDatabase = false;
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8");
}

const entry = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : "";
if (entry === import.meta.url) {
  runCli(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: () => readAll(process.stdin),
    stdinIsTty: !!process.stdin.isTTY,
    // Under npm, INIT_CWD is where the command was typed (npm itself runs in the project root).
    cwd: process.env.INIT_CWD ?? process.cwd(),
  }).then((code) => {
    process.exitCode = code;
  });
}
