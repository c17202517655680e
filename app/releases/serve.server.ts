/**
 * The release fast path: public release manifests and files, `latest` and the signed index, served
 * from bytes, ETags and gzip/brotli variants held in memory. It answers before Express (no Remix, no
 * session lookup, no middleware) and, on a warm hit, without touching the database: versioned
 * things are immutable and cached forever; `latest` and the index until `invalidateReleaseCache()`.
 *
 * The same `serveReleaseTarget` answers the documented /api/v1 routes (app/api/release-files.api.ts)
 * when a request reaches Express anyway (e.g. a percent-encoded path).
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { and, desc, eq } from "drizzle-orm";
import { RELEASE_FILE_NAMES, releaseFiles, releases } from "../../db/schema";
import { currentIndex, INDEX_RESIGN_MARGIN_MS } from "../domain/release-index.server";
import { db, type Db } from "../utils/db.server";
import { env } from "../utils/env.server";
import { loggablePath } from "../utils/log.server";
import { FEED_PATH, releasesAtom } from "./feed.server";

/** One of the files every release has. */
export type ReleaseFileName = (typeof RELEASE_FILE_NAMES)[number];

/** What a release request asks for. `file` null = the manifest; `version` "latest" = the redirect. */
export type ReleaseTarget =
  | { kind: "release"; standard: string; version: string; file: ReleaseFileName | null }
  | { kind: "latest"; standard: string; file: ReleaseFileName | null }
  | { kind: "index" }
  | { kind: "feed" };

export type ServeOptions = { logRequests: boolean; secure: boolean };

type Encoding = "br" | "gzip" | "identity";

/** A servable representation: its bytes per encoding, and the header arrays for 200 and 304 per encoding. */
type Representation = {
  etags: Set<string>;
  variants: Record<Encoding, { body: Buffer; ok: string[]; notModified: string[] } | null>;
};

const FILE_TYPES: Record<ReleaseFileName, string> = {
  "ruleset.json": "application/json; charset=utf-8",
  "conformance.json": "application/json; charset=utf-8",
  "document.md": "text/markdown; charset=utf-8",
  "document.html": "text/html; charset=utf-8",
};
const JSON_TYPE = "application/json; charset=utf-8";

const IMMUTABLE = "public, max-age=31536000, immutable";
const SHORT = "public, max-age=60";
const SEMVER = /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const STANDARD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PREFIX = "/api/v1/standards/";
const INDEX_PATH = "/api/v1/index.json";

/** True for a semantic version such as 1.2.0 (the only versions releases have). */
export function isReleaseVersion(v: string): boolean {
  return SEMVER.test(v);
}

/** True for one of the four release file names. */
export function isReleaseFileName(name: string): name is ReleaseFileName {
  return (RELEASE_FILE_NAMES as readonly string[]).includes(name);
}

// ─── Headers ────────────────────────────────────────────────────────────────────────────────────

/** The security headers helmet gives every other answer, made strict for data that is never a page. */
function securityHeaders(secure: boolean, html: boolean): string[] {
  const csp = html
    ? "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    : "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
  return [
    "Content-Security-Policy", csp,
    "Cross-Origin-Opener-Policy", "same-origin",
    // Public, immutable, never personalised: any site's script may fetch and verify it.
    "Cross-Origin-Resource-Policy", "cross-origin",
    "Access-Control-Allow-Origin", "*",
    "Access-Control-Expose-Headers", "ETag, Content-Length, Content-Encoding, Location",
    "Origin-Agent-Cluster", "?1",
    "Referrer-Policy", "same-origin",
    ...(secure ? ["Strict-Transport-Security", "max-age=31536000; includeSubDomains"] : []),
    "X-Content-Type-Options", "nosniff",
    "X-DNS-Prefetch-Control", "off",
    "X-Download-Options", "noopen",
    "X-Frame-Options", html ? "SAMEORIGIN" : "DENY",
    "X-Permitted-Cross-Domain-Policies", "none",
    "X-XSS-Protection", "0",
  ];
}

let options: ServeOptions = { logRequests: false, secure: false };
let baseHeaders = { data: securityHeaders(false, false), html: securityHeaders(false, true) };

/** Sets the logging and HTTPS options of the fast path (the server calls it once at start-up). */
export function configureReleaseServing(next: ServeOptions): void {
  options = next;
  baseHeaders = { data: securityHeaders(next.secure, false), html: securityHeaders(next.secure, true) };
  invalidateReleaseCache();
}

