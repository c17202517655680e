/**
 * API endpoints: the public release files, manifests, `latest` and the signed index. In practice
 * app/releases/serve.server.ts answers these before Express; the definitions here document them in
 * the OpenAPI document and answer, through the same serving function, what reaches the router anyway.
 */
import { z } from "zod";
import { RELEASE_FILE_NAMES } from "../../db/schema";
import { serveReleaseParams, serveReleaseTarget } from "../releases/serve.server";
import { endpoint, type Endpoint } from "./endpoint";
import { IndexSchema, ManifestSchema } from "./schemas";

const StandardId = z.string().min(1).max(64);
const Version = z.string().min(1).max(64).meta({ description: "A semantic version, e.g. 1.2.0" });
const FileName = z.string().min(1).max(64).meta({ description: `One of ${RELEASE_FILE_NAMES.join(", ")}` });

const CACHING =
  "Strong ETag (\"<sha256>\"; \"<sha256>-gzip\" and \"<sha256>-br\" for the encoded variants), Cache-Control: public, max-age=31536000, immutable, 304 on a matching If-None-Match (any variant), Vary: Accept-Encoding, gzip or brotli by Accept-Encoding";

export const releaseFilesEndpoints: Endpoint<any, any, any>[] = [
  endpoint({
    method: "get",
    path: "/index.json",
    tag: "Releases",
    summary: "The newest signed index of all releases. ETag, Cache-Control: public, max-age=60, 304 on If-None-Match, gzip/brotli",
    access: "public",
    policy: null,
    success: { status: 200, description: "The signed index", schema: IndexSchema },
    errors: [404],
    raw: true,
    handler: ({ req, res }) => serveReleaseTarget(req, res, { kind: "index" }),
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/releases/latest",
    tag: "Releases",
    summary: "302 to the current release's manifest (Cache-Control: public, max-age=60); /releases/latest/{file} redirects to that file",
    access: "public",
    policy: null,
    params: z.object({ id: StandardId }),
    success: { status: 302, description: "Location: /api/v1/standards/{id}/releases/{version}", schema: z.null() },
    errors: [404],
    raw: true,
    handler: ({ req, res, params }) => serveReleaseParams(req, res, { standard: params.id, version: "latest" }),
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/releases/latest/{file}",
    tag: "Releases",
    summary: "302 to this file of the current release (Cache-Control: public, max-age=60)",
    access: "public",
    policy: null,
    params: z.object({ id: StandardId, file: FileName }),
    success: { status: 302, description: "Location: /api/v1/standards/{id}/releases/{version}/{file}", schema: z.null() },
    errors: [404],
    raw: true,
    handler: ({ req, res, params }) => serveReleaseParams(req, res, { standard: params.id, version: "latest", file: params.file }),
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/releases/{version}",
    tag: "Releases",
    summary: `The signed release manifest (also at /releases/{version}/manifest.json). ${CACHING}`,
    access: "public",
    policy: null,
    params: z.object({ id: StandardId, version: Version }),
    success: { status: 200, description: "The manifest", schema: ManifestSchema },
    errors: [404],
    raw: true,
    handler: ({ req, res, params }) => serveReleaseParams(req, res, { standard: params.id, version: params.version }),
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/releases/{version}/manifest.json",
    tag: "Releases",
    summary: `The signed release manifest (same bytes as /releases/{version}). ${CACHING}`,
    access: "public",
    policy: null,
    params: z.object({ id: StandardId, version: Version }),
    success: { status: 200, description: "The manifest", schema: ManifestSchema },
    errors: [404],
    raw: true,
    handler: ({ req, res, params }) => serveReleaseParams(req, res, { standard: params.id, version: params.version }),
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}/releases/{version}/{file}",
    tag: "Releases",
    summary: `One file of a release, byte-identical forever: ruleset.json and conformance.json (application/json), document.md (text/markdown), document.html (text/html, sanitized, under a CSP without scripts). ${CACHING}`,
    access: "public",
    policy: null,
    params: z.object({ id: StandardId, version: Version, file: FileName }),
    success: { status: 200, description: "The file's bytes; its SHA-256 and length are in the manifest", schema: z.string() },
    errors: [404],
    raw: true,
    handler: ({ req, res, params }) => serveReleaseParams(req, res, { standard: params.id, version: params.version, file: params.file }),
  }),
];
