/**
 * The public release endpoints as an implementer's system sees them: exact bytes, strong ETags,
 * immutable caching, 304s, gzip and brotli variants, HEAD, `latest`, the signed index, 404s in the
 * error format, and the Atom feed. Real portal, real HTTP (node:http, so encodings stay visible).
 */
import { createHash } from "node:crypto";
import http from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { standards } from "../../db/schema";
import { getDraftView } from "../../app/domain/drafts.server";
import { releaseFileBytes } from "../../app/domain/releases.server";
import { createAdmin } from "../support/factories";
import { startPortal, type TestPortal } from "../support/portal";
import { publishTestRelease } from "../support/releases";

type Raw = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/** One request without any automatic decompression or redirect following. */
function raw(portal: TestPortal, path: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(portal.baseUrl + path, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const STANDARD = "EWTP-TAR-001";

type Published = { manifest: Buffer; manifestSha256: string; files: Record<string, Buffer> };

let portal: TestPortal;
let adminId: string;
let first: Published;

/** Publishes the draft through the real path and reads back what must be served. */
function publish(standard: string, now: Date, markdown?: string): Published {
  const { version } = publishTestRelease({ standard, adminId, now, markdown });
  const row = portal.db.$client.prepare("select manifest from releases where standard_id = ? and version = ?").get(standard, version) as { manifest: string };
  const manifest = Buffer.from(row.manifest, "utf8");
  const files = Object.fromEntries(["ruleset.json", "conformance.json", "document.md", "document.html"].map((n) => [n, releaseFileBytes(standard, version, n)!]));
  return { manifest, manifestSha256: sha256(manifest), files };
}

beforeAll(async () => {
  portal = await startPortal();
  adminId = (await createAdmin()).user.id;
  // A title that must stay text in the feed.
  portal.db.update(standards).set({ title: `De minimis <script>alert("x")</script> & duty` }).where(eq(standards.id, STANDARD)).run();
  first = publish(STANDARD, new Date("2026-11-01T10:00:00.000Z"));
  // A text-only change: a patch release, 1.0.1, superseding 1.0.0.
  publish(STANDARD, new Date("2026-11-20T10:00:00.000Z"), `${getDraftView(STANDARD)!.markdown}\n\nAn editorial note added for the next release.\n`);
});

afterAll(async () => {
  await portal?.close();
});

describe("release files", () => {
  const url = `/api/v1/standards/${STANDARD}/releases/1.0.0/ruleset.json`;

  it("serves the exact bytes with a strong ETag of their SHA-256 and an immutable cache header", async () => {
    const r = await raw(portal, url);
    expect(r.status).toBe(200);
    expect(r.body.equals(first.files["ruleset.json"])).toBe(true);
    expect(r.headers.etag).toBe(`"${sha256(first.files["ruleset.json"])}"`);
    expect(r.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(r.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(r.headers["content-length"]).toBe(String(first.files["ruleset.json"].length));
    expect(r.headers.vary).toBe("Accept-Encoding");
    expect(r.headers["x-content-type-options"]).toBe("nosniff");
    expect(r.headers["content-encoding"]).toBeUndefined();
  });

  it("answers 304 on a matching If-None-Match, also inside a list, weak or with *", async () => {
    const etag = `"${sha256(first.files["ruleset.json"])}"`;
    for (const inm of [etag, `"nope", ${etag}`, `W/${etag}`, "*"]) {
      const r = await raw(portal, url, { headers: { "if-none-match": inm } });
      expect(r.status, inm).toBe(304);
      expect(r.body.length).toBe(0);
      expect(r.headers.etag).toBe(etag);
      expect(r.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
    const miss = await raw(portal, url, { headers: { "if-none-match": `"${"0".repeat(64)}"` } });
    expect(miss.status).toBe(200);
  });

  it("negotiates brotli over gzip and both decode to the same bytes, with their own ETags that still validate", async () => {
    const br = await raw(portal, url, { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(br.headers["content-length"]).toBe(String(br.body.length));
    expect(brotliDecompressSync(br.body).equals(first.files["ruleset.json"])).toBe(true);
    expect(br.headers.etag).toBe(`"${sha256(first.files["ruleset.json"])}-br"`);

    const gz = await raw(portal, url, { headers: { "accept-encoding": "br;q=0.5, gzip" } });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body).equals(first.files["ruleset.json"])).toBe(true);

    const none = await raw(portal, url, { headers: { "accept-encoding": "br;q=0, gzip;q=0" } });
    expect(none.headers["content-encoding"]).toBeUndefined();
    expect(none.body.equals(first.files["ruleset.json"])).toBe(true);

    // The identity ETag revalidates a compressed copy, and the other way round.
    const cross = await raw(portal, url, { headers: { "accept-encoding": "br", "if-none-match": gz.headers.etag! } });
    expect(cross.status).toBe(304);
    expect(cross.headers.etag).toBe(br.headers.etag);
  });

  it("answers the same through the API router when a path is percent-encoded", async () => {
    const r = await raw(portal, `/api/v1/standards/${STANDARD}/releases/1.0.0/ruleset%2Ejson`, { headers: { "accept-encoding": "gzip" } });
    expect(r.status).toBe(200);
    expect(gunzipSync(r.body).equals(first.files["ruleset.json"])).toBe(true);
    expect(r.headers.etag).toBe(`"${sha256(first.files["ruleset.json"])}-gzip"`);
    expect(r.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(r.headers["content-security-policy"]).toContain("default-src 'none'");
  });

  it("answers HEAD with the headers and no body", async () => {
    const r = await raw(portal, url, { method: "HEAD" });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    expect(r.headers["content-length"]).toBe(String(first.files["ruleset.json"].length));
    expect(r.headers.etag).toBe(`"${sha256(first.files["ruleset.json"])}"`);
  });

  it("serves every file with its type, and document.html under a CSP without scripts", async () => {
    const types: Record<string, string> = {
      "conformance.json": "application/json; charset=utf-8",
      "document.md": "text/markdown; charset=utf-8",
      "document.html": "text/html; charset=utf-8",
    };
    for (const [name, type] of Object.entries(types)) {
      const r = await raw(portal, `/api/v1/standards/${STANDARD}/releases/1.0.0/${name}`);
      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toBe(type);
      expect(r.body.equals(first.files[name])).toBe(true);
    }
    const html = await raw(portal, `/api/v1/standards/${STANDARD}/releases/1.0.0/document.html`);
    expect(html.headers["content-security-policy"]).toContain("default-src 'none'");
    expect(html.headers["content-security-policy"]).not.toContain("script-src");
  });

  it("serves the manifest at the version and at manifest.json, byte for byte, hashed as the index lists it", async () => {
    for (const path of [`/api/v1/standards/${STANDARD}/releases/1.0.0`, `/api/v1/standards/${STANDARD}/releases/1.0.0/manifest.json`]) {
      const r = await raw(portal, path);
      expect(r.status).toBe(200);
      expect(r.body.equals(first.manifest)).toBe(true);
      expect(r.headers.etag).toBe(`"${first.manifestSha256}"`);
      expect(r.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    }
    const index = await raw(portal, "/api/v1/index.json");
    const entry = JSON.parse(index.body.toString()).signed.releases[`${STANDARD}@1.0.0`];
    expect(entry).toEqual({ sha256: first.manifestSha256, length: first.manifest.length });
  });
});

describe("latest and the index", () => {
  it("redirects latest to the current version with a short cache", async () => {
    const r = await raw(portal, `/api/v1/standards/${STANDARD}/releases/latest`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(`/api/v1/standards/${STANDARD}/releases/1.0.1`);
    expect(r.headers["cache-control"]).toBe("public, max-age=60");
    const file = await raw(portal, `/api/v1/standards/${STANDARD}/releases/latest/ruleset.json`);
    expect(file.headers.location).toBe(`/api/v1/standards/${STANDARD}/releases/1.0.1/ruleset.json`);
  });

  it("serves the newest signed index with an ETag and a short cache, and follows a new publication", async () => {
    const r = await raw(portal, "/api/v1/index.json");
    expect(r.status).toBe(200);
    const index = JSON.parse(r.body.toString());
    expect(index.signed._type).toBe("index");
    expect(Object.keys(index.signed.releases).sort()).toEqual([`${STANDARD}@1.0.0`, `${STANDARD}@1.0.1`]);
    expect(r.headers["cache-control"]).toBe("public, max-age=60");
    expect((await raw(portal, "/api/v1/index.json", { headers: { "if-none-match": r.headers.etag! } })).status).toBe(304);

    publish("EWTP-LOG-001", new Date());
    const after = await raw(portal, "/api/v1/index.json", { headers: { "if-none-match": r.headers.etag! } });
    expect(after.status).toBe(200);
    expect(JSON.parse(after.body.toString()).signed.version).toBe(index.signed.version + 1);
    expect((await raw(portal, "/api/v1/standards/EWTP-LOG-001/releases/latest")).headers.location).toBe("/api/v1/standards/EWTP-LOG-001/releases/1.0.0");
  });
});

describe("what does not exist", () => {
  const cases = [
    ["an unknown standard", "/api/v1/standards/EWTP-XXX-999/releases/1.0.0/ruleset.json"],
    ["an unknown version", `/api/v1/standards/${STANDARD}/releases/9.9.9`],
    ["an unknown file", `/api/v1/standards/${STANDARD}/releases/1.0.0/secrets.txt`],
    ["a version that is not semver", `/api/v1/standards/${STANDARD}/releases/v1/ruleset.json`],
    ["latest of a standard without releases", "/api/v1/standards/EWTP-CUS-001/releases/latest"],
    ["an encoded path", `/api/v1/standards/${STANDARD}/releases/1.0.0/ruleset%2Ejs`],
  ];
  for (const [what, path] of cases) {
    it(`answers 404 in the error format for ${what}`, async () => {
      const r = await raw(portal, path);
      expect(r.status).toBe(404);
      expect(r.headers["content-type"]).toContain("application/json");
      const body = JSON.parse(r.body.toString());
      expect(body.error.code).toBe("not_found");
      expect(typeof body.error.message).toBe("string");
    });
  }

  it("documents the release endpoints in the OpenAPI document", async () => {
    const doc = JSON.parse((await raw(portal, "/api/v1/openapi.json")).body.toString());
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/index.json", "/standards/{id}/releases/latest", "/standards/{id}/releases/{version}", "/standards/{id}/releases/{version}/{file}"]),
    );
  });
});

describe("the Atom feed", () => {
  it("lists releases newest first, linking to their pages, with the changelog and the titles escaped", async () => {
    const r = await raw(portal, "/releases.atom");
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("application/atom+xml; charset=utf-8");
    const xml = r.body.toString("utf8");
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')).toBe(true);
    expect(xml).toMatch(/<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom">[\s\S]*<\/feed>\s*$/);
    const entries = [...xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => m[1]);
    expect(entries.length).toBe(3);
    // Newest first: LOG 1.0.0 (now), then TAR 1.0.1, then TAR 1.0.0.
    expect(entries[1]).toContain(`<link href="${portal.baseUrl}/standards/${STANDARD}/releases/1.0.1"/>`);
    expect(entries[1]).toContain("<updated>2026-11-20T10:00:00.000Z</updated>");
    expect(entries[1]).toContain("Rules: 0 added, 0 removed, 0 changed.");
    expect(entries[1]).toContain("Supersedes 1.0.0.");
    expect(entries[2]).toContain(`<id>${portal.baseUrl}/api/v1/standards/${STANDARD}/releases/1.0.0</id>`);
    expect(entries[2]).toMatch(/Rules: [1-9]\d* added, 0 removed, 0 changed\. First release of this standard\./);
    // The title is HTML-escaped inside its CDATA: a reader shows "<script>" as text.
    expect(xml).not.toMatch(/<script/i);
    expect(entries[1]).toContain("EWTP-TAR-001 1.0.1: De minimis &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; duty");
    // Every element that opens is closed (a cheap well-formedness check without an XML parser).
    const opened = [...xml.matchAll(/<([a-z]+)[\s>]/g)].filter((m) => !xml.slice(m.index).match(/^<[^>]*\/>/)).length;
    const closed = [...xml.matchAll(/<\/([a-z]+)>/g)].length;
    expect(opened).toBe(closed);
  });
});
