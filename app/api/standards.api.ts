/** API endpoints of the standards registry (reading). */
import { z } from "zod";
import { STANDARD_STATUSES } from "../../db/vocabulary";
import { getStandard, listStandards } from "../domain/standards.server";
import { can } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { endpoint } from "./endpoint";

const StandardSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  committee: z.string(),
  status: z.enum(STANDARD_STATUSES),
  latestRelease: z.string().nullable(),
});

const StandardDetailSchema = z.object({
  id: z.string(),
  title: z.string(),
  committee: z.string(),
  scope: z.string(),
  status: z.enum(STANDARD_STATUSES),
  revisions: z.array(z.object({ number: z.string(), hash: z.string(), createdAt: z.string() })),
  releases: z.array(z.object({ version: z.string(), publishedAt: z.string(), status: z.string() })),
});

export const standardsEndpoints = [
  endpoint({
    method: "get",
    path: "/standards",
    tag: "Standards",
    summary: "List the standards the caller may see (the public: published only)",
    access: "public",
    query: z.object({
      status: z.enum(STANDARD_STATUSES).optional(),
      committee: z.string().regex(/^[A-Z]{2,5}$/, "A committee code is 2 to 5 capital letters.").optional(),
      q: z.string().trim().max(200).optional(),
    }),
    success: { status: 200, description: "Standards", schema: z.object({ standards: z.array(StandardSummarySchema) }) },
    handler: ({ auth, query }) => ({
      standards: listStandards(auth?.actor ?? null, { ...query, q: query.q || undefined }).map((s) => ({
        id: s.id,
        title: s.title,
        committee: s.committee,
        status: s.status,
        latestRelease: null,
      })),
    }),
  }),
  endpoint({
    method: "get",
    path: "/standards/{id}",
    tag: "Standards",
    summary: "One standard with its revisions and releases",
    access: "public (published); committee members (drafts)",
    params: z.object({ id: z.string().max(40) }),
    success: { status: 200, description: "The standard", schema: z.object({ standard: StandardDetailSchema }) },
    errors: [404],
    handler: ({ auth, params }) => {
      const s = getStandard(params.id);
      if (!s || !can(auth?.actor ?? null, "standard.read", s)) throw new PortalError("not_found", `No standard ${params.id}.`);
      return { standard: { id: s.id, title: s.title, committee: s.committee, scope: s.scope, status: s.status, revisions: [], releases: [] } };
    },
  }),
];