/** Builds a representation from identity bytes and (optional) precomputed encodings; encodings no smaller are dropped. */
function representation(input: { bytes: Buffer; sha256: string; contentType: string; cacheControl: string; html?: boolean; gzip?: Buffer | null; brotli?: Buffer | null }): Representation {
  const base = input.html ? baseHeaders.html : baseHeaders.data;
  const make = (enc: Encoding, body: Buffer | null | undefined) => {
    if (!body || (enc !== "identity" && body.length >= input.bytes.length)) return null;
    const etag = enc === "identity" ? `"${input.sha256}"` : `"${input.sha256}-${enc}"`;
    const common = ["ETag", etag, "Cache-Control", input.cacheControl, "Vary", "Accept-Encoding"];
    const encodingHeader = enc === "identity" ? [] : ["Content-Encoding", enc];
    return {
      body,
      ok: [...base, ...common, "Content-Type", input.contentType, ...encodingHeader, "Content-Length", String(body.length)],
      notModified: [...base, ...common],
    };
  };
  const variants = { identity: make("identity", input.bytes), gzip: make("gzip", input.gzip), br: make("br", input.brotli) };
  const etags = new Set([`"${input.sha256}"`, `"${input.sha256}-gzip"`, `"${input.sha256}-br"`]);
  return { etags, variants };
}

/** Compresses small documents (manifests, the index) once, when they enter the cache. */
function compressed(bytes: Buffer) {
  return {
    gzip: gzipSync(bytes, { level: 9 }),
    brotli: brotliCompressSync(bytes, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
  };
}

// ─── Content negotiation and conditional requests ───────────────────────────────────────────────

const encodingChoices = new Map<string, Encoding[]>();

/**
 * The acceptable encodings among br, gzip and identity, best first (RFC 9110 §12.5.3): by q-value,
 * ties broken br > gzip > identity; `*` covers codings not named; identity is acceptable unless
 * refused explicitly (`identity;q=0`, or `*;q=0` without naming it), after every coding named.
 */
export function acceptableEncodings(header: string | undefined): Encoding[] {
  if (!header) return ["identity"];
  const known = encodingChoices.get(header);
  if (known) return known;
  const q: Partial<Record<string, number>> = {};
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().split(";");
    const coding = name.trim().toLowerCase();
    if (!coding) continue;
    let weight = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) weight = Math.min(1, Math.max(0, Number(m[1]) || 0));
    }
    // A coding named twice keeps its best weight.
    q[coding] = Math.max(q[coding] ?? 0, weight);
  }
  const star = q["*"];
  const weightOf = (c: Encoding) => {
    if (q[c] !== undefined) return q[c]!;
    // Identity not named is acceptable, but as the last resort: a client that names codings wants them.
    if (c === "identity") return star === 0 ? 0 : (star ?? 0.001);
    if (c === "gzip" && q["x-gzip"] !== undefined) return q["x-gzip"]!;
    return star ?? 0;
  };
  const order: Encoding[] = ["br", "gzip", "identity"];
  const ranked = order
    .map((c, i) => ({ c, w: weightOf(c), i }))
    .filter((x) => x.w > 0)
    .sort((a, b) => b.w - a.w || a.i - b.i)
    .map((x) => x.c);
  // Nothing acceptable: send identity anyway (RFC 9110 allows it; better than a 406 for a file).
  const out = ranked.length ? ranked : (["identity"] as Encoding[]);
  if (encodingChoices.size > 512) encodingChoices.clear();
  encodingChoices.set(header, out);
  return out;
}

/** True when an If-None-Match header matches one of the entity tags (weak comparison, lists, `*`). */
export function ifNoneMatchHits(header: string | undefined, etags: Set<string>): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  for (const raw of header.split(",")) {
    let tag = raw.trim();
    if (tag.startsWith("W/")) tag = tag.slice(2);
    if (etags.has(tag)) return true;
  }
  return false;
}

// ─── The cache ──────────────────────────────────────────────────────────────────────────────────

type CachedRelease = { manifest: Representation; files: Map<string, Representation> };
type Redirect = { location: string; headers: string[] };

let cacheDb: Db | null = null;
const releaseCache = new Map<string, CachedRelease>();
const latestCache = new Map<string, string>();
let indexCache: { rep: Representation; refreshAt: number } | null = null;
let feedCache: { rep: Representation; publicUrl: string } | null = null;

/** Forget cached `latest` pointers, the cached index and the feed; call after a publication or a re-sign commits. */
export function invalidateReleaseCache(): void {
  latestCache.clear();
  indexCache = null;
  feedCache = null;
}

