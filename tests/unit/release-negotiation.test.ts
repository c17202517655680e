/** Content negotiation and conditional requests of the release fast path (RFC 9110 §12.5.3, §13.1.2). */
import { describe, expect, it } from "vitest";
import { acceptableEncodings, ifNoneMatchHits, releaseTargetOf } from "../../app/releases/serve.server";

describe("acceptableEncodings", () => {
  const cases: [string | undefined, string[]][] = [
    [undefined, ["identity"]],
    ["gzip, deflate, br", ["br", "gzip", "identity"]],
    ["gzip", ["gzip", "identity"]],
    ["br;q=0.5, gzip", ["gzip", "br", "identity"]],
    ["gzip;q=0.8, identity;q=0.9", ["identity", "gzip"]],
    ["br;q=0, gzip;q=0", ["identity"]],
    ["*", ["br", "gzip", "identity"]],
    ["*;q=0", ["identity"]], // nothing acceptable: identity anyway, never a 406 for a file
    ["*;q=0, gzip", ["gzip"]],
    ["identity;q=0, br", ["br"]],
    ["GZIP ; Q=0.5, BR;q=0.4", ["gzip", "br", "identity"]],
    ["x-gzip", ["gzip", "identity"]],
  ];
  for (const [header, expected] of cases) {
    it(`orders ${JSON.stringify(header)} as ${expected.join(" > ")}`, () => {
      expect(acceptableEncodings(header)).toEqual(expected);
    });
  }
});

describe("ifNoneMatchHits", () => {
  const sha = "a".repeat(64);
  const tags = new Set([`"${sha}"`, `"${sha}-gzip"`, `"${sha}-br"`]);
  it("matches the tag, any variant, a list, a weak tag and *", () => {
    expect(ifNoneMatchHits(`"${sha}"`, tags)).toBe(true);
    expect(ifNoneMatchHits(`"${sha}-br"`, tags)).toBe(true);
    expect(ifNoneMatchHits(`"other", "${sha}-gzip"`, tags)).toBe(true);
    expect(ifNoneMatchHits(`W/"${sha}"`, tags)).toBe(true);
    expect(ifNoneMatchHits(" * ", tags)).toBe(true);
  });
  it("does not match other or unquoted tags", () => {
    expect(ifNoneMatchHits(undefined, tags)).toBe(false);
    expect(ifNoneMatchHits(`"${"b".repeat(64)}"`, tags)).toBe(false);
    expect(ifNoneMatchHits(sha, tags)).toBe(false);
  });
});

describe("releaseTargetOf", () => {
  it("takes release URLs, the index and the feed, and leaves everything else to the router", () => {
    expect(releaseTargetOf("GET", "/api/v1/standards/EWTP-TAR-001/releases/1.2.0/ruleset.json?x=1")).toEqual({ kind: "release", standard: "EWTP-TAR-001", version: "1.2.0", file: "ruleset.json" });
    expect(releaseTargetOf("HEAD", "/api/v1/standards/EWTP-TAR-001/releases/1.2.0/manifest.json")).toEqual({ kind: "release", standard: "EWTP-TAR-001", version: "1.2.0", file: null });
    expect(releaseTargetOf("GET", "/api/v1/standards/EWTP-TAR-001/releases/latest")).toEqual({ kind: "latest", standard: "EWTP-TAR-001", file: null });
    expect(releaseTargetOf("GET", "/api/v1/index.json")).toEqual({ kind: "index" });
    expect(releaseTargetOf("GET", "/releases.atom")).toEqual({ kind: "feed" });
    expect(releaseTargetOf("POST", "/api/v1/standards/EWTP-TAR-001/releases/1.2.0/evaluate")).toBeNull();
    expect(releaseTargetOf("GET", "/api/v1/standards/EWTP-TAR-001/releases/diff?from=1.0.0&to=1.1.0")).toBeNull();
    expect(releaseTargetOf("GET", "/api/v1/standards/EWTP-TAR-001/releases")).toBeNull();
    expect(releaseTargetOf("GET", "/api/v1/standards/EWTP-TAR-001/releases/1.2.0/other.txt")).toBeNull();
    expect(releaseTargetOf("GET", "/api/v1/standards/EWTP%2DTAR-001/releases/1.2.0")).toBeNull();
  });
});
