import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatNumber } from "../../app/utils/format";

describe("formatting for the reader's locale", () => {
  it("shows a date and time with its time zone", () => {
    expect(formatDateTime("2026-07-01T09:30:00Z", "en")).toBe("Jul 1, 2026, 09:30 AM UTC");
    expect(formatDateTime("2026-07-01T09:30:00Z", "de")).toMatch(/1\. Juli 2026|01\.07\.2026/);
    expect(formatDateTime("2026-07-01T09:30:00Z", "de")).toMatch(/UTC/);
  });
  it("shows a dash for a missing or broken date instead of throwing", () => {
    expect(formatDateTime(null, "en")).toBe("—");
    expect(formatDateTime("not a date", "en")).toBe("—");
    expect(formatDate(undefined, "en")).toBe("—");
  });
  it("formats calendar dates and numbers per locale", () => {
    expect(formatDate("2026-07-01T00:00:00Z", "en")).toBe("Jul 1, 2026");
    expect(formatNumber(1234567.5, "en")).toBe("1,234,567.5");
    expect(formatNumber(1234567.5, "de")).toBe("1.234.567,5");
  });
});