/** The database; a different connection (another test portal, a restored backup) empties every cache. */
function currentDb(): Db {
  const d = db();
  if (d !== cacheDb) {
    releaseCache.clear();
    invalidateReleaseCache();
    cacheDb = d;
  }
  return d;
}

function loadRelease(standard: string, version: string): CachedRelease | null {
  const key = `${standard}@${version}`;
  const d = currentDb();
  const hit = releaseCache.get(key);
  if (hit) return hit;
  const row = d
    .select({ id: releases.id, manifest: releases.manifest, sha: releases.manifestSha256 })
    .from(releases)
    .where(and(eq(releases.standardId, standard), eq(releases.version, version)))
    .get();
  if (!row) return null;
  const manifestBytes = Buffer.from(row.manifest, "utf8");
  const entry: CachedRelease = {
    manifest: representation({ bytes: manifestBytes, sha256: row.sha, contentType: JSON_TYPE, cacheControl: IMMUTABLE, ...compressed(manifestBytes) }),
    files: new Map(),
  };
  for (const f of d.select().from(releaseFiles).where(eq(releaseFiles.releaseId, row.id)).all()) {
    const name = f.name as ReleaseFileName;
    entry.files.set(
      f.name,
      representation({
        bytes: Buffer.from(f.bytes),
        sha256: f.sha256,
        contentType: FILE_TYPES[name] ?? f.contentType,
        cacheControl: IMMUTABLE,
        html: name === "document.html",
        gzip: Buffer.from(f.gzip),
        brotli: Buffer.from(f.brotli),
      }),
    );
  }
  releaseCache.set(key, entry);
  return entry;
}

function latestVersion(standard: string): string | null {
  const d = currentDb();
  const hit = latestCache.get(standard);
  if (hit) return hit;
  const row = d
    .select({ version: releases.version })
    .from(releases)
    .where(and(eq(releases.standardId, standard), eq(releases.status, "current")))
    .orderBy(desc(releases.id))
    .get();
  if (!row) return null;
  latestCache.set(standard, row.version);
  return row.version;
}

function loadIndex(now: number): Representation | null {
  currentDb();
  if (indexCache && now < indexCache.refreshAt) return indexCache.rep;
  // Signs an empty index before the first publication, and re-signs one that is due.
  const current = currentIndex(new Date(now));
  if (!current) return null;
  const bytes = Buffer.from(current.body, "utf8");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const rep = representation({ bytes, sha256, contentType: JSON_TYPE, cacheControl: SHORT, ...compressed(bytes) });
  const expires = Date.parse(current.expires);
  // Past this point currentIndex() re-signs; until then the cached bytes are the newest (publications invalidate).
  indexCache = { rep, refreshAt: Number.isFinite(expires) ? expires - INDEX_RESIGN_MARGIN_MS : now + 60_000 };
  return rep;
}

function loadFeed(): Representation {
  currentDb();
  const publicUrl = env().publicUrl;
  if (feedCache && feedCache.publicUrl === publicUrl) return feedCache.rep;
  const bytes = Buffer.from(releasesAtom(), "utf8");
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const rep = representation({ bytes, sha256, contentType: "application/atom+xml; charset=utf-8", cacheControl: SHORT, ...compressed(bytes) });
  feedCache = { rep, publicUrl };
  return rep;
}

// ─── Answering ──────────────────────────────────────────────────────────────────────────────────

function notFound(res: ServerResponse, message: string, head: boolean): void {
  const body = Buffer.from(JSON.stringify({ error: { code: "not_found", message } }), "utf8");
  res.writeHead(404, [...baseHeaders.data, "Content-Type", JSON_TYPE, "Content-Length", String(body.length), "Cache-Control", "no-cache"]);
  res.end(head ? undefined : body);
}

function sendRepresentation(req: IncomingMessage, res: ServerResponse, rep: Representation): void {
  const wanted = acceptableEncodings(req.headers["accept-encoding"]);
  let variant = rep.variants.identity!;
  for (const enc of wanted) {
    const v = rep.variants[enc];
    if (v) {
      variant = v;
      break;
    }
  }
  if (ifNoneMatchHits(req.headers["if-none-match"], rep.etags)) {
    res.writeHead(304, variant.notModified);
    res.end();
    return;
  }
  res.writeHead(200, variant.ok);
  res.end(req.method === "HEAD" ? undefined : variant.body);
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, [...baseHeaders.data, "Location", location, "Cache-Control", SHORT, "Content-Length", "0"]);
  res.end();
}

