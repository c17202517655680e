/**
 * The implementer's check of a release repository (`verify --from URL-or-DIR --root-key KEYID`):
 * the portal itself, a static mirror of it, or a directory made by `export:repository`.
 *
 * Trust starts from one pinned key id (the index key's, hex SHA-256 of its raw public key). The
 * key document (`api/v1/keys`) only supplies the bytes of that key, and they must hash to the pin;
 * the signed index then names the release key, so nothing unsigned is ever trusted. Checked, in
 * order: the index signature, its type and expiry, rollback against the last index this machine
 * accepted (stored in a state file), then for every release the manifest's length and SHA-256
 * against the index, its signature by the release key, and every file's length and SHA-256 against
 * the manifest. Reads are bounded by the listed lengths, so a huge file cannot exhaust memory.
 *
 * This module is deliberately free of the portal's database and server code: only node:crypto,
 * node:fs, fetch, canonicalize and zod, so it can be lifted out as a standalone tool.
 */
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import canonicalize from "canonicalize";
import { z } from "zod";

/** How long one fetch (headers and body) may take before it counts as failed. */
export const DEFAULT_TIMEOUT_MS = 30_000;
/** The largest index or key document read (a bound, not a format rule). */
const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

export const INDEX_PATH = "api/v1/index.json";
const KEYS_PATHS = ["api/v1/keys", "api/v1/keys.json"];

/** A path segment we are willing to build a path from: no separators, not `.` or `..`. */
const SEGMENT = /^(?!\.\.?$)[A-Za-z0-9._+-]{1,200}$/;
const HEX64 = /^[0-9a-f]{64}$/;

export type VerifyOptions = {
  /** `http(s)://…` base of a portal or mirror, or a directory made by `export:repository`. */
  from: string;
  /** The pinned index key id (64 hex digits). */
  rootKey: string;
  /** The file that keeps the last accepted index (see `defaultStatePath`). */
  statePath: string;
  /** Check this one release (`ID@VERSION`) instead of all (the index is still checked). */
  release?: string;
  /** The time expiry is judged against (default now). */
  now?: Date;
  /** Per-fetch timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
};

export type VerifyReport =
  | { ok: true; summary: string; indexVersion: number; expires: string; releases: number; files: number }
  | { ok: false; problems: string[] };

// ─── Formats ──────────────────────────────────────────────────────────────────────────────────────

const SignedDocumentShape = z.object({
  signed: z.record(z.string(), z.unknown()),
  signatures: z.array(z.object({ keyid: z.string(), sig: z.string() })).min(1),
});

const Digest = z.object({ sha256: z.string().regex(HEX64, "is not 64 lowercase hex digits"), length: z.number().int().nonnegative() });

const IndexSigned = z.object({
  _type: z.literal("index"),
  version: z.number().int().nonnegative(),
  expires: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "is not a date"),
  releases: z.record(z.string(), Digest),
  keys: z.array(z.object({ keyid: z.string(), role: z.string(), publicKey: z.string() })).optional(),
});

const ManifestSigned = z.object({
  _type: z.literal("release"),
  standard: z.string(),
  version: z.string(),
  files: z.record(z.string(), Digest),
});

const KeysDocument = z.object({ keys: z.array(z.object({ keyid: z.string(), publicKey: z.string() }).loose()) });

const StateFile = z.object({
  rootKey: z.string(),
  version: z.number().int().nonnegative(),
  sha256: z.string().regex(HEX64),
  expires: z.string(),
  acceptedAt: z.string(),
  /** The accepted index, as text, for a human to inspect. */
  index: z.string(),
});

/** Where the last accepted index is kept: `$XDG_STATE_HOME/ewtp-verify/<root-key>.json` or `~/.local/state/…`. */
export function defaultStatePath(rootKey: string, environment: Record<string, string | undefined> = process.env): string {
  const base = environment.XDG_STATE_HOME && path.isAbsolute(environment.XDG_STATE_HOME) ? environment.XDG_STATE_HOME : path.join(os.homedir(), ".local", "state");
  return path.join(base, "ewtp-verify", `${rootKey.toLowerCase()}.json`);
}

