/**
 * The API authorization matrix: every operation of the OpenAPI document the portal serves (not a
 * list written here) against every kind of caller. Each operation declares the policy action(s) it
 * needs (`x-policy-actions`, from the endpoint definitions); the expected outcome of each call is
 * `can(actor, action, resource)` from app/policies/policy.ts on the resource the path names, read
 * from the database at the time of the call.
 *
 * A refusal must answer the contract's status (401 without credentials, 404 when the caller may not
 * even see the resource, else 403) and change no table (content hashes compared before and after).
 * An allowed call must not be refused (it may still be 400/409/422: the lifecycle's business). An
 * operation without a policy declaration, a path parameter the matrix cannot resolve, or a body
 * without a sample here fails the test, so a new endpoint cannot slip through.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { can, RESOURCE_ACTIONS, type Action } from "../../app/policies/policy";
import { unique } from "../support/factories";
import { call } from "../support/http";
import { startPortal, type TestPortal } from "../support/portal";
import { ballotTarget, columns, commentTarget, fx, HOUR, makeFixtures, proposalTarget, sql, standardTarget, tableHashes, type Target } from "./fixtures";

let portal: TestPortal;

beforeAll(async () => {
  portal = await startPortal();
  await makeFixtures(portal);
}, 60_000);

afterAll(async () => portal?.close());

/** Fills the path's parameters and says what it names. Unknown parameters throw (the test fails). */
function resolve(method: string, path: string): { url: string; target: Target | null }[] {
  const fill = (p: string, values: Record<string, string>) =>
    p.replace(/\{(\w+)\}/g, (_m, name: string) => {
      if (!(name in values)) throw new Error(`${method.toUpperCase()} ${path}: the matrix does not know how to fill {${name}}`);
      return encodeURIComponent(values[name]);
    });
  const common = { number: fx.revision, version: fx.version, file: "ruleset.json" };
  if (path.startsWith("/standards/{id}/releases")) return [{ url: fill(path, { ...common, id: fx.published }), target: standardTarget(fx.published) }];
  if (path.startsWith("/standards/{id}")) {
    return [fx.draft, fx.published].map((id) => ({ url: fill(path, { ...common, id, number: id === fx.published ? "00" : fx.revision }), target: standardTarget(id) }));
  }
  if (path.startsWith("/proposals/{id}")) return [{ url: fill(path, { id: fx.proposal }), target: proposalTarget(fx.proposal) }];
  if (path.startsWith("/ballots/{id}")) return [{ url: fill(path, { id: fx.ballot }), target: ballotTarget(fx.ballot) }];
  if (path.startsWith("/comments/{id}")) {
    return [fx.comment, fx.proposalComment].map((id) => ({ url: fill(path, { id }), target: commentTarget(id) }));
  }
  if (path.startsWith("/webhooks/{id}")) {
    // Webhooks belong to whoever registered them: another member's webhook is not even visible.
    return [{ url: fill(path, { id: fx.webhook }), target: { forAction: () => undefined, visible: (a) => a?.id === fx.webhookOwner && !!sql("select 1 from webhooks where id = ?", fx.webhook) } }];
  }
  if (path.startsWith("/users/{id}")) return [{ url: fill(path, { id: fx.victim }), target: null }];
  return [{ url: fill(path, {}), target: null }];
}

/** A valid body for each operation that takes one (keyed "METHOD path"); the resource it names, when the body does. */
function sampleBody(method: string, path: string): { body: unknown; target?: Target } | undefined {
  const key = `${method.toUpperCase()} ${path}`;
  const samples: Record<string, () => { body: unknown; target?: Target }> = {
    "POST /orgs": () => ({ body: { name: `Matrix Org ${unique()}`, kind: "company", country: "FR" } }),
    "POST /committees": () => ({ body: { code: "MTX", name: "Matrix committee" } }),
    "POST /users": () => ({ body: { email: `matrix-${unique()}@example.org`, name: "Matrix new", orgId: sql<{ id: string }>("select id from organizations limit 1")!.id, role: "member" } }),
    "PATCH /users/{id}": () => ({ body: { name: "Matrix renamed" } }),
    "POST /standards": () => ({
      body: { committee: "TAR", title: `Matrix new ${unique()}`, scope: "A standard made by the matrix." },
      target: { forAction: () => ({ committee: "TAR", status: "draft" }) },
    }),
    "PUT /standards/{id}/draft": () => ({ body: { markdown: "# Matrix\n\nChanged by the matrix.\n" } }),
    "POST /standards/{id}/status": () => ({ body: { status: "review" } }),
    "POST /standards/{id}/comments": () => ({ body: { body: "Matrix says hello", kind: "general" } }),
    "POST /proposals/{id}/comments": () => ({ body: { body: "Matrix says hello", kind: "general" } }),
    "POST /comments/{id}/replies": () => ({ body: { body: "A reply" } }),
    "POST /comments/{id}/resolution": () => ({ body: { status: "noted", response: "Seen." } }),
    "POST /ballots": () => ({
      body: { subject: { standardId: fx.draft, revision: "00" }, rule: "simple-majority", voterUnit: "individual", eligible: { roles: ["expert"] }, closesAt: new Date(Date.now() + 5 * HOUR).toISOString() },
    }),
    "PUT /ballots/{id}/vote": () => ({ body: { position: "approve" } }),
    "POST /ballots/{id}/cancel": () => ({ body: { reason: "The matrix cancels it." } }),
    "POST /proposals": () => ({
      body: { kind: "amendment", title: "Matrix amendment", rationale: "Made by the authorization matrix.", standardId: fx.draft },
      target: standardTarget(fx.draft),
    }),
    "PUT /proposals/{id}/draft": () => ({ body: { markdown: "# Matrix\n\nThe proposal's text.\n" } }),
    "POST /proposals/{id}/apply": () => ({ body: { draftHash: "0".repeat(64) } }),
    "POST /proposals/{id}/withdraw": () => ({ body: { reason: "Matrix" } }),
    "POST /standards/{id}/releases": () => ({ body: { revision: "00" } }),
    "POST /standards/{id}/releases/{version}/evaluate": () => ({ body: { input: {} } }),
    "POST /webhooks": () => ({ body: { url: "https://hooks.example.com/other", events: ["release.published"] } }),
  };
  return samples[key]?.();
}