/** Answers a parsed release request (manifest, file, latest or the index), 404 in the error format when it does not exist. */
export function serveReleaseTarget(req: IncomingMessage, res: ServerResponse, target: ReleaseTarget): void {
  const head = req.method === "HEAD";
  if (target.kind === "feed") return sendRepresentation(req, res, loadFeed());
  if (target.kind === "index") {
    const rep = loadIndex(Date.now());
    if (!rep) return notFound(res, "No signed index has been issued yet.", head);
    return sendRepresentation(req, res, rep);
  }
  if (target.kind === "latest") {
    const version = latestVersion(target.standard);
    if (!version) return notFound(res, `Standard ${target.standard} has no current release.`, head);
    return redirect(res, `${PREFIX}${target.standard}/releases/${version}${target.file ? `/${target.file}` : ""}`);
  }
  const release = isReleaseVersion(target.version) ? loadRelease(target.standard, target.version) : null;
  if (!release) return notFound(res, `Standard ${target.standard} has no release ${target.version}.`, head);
  if (!target.file) return sendRepresentation(req, res, release.manifest);
  const file = release.files.get(target.file);
  if (!file) return notFound(res, `Release ${target.standard} ${target.version} has no file ${target.file}.`, head);
  sendRepresentation(req, res, file);
}

/**
 * The request's release target (a release URL, the index, or the Atom feed at /releases.atom), or
 * null when the fast path should leave it to Express
 * (not a release URL, not GET/HEAD, a percent-encoded path, or a version that is not semver, such
 * as `/releases/diff`, which belongs to the API router).
 */
export function releaseTargetOf(method: string | undefined, url: string | undefined): ReleaseTarget | null {
  if ((method !== "GET" && method !== "HEAD") || !url) return null;
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  if (path === INDEX_PATH) return { kind: "index" };
  if (path === FEED_PATH) return { kind: "feed" };
  if (!path.startsWith(PREFIX) || path.includes("%")) return null;
  // <id>/releases/<version>[/<file>]
  const parts = path.slice(PREFIX.length).split("/");
  if (parts.length < 3 || parts.length > 4 || parts[1] !== "releases") return null;
  const [standard, , version, rawFile] = parts;
  if (!STANDARD_ID.test(standard)) return null;
  let file: ReleaseFileName | null = null;
  if (rawFile !== undefined) {
    if (rawFile === "manifest.json") file = null;
    else if (isReleaseFileName(rawFile)) file = rawFile;
    else return null;
  }
  if (version === "latest") return { kind: "latest", standard, file };
  if (!SEMVER.test(version)) return null;
  return { kind: "release", standard, version, file };
}

function logLine(req: IncomingMessage, res: ServerResponse, started: bigint): void {
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${new Date().toISOString()} ${req.method} ${loggablePath(req.url ?? "")} ${res.statusCode} ${ms.toFixed(1)}ms`);
}

/**
 * The fast path for `http.createServer`: answers release requests and returns true, or returns false
 * and leaves the request untouched for Express. Errors (a closed database) answer 500 in the error format.
 */
export function handleReleaseRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const target = releaseTargetOf(req.method, req.url);
  if (!target) return false;
  const started = options.logRequests ? process.hrtime.bigint() : 0n;
  try {
    serveReleaseTarget(req, res, target);
  } catch (err) {
    console.error("Release serving error:", err);
    if (!res.headersSent) {
      const body = JSON.stringify({ error: { code: "internal", message: "Something went wrong on our side. It has been logged." } });
      res.writeHead(500, [...baseHeaders.data, "Content-Type", JSON_TYPE, "Content-Length", String(Buffer.byteLength(body))]);
      res.end(body);
    } else res.end();
  }
  if (options.logRequests) logLine(req, res, started);
  return true;
}

/** Answers a release request from loose path parameters (the /api/v1 router's route); unknown names answer 404. */
export function serveReleaseParams(req: IncomingMessage, res: ServerResponse, params: { standard: string; version: string; file?: string }): void {
  const head = req.method === "HEAD";
  let file: ReleaseFileName | null = null;
  if (params.file !== undefined && params.file !== "manifest.json") {
    if (!isReleaseFileName(params.file)) return notFound(res, `A release has no file ${params.file}; its files are ${RELEASE_FILE_NAMES.join(", ")} and manifest.json.`, head);
    file = params.file;
  }
  if (params.version === "latest") return serveReleaseTarget(req, res, { kind: "latest", standard: params.standard, file });
  serveReleaseTarget(req, res, { kind: "release", standard: params.standard, version: params.version, file });
}
