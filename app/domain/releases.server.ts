/**
 * Releases: an approved, frozen revision of a standard published under a semantic version, with
 * four files made once (`ruleset.json`, `conformance.json`, `document.md`, `document.html`) and a
 * manifest of their hashes signed with the release key. Published in one transaction with the
 * superseding of the previous release, the standard's status, the audit entry, the next signed
 * index and the webhook deliveries; nothing of it changes afterwards (triggers in migration 0008).
 *
 * File bytes are fixed forever once written: `ruleset.json` and `conformance.json` are
 * pretty-printed JSON (two spaces, keys in the revision's order, a final newline), readable in a
 * browser and diffable; `document.md` is the revision's Markdown exactly; `document.html` is
 * rendered by release-document.ts. Each is stored with its SHA-256, length and gzip (level 9) and
 * brotli (quality 11) encodings, computed once here so serving never compresses.
 */
import { createHash } from "node:crypto";
import { brotliCompressSync, constants as zlibConstants, gzipSync } from "node:zlib";
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import { ballots, releaseFiles, releases, standards, type RELEASE_FILE_NAMES, type StandardStatus } from "../../db/schema";
import { invalidateReleaseCache } from "../releases/serve.server";
import { can, type Actor } from "../policies/policy";
import { db } from "../utils/db.server";
import { env } from "../utils/env.server";
import { PortalError } from "../utils/errors";
import { recordAudit } from "./audit.server";
import { checkTransition } from "./lifecycle";
import type { Bump } from "./redline";
import { issueIndex } from "./release-index.server";
import { renderReleaseDocument } from "./release-document";
import { byVersionDescending, defaultVersion, effectiveFromOf, isReleaseVersion, releaseChanges, RELEASE_VERSION_MESSAGE, versionConflict, type ReleaseChanges } from "./release-version";
import { getRevision, type Revision } from "./revisions.server";
import { conformanceVectors, runConformance, type Rule, type RuleSet } from "./rules";
import { signDocument, type SignedDocument } from "./signing-keys.server";
import { changeStatus, getStandard, type StandardRow } from "./standards.server";
import { enqueueReleaseEvent } from "./webhooks.server";

export type ReleaseFileName = (typeof RELEASE_FILE_NAMES)[number];

/** What a release manifest signs (the contract's fields, in this order). */
export type ReleaseManifestSigned = {
  _type: "release";
  standard: string;
  version: string;
  publishedAt: string;
  effectiveFrom: string;
  supersedes: string | null;
  revisionHash: string;
  ballotId: string;
  files: Record<string, { sha256: string; length: number }>;
};
/** The signed manifest document as served. */
export type ReleaseManifest = SignedDocument<ReleaseManifestSigned>;

/** A release as listed. */
export type ReleaseSummary = {
  version: string;
  status: "current" | "superseded";
  publishedAt: string;
  effectiveFrom: string;
  supersedes: string | null;
  revision: string;
  manifestSha256: string;
};

/** One file of a release, without its bytes. */
export type ReleaseFileInfo = { name: string; sha256: string; length: number; contentType: string };

/** A release with everything but the file bytes. */
export type ReleaseDetail = ReleaseSummary & {
  standardId: string;
  revisionHash: string;
  ballotId: string;
  publishedBy: string;
  manifest: ReleaseManifest;
  /** The manifest exactly as served (compact JSON). */
  manifestText: string;
  changes: ReleaseChanges;
  files: ReleaseFileInfo[];
};

/** What the publish form pre-fills: the version the changes suggest, the changes, and why publishing would be refused now. */
export type SuggestedVersion = {
  version: string;
  bump: Bump;
  previous: string | null;
  changes: ReleaseChanges;
  /** Reasons a publication of this revision would be refused (empty when it may be published). */
  blockers: string[];
};

const CONTENT_TYPES: Record<ReleaseFileName, string> = {
  "ruleset.json": "application/json; charset=utf-8",
  "conformance.json": "application/json; charset=utf-8",
  "document.md": "text/markdown; charset=utf-8",
  "document.html": "text/html; charset=utf-8",
};

/** Standard statuses from which a release may be published (the first makes it `published`). */
const RELEASABLE: readonly StandardStatus[] = ["draft", "review", "ballot", "published"];

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");
const prettyJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

type ReleaseRow = typeof releases.$inferSelect;

function toSummary(r: ReleaseRow): ReleaseSummary {
  return {
    version: r.version,
    status: r.status,
    publishedAt: r.publishedAt,
    effectiveFrom: r.effectiveFrom,
    supersedes: r.supersedes,
    revision: r.revision,
    manifestSha256: r.manifestSha256,
  };
}

function releaseRows(standardId: string): ReleaseRow[] {
  return db().select().from(releases).where(eq(releases.standardId, standardId)).all().sort(byVersionDescending);
}

