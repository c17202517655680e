/**
 * `export:repository --out DIR`: the published releases and the signed index as static files, in
 * the paths of the API below `api/v1/`, so any web server or CDN can mirror them and `verify` can
 * check the mirror exactly as it checks the portal.
 *
 * A static server cannot serve both a file `…/releases/{version}` and the directory
 * `…/releases/{version}/`, so the manifest is written as `…/{version}/manifest.json` (the portal
 * serves that alias too). The keys document is written as `keys` and as `keys.json` (for servers
 * that choose a content type by extension).
 *
 * Every file is written to a temporary name and renamed into place, and in dependency order: the
 * release files, then the manifests, then the keys, and the index last. A mirror being read while
 * it is refreshed therefore never shows an index naming a release whose files are not there yet.
 * Unchanged files are left alone, so re-running into the same DIR updates it cheaply.
 */
import fs from "node:fs";
import path from "node:path";
import { asc, desc, eq } from "drizzle-orm";
import { releaseFiles, releaseIndexes, releases } from "../../db/schema";
import { currentIndex } from "../domain/release-index.server";
import { listPublicKeys } from "../domain/signing-keys.server";
import { db } from "../utils/db.server";
import { PortalError } from "../utils/errors";

export type ExportSummary = {
  /** The directory written (absolute). */
  dir: string;
  releases: number;
  indexVersion: number;
  expires: string;
  /** Files whose bytes were (re)written; the rest were already identical. */
  written: number;
  /** Every file the export consists of. */
  files: number;
};

type Planned = { rel: string; bytes: Buffer };

/** Writes `bytes` to `file` through a temporary name in the same directory (atomic on one file system); false when already identical. */
function writeAtomically(file: string, bytes: Buffer): boolean {
  try {
    if (fs.readFileSync(file).equals(bytes)) return false;
  } catch {
    // Absent (or unreadable): written below.
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, bytes, { mode: 0o644 });
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
  return true;
}

/** A stored name used as a path segment must stay one segment (the names come from our own database, but a path is a path). */
function segment(value: string, what: string): string {
  if (!/^(?!\.\.?$)[A-Za-z0-9._+-]+$/.test(value)) throw new PortalError("conflict", `The ${what} "${value}" cannot be used as a file name; nothing was exported.`);
  return value;
}

/**
 * Exports every published release, the keys and the newest signed index under `outDir` (created if
 * needed). Everything is read in one database snapshot (a read transaction: writers are not
 * blocked under WAL), one release's files at a time, so memory stays small however many releases.
 */
export function exportRepository(outDir: string): ExportSummary {
  const dir = path.resolve(outDir);
  const keys = Buffer.from(JSON.stringify({ keys: listPublicKeys() }), "utf8");
  // What the portal would serve now: an index about to expire is re-signed first (as the portal's
  // own clock would), so a mirror made from a stopped portal is not stale from the start.
  currentIndex();
  return db().transaction((tx) => {
    const index = tx.select().from(releaseIndexes).orderBy(desc(releaseIndexes.version)).limit(1).get();
    if (!index) throw new PortalError("not_found", "Nothing to export: no release has been published yet, so there is no signed index.");
    const all = tx.select({ id: releases.id, standardId: releases.standardId, version: releases.version, manifest: releases.manifest }).from(releases).orderBy(asc(releases.id)).all();
    fs.mkdirSync(dir, { recursive: true });
    let written = 0;
    let files = 0;
    const put = (item: Planned) => {
      files += 1;
      if (writeAtomically(path.join(dir, ...item.rel.split("/")), item.bytes)) written += 1;
    };
    const manifests: Planned[] = [];
    for (const r of all) {
      const base = `api/v1/standards/${segment(r.standardId, "standard id")}/releases/${segment(r.version, "version")}`;
      for (const f of tx.select({ name: releaseFiles.name, bytes: releaseFiles.bytes }).from(releaseFiles).where(eq(releaseFiles.releaseId, r.id)).all())
        put({ rel: `${base}/${segment(f.name, "file name")}`, bytes: Buffer.from(f.bytes) });
      manifests.push({ rel: `${base}/manifest.json`, bytes: Buffer.from(r.manifest, "utf8") });
    }
    // Manifests after every file, the index last: a reader of a half-refreshed mirror sees the old, complete index.
    for (const m of manifests) put(m);
    put({ rel: "api/v1/keys", bytes: keys });
    put({ rel: "api/v1/keys.json", bytes: keys });
    put({ rel: "api/v1/index.json", bytes: Buffer.from(index.body, "utf8") });
    return { dir, releases: all.length, indexVersion: index.version, expires: index.expires, written, files };
  });
}
