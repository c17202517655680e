/** API endpoints for organisations, committees, users and the caller's own identity. */
import { z } from "zod";
import { actorFor } from "../auth/actor.server";
import { createCommittee, createOrganization, createUser, getOrganization, listCommittees, listOrganizations, listUsers, publicUser, updateUser } from "../domain/members.server";
import { CommitteeInputSchema, OrgInputSchema, UserInputSchema, UserUpdateSchema } from "../domain/members.schemas";
import { ACTIONS, RESOURCE_ACTIONS, can, type Action } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { endpoint, requireAuth } from "./endpoint";
import { CommitteeSchema, OrgSchema, UserSchema } from "./schemas";

/** Throws 403 unless the caller may take the action (401 when not signed in). */
function authorize(auth: Parameters<typeof requireAuth>[0], action: Action) {
  const a = requireAuth(auth);
  if (!can(a.actor, action as never)) throw new PortalError("forbidden", `Your role (${a.actor.role}${a.actor.readOnly ? ", read-only token" : ""}) may not do this.`);
  return a;
}

export const membersEndpoints = [
  endpoint({
    method: "get",
    path: "/me",
    tag: "Members",
    summary: "The caller: user, organisation, role, committees and permissions",
    access: "signed in",
    policy: "account.read",
    success: {
      status: 200,
      description: "The caller",
      schema: z.object({ user: UserSchema, org: OrgSchema, role: z.string(), committees: z.array(z.string()), permissions: z.array(z.string()) }),
    },
    handler: ({ auth }) => {
      const a = requireAuth(auth);
      const actor = actorFor(a.user, a.actor.readOnly);
      // Only the actions decided on the actor alone: resource actions (standard.read, …) need a standard.
      const permissions = ACTIONS.filter((action) => !RESOURCE_ACTIONS.has(action) && can(actor, action as never));
      return { user: publicUser(a.user), org: getOrganization(a.user.orgId), role: a.user.role, committees: actor.committees, permissions };
    },
  }),
  endpoint({
    method: "get",
    path: "/orgs",
    tag: "Members",
    summary: "List organisations",
    access: "admin",
    policy: "org.list",
    success: { status: 200, description: "All organisations", schema: z.object({ orgs: z.array(OrgSchema) }) },
    errors: [403],
    handler: ({ auth }) => {
      authorize(auth, "org.list");
      return { orgs: listOrganizations() };
    },
  }),
  endpoint({
    method: "post",
    path: "/orgs",
    tag: "Members",
    summary: "Create an organisation",
    access: "admin",
    policy: "org.create",
    body: OrgInputSchema,
    success: { status: 201, description: "Created", schema: z.object({ org: OrgSchema }) },
    errors: [403, 409],
    handler: ({ auth, body }) => {
      const a = authorize(auth, "org.create");
      return { org: createOrganization(body, a.user.id) };
    },
  }),
  endpoint({
    method: "get",
    path: "/committees",
    tag: "Members",
    summary: "List committees",
    access: "signed in",
    policy: "committee.list",
    success: { status: 200, description: "All committees", schema: z.object({ committees: z.array(CommitteeSchema) }) },
    handler: ({ auth }) => {
      authorize(auth, "committee.list");
      return { committees: listCommittees() };
    },
  }),
  endpoint({
    method: "post",
    path: "/committees",
    tag: "Members",
    summary: "Create a committee",
    access: "admin",
    policy: "committee.create",
    body: CommitteeInputSchema,
    success: { status: 201, description: "Created", schema: z.object({ committee: CommitteeSchema }) },
    errors: [403, 409],
    handler: ({ auth, body }) => {
      const a = authorize(auth, "committee.create");
      return { committee: createCommittee(body, a.user.id) };
    },
  }),
  endpoint({
    method: "get",
    path: "/users",
    tag: "Members",
    summary: "List members",
    access: "admin",
    policy: "user.list",
    success: { status: 200, description: "All members", schema: z.object({ users: z.array(UserSchema) }) },
    errors: [403],
    handler: ({ auth }) => {
      authorize(auth, "user.list");
      return { users: listUsers().map(({ org: _org, ...u }) => u) };
    },
  }),
  endpoint({
    method: "post",
    path: "/users",
    tag: "Members",
    summary: "Create a member (active with a password; otherwise invited by mail)",
    access: "admin",
    policy: "user.create",
    body: UserInputSchema,
    success: { status: 201, description: "Created", schema: z.object({ user: UserSchema }) },
    errors: [403, 409, 422],
    handler: async ({ auth, body }) => {
      const a = authorize(auth, "user.create");
      const { user } = await createUser(body, a.user.id);
      return { user };
    },
  }),
  endpoint({
    method: "patch",
    path: "/users/{id}",
    tag: "Members",
    summary: "Change a member's name, role, committees, voting flag or status (role change and disabling end their sessions)",
    access: "admin",
    policy: "user.update",
    params: z.object({ id: z.string().min(1).max(64) }),
    body: UserUpdateSchema,
    success: { status: 200, description: "Updated", schema: z.object({ user: UserSchema }) },
    errors: [403, 404, 409, 422],
    handler: ({ auth, body, params }) => {
      const a = authorize(auth, "user.update");
      return { user: updateUser(params.id, body, a.user.id) };
    },
  }),
];
