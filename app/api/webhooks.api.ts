/**
 * API endpoints: webhooks for release.published events. A caller sees and removes only their own
 * webhooks; anyone else's answers 404. The secret is in the creation answer only.
 */
import { z } from "zod";
import type { Authenticated } from "../auth/actor.server";
import { WEBHOOK_EVENTS, WebhookInputSchema } from "../domain/webhooks.schemas";
import { createWebhook, listDeliveries, listWebhooks, removeWebhook } from "../domain/webhooks.server";
import { can } from "../policies/policy";
import { PortalError } from "../utils/errors";
import { endpoint, requireAuth, type Endpoint } from "./endpoint";

const WebhookSchema = z.object({ id: z.string(), url: z.string(), events: z.array(z.enum(WEBHOOK_EVENTS)), createdAt: z.string() });
const DeliverySchema = z.object({
  id: z.number().int(),
  event: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable().meta({ description: "When the next attempt is due (pending deliveries only)" }),
});
const IdParams = z.object({ id: z.string().uuid("A webhook id is a UUID.") });

/** The caller, or 401/403 unless they may manage webhooks. */
function manager(auth: Authenticated | null, action: "webhook.create" | "webhook.manage"): Authenticated {
  const a = requireAuth(auth);
  if (!can(a.actor, action)) throw new PortalError("forbidden", a.actor.readOnly ? "A read-only token cannot manage webhooks." : "You may not manage webhooks.");
  return a;
}

export const webhooksEndpoints: Endpoint<any, any, any>[] = [
  endpoint({
    method: "post",
    path: "/webhooks",
    tag: "Webhooks",
    summary:
      "Register a URL for release.published events. Deliveries are POSTs of the event JSON with X-Portal-Event, X-Portal-Delivery and X-Portal-Signature: sha256=<hex HMAC-SHA256 of the body under the secret>; non-2xx answers are retried with backoff (10 s, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h; failed after 8 attempts); redirects are not followed. Unless the portal sets WEBHOOK_ALLOW_PRIVATE, a URL whose host is a loopback, private, link-local, CGNAT or multicast address (or localhost) is refused with 400, and a delivery whose host name resolves to such an address is not sent and is marked failed",
    access: "signed-in users",
    policy: "webhook.create",
    body: WebhookInputSchema,
    success: {
      status: 201,
      description: "The webhook and its signing secret (shown only in this answer)",
      schema: z.object({ webhook: WebhookSchema, secret: z.string().meta({ description: "whsec_ followed by 32 random bytes in base64url" }) }),
    },
    errors: [403, 409],
    handler: ({ auth, body, res }) => {
      const a = manager(auth, "webhook.create");
      res.setHeader("Cache-Control", "no-store");
      return createWebhook({ ownerId: a.user.id, ...body });
    },
  }),
  endpoint({
    method: "get",
    path: "/webhooks",
    tag: "Webhooks",
    summary: "The caller's webhooks (never their secrets)",
    access: "signed-in users (their own webhooks)",
    policy: "webhook.manage",
    success: { status: 200, description: "Webhooks", schema: z.object({ webhooks: z.array(WebhookSchema) }) },
    errors: [403],
    handler: ({ auth }) => ({ webhooks: listWebhooks(manager(auth, "webhook.manage").user.id) }),
  }),
  endpoint({
    method: "delete",
    path: "/webhooks/{id}",
    tag: "Webhooks",
    summary: "Remove one of the caller's webhooks; pending deliveries are abandoned",
    access: "signed-in users (their own webhooks)",
    policy: "webhook.manage",
    params: IdParams,
    success: { status: 204, description: "Removed", schema: z.null() },
    errors: [403, 404],
    handler: ({ auth, params }) => {
      removeWebhook({ ownerId: manager(auth, "webhook.manage").user.id, id: params.id });
      return null;
    },
  }),
  endpoint({
    method: "get",
    path: "/webhooks/{id}/deliveries",
    tag: "Webhooks",
    summary: "The delivery log of one of the caller's webhooks, newest first (the last 100)",
    access: "signed-in users (their own webhooks)",
    policy: "webhook.manage",
    params: IdParams,
    success: { status: 200, description: "Deliveries", schema: z.object({ deliveries: z.array(DeliverySchema) }) },
    errors: [403, 404],
    handler: ({ auth, params }) => ({ deliveries: listDeliveries({ ownerId: manager(auth, "webhook.manage").user.id, id: params.id }) }),
  }),
];
