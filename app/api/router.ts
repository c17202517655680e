/** The /api/v1 router: every endpoint definition mounted behind JSON parsing and the error format. */
import express, { type NextFunction, type Request, type Response } from "express";
import { env } from "../utils/env.server";
import { PortalError } from "../utils/errors";
import { ballotsEndpoints } from "./ballots.api";
import { commentsEndpoints } from "./comments.api";
import { expressHandler, sendError, type Endpoint } from "./endpoint";
import { membersEndpoints } from "./members.api";
import { proposalsEndpoints } from "./proposals.api";
import { releaseFilesEndpoints } from "./release-files.api";
import { releasesEndpoints } from "./releases.api";
import { standardsEndpoints } from "./standards.api";
import { webhooksEndpoints } from "./webhooks.api";
import { openApiDocument } from "./openapi";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Every endpoint of the API, in the order they are matched. */
// Releases before release files: `/releases/diff` must match before `/releases/{version}`.
export const endpoints: Endpoint<any, any, any>[] = [
  ...membersEndpoints,
  ...standardsEndpoints,
  ...commentsEndpoints,
  ...ballotsEndpoints,
  ...proposalsEndpoints,
  ...releasesEndpoints,
  ...releaseFilesEndpoints,
  ...webhooksEndpoints,
];

const toExpressPath = (p: string) => p.replace(/\{(\w+)\}/g, ":$1");

/** Builds the Express router for /api/v1. */
export function apiRouter(): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: MAX_BODY_BYTES, type: ["application/json", "application/*+json"] }));
  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument(endpoints, env().publicUrl));
  });
  for (const e of endpoints) router[e.method](toExpressPath(e.path), expressHandler(e));
  router.use((_req: Request, res: Response) => {
    sendError(res, new PortalError("not_found", "No such API endpoint. See /api/v1/openapi.json."));
  });
  // Body parser errors (malformed JSON, oversized bodies) are the caller's mistake, never a 500.
  router.use((err: { type?: string; status?: number }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === "entity.too.large") return sendError(res, new PortalError("payload_too_large", `The body is larger than ${MAX_BODY_BYTES} bytes.`));
    if (err.type === "entity.parse.failed") return sendError(res, new PortalError("bad_request", "The body is not valid JSON."));
    if (err.status && err.status >= 400 && err.status < 500) return sendError(res, new PortalError("bad_request", "The request could not be read."));
    sendError(res, err);
  });
  return router;
}