// ─── Reading from a directory or a URL, bounded ──────────────────────────────────────────────────

type ReadResult =
  | { kind: "ok"; length: number; sha256: string; bytes?: Buffer }
  | { kind: "missing"; detail: string }
  | { kind: "too-long" }
  | { kind: "failed"; detail: string };

/** A repository: resolves `api/v1/...` paths against a base and reads them with a byte limit. */
export type RepositorySource = {
  describe: string;
  /** Reads `rel`, hashing as it goes; stops after `limit + 1` bytes; keeps the bytes only when `keep`. */
  read: (rel: string, limit: number, keep: boolean) => Promise<ReadResult>;
};

async function consume(chunks: AsyncIterable<Uint8Array>, limit: number, keep: boolean): Promise<ReadResult> {
  const hash = createHash("sha256");
  const kept: Buffer[] = [];
  let length = 0;
  for await (const chunk of chunks) {
    length += chunk.byteLength;
    // Leaving the loop early closes the stream: a huge file is never read past its listed length.
    if (length > limit) return { kind: "too-long" };
    hash.update(chunk);
    if (keep) kept.push(Buffer.from(chunk));
  }
  return { kind: "ok", length, sha256: hash.digest("hex"), bytes: keep ? Buffer.concat(kept) : undefined };
}

function directorySource(dir: string): RepositorySource {
  const root = path.resolve(dir);
  return {
    describe: root,
    read: async (rel, limit, keep) => {
      const file = path.resolve(root, ...rel.split("/"));
      if (!file.startsWith(root + path.sep)) return { kind: "failed", detail: "outside the repository directory" };
      let stat: fs.Stats;
      try {
        stat = await fs.promises.stat(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing", detail: `${file} does not exist` };
        return { kind: "failed", detail: (err as Error).message };
      }
      if (!stat.isFile()) return { kind: "failed", detail: `${file} is not a regular file` };
      if (stat.size > limit) return { kind: "too-long" };
      try {
        return await consume(fs.createReadStream(file, { highWaterMark: 64 * 1024 }), limit, keep);
      } catch (err) {
        return { kind: "failed", detail: (err as Error).message };
      }
    },
  };
}

function fetchFailure(err: unknown, timeoutMs: number): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return `no complete answer within ${timeoutMs / 1000} s`;
  const cause = e?.cause?.code ?? e?.cause?.message;
  return cause ? `${e.message} (${cause})` : (e?.message ?? String(err));
}

function urlSource(base: string, timeoutMs: number): RepositorySource {
  const baseUrl = new URL(base.endsWith("/") ? base : `${base}/`);
  return {
    describe: baseUrl.href,
    read: async (rel, limit, keep) => {
      const url = new URL(rel.split("/").map(encodeURIComponent).join("/"), baseUrl);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json, */*" } });
        if (res.status === 404 || res.status === 410) {
          await res.body?.cancel();
          return { kind: "missing", detail: `${url.href} answered ${res.status}` };
        }
        if (!res.ok || !res.body) {
          await res.body?.cancel();
          return { kind: "failed", detail: `${url.href} answered ${res.status}` };
        }
        // Without a content encoding the declared length is the body's: refuse early when it is too long.
        const declared = Number(res.headers.get("content-length"));
        if (!res.headers.get("content-encoding") && Number.isFinite(declared) && declared > limit) {
          await res.body.cancel();
          return { kind: "too-long" };
        }
        return await consume(res.body as unknown as AsyncIterable<Uint8Array>, limit, keep);
      } catch (err) {
        return { kind: "failed", detail: `${url.href}: ${fetchFailure(err, timeoutMs)}` };
      }
    },
  };
}

/** The source for `--from`: an http(s) URL, or an existing directory; null when it is neither. */
export function repositorySource(from: string, timeoutMs = DEFAULT_TIMEOUT_MS): RepositorySource | null {
  if (/^https?:\/\//i.test(from)) {
    try {
      return urlSource(from, timeoutMs);
    } catch {
      return null;
    }
  }
  try {
    if (fs.statSync(from).isDirectory()) return directorySource(from);
  } catch {
    // Not there: the caller reports it.
  }
  return null;
}

// ─── Signatures ───────────────────────────────────────────────────────────────────────────────────

/** An Ed25519 public key from base64 raw bytes, checked against its key id; or a reason it is unusable. */
function pinnedPublicKey(keyid: string, publicKeyBase64: string): KeyObject | string {
  const raw = Buffer.from(publicKeyBase64, "base64");
  if (raw.length !== 32) return `is not a 32-byte Ed25519 public key`;
  if (createHash("sha256").update(raw).digest("hex") !== keyid) return `does not hash to its key id ${keyid}`;
  try {
    return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: raw.toString("base64url") }, format: "jwk" });
  } catch (err) {
    return `cannot be read: ${(err as Error).message}`;
  }
}

