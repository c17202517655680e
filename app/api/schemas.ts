/** Response schemas of the API (request schemas live with their domain, in app/domain/*.schemas.ts). */
import { z } from "zod";
import { ORG_KINDS, ROLES, USER_STATUSES } from "../../db/schema";

export const ErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), fields: z.record(z.string(), z.string()).optional() }),
});

export const OrgSchema = z.object({ id: z.string(), name: z.string(), kind: z.enum(ORG_KINDS), country: z.string(), createdAt: z.string() });
export const CommitteeSchema = z.object({ code: z.string(), name: z.string(), description: z.string(), createdAt: z.string() });
export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  orgId: z.string(),
  role: z.enum(ROLES),
  status: z.enum(USER_STATUSES),
  votingRepresentative: z.boolean(),
  committees: z.array(z.string()),
  createdAt: z.string(),
});
