/** Guards for page loaders and actions: they return the caller or throw a redirect or an error response. */
import { redirect } from "@remix-run/node";
import { can, type Action, type StandardResource } from "../policies/policy";
import { authenticateRequest, type Authenticated } from "./actor.server";

/** The signed-in caller, or null for the public. */
export function getAuth(request: Request): Authenticated | null {
  return authenticateRequest(request);
}

/** The signed-in caller; otherwise a redirect to the sign-in page that comes back here. */
export function requireUser(request: Request): Authenticated {
  const auth = authenticateRequest(request);
  if (!auth) {
    const url = new URL(request.url);
    throw redirect(`/login?redirectTo=${encodeURIComponent(url.pathname + url.search)}`);
  }
  return auth;
}

/** The signed-in caller if the policy allows `action`; else 403 (or the sign-in redirect). */
export function requireAbility(request: Request, action: Action, resource?: StandardResource): Authenticated {
  const auth = requireUser(request);
  if (!can(auth.actor, action as never, ...((resource ? [resource] : []) as []))) throw forbidden();
  return auth;
}

/** A 403 response for the error boundary. */
export function forbidden(message = "Your role does not allow this.") {
  return new Response(message, { status: 403, statusText: "Forbidden" });
}

/** A 404 response for the error boundary. */
export function notFound(message = "Not found") {
  return new Response(message, { status: 404, statusText: "Not Found" });
}

/**
 * A same-site path to return to after signing in; anything else falls back to "/". Control
 * characters and backslashes are refused anywhere: browsers drop tabs and newlines from a
 * Location, so "/<tab>/evil.example" would otherwise leave the portal.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = "/"): string {
  if (typeof to !== "string" || to.length > 2000 || !to.startsWith("/") || to.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(to)) return fallback;
  const base = "http://portal.invalid";
  try {
    const url = new URL(to, base);
    return url.origin === base ? url.pathname + url.search + url.hash : fallback;
  } catch {
    return fallback;
  }
}