/** Whether one of the document's signatures by `keyid` verifies over the canonical JSON of `signed`. */
function signatureVerifies(doc: z.infer<typeof SignedDocumentShape>, keyid: string, key: KeyObject): boolean {
  const text = canonicalize(doc.signed);
  if (text === undefined) return false;
  const bytes = Buffer.from(text, "utf8");
  return doc.signatures.some((s) => {
    if (s.keyid !== keyid) return false;
    try {
      return verifySignature(null, bytes, key, Buffer.from(s.sig, "base64"));
    } catch {
      return false;
    }
  });
}

function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function zodProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue?.path.length ? issue.path.map(String).join(".") : "the document";
  return `${where}: ${issue?.message ?? "not valid"}`;
}

function readProblem(what: string, result: Exclude<ReadResult, { kind: "ok" }>, limit: number): string {
  if (result.kind === "missing") return `${what} is missing (${result.detail})`;
  if (result.kind === "too-long") return `${what} is longer than its listed length (${limit} bytes)`;
  return `${what} cannot be read: ${result.detail}`;
}

// ─── The state file (rollback protection) ─────────────────────────────────────────────────────────

type Stored = z.infer<typeof StateFile>;

function readState(file: string): { ok: true; state: Stored | null } | { ok: false; problem: string } {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, state: null };
    return { ok: false, problem: `the state file ${file} cannot be read: ${(err as Error).message}` };
  }
  const parsed = parseJson(Buffer.from(text, "utf8"));
  const state = parsed.ok ? StateFile.safeParse(parsed.value) : null;
  if (!state?.success)
    return { ok: false, problem: `the state file ${file} is not a stored index (${parsed.ok ? zodProblem(state!.error) : parsed.message}); move it away only if you trust this repository afresh` };
  return { ok: true, state: state.data };
}

function writeState(file: string, state: Stored): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
}

// ─── The check ────────────────────────────────────────────────────────────────────────────────────

/** Splits an index entry name `ID@VERSION` into safe path segments; null when it is not one. */
function releaseName(name: string): { standard: string; version: string } | null {
  const at = name.lastIndexOf("@");
  if (at <= 0) return null;
  const standard = name.slice(0, at);
  const version = name.slice(at + 1);
  return SEGMENT.test(standard) && SEGMENT.test(version) ? { standard, version } : null;
}

type ReleaseCheck = { problems: string[]; files: number };