function releaseRow(standardId: string, version: string): ReleaseRow | undefined {
  return db().select().from(releases).where(and(eq(releases.standardId, standardId), eq(releases.version, version))).get();
}

/** The releases of a standard, newest version first. */
export function listReleases(standardId: string): ReleaseSummary[] {
  return releaseRows(standardId).map(toSummary);
}

/** The current release of a standard (the one no later release superseded), or undefined. */
export function currentRelease(standardId: string): ReleaseSummary | undefined {
  const row = db().select().from(releases).where(and(eq(releases.standardId, standardId), eq(releases.status, "current"))).get();
  return row && toSummary(row);
}

/** One release with its manifest, changelog and files (name, hash, length, type), or undefined. */
export function getRelease(standardId: string, version: string): ReleaseDetail | undefined {
  const r = releaseRow(standardId, version);
  if (!r) return undefined;
  const files = db()
    .select({ name: releaseFiles.name, sha256: releaseFiles.sha256, length: releaseFiles.length, contentType: releaseFiles.contentType })
    .from(releaseFiles)
    .where(eq(releaseFiles.releaseId, r.id))
    .orderBy(asc(releaseFiles.name))
    .all();
  return {
    ...toSummary(r),
    standardId: r.standardId,
    revisionHash: r.revisionHash,
    ballotId: r.ballotId,
    publishedBy: r.publishedBy,
    manifest: JSON.parse(r.manifest) as ReleaseManifest,
    manifestText: r.manifest,
    changes: JSON.parse(r.changesJson) as ReleaseChanges,
    files,
  };
}

/** The bytes of one file of a release, or undefined. */
export function releaseFileBytes(standardId: string, version: string, name: string): Buffer | undefined {
  const r = releaseRow(standardId, version);
  if (!r) return undefined;
  return db()
    .select({ bytes: releaseFiles.bytes })
    .from(releaseFiles)
    .where(and(eq(releaseFiles.releaseId, r.id), eq(releaseFiles.name, name)))
    .get()?.bytes;
}

// Released rule sets never change: parse each once.
const g = globalThis as { __portalReleaseRules?: Map<string, Rule[]> };
const rulesCache = () => (g.__portalReleaseRules ??= new Map());

/** The rules of a release (from its ruleset.json), or undefined when there is no such release. */
export function releaseRules(standardId: string, version: string): Rule[] | undefined {
  const key = `${env().dataDir}\u0000${standardId}@${version}`;
  const hit = rulesCache().get(key);
  if (hit) return hit;
  const bytes = releaseFileBytes(standardId, version, "ruleset.json");
  if (!bytes) return undefined;
  const rules = (JSON.parse(bytes.toString("utf8")) as RuleSet).rules;
  rulesCache().set(key, rules);
  return rules;
}

/** The semantic diff between two releases of a standard; 404 naming an unknown version. */
export function diffReleases(standardId: string, from: string, to: string): ReleaseChanges {
  const fromRules = releaseRules(standardId, from);
  if (!fromRules) throw new PortalError("not_found", `${standardId} has no release ${from}. List its releases with GET /standards/${standardId}/releases.`);
  const toRules = releaseRules(standardId, to);
  if (!toRules) throw new PortalError("not_found", `${standardId} has no release ${to}. List its releases with GET /standards/${standardId}/releases.`);
  return releaseChanges({ version: from, rules: fromRules }, toRules);
}

/** Every standard with a release, each with its current release (for the public downloads pages), by id. */
export function listPublishedStandards(): (Pick<StandardRow, "id" | "title" | "committee" | "scope" | "status" | "language"> & { current: ReleaseSummary | null; releases: number })[] {
  const all = db().select().from(releases).orderBy(asc(releases.standardId)).all();
  if (!all.length) return [];
  const ids = [...new Set(all.map((r) => r.standardId))];
  const rows = db()
    .select({ id: standards.id, title: standards.title, committee: standards.committee, scope: standards.scope, status: standards.status, language: standards.language })
    .from(standards)
    .where(inArray(standards.id, ids))
    .orderBy(asc(standards.id))
    .all();
  return rows.map((s) => {
    const own = all.filter((r) => r.standardId === s.id);
    const current = own.find((r) => r.status === "current");
    return { ...s, current: current ? toSummary(current) : null, releases: own.length };
  });
}

// ─── Publishing ──────────────────────────────────────────────────────────────────────────────────

type Loaded = { standard: StandardRow; revision: Revision };

function load(standardId: string, revisionNumber: string): Loaded {
  const standard = getStandard(standardId);
  if (!standard) throw new PortalError("not_found", `No standard ${standardId}.`);
  const revision = getRevision(standard.id, revisionNumber);
  if (!revision) throw new PortalError("not_found", `${standard.id} has no revision ${revisionNumber}. List its revisions with GET /standards/${standard.id}.`);
  return { standard, revision };
}

