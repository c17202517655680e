/**
 * The pure core of release versions: the version syntax, the changelog between two rule sets, the
 * version a change calls for, and the effective date. No I/O.
 */
import semver from "semver";
import { ruleDiff, suggestBump, type Bump, type RuleDiff } from "./redline";
import type { Rule } from "./rules";

/** A release version: MAJOR.MINOR.PATCH, no leading zeros, no pre-release or build suffix. */
export const RELEASE_VERSION = /^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})$/;

/** What a person is told when a version does not have that form. */
export const RELEASE_VERSION_MESSAGE = "A version is MAJOR.MINOR.PATCH, such as 1.0.0 or 2.1.3 (no leading zeros, no pre-release or build suffix).";

/** The first release of a standard. */
export const FIRST_VERSION = "1.0.0";

/** The changelog of a release: the semantic rule diff from the release it supersedes. */
export type ReleaseChanges = {
  /** The version compared against, or null for a first release (every rule is then "added"). */
  from: string | null;
  rules: RuleDiff;
  /** True when a rule was removed or changed: implementers must check their integration. */
  breaking: boolean;
  suggestedBump: Bump;
};

/** True when `version` is a release version (see RELEASE_VERSION). */
export function isReleaseVersion(version: string): boolean {
  return RELEASE_VERSION.test(version) && semver.valid(version) === version;
}

/** The changelog from `fromRules` (of release `from`, or none) to `toRules`. A first release suggests a major bump: 1.0.0. */
export function releaseChanges(from: { version: string; rules: Rule[] } | null, toRules: Rule[]): ReleaseChanges {
  const rules = ruleDiff(from?.rules ?? [], toRules);
  const breaking = rules.removed.length > 0 || rules.changed.length > 0;
  return { from: from?.version ?? null, rules, breaking, suggestedBump: from ? suggestBump(rules, true) : "major" };
}

/** The version a release gets by default: 1.0.0 first, then the previous version bumped as the changes suggest. */
export function defaultVersion(previous: string | null, bump: Bump): string {
  if (!previous) return FIRST_VERSION;
  const next = semver.inc(previous, bump);
  if (!next) throw new Error(`The previous version ${previous} is not a valid version.`);
  return next;
}

/** Newest first by semantic version (not by text: 1.10.0 is after 1.9.0). */
export function byVersionDescending(a: { version: string }, b: { version: string }): number {
  return semver.rcompare(a.version, b.version);
}

/** Why `version` cannot follow `highest` (the newest published version), or null when it can. */
export function versionConflict(version: string, existing: readonly string[]): string | null {
  if (existing.includes(version)) return `Version ${version} is already published: release versions are never reused. Choose a higher version.`;
  const highest = [...existing].sort((a, b) => semver.rcompare(a, b))[0];
  if (highest && !semver.gt(version, highest)) return `Version ${version} is not greater than the current release ${highest}: a new release needs a higher version.`;
  return null;
}

/**
 * The effective date as ISO 8601 UTC: a date (`2027-01-01`, midnight UTC) or a date-time with a
 * zone (`2027-01-01T09:00:00+08:00`); absent → `fallback`. Null when the value is not a real date.
 */
export function effectiveFromOf(value: string | undefined | null, fallback: string): string | null {
  if (value === undefined || value === null || value === "") return fallback;
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (date) {
    const d = new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3])));
    // Reject dates that roll over (2027-02-30).
    if (d.getUTCFullYear() !== Number(date[1]) || d.getUTCMonth() !== Number(date[2]) - 1 || d.getUTCDate() !== Number(date[3])) return null;
    return d.toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return null;
  const t = Date.parse(value);
  if (Number.isNaN(t)) return null;
  const iso = new Date(t).toISOString();
  // Date.parse accepts 2027-02-30T00:00Z as March 2nd: compare the calendar day when the zone is UTC.
  if (/Z$/.test(value) && iso.slice(0, 10) !== value.slice(0, 10)) return null;
  return iso;
}
