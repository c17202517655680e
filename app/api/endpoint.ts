/**
 * One definition per API endpoint: its zod schemas validate requests and generate the OpenAPI
 * document, and its handler runs behind the same authentication and error handling.
 */
import type { Request, Response } from "express";
import { z } from "zod";
import { authenticate, type Authenticated } from "../auth/actor.server";
import type { Action } from "../policies/policy";
import { PortalError, fieldErrors, storageFailure } from "../utils/errors";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

export type EndpointContext<B, Q, P> = {
  auth: Authenticated | null;
  body: B;
  query: Q;
  params: P;
  req: Request;
  res: Response;
};

export type Endpoint<B = unknown, Q = unknown, P = Record<string, string>> = {
  method: HttpMethod;
  /** OpenAPI-style path below /api/v1, e.g. `/orgs/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** Who may call it, in words (documented in the OpenAPI description). */
  access: string;
  /**
   * The policy action(s) that decide who may call it (all must allow; resource actions are decided
   * on the resource the path names), or null when anyone may call it. Published in the OpenAPI
   * document as `x-policy-actions`; the authorization matrix (tests/security) asks `can()` with it.
   */
  policy: Action | readonly Action[] | null;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** Success status and the zod schema of its body. */
  success: { status: number; schema: z.ZodType; description: string };
  /** Error codes this endpoint may answer, besides 400/401. */
  errors?: number[];
  /** Bodies of error answers that carry more than the standard error body, by status (for the OpenAPI document). */
  errorSchemas?: Partial<Record<number, z.ZodType>>;
  /** When true, the body may be left out entirely (no Content-Type, no content): it is read as `{}`. */
  optionalBody?: boolean;
  handler: (ctx: EndpointContext<B, Q, P>) => unknown | Promise<unknown>;
  /** Set when the handler writes the response itself (redirects, files). */
  raw?: boolean;
};

/** Declares an endpoint (identity function that keeps the types). */
export function endpoint<B = undefined, Q = undefined, P = Record<string, string>>(e: Endpoint<B, Q, P>): Endpoint<B, Q, P> {
  return e;
}

/** The actor, or a 401 when the call needs one. */
export function requireAuth(auth: Authenticated | null): Authenticated {
  if (!auth) throw new PortalError("unauthorized", "Sign in or send a personal access token (Authorization: Bearer …).");
  return auth;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const r = schema.safeParse(value);
  if (!r.success) {
    throw new PortalError("bad_request", `The request ${where} is not valid: ${r.error.issues[0]?.message ?? "check the fields"}`, fieldErrors(r.error.issues));
  }
  return r.data;
}

/** Wraps an endpoint into an Express handler: authenticate, validate, run, answer. */
export function expressHandler(e: Endpoint<any, any, any>) {
  return async (req: Request, res: Response) => {
    try {
      const auth = authenticate({ cookie: req.headers.cookie, authorization: req.headers.authorization });
      if (req.headers.authorization && !auth) throw new PortalError("unauthorized", "The access token is unknown, revoked or malformed.");
      const params = parse(e.params, req.params, "path");
      const query = parse(e.query, req.query, "query");
      let body: unknown;
      if (e.body) {
        const absent = e.optionalBody && !req.headers["content-type"] && !(Number(req.headers["content-length"] ?? 0) > 0) && !req.headers["transfer-encoding"];
        if (!absent && !req.is("application/json")) throw new PortalError("bad_request", "Send the body as JSON with Content-Type: application/json.");
        body = parse(e.body, absent ? {} : req.body, "body");
      }
      const result = await e.handler({ auth, body, query, params, req, res });
      if (e.raw) return;
      res.status(e.success.status).json(result);
    } catch (err) {
      sendError(res, err);
    }
  };
}

/**
 * Answers an error in the contract's format: a full disk or a database locked too long answers 503
 * `unavailable` with Retry-After (see storageFailure); unexpected errors are logged and answer 500.
 */
export function sendError(res: Response, err: unknown): void {
  if (err instanceof PortalError) {
    res.status(err.status).json(err.toJSON());
    return;
  }
  const storage = storageFailure(err);
  if (storage) {
    console.warn(`API write refused by the database (${storage.code}): ${storage.kind === "full" ? "storage full" : "database locked"}`);
    res.set("Retry-After", String(storage.retryAfterSeconds));
    res.status(503).json({ error: { code: "unavailable", message: storage.message } });
    return;
  }
  console.error("API error:", err);
  res.status(500).json({ error: { code: "internal", message: "Something went wrong on our side. It has been logged." } });
}
