/** The OpenAPI document, generated from the same endpoint definitions and zod schemas that validate requests. */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import type { Endpoint } from "./endpoint";
import { ErrorSchema } from "./schemas";

const ERROR_TEXT: Record<number, string> = {
  400: "bad_request: the request is malformed or a field is invalid",
  401: "unauthorized: sign in or send a valid token",
  403: "forbidden: your role may not do this (or a cross-site request)",
  404: "not_found: no such resource, or you may not see it",
  409: "conflict: the resource is in a state that forbids this",
  413: "payload_too_large",
  422: "unprocessable: the request is well-formed but breaks a rule",
  429: "rate_limited",
  503: "unavailable: the database's storage is full or it was locked too long; nothing was written; retry after Retry-After seconds",
};

/** Builds the OpenAPI 3.1 document for the given endpoints. */
export function openApiDocument(endpoints: Endpoint<any, any, any>[], serverUrl: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", description: "Personal access token (ewtp_pat_…)" });
  registry.registerComponent("securitySchemes", "session", { type: "apiKey", in: "cookie", name: "ewtp_session", description: "Browser session (same-origin only)" });
  for (const e of endpoints) {
    // Every write may meet a full disk or a locked database (503, see storageFailure).
    const codes = new Set([400, ...(e.access === "public" ? [] : [401]), ...(e.errors ?? []), ...(e.method === "get" ? [] : [503])]);
    registry.registerPath({
      method: e.method,
      path: e.path,
      summary: e.summary,
      description: `Access: ${e.access}.`,
      tags: [e.tag],
      "x-policy-actions": e.policy === null ? [] : typeof e.policy === "string" ? [e.policy] : [...e.policy],
      security: e.access === "public" ? [] : [{ bearer: [] }, { session: [] }],
      request: {
        ...(e.params ? { params: e.params as never } : {}),
        ...(e.query ? { query: e.query as never } : {}),
        ...(e.body ? { body: { required: !e.optionalBody, content: { "application/json": { schema: e.body as never } } } } : {}),
      },
      responses: {
        [e.success.status]: { description: e.success.description, content: { "application/json": { schema: e.success.schema as never } } },
        ...Object.fromEntries([...codes].map((c) => [c, { description: ERROR_TEXT[c] ?? String(c), content: { "application/json": { schema: (e.errorSchemas?.[c] ?? ErrorSchema) as never } } }])),
      },
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "e-WTP Standards Portal API", version: "1.0.0", description: "The public API of the e-WTP Standards Portal. Errors: {error: {code, message, fields?}}." },
    servers: [{ url: `${serverUrl}/api/v1` }],
  });
}
