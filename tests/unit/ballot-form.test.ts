/** The "open a ballot" form: browser fields to createBallot's input, with errors per field. */
import { describe, expect, it } from "vitest";
import { parseBallotForm } from "../../app/domain/ballot-form.server";

function form(fields: [string, string][]): FormData {
  const f = new FormData();
  for (const [k, v] of fields) f.append(k, v);
  return f;
}

const BASE: [string, string][] = [
  ["subject", "revision:EWTP-TAR-001:02"],
  ["rule", "iso"],
  ["voterUnit", "organization"],
  ["roles", "expert"],
  ["roles", "member"],
  ["closesAt", "2026-07-15T18:00"],
  ["timeZone", "Europe/Berlin"],
  ["resultsVisible", "live"],
];

describe("parseBallotForm", () => {
  it("reads a preset ballot, converting times from the browser's zone to UTC", () => {
    const r = parseBallotForm(form([...BASE, ["quorum", "50"], ["opensAt", "2026-07-01T09:00"], ["committees", "TAR"]]));
    expect(r).toEqual({
      ok: true,
      input: {
        subject: { standardId: "EWTP-TAR-001", revision: "02" },
        rule: "iso",
        voterUnit: "organization",
        eligible: { roles: ["expert", "member"], committees: ["TAR"] },
        quorum: 0.5,
        opensAt: "2026-07-01T07:00:00.000Z",
        closesAt: "2026-07-15T16:00:00.000Z",
        resultsVisible: "live",
      },
    });
  });

  it("reads a custom rule from percentages, keeping the decimals written", () => {
    const r = parseBallotForm(form([...BASE.filter(([k]) => k !== "rule"), ["rule", "custom"], ["approveFraction", "66.67"], ["approveOf", "eligible"], ["maxDisapproveFraction", "25"], ["maxDisapproveOf", "cast"], ["excludeDisapproveWithoutReason", "on"]]));
    expect(r.ok && r.input.rule).toEqual({ approve: { fraction: 0.6667, of: "eligible" }, maxDisapprove: { fraction: 0.25, of: "cast" }, excludeDisapproveWithoutReason: true });
  });

  it("a proposal subject; no committees ticked leaves the default; no quorum is null", () => {
    const r = parseBallotForm(form([...BASE.filter(([k]) => k !== "subject"), ["subject", "proposal:3f2a-77"]]));
    expect(r.ok && r.input).toMatchObject({ subject: { proposalId: "3f2a-77" }, eligible: { roles: ["expert", "member"] }, quorum: null });
    expect(r.ok && "committees" in r.input.eligible).toBe(false);
  });

  it("names each field that is wrong, and gives the values back", () => {
    const r = parseBallotForm(form([["subject", ""], ["rule", "custom"], ["voterUnit", "individual"], ["closesAt", "2026-07-15T18:00"], ["resultsVisible", "live"]]));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(Object.keys(r.errors).sort()).toEqual(["roles", "subject"]);
      expect(r.values.rule).toBe("custom");
    }
    const bad = parseBallotForm(form([...BASE.filter(([k]) => k !== "rule" && k !== "closesAt"), ["rule", "custom"], ["approveFraction", "150"], ["closesAt", "next week"], ["quorum", "-1"]]));
    expect(bad.ok === false && bad.errors).toEqual({ approveFraction: "Enter a percentage from 0 to 100.", quorum: "Enter a percentage from 0 to 100.", closesAt: "Enter a date and time." });
  });

  it("observers cannot be offered: the role is refused by the form itself", () => {
    const r = parseBallotForm(form([...BASE, ["roles", "observer"]]));
    expect(r.ok === false && r.errors["roles.2"]).toBeTruthy();
  });
});