async function verifyRelease(
  source: RepositorySource,
  name: string,
  entry: z.infer<typeof Digest>,
  releaseKeys: Map<string, KeyObject>,
): Promise<ReleaseCheck> {
  const problems: string[] = [];
  const parts = releaseName(name);
  if (!parts) return { problems: [`${name}: the index names a release that is not STANDARD@VERSION with plain path segments`], files: 0 };
  const dir = `api/v1/standards/${parts.standard}/releases/${parts.version}`;
  const manifestPath = `${dir}/manifest.json`;
  const what = `${name}: manifest ${manifestPath}`;

  const read = await source.read(manifestPath, entry.length, true);
  if (read.kind !== "ok") return { problems: [readProblem(what, read, entry.length)], files: 0 };
  if (read.length !== entry.length) return { problems: [`${what} is shorter than its listed length (${read.length} of ${entry.length} bytes)`], files: 0 };
  if (read.sha256 !== entry.sha256)
    return { problems: [`${what}: SHA-256 does not match the index (tampered, or the manifest of another release)`], files: 0 };

  const json = parseJson(read.bytes!);
  const doc = json.ok ? SignedDocumentShape.safeParse(json.value) : null;
  if (!doc?.success) return { problems: [`${what} is not a signed document (${json.ok ? zodProblem(doc!.error) : json.message})`], files: 0 };
  const signedBy = [...releaseKeys].find(([keyid, key]) => signatureVerifies(doc.data, keyid, key));
  if (!signedBy) return { problems: [`${what}: signature does not verify with the release key listed in the index`], files: 0 };
  const manifest = ManifestSigned.safeParse(doc.data.signed);
  if (!manifest.success) return { problems: [`${what}: signed.${zodProblem(manifest.error)}`], files: 0 };
  if (manifest.data.standard !== parts.standard || manifest.data.version !== parts.version)
    return { problems: [`${what} is for ${manifest.data.standard}@${manifest.data.version}, not ${name}`], files: 0 };

  let files = 0;
  for (const [file, digest] of Object.entries(manifest.data.files)) {
    const label = `${name}: ${file}`;
    if (!SEGMENT.test(file)) {
      problems.push(`${label}: the manifest names a file that is not a plain file name`);
      continue;
    }
    const got = await source.read(`${dir}/${file}`, digest.length, false);
    if (got.kind !== "ok") problems.push(readProblem(label, got, digest.length));
    else if (got.length !== digest.length) problems.push(`${label} is shorter than its listed length (${got.length} of ${digest.length} bytes)`);
    else if (got.sha256 !== digest.sha256) problems.push(`${label}: SHA-256 does not match the manifest (tampered, or a file from another release)`);
    else files += 1;
  }
  return { problems, files };
}

/** Fetches the key document and returns the pinned root key, checked against its id. */
async function rootPublicKey(source: RepositorySource, rootKey: string): Promise<{ key: KeyObject } | { problem: string }> {
  let lastProblem = "";
  for (const rel of KEYS_PATHS) {
    const read = await source.read(rel, 1024 * 1024, true);
    if (read.kind === "missing") {
      lastProblem = readProblem(rel, read, 0);
      continue; // a mirror may only have keys.json
    }
    if (read.kind !== "ok") return { problem: readProblem(rel, read, 1024 * 1024) };
    const json = parseJson(read.bytes!);
    const doc = json.ok ? KeysDocument.safeParse(json.value) : null;
    if (!doc?.success) return { problem: `${rel} is not a key document (${json.ok ? zodProblem(doc!.error) : json.message})` };
    const listed = doc.data.keys.find((k) => k.keyid.toLowerCase() === rootKey);
    if (!listed) return { problem: `${rel} does not list the root key ${rootKey}` };
    const key = pinnedPublicKey(rootKey, listed.publicKey);
    if (typeof key === "string") return { problem: `${rel}: the public key listed for the root key ${key}; the key document cannot be trusted` };
    return { key };
  }
  return { problem: lastProblem };
}

