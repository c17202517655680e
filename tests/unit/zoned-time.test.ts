import { describe, expect, it } from "vitest";
import { isTimeZone, utcToWallTime, wallTimeToUtc } from "../../app/utils/zoned-time";

describe("wall-clock times in a time zone", () => {
  it("converts a datetime-local value in a zone to the UTC instant, across daylight saving", () => {
    expect(wallTimeToUtc("2026-01-15T09:30", "Europe/Berlin")).toBe("2026-01-15T08:30:00.000Z");
    expect(wallTimeToUtc("2026-07-15T09:30", "Europe/Berlin")).toBe("2026-07-15T07:30:00.000Z");
    expect(wallTimeToUtc("2026-07-15T09:30", "Asia/Shanghai")).toBe("2026-07-15T01:30:00.000Z");
    expect(wallTimeToUtc("2026-07-15T09:30", "America/Sao_Paulo")).toBe("2026-07-15T12:30:00.000Z");
    expect(wallTimeToUtc("2026-07-15T09:30:15", "UTC")).toBe("2026-07-15T09:30:15.000Z");
  });

  it("moves a time skipped by the spring-forward jump to after it", () => {
    // 2026-03-29 02:30 does not exist in Berlin (clocks go 02:00 → 03:00).
    expect(wallTimeToUtc("2026-03-29T02:30", "Europe/Berlin")).toBe("2026-03-29T01:30:00.000Z");
  });

  it("falls back to UTC for an unknown zone, and refuses text that is not a time", () => {
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(wallTimeToUtc("2026-07-15T09:30", "Mars/Olympus")).toBe("2026-07-15T09:30:00.000Z");
    for (const bad of ["", "tomorrow", "2026-02-30T10:00", "2026-07-15 09:30"]) expect(wallTimeToUtc(bad, "UTC")).toBeNull();
  });

  it("turns an instant back into the zone's wall-clock time", () => {
    expect(utcToWallTime("2026-07-15T07:30:00.000Z", "Europe/Berlin")).toBe("2026-07-15T09:30");
    expect(utcToWallTime("2026-01-15T08:30:00.000Z", "Europe/Berlin")).toBe("2026-01-15T09:30");
    expect(utcToWallTime("nonsense", "UTC")).toBe("");
  });
});
