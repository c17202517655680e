/**
 * Cross-site request refusal for every state-changing request (Remix actions and the API alike):
 * a non-GET/HEAD request that carries the session cookie, or that a browser marks as coming from
 * another site, is refused (403) unless `Sec-Fetch-Site` is `same-origin` or `Origin` is the
 * portal's own. Bearer-token requests carry no ambient credential and are exempt.
 */
import type { NextFunction, Request, Response } from "express";
import { recordAudit } from "../domain/audit.server";
import { env } from "../utils/env.server";
import { readSessionToken } from "./session.server";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);

/** Decides whether a state-changing request is same-site enough to go ahead. */
export function crossSiteVerdict(input: {
  method: string;
  cookie?: string;
  authorization?: string;
  origin?: string;
  secFetchSite?: string;
  publicOrigin: string;
}): "allow" | "refuse" {
  if (SAFE.has(input.method.toUpperCase())) return "allow";
  if (input.authorization && /^Bearer\s/i.test(input.authorization)) return "allow";
  if (input.secFetchSite === "same-origin") return "allow";
  if (input.origin && input.origin === input.publicOrigin) return "allow";
  const hasSession = !!readSessionToken(input.cookie);
  const browserSaysCrossSite = !!input.secFetchSite && input.secFetchSite !== "same-origin" && input.secFetchSite !== "none";
  const foreignOrigin = !!input.origin && input.origin !== input.publicOrigin;
  if (hasSession || browserSaysCrossSite || foreignOrigin) return "refuse";
  return "allow"; // a tool without cookies or browser headers (curl), acting as the public
}

// Refusals are audited, but a flood from one address must not grow the audit record without
// bound: past AUDIT_LIMIT refusals per address in a window, further ones are refused silently.
const AUDIT_LIMIT = 30;
const AUDIT_WINDOW_MS = 10 * 60 * 1000;
const g = globalThis as { __portalRefusals?: Map<string, { start: number; count: number }> };

/** Whether this refusal from `address` should still be written to the audit record. */
export function shouldAuditRefusal(address: string, now = Date.now()): boolean {
  const map = (g.__portalRefusals ??= new Map());
  const entry = map.get(address);
  if (!entry || now - entry.start > AUDIT_WINDOW_MS) {
    if (map.size > 10_000) map.clear();
    map.set(address, { start: now, count: 1 });
    return true;
  }
  entry.count++;
  return entry.count <= AUDIT_LIMIT;
}

/** Forgets the refusal counts (tests). */
export function resetRefusalCounts(): void {
  g.__portalRefusals?.clear();
}

/** Express middleware applying `crossSiteVerdict`; refusals are audited (rate-bounded) and answer 403. */
export function crossSiteGuard() {
  return (req: Request, res: Response, next: NextFunction) => {
    const verdict = crossSiteVerdict({
      method: req.method,
      cookie: req.headers.cookie,
      authorization: req.headers.authorization,
      origin: req.headers.origin,
      secFetchSite: req.headers["sec-fetch-site"] as string | undefined,
      publicOrigin: env().publicOrigin,
    });
    if (verdict === "allow") return next();
    if (shouldAuditRefusal(req.ip ?? "unknown"))
      recordAudit({
        actorId: null,
        action: "security.crossSiteRefused",
        subjectType: "request",
        subjectId: null,
        data: { method: req.method, path: req.path.slice(0, 200), origin: String(req.headers.origin ?? "").slice(0, 200) },
      });
    const message = "Cross-site request refused: state changes must come from the portal's own pages.";
    if (req.path.startsWith("/api/")) return res.status(403).json({ error: { code: "forbidden", message } });
    res.status(403).type("text/plain").send(message);
  };
}