/** Verifies a repository; never throws for anything the repository or the network does. */
export async function verifyRepository(options: VerifyOptions): Promise<VerifyReport> {
  const rootKey = options.rootKey.toLowerCase();
  const now = options.now ?? new Date();
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fail = (...problems: string[]): VerifyReport => ({ ok: false, problems });
  const source = repositorySource(options.from, timeoutMs);
  if (!source) return fail(`${options.from} is neither an http(s) URL nor a directory`);

  const stored = readState(options.statePath);
  if (!stored.ok) return fail(stored.problem);

  // The index: read, parse, find the root key's signature, and verify it with the pinned key.
  const indexRead = await source.read(INDEX_PATH, MAX_DOCUMENT_BYTES, true);
  if (indexRead.kind !== "ok") return fail(readProblem(INDEX_PATH, indexRead, MAX_DOCUMENT_BYTES));
  const indexBytes = indexRead.bytes!;
  const indexJson = parseJson(indexBytes);
  if (!indexJson.ok) return fail(`${INDEX_PATH} is not JSON (${indexJson.message})`);
  const indexDoc = SignedDocumentShape.safeParse(indexJson.value);
  if (!indexDoc.success) return fail(`${INDEX_PATH} is not a signed document (${zodProblem(indexDoc.error)})`);
  const signers = indexDoc.data.signatures.map((s) => s.keyid);
  if (!signers.some((k) => k.toLowerCase() === rootKey))
    return fail(`${INDEX_PATH} has no signature by the root key ${rootKey} (signed by ${signers.join(", ")}): a wrong --root-key, or not this portal's index`);
  const root = await rootPublicKey(source, rootKey);
  if ("problem" in root) return fail(root.problem);
  const rootKeyid = signers.find((k) => k.toLowerCase() === rootKey)!;
  if (!signatureVerifies(indexDoc.data, rootKeyid, root.key))
    return fail(`${INDEX_PATH}: the signature by the root key does not verify (the index was altered after signing)`);

  const index = IndexSigned.safeParse(indexDoc.data.signed);
  if (!index.success) return fail(`${INDEX_PATH}: signed.${zodProblem(index.error)}`);
  const { version, expires, releases } = index.data;

  // Freshness and rollback: every problem here is reported, then we stop (the index is not to be used).
  const indexProblems: string[] = [];
  if (Date.parse(expires) <= now.getTime())
    indexProblems.push(`${INDEX_PATH}: index expired at ${expires} (checked at ${now.toISOString()}): a stale copy or a frozen mirror`);
  const indexSha256 = createHash("sha256").update(indexBytes).digest("hex");
  const last = stored.state;
  if (last && version < last.version)
    indexProblems.push(`${INDEX_PATH}: index version ${version} is older than the stored version ${last.version} (rollback or frozen mirror)`);
  else if (last && version === last.version && indexSha256 !== last.sha256)
    indexProblems.push(`${INDEX_PATH}: index version ${version} differs from the stored index of the same version (two indexes under one version: refused)`);
  if (indexProblems.length) return fail(...indexProblems);

  // The release key comes from the signed index, so pinning the index key pins it too.
  const releaseKeys = new Map<string, KeyObject>();
  const keyProblems: string[] = [];
  for (const k of index.data.keys ?? []) {
    if (k.role !== "release") continue;
    const key = pinnedPublicKey(k.keyid, k.publicKey);
    if (typeof key === "string") keyProblems.push(`${INDEX_PATH}: the release key ${k.keyid} ${key}`);
    else releaseKeys.set(k.keyid, key);
  }
  if (keyProblems.length) return fail(...keyProblems);

  let selected = Object.entries(releases);
  if (options.release) {
    selected = selected.filter(([name]) => name === options.release);
    if (!selected.length) return fail(`${options.release} is not in the index (version ${version})`);
  }
  if (selected.length && !releaseKeys.size) return fail(`${INDEX_PATH} lists no release key (signed.keys), so no manifest can be verified`);

  const problems: string[] = [];
  let files = 0;
  for (const [name, entry] of selected.sort(([a], [b]) => a.localeCompare(b))) {
    const check = await verifyRelease(source, name, entry, releaseKeys);
    problems.push(...check.problems);
    files += check.files;
  }
  if (problems.length) return fail(...problems);

  try {
    writeState(options.statePath, { rootKey, version, sha256: indexSha256, expires, acceptedAt: now.toISOString(), index: indexBytes.toString("utf8") });
  } catch (err) {
    return fail(`the repository verified, but the state file ${options.statePath} cannot be written: ${(err as Error).message}`);
  }
  const n = selected.length;
  return {
    ok: true,
    indexVersion: version,
    expires,
    releases: n,
    files,
    summary: `ok: index version ${version} (expires ${expires}), ${n} release${n === 1 ? "" : "s"}, ${files} file${files === 1 ? "" : "s"} verified`,
  };
}
