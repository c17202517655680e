/**
 * Webhooks: URLs a signed-in person registers to receive `release.published` events. Each event
 * becomes one delivery row per subscribed webhook, written in the publishing transaction; a timer
 * POSTs the stored body, signed with HMAC-SHA256 under the webhook's secret, and retries failures
 * with growing delays until it is delivered or given up.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { and, asc, desc, eq, lte } from "drizzle-orm";
import { webhookDeliveries, webhooks } from "../../db/schema";
import { db } from "../utils/db.server";
import { env } from "../utils/env.server";
import { PortalError } from "../utils/errors";
import { recordAudit } from "./audit.server";
import { DestinationRefused, postTo, registrationRefusal, resolvePublicAddress } from "./webhook-address.server";
import type { WebhookEvent, WebhookInput } from "./webhooks.schemas";

/** The body of a `release.published` event. */
export type ReleasePublishedEvent = {
  event: "release.published";
  standard: string;
  version: string;
  publishedAt: string;
  manifestUrl: string;
  manifestSha256: string;
};

export { WEBHOOK_EVENTS, WebhookInputSchema, type WebhookEvent, type WebhookInput } from "./webhooks.schemas";

/** Delays before the 2nd, 3rd, … attempt; after MAX_ATTEMPTS failures the delivery is `failed`. */
export const RETRY_DELAYS_MS = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000, 12 * 3600_000];
export const MAX_ATTEMPTS = 8;
export const DELIVERY_TIMEOUT_MS = 10_000;
const MAX_WEBHOOKS_PER_OWNER = 20;
const BATCH = 20;

/** A webhook as its owner sees it (never its secret). */
export type WebhookView = { id: string; url: string; events: WebhookEvent[]; createdAt: string };

/** One delivery in the log. */
export type DeliveryView = {
  id: number;
  event: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
  nextAttemptAt: string | null;
};

type WebhookRow = typeof webhooks.$inferSelect;
type DeliveryRow = typeof webhookDeliveries.$inferSelect;

const view = (w: WebhookRow): WebhookView => ({ id: w.id, url: w.url, events: JSON.parse(w.eventsJson) as WebhookEvent[], createdAt: w.createdAt });
const deliveryView = (d: DeliveryRow): DeliveryView => ({
  id: d.id,
  event: d.event,
  status: d.status,
  attempts: d.attempts,
  lastStatusCode: d.lastStatusCode,
  lastError: d.lastError,
  createdAt: d.createdAt,
  deliveredAt: d.deliveredAt,
  nextAttemptAt: d.status === "pending" ? d.nextAttemptAt : null,
});

/** Registers a webhook; the secret is returned here once and only its owner's deliveries use it. */
export function createWebhook(input: { ownerId: string } & WebhookInput): { webhook: WebhookView; secret: string } {
  const d = db();
  // Literal private IPs and localhost are refused up front (host names are checked at each delivery).
  const refusal = env().webhookAllowPrivate ? null : registrationRefusal(input.url);
  if (refusal) throw new PortalError("bad_request", refusal, { url: refusal });
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  return d.transaction(() => {
    const count = d.select({ id: webhooks.id }).from(webhooks).where(and(eq(webhooks.ownerId, input.ownerId), eq(webhooks.active, true))).all().length;
    if (count >= MAX_WEBHOOKS_PER_OWNER) throw new PortalError("conflict", `You already have ${MAX_WEBHOOKS_PER_OWNER} webhooks; remove one first.`);
    const row = d
      .insert(webhooks)
      .values({ id: randomUUID(), ownerId: input.ownerId, url: input.url, eventsJson: JSON.stringify(input.events), secret, createdAt: new Date().toISOString() })
      .returning()
      .get();
    recordAudit({ actorId: input.ownerId, action: "webhook.created", subjectType: "webhook", subjectId: row.id, data: { events: input.events } });
    return { webhook: view(row), secret };
  });
}

/** The owner's active webhooks, newest first. */
export function listWebhooks(ownerId: string): WebhookView[] {
  return db()
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.ownerId, ownerId), eq(webhooks.active, true)))
    .orderBy(desc(webhooks.createdAt))
    .all()
    .map(view);
}

function ownWebhook(ownerId: string, id: string): WebhookRow {
  const row = db().select().from(webhooks).where(eq(webhooks.id, id)).get();
  // Someone else's webhook, or a removed one, does not exist for this caller.
  if (!row || row.ownerId !== ownerId || !row.active) throw new PortalError("not_found", `You have no webhook ${id}.`);
  return row;
}

/**
 * Removes one of the owner's webhooks: it receives nothing more (pending deliveries are marked
 * failed); the row and its delivery log stay for the record but are no longer shown.
 */
export function removeWebhook(input: { ownerId: string; id: string }): void {
  const d = db();
  d.transaction(() => {
    const row = ownWebhook(input.ownerId, input.id);
    d.update(webhooks).set({ active: false }).where(eq(webhooks.id, row.id)).run();
    d.update(webhookDeliveries)
      .set({ status: "failed", lastError: "The webhook was removed." })
      .where(and(eq(webhookDeliveries.webhookId, row.id), eq(webhookDeliveries.status, "pending")))
      .run();
    recordAudit({ actorId: input.ownerId, action: "webhook.removed", subjectType: "webhook", subjectId: row.id });
  });
}