// ---------------------------------------------------------------------------------------------
// The matrix
// ---------------------------------------------------------------------------------------------

type Operation = { method: string; path: string; policy: Action[] | undefined; hasBody: boolean; requiredQuery: string[] };

/** Query strings for operations with required query parameters (keyed "METHOD path"). */
function sampleQuery(method: string, path: string): string | undefined {
  const samples: Record<string, () => string> = {
    "GET /standards/{id}/diff": () => "?from=00&to=draft",
    "GET /standards/{id}/releases/diff": () => `?from=${fx.version}&to=${fx.version}`,
    "GET /search": () => "?q=parcel",
  };
  return samples[`${method.toUpperCase()} ${path}`]?.();
}

let operations: Operation[] = [];

describe("the API authorization matrix", () => {
  beforeAll(async () => {
    const res = await call(portal, "/openapi.json");
    expect(res.status).toBe(200);
    type Op = { "x-policy-actions"?: Action[]; requestBody?: unknown; parameters?: { in: string; name: string; required?: boolean }[] };
    operations = Object.entries(res.body.paths as Record<string, Record<string, Op>>).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({
        method,
        path,
        policy: op["x-policy-actions"],
        hasBody: !!op.requestBody,
        requiredQuery: (op.parameters ?? []).filter((p) => p.in === "query" && p.required).map((p) => p.name),
      })),
    );
    // Deletions last, so the resource they remove is still there for every other operation.
    operations.sort((a, b) => Number(a.method === "delete") - Number(b.method === "delete"));
  });

  it("discovers every operation from the served OpenAPI document, each with a policy declaration", () => {
    expect(operations.length).toBeGreaterThan(50);
    const undeclared = operations.filter((o) => !Array.isArray(o.policy)).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(undeclared, "operations without x-policy-actions").toEqual([]);
    const withoutSample = operations.filter((o) => o.hasBody && !sampleBody(o.method, o.path)).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(withoutSample, "operations whose body the matrix has no sample for").toEqual([]);
    const withoutQuery = operations.filter((o) => o.requiredQuery.length && !sampleQuery(o.method, o.path)).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(withoutQuery, "operations whose required query the matrix has no sample for").toEqual([]);
    for (const o of operations) expect(() => resolve(o.method, o.path)).not.toThrow();
  });

  it("answers every operation for every caller as the policy decides, and a refusal writes nothing", async () => {
    const mismatches: string[] = [];
    let refusals = 0;
    let allowed = 0;
    for (const op of operations) {
      const actions = op.policy ?? [];
      for (const { url, target: pathTarget } of resolve(op.method, op.path)) {
        for (const column of columns) {
          const sample = sampleBody(op.method, op.path);
          const target = sample?.target ?? pathTarget;
          const allows = (action: Action) => {
            const resource = RESOURCE_ACTIONS.has(action) ? [target?.forAction(action, column.actor)] : [];
            return can(column.actor, action as never, ...(resource as [])) && (target?.extra?.(action, column.actor) ?? true);
          };
          const visible = target?.visible?.(column.actor) ?? true;
          const may = actions.every(allows) && visible;
          // Refused on the actor alone (role, read-only token): decided before the resource is looked at, so 403 leaks nothing.
          const actorRefused = actions.some((a) => !RESOURCE_ACTIONS.has(a) && !allows(a));
          const before = may ? {} : tableHashes();
          const res = await call(portal, url + (sampleQuery(op.method, op.path) ?? ""), { method: op.method.toUpperCase(), cookie: column.cookie, token: column.token, body: sample?.body });
          const where = `${op.method.toUpperCase()} ${url} as ${column.name}`;
          if (may) {
            allowed++;
            if ([401, 403, 404].includes(res.status) || res.status >= 500) mismatches.push(`${where}: allowed by the policy, answered ${res.status} ${res.text.slice(0, 160)}`);
            continue;
          }
          refusals++;
          // A resource named in the body (not the path) that the caller may not see is a field error (422), as for one that does not exist.
          const invisible = sample?.target ? [404, 422] : [404];
          const expected = column.actor === null ? (visible ? [401] : [401, ...invisible]) : visible ? [403] : actorRefused ? [403, ...invisible] : invisible;
          if (!expected.includes(res.status)) mismatches.push(`${where}: refused by the policy, expected ${expected.join(" or ")}, answered ${res.status} ${res.text.slice(0, 160)}`);
          else if (res.body?.error?.code === undefined) mismatches.push(`${where}: the refusal is not in the error format`);
          const after = tableHashes();
          const changed = Object.keys(after).filter((t) => after[t] !== before[t]);
          if (changed.length) mismatches.push(`${where}: refused, yet wrote to ${changed.join(", ")}`);
        }
      }
    }
    console.info(`API authorization matrix: ${refusals} refusals checked${typeof allowed === "number" ? `, ${allowed} allowed calls` : ""}`);
    expect(mismatches).toEqual([]);
    // The matrix really ran both ways.
    expect(refusals).toBeGreaterThan(300);
    expect(allowed).toBeGreaterThan(150);
  }, 420_000);
});
