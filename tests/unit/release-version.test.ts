/** Release versions: the syntax, the changelog between rule sets, the default bump, version conflicts and effective dates. */
import { describe, expect, it } from "vitest";
import { byVersionDescending, defaultVersion, effectiveFromOf, isReleaseVersion, releaseChanges, versionConflict } from "../../app/domain/release-version";
import type { Rule } from "../../app/domain/rules";

const rule = (id: string, threshold = 150, title = "No duty below the threshold"): Rule => ({
  id,
  title,
  description: "Consignments below the threshold pay no duty.",
  when: { "<": [{ var: "shipment.value" }, threshold] },
  then: { duty: 0 },
  examples: [{ name: "small", input: { shipment: { value: 1 } }, expect: { applies: true, outcome: { duty: 0 } } }],
});

describe("isReleaseVersion", () => {
  it("accepts MAJOR.MINOR.PATCH and nothing else", () => {
    for (const v of ["1.0.0", "0.1.0", "10.20.30", "2.0.11"]) expect(isReleaseVersion(v), v).toBe(true);
    for (const v of ["1.0", "v1.0.0", "01.0.0", "1.0.0-rc.1", "1.0.0+b", "", " 1.0.0", "1.0.0.0", "1..0"]) expect(isReleaseVersion(v), v).toBe(false);
  });
});

describe("releaseChanges and defaultVersion", () => {
  const r1 = rule("TAR-001.R1");
  const r2 = rule("TAR-001.R2", 22);
  it("a first release lists every rule as added and starts at 1.0.0", () => {
    const c = releaseChanges(null, [r1]);
    expect(c).toEqual({ from: null, rules: { added: ["TAR-001.R1"], removed: [], changed: [] }, breaking: false, suggestedBump: "major" });
    expect(defaultVersion(null, c.suggestedBump)).toBe("1.0.0");
  });
  it("an added rule is a minor, non-breaking change", () => {
    const c = releaseChanges({ version: "1.4.2", rules: [r1] }, [r1, r2]);
    expect(c).toMatchObject({ from: "1.4.2", breaking: false, suggestedBump: "minor" });
    expect(defaultVersion("1.4.2", c.suggestedBump)).toBe("1.5.0");
  });
  it("unchanged rules (text-only change) are a patch", () => {
    const c = releaseChanges({ version: "1.4.2", rules: [r1, r2] }, [r1, r2]);
    expect(c).toMatchObject({ rules: { added: [], removed: [], changed: [] }, breaking: false, suggestedBump: "patch" });
    expect(defaultVersion("1.4.2", c.suggestedBump)).toBe("1.4.3");
  });
  it("a changed or removed rule is major and breaking", () => {
    const changed = releaseChanges({ version: "1.9.0", rules: [r1, r2] }, [rule("TAR-001.R1", 135), r2]);
    expect(changed).toMatchObject({ breaking: true, suggestedBump: "major", rules: { changed: [{ id: "TAR-001.R1", fields: ["when"] }] } });
    expect(defaultVersion("1.9.0", changed.suggestedBump)).toBe("2.0.0");
    const removed = releaseChanges({ version: "2.0.0", rules: [r1, r2] }, [r2]);
    expect(removed).toMatchObject({ breaking: true, suggestedBump: "major", rules: { removed: ["TAR-001.R1"] } });
  });
});

describe("versionConflict and ordering", () => {
  it("refuses a version that exists or is not greater than the highest, comparing numerically", () => {
    expect(versionConflict("1.0.0", ["1.0.0"])).toMatch(/already published/);
    expect(versionConflict("1.9.0", ["1.10.0", "1.2.0"])).toMatch(/not greater than the current release 1\.10\.0/);
    expect(versionConflict("1.10.0", ["1.9.0"])).toBeNull();
    expect(versionConflict("1.0.0", [])).toBeNull();
    expect(["1.9.0", "1.10.0", "0.2.0"].map((version) => ({ version })).sort(byVersionDescending).map((v) => v.version)).toEqual(["1.10.0", "1.9.0", "0.2.0"]);
  });
});

describe("effectiveFromOf", () => {
  const fallback = "2026-11-25T10:00:00.000Z";
  it("defaults to the fallback and normalises dates and zoned date-times to ISO UTC", () => {
    expect(effectiveFromOf(undefined, fallback)).toBe(fallback);
    expect(effectiveFromOf("", fallback)).toBe(fallback);
    expect(effectiveFromOf("2027-01-01", fallback)).toBe("2027-01-01T00:00:00.000Z");
    expect(effectiveFromOf("2027-01-01T08:00:00+08:00", fallback)).toBe("2027-01-01T00:00:00.000Z");
    expect(effectiveFromOf("2027-01-01T08:00Z", fallback)).toBe("2027-01-01T08:00:00.000Z");
  });
  it("refuses dates that do not exist and times without a zone", () => {
    for (const v of ["2027-02-30", "2027-13-01", "2027-02-30T00:00:00Z", "2027-01-01T00:00:00", "1/1/2027", "now"]) expect(effectiveFromOf(v, fallback), v).toBeNull();
  });
});