/** The closed, approved ballot on exactly this revision (and its text), or the reason there is none. */
function approvingBallot(standardId: string, revision: Revision): { id: string } | { reason: string } {
  const held = db()
    .select()
    .from(ballots)
    .where(and(eq(ballots.standardId, standardId), eq(ballots.revision, revision.number)))
    .orderBy(desc(ballots.createdAt))
    .all();
  const approved = held.find((b) => b.status === "closed" && b.result === "approved" && b.subjectHash === revision.hash);
  if (approved) return { id: approved.id };
  const name = `revision ${revision.number} of ${standardId}`;
  const pending = held.find((b) => b.status === "open" || b.status === "scheduled");
  if (pending) return { reason: `The ballot on ${name} is still ${pending.status} (it closes at ${pending.closesAt}); a release needs an approved ballot.` };
  const rejected = held.find((b) => b.status === "closed" && b.result === "rejected");
  if (rejected) return { reason: `The ballot on ${name} was rejected${rejected.resultReason ? ` (${rejected.resultReason})` : ""}; only an approved revision can be published.` };
  return { reason: `No ballot approved ${name}: open a ballot on it (POST /ballots) and publish once it closes approved.` };
}

/** Why this revision cannot be published now (status, an earlier release, the ballot, failing examples); empty when it can. */
function blockersOf({ standard, revision }: Loaded): { reasons: string[]; ballotId: string | null } {
  const reasons: string[] = [];
  if (!RELEASABLE.includes(standard.status)) reasons.push(`${standard.id} is ${standard.status}: no new release can be published.`);
  const earlier = db()
    .select({ version: releases.version })
    .from(releases)
    .where(and(eq(releases.standardId, standard.id), eq(releases.revision, revision.number)))
    .get();
  if (earlier) reasons.push(`Revision ${revision.number} is already published as ${earlier.version}.`);
  const ballot = approvingBallot(standard.id, revision);
  if ("reason" in ballot) reasons.push(ballot.reason);
  const conformance = runConformance(revision.ruleset.rules);
  if (conformance.failed > 0) {
    const total = conformance.passed + conformance.failed;
    const first = conformance.results.filter((r) => !r.passed).slice(0, 3).map((r) => `${r.rule} "${r.example}"`);
    reasons.push(
      `${conformance.failed} of ${total} conformance example${total === 1 ? "" : "s"} of revision ${revision.number} fail${conformance.failed === 1 ? "s" : ""} (${first.join(", ")}${conformance.failed > 3 ? ", …" : ""}): fix the rules or the examples and freeze a new revision.`,
    );
  }
  return { reasons, ballotId: "id" in ballot ? ballot.id : null };
}

function changesFor(standardId: string, revision: Revision): { previous: ReleaseRow | undefined; changes: ReleaseChanges } {
  const previous = releaseRows(standardId)[0];
  const previousRules = previous ? releaseRules(standardId, previous.version) : undefined;
  const changes = releaseChanges(previous && previousRules ? { version: previous.version, rules: previousRules } : null, revision.ruleset.rules);
  return { previous, changes };
}

/** The version the publish form pre-fills for a revision, the changes from the current release, and what would block publishing. 404 for an unknown standard or revision. */
export function suggestedVersion(standardId: string, revisionNumber: string): SuggestedVersion {
  const loaded = load(standardId, revisionNumber);
  const { previous, changes } = changesFor(loaded.standard.id, loaded.revision);
  return {
    version: defaultVersion(previous?.version ?? null, changes.suggestedBump),
    bump: changes.suggestedBump,
    previous: previous?.version ?? null,
    changes,
    blockers: blockersOf(loaded).reasons,
  };
}

/** One file's stored form: bytes, hash, length and precomputed encodings. */
function fileRecord(name: ReleaseFileName, text: string) {
  const bytes = Buffer.from(text, "utf8");
  return {
    name,
    contentType: CONTENT_TYPES[name],
    bytes,
    sha256: sha256(bytes),
    length: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }),
    brotli: brotliCompressSync(bytes, {
      params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_MODE]: zlibConstants.BROTLI_MODE_TEXT, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }),
  };
}

/** What to publish: a standard's frozen revision, and optionally the version and the effective date. */
export type PublishInput = { standardId: string; revision: string; version?: string; effectiveFrom?: string };

