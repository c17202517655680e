// semver 7.x ships no type declarations and @types/semver is not installed: the few functions the
// releases module uses, typed here. Remove this file when @types/semver is added to devDependencies.
declare module "semver" {
  /** The normalised version string, or null when `version` is not valid semver. */
  export function valid(version: string | null | undefined): string | null;
  export function gt(a: string, b: string): boolean;
  export function compare(a: string, b: string): -1 | 0 | 1;
  export function rcompare(a: string, b: string): -1 | 0 | 1;
  /** The next version for a release type, or null when `version` is invalid. */
  export function inc(version: string, release: "major" | "minor" | "patch"): string | null;
  const semver: { valid: typeof valid; gt: typeof gt; compare: typeof compare; rcompare: typeof rcompare; inc: typeof inc };
  export default semver;
}
