/**
 * Authentication and authorization of each document connection, decided by the policy module like
 * every page: no read right → refused; read without edit right (observers, read-only tokens, a
 * frozen document) → read-only. Credentials: the provider's `token` (a personal access token) or
 * else the upgrade request's session cookie.
 */
import type { Extension, onAuthenticatePayload } from "@hocuspocus/server";
import { authenticate, authenticateAccessToken, type Authenticated } from "../../auth/actor.server";
import { getStandard } from "../../domain/standards.server";
import { findProposal, proposalResource } from "../../domain/proposals.server";
import { isEditable } from "../../domain/proposal-lifecycle";
import { can } from "../../policies/policy";
import type { CollabContext } from "../context";
import { parseDocName } from "../persistence.server";

/** What a credential may do with a document: nothing, read, or read and edit. */
export type DocumentAccess = "none" | "read" | "edit";

/** Resolves a credential (token first, else cookie) to the signed-in user, or null. */
export function authenticateCredential(credential: { token?: string; cookie?: string }): Authenticated | null {
  if (credential.token) return authenticateAccessToken(credential.token);
  return credential.cookie ? authenticate({ cookie: credential.cookie }) : null;
}

/** The access the user has to a document, by the policy module. */
export function documentAccess(auth: Authenticated | null, documentName: string): DocumentAccess {
  const parsed = parseDocName(documentName);
  if (!parsed || !auth) return "none";
  if (parsed.kind === "standard") {
    const standard = getStandard(parsed.id);
    if (!standard || !can(auth.actor, "standard.readDraft", standard)) return "none";
    return can(auth.actor, "standard.editDraft", standard) ? "edit" : "read";
  }
  const proposal = findProposal(parsed.id);
  if (!proposal || !can(auth.actor, "proposal.read", proposalResource(proposal))) return "none";
  return can(auth.actor, "proposal.edit", proposalResource(proposal)) && isEditable(proposal.state) ? "edit" : "read";
}

/** The authentication extension. */
export function authentication(): Extension {
  return {
    extensionName: "authentication",
    async onAuthenticate({ token, documentName, context, connectionConfig }: onAuthenticatePayload) {
      const ctx = context as CollabContext;
      const credential = token ? { token } : { cookie: ctx.socket.cookie };
      const auth = authenticateCredential(credential);
      const access = documentAccess(auth, documentName);
      // The same answer for "does not exist" and "may not read": no existence leaks.
      if (access === "none") throw Object.assign(new Error("permission-denied"), { reason: "permission-denied" });
      connectionConfig.readOnly = access === "read";
      ctx.socket.authenticated = true;
      const user = auth!.user;
      return {
        userId: user.id,
        presence: { userId: user.id, name: user.name, role: user.role },
        credential,
        readOnly: access === "read",
      } satisfies Partial<CollabContext>;
    },
  };
}