/** The delivery log of one of the owner's webhooks, newest first. */
export function listDeliveries(input: { ownerId: string; id: string; limit?: number }): DeliveryView[] {
  const row = ownWebhook(input.ownerId, input.id);
  return db()
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, row.id))
    .orderBy(desc(webhookDeliveries.id))
    .limit(input.limit ?? 100)
    .all()
    .map(deliveryView);
}

/**
 * Queues one delivery per active webhook subscribed to `release.published`. Call it inside the
 * publishing transaction (it writes with the same connection), so an event exists iff the release does.
 */
export function enqueueReleaseEvent(event: ReleasePublishedEvent): void {
  const d = db();
  const payload = JSON.stringify(event);
  const now = new Date().toISOString();
  for (const w of d.select().from(webhooks).where(eq(webhooks.active, true)).all()) {
    const events = JSON.parse(w.eventsJson) as string[];
    if (!events.includes(event.event)) continue;
    d.insert(webhookDeliveries).values({ webhookId: w.id, event: event.event, payload, nextAttemptAt: now, createdAt: now }).run();
  }
  // Deliver right after the publishing transaction commits (a rolled-back one leaves nothing to send).
  setImmediate(() => void deliverDueWebhooks().catch(() => undefined));
}

/** The signature header value for a body: `sha256=<hex HMAC-SHA256 under the secret>`. */
export function signatureFor(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}

type AttemptResult = { ok: true; status: number } | { ok: false; status: number | null; error: string; final?: boolean };

async function attempt(rawUrl: string, headers: Record<string, string>, body: string): Promise<AttemptResult> {
  const signal = AbortSignal.timeout(DELIVERY_TIMEOUT_MS);
  try {
    const url = new URL(rawUrl);
    // Unless private destinations are allowed, resolve once, refuse any private address, and
    // connect to exactly the address checked (no second lookup that DNS rebinding could change).
    const pinned = env().webhookAllowPrivate ? undefined : await resolvePublicAddress(url);
    // Never follow redirects: the owner registered this URL, not wherever it points.
    const res = await postTo(url, headers, body, { pinned, signal });
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    if (res.status >= 300 && res.status < 400) return { ok: false, status: res.status, error: `Redirect to ${res.location ?? "?"} not followed.` };
    return { ok: false, status: res.status, error: `The receiver answered ${res.status}.` };
  } catch (err) {
    if (err instanceof DestinationRefused) return { ok: false, status: null, error: err.message, final: true };
    const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
    const why = signal.aborted ? `No answer within ${DELIVERY_TIMEOUT_MS / 1000} s.` : (e.code ?? e.cause?.code ?? e.cause?.message ?? e.message);
    return { ok: false, status: null, error: String(why).slice(0, 300) };
  }
}

let running: Promise<number> | null = null;

/**
 * Sends every pending delivery that is due at `now` (one attempt each) and records the outcome;
 * resolves with the number of attempts made. Runs one batch at a time: a call while one runs waits for it.
 */
export function deliverDueWebhooks(now: Date = new Date()): Promise<number> {
  if (running) return running.then(() => deliverDueWebhooks(now));
  running = runDue(now).finally(() => {
    running = null;
  });
  return running;
}

async function runDue(now: Date): Promise<number> {
  const d = db();
  const due = d
    .select({ delivery: webhookDeliveries, webhook: webhooks })
    .from(webhookDeliveries)
    .innerJoin(webhooks, eq(webhooks.id, webhookDeliveries.webhookId))
    .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now.toISOString())))
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(BATCH)
    .all();
  await Promise.all(
    due.map(async ({ delivery, webhook }) => {
      const result = await attempt(
        webhook.url,
        {
          "Content-Type": "application/json",
          "User-Agent": "e-WTP-Standards-Portal-Webhooks/1",
          "X-Portal-Event": delivery.event,
          "X-Portal-Delivery": String(delivery.id),
          "X-Portal-Signature": signatureFor(webhook.secret, delivery.payload),
        },
        delivery.payload,
      );
      const attempts = delivery.attempts + 1;
      const finishedAt = new Date();
      const update = result.ok
        ? { status: "delivered" as const, attempts, lastStatusCode: result.status, lastError: null, deliveredAt: finishedAt.toISOString() }
        : {
            // A refused destination fails at once: retrying would only be refused again.
            status: result.final || attempts >= MAX_ATTEMPTS ? ("failed" as const) : ("pending" as const),
            attempts,
            lastStatusCode: result.status,
            lastError: result.error,
            nextAttemptAt: new Date(now.getTime() + RETRY_DELAYS_MS[Math.min(attempts - 1, RETRY_DELAYS_MS.length - 1)]).toISOString(),
          };
      // Only a still-pending row is updated (the webhook may have been removed meanwhile).
      d.update(webhookDeliveries)
        .set(update)
        .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.status, "pending")))
        .run();
    }),
  );
  return due.length;
}

/** Starts the delivery timer (every 2 s); returns the function that stops it. */
export function startWebhookDeliveries(intervalMs = 2000): () => void {
  const timer = setInterval(() => {
    void deliverDueWebhooks().catch((err) => console.error("Webhook deliveries:", (err as Error).message));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