/**
 * Publishes a revision as a release. Refused: 404 unknown standard or revision; 400 malformed
 * version or effective date; 409 (naming the reason) unless a closed ballot on exactly that revision
 * approved it, all its conformance examples pass, the standard may still be released, the revision
 * was not released before, and the version is new and greater than every earlier one. The version
 * defaults to the bump the rule diff against the previous release suggests (1.0.0 first).
 * The actor must hold `release.publish` (403 otherwise; the caller answers 404 first for a standard
 * the actor may not see). Returns the signed manifest exactly as it is served.
 */
export function publishRelease(input: PublishInput, actor: Actor, now = new Date()): ReleaseManifest {
  if (!can(actor, "release.publish")) throw new PortalError("forbidden", `Only the secretariat (admins) may publish releases${actor.readOnly ? ", and never with a read-only token" : ""}.`);
  const actorId = actor.id;
  if (input.version !== undefined && !isReleaseVersion(input.version)) {
    throw new PortalError("bad_request", `"${input.version}" is not a release version. ${RELEASE_VERSION_MESSAGE}`, { version: RELEASE_VERSION_MESSAGE });
  }
  const publishedAt = now.toISOString();
  const effectiveFrom = effectiveFromOf(input.effectiveFrom, publishedAt);
  if (!effectiveFrom) {
    const message = "effectiveFrom is a date (2027-01-01) or a date-time with a time zone (2027-01-01T00:00:00Z).";
    throw new PortalError("bad_request", `"${input.effectiveFrom}" is not a valid effective date: ${message}`, { effectiveFrom: message });
  }

  const published = db().transaction(
    () => {
      const loaded = load(input.standardId, input.revision);
      const { standard, revision } = loaded;
      const { reasons, ballotId } = blockersOf(loaded);
      if (reasons.length || !ballotId) throw new PortalError("conflict", `${standard.id} revision ${revision.number} cannot be published. ${reasons.join(" ")}`);

      const { previous, changes } = changesFor(standard.id, revision);
      const version = input.version ?? defaultVersion(previous?.version ?? null, changes.suggestedBump);
      const conflict = versionConflict(version, releaseRows(standard.id).map((r) => r.version));
      if (conflict) throw new PortalError("conflict", conflict, { version: conflict });

      const ruleset: RuleSet = { standard: standard.id, version, rules: revision.ruleset.rules };
      const files = [
        fileRecord("ruleset.json", prettyJson(ruleset)),
        fileRecord("conformance.json", prettyJson(conformanceVectors(standard.id, version, revision.ruleset.rules))),
        fileRecord("document.md", revision.markdown),
        fileRecord(
          "document.html",
          renderReleaseDocument(revision.markdown, { standardId: standard.id, title: standard.title, version, language: standard.language }),
        ),
      ];
      const signed: ReleaseManifestSigned = {
        _type: "release",
        standard: standard.id,
        version,
        publishedAt,
        effectiveFrom,
        supersedes: previous?.version ?? null,
        revisionHash: revision.hash,
        ballotId,
        files: Object.fromEntries(files.map((f) => [f.name, { sha256: f.sha256, length: f.length }])),
      };
      const manifest = JSON.stringify(signDocument("release", signed));
      const manifestSha256 = sha256(Buffer.from(manifest, "utf8"));

      if (previous) {
        db().update(releases).set({ status: "superseded" }).where(and(eq(releases.id, previous.id), eq(releases.status, "current"))).run();
      }
      const row = db()
        .insert(releases)
        .values({
          standardId: standard.id,
          version,
          revision: revision.number,
          revisionHash: revision.hash,
          ballotId,
          publishedAt,
          effectiveFrom,
          supersedes: previous?.version ?? null,
          status: "current",
          changesJson: JSON.stringify(changes),
          manifest,
          manifestSha256,
          publishedBy: actorId,
        })
        .returning({ id: releases.id })
        .get();
      for (const f of files) db().insert(releaseFiles).values({ releaseId: row.id, ...f }).run();

      if (standard.status !== "published") {
        const check = checkTransition({ from: standard.status, to: "published", via: "release" });
        if (!check.ok) throw new PortalError("conflict", check.message);
        changeStatus({ standardId: standard.id, to: "published", actorId, via: "release", reason: `release ${version}` });
      }
      recordAudit({
        actorId,
        action: "release.published",
        subjectType: "standard",
        subjectId: standard.id,
        data: { version, revision: revision.number, ballotId, supersedes: previous?.version ?? null, manifestSha256, breaking: changes.breaking },
      });
      issueIndex("publication", now);
      enqueueReleaseEvent({
        event: "release.published",
        standard: standard.id,
        version,
        publishedAt,
        manifestUrl: `${env().publicUrl}/api/v1/standards/${encodeURIComponent(standard.id)}/releases/${version}`,
        manifestSha256,
      });
      return manifest;
    },
    { behavior: "immediate" },
  );
  invalidateReleaseCache();
  return JSON.parse(published) as ReleaseManifest;
}
