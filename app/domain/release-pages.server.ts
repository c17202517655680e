/**
 * What the public downloads pages show, composed from releases.server.ts: the current release of
 * every published standard, one release's page (text, rules, files, how to verify, changes), the
 * publish form's choices, and "try the rules" with the evaluate endpoint's engine and bounds.
 * Reads only; publishing is releases.server.ts.
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import { ballots } from "../../db/schema";
import { db } from "../utils/db.server";
import { documentSegments, type DocumentSegment } from "./document-view.server";
import type { TextHunk } from "./redline";
import { evaluateRules, inputBoundsProblem, type EvaluationResult } from "./release-evaluation";
import { getRelease, listPublishedStandards, listReleases, releaseFileBytes, releaseRules, suggestedVersion, type ReleaseDetail, type ReleaseFileInfo, type SuggestedVersion } from "./releases.server";
import { diffRevisions, getRevision } from "./revisions.server";
import type { Rule } from "./rules";
import { listPublicKeys } from "./signing-keys.server";
import { getStandard } from "./standards.server";

/** Everything the release page shows. */
export type ReleasePage = {
  standard: { id: string; title: string };
  release: Omit<ReleaseDetail, "manifest" | "manifestText" | "files" | "changes" | "publishedBy">;
  currentVersion: string | null;
  files: ReleaseFileInfo[];
  changes: ReleaseDetail["changes"];
  segments: DocumentSegment[];
  rules: Rule[];
  /** The prose redline from the superseded release's revision, when there is one. */
  textChanges: TextHunk[] | null;
  indexKeyId: string | null;
  exampleInput: string;
};

/** True when the standard has at least one release (a released standard is public whatever its draft's status). */
export function hasReleases(standardId: string): boolean {
  return listReleases(standardId).length > 0;
}

/** The releases of a standard, newest version first, each with its standard's id (for links). */
export function releasesOf(standardId: string) {
  return listReleases(standardId).map((r) => ({ ...r, standardId }));
}

/** Every standard with a release: its current release and that release's files, by standard id. */
export function currentReleases() {
  return listPublishedStandards().flatMap((s) => {
    const current = s.current ? getRelease(s.id, s.current.version) : undefined;
    if (!current) return [];
    return [
      {
        standardId: s.id,
        title: s.title,
        count: s.releases,
        version: current.version,
        status: current.status,
        publishedAt: current.publishedAt,
        effectiveFrom: current.effectiveFrom,
        files: current.files,
      },
    ];
  });
}

/** The first example input of the first rule that has one, as indented JSON (the "try the rules" form starts from it). */
export function firstExampleInput(rules: Rule[]): string {
  const example = rules.flatMap((r) => r.examples ?? [])[0];
  return JSON.stringify(example?.input ?? {}, null, 2);
}

/**
 * The text's segments with its headings moved down two levels (h1 → h3, at most h6): on the release
 * page the text sits under the page's h1 and the section's h2, and headings must stay in order.
 * (The published document.html keeps the text's own levels: it is a file of the signed release.)
 */
function textSegments(markdown: string): DocumentSegment[] {
  return documentSegments(markdown, { headingShift: 2 });
}

/** Everything the release page shows, or undefined for an unknown standard or version. */
export function releasePage(standardId: string, version: string): ReleasePage | undefined {
  const detail = getRelease(standardId, version);
  if (!detail) return undefined;
  const { manifest: _manifest, manifestText: _text, files, changes, publishedBy: _by, ...release } = detail;
  const rules = releaseRules(standardId, version) ?? [];
  const previous = release.supersedes ? getRelease(standardId, release.supersedes) : undefined;
  let textChanges: TextHunk[] | null = null;
  if (previous) {
    try {
      textChanges = diffRevisions({ standardId, from: previous.revision, to: release.revision }).text;
    } catch {
      textChanges = null; // the rule changes still show; the text redline is a convenience
    }
  }
  return {
    standard: { id: standardId, title: getStandard(standardId)?.title ?? standardId },
    release,
    currentVersion: listReleases(standardId).find((r) => r.status === "current")?.version ?? null,
    files,
    changes,
    segments: textSegments(releaseFileBytes(standardId, version, "document.md")?.toString("utf8") ?? ""),
    rules,
    textChanges,
    indexKeyId: listPublicKeys().find((k) => k.role === "index")?.keyid ?? null,
    exampleInput: firstExampleInput(rules),
  };
}

/** One rule's result in "try the rules", with the rule's title for the table. */
export type TryResult = EvaluationResult & { title: string };

/**
 * Evaluates every rule of a release against an input with the evaluate endpoint's engine and bounds:
 * the results, or the reason the input is refused (too deep, too large, too slow).
 */
export function tryRules(rules: Rule[], input: unknown): { ok: true; results: TryResult[] } | { ok: false; message: string } {
  const problem = inputBoundsProblem(input);
  if (problem) return { ok: false, message: problem };
  const { results, overran } = evaluateRules(rules, input, () => performance.now());
  if (overran) return { ok: false, message: "Evaluating this input took too long; try a smaller one." };
  const titles = new Map(rules.map((r) => [r.id, r.title]));
  return { ok: true, results: results.map((r) => ({ ...r, title: titles.get(r.rule) ?? "" })) };
}

/** A revision a ballot approved and no release has used yet, with what publishing it would give. */
export type PublishableRevision = SuggestedVersion & { number: string; approvedAt: string; passed: number; failed: number };

/** The approved, not yet released revisions of a standard (latest approval first), with the suggested version, why, and any blocker. */
export function publishableRevisions(standardId: string): PublishableRevision[] {
  const approved = db()
    .select({ revision: ballots.revision, closedAt: ballots.closedAt })
    .from(ballots)
    .where(and(eq(ballots.standardId, standardId), eq(ballots.status, "closed"), eq(ballots.result, "approved"), isNotNull(ballots.revision)))
    .orderBy(desc(ballots.closedAt))
    .all();
  const released = new Set(listReleases(standardId).map((r) => r.revision));
  const seen = new Set<string>();
  const out: PublishableRevision[] = [];
  for (const b of approved) {
    const number = b.revision!;
    if (released.has(number) || seen.has(number)) continue;
    seen.add(number);
    const revision = getRevision(standardId, number);
    if (!revision) continue;
    out.push({ ...suggestedVersion(standardId, number), number, approvedAt: b.closedAt ?? "", passed: revision.conformance.passed, failed: revision.conformance.failed });
  }
  return out;
}
