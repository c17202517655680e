/**
 * The portal's one process: the release fast path (public release files, the index and the feed,
 * answered before Express), Express serving the API, the Remix app (Vite middleware in development,
 * the build in production), security headers, request logging, /healthz, graceful shutdown, and the
 * /collab WebSocket upgrade hook.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { Duplex } from "node:stream";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";
import helmet from "helmet";
import { seedDatabase } from "./db/seed";
import { apiRouter, MAX_BODY_BYTES } from "./app/api/router";
import { crossSiteGuard } from "./app/auth/csrf.server";
import { createCollabServer, type CollabOptions } from "./app/collab/server";
import { startBallotClock } from "./app/domain/ballots.server";
import { deliverOutbox } from "./app/domain/mail.server";
import { startIndexClock } from "./app/domain/release-index.server";
import { startWebhookDeliveries } from "./app/domain/webhooks.server";
import { configureReleaseServing, handleReleaseRequest } from "./app/releases/serve.server";
import { startCheckpointer, type Checkpointer } from "./app/utils/checkpointer.server";
import { closeDb, databaseReachable, db } from "./app/utils/db.server";
import { env, readEnv, setEnv, type Env } from "./app/utils/env.server";
import { requestLogger } from "./app/utils/log.server";
import { storageFailure } from "./app/utils/errors";

const EDITOR_PAGE = /^\/(standards|proposals)\/[^/]+\/edit$/;
const MAX_EDITOR_BODY_BYTES = 6 * 1024 * 1024;

export type PortalMode = "production" | "development" | "api-only";

/** A handler for WebSocket upgrades on /collab; the collaboration server attaches here. */
export type UpgradeHook = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

export type Portal = {
  app: express.Express;
  server: http.Server;
  env: Env;
  /** Starts listening; resolves with the bound port. */
  listen(port?: number): Promise<number>;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), closes the database. */
  close(graceMs?: number): Promise<void>;
  /** Attaches the collaboration WebSocket server to `/collab`. */
  setCollabHook(hook: UpgradeHook): void;
  /** The worker that checkpoints the write-ahead log off the event loop (null for a database without one). */
  checkpointer: Checkpointer | null;
};

/** Builds the portal (database migrated and seeded) without listening. */
export async function createPortal(options: { mode: PortalMode; env?: Env; buildDir?: string; collab?: CollabOptions }): Promise<Portal> {
  const config = options.env ?? readEnv();
  setEnv(config);
  db(); // opens, applies migrations
  seedDatabase();
  // The write-ahead log is folded into the database file by a worker, not inside a commit on the event loop.
  const checkpointer = startCheckpointer(db());

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);

  app.use((_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString("base64");
    next();
  });
  const dev = options.mode === "development";
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "script-src": dev ? ["'self'", "'unsafe-inline'"] : ["'self'", (_req, res) => `'nonce-${(res as express.Response).locals.cspNonce}'`],
          "style-src": dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
          "img-src": ["'self'", "data:"],
          "font-src": ["'self'"],
          "connect-src": dev ? ["'self'", "ws:"] : ["'self'"],
          "object-src": ["'none'"],
          "base-uri": ["'none'"],
          "form-action": ["'self'"],
          "frame-ancestors": ["'none'"],
          ...(config.secure ? { "upgrade-insecure-requests": [] } : {}),
        },
      },
      crossOriginEmbedderPolicy: false,
      frameguard: { action: "deny" },
      referrerPolicy: { policy: "same-origin" },
      strictTransportSecurity: config.secure ? { maxAge: 31536000, includeSubDomains: true } : false,
    }),
  );
  if (config.logRequests) app.use(requestLogger());

  app.get("/healthz", (_req, res) => {
    const ok = databaseReachable();
    res.status(ok ? 200 : 503).json({ status: ok ? "ok" : "database unreachable" });
  });

  app.use(crossSiteGuard());
  // Page forms are small; a body over the limit is refused before anything reads it.
  app.use((req, res, next) => {
    // The editor pages post rule checks whose sources may reach the rule core's limit (MAX_CHECK_CHARS, 5 MiB); they check the size themselves.
    const limit = EDITOR_PAGE.test(req.path) ? MAX_EDITOR_BODY_BYTES : MAX_BODY_BYTES;
    if (Number(req.headers["content-length"] ?? 0) <= limit) return next();
    if (req.path.startsWith("/api/")) return res.status(413).json({ error: { code: "payload_too_large", message: `The body is larger than ${limit} bytes.` } });
    res.status(413).type("text/plain").send(`The request body is larger than ${limit} bytes.`);
  });
  app.use("/api/v1", apiRouter());

  if (options.mode === "api-only") {
    app.use((_req, res) => res.status(404).type("text/plain").send("Not found"));
  } else if (dev) {
    const vite = await import("vite").then((v) => v.createServer({ server: { middlewareMode: true } }));
    app.use(vite.middlewares);
    app.all(
      "*",
      createRequestHandler({
        build: () => (vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>).then(mapStorageFaults),
        getLoadContext: (req, res) => ({ cspNonce: res.locals.cspNonce, clientAddress: req.ip ?? "unknown" }),
      }),
    );
  } else {
    const buildDir = options.buildDir ?? path.resolve("build");
    const serverBuild = path.join(buildDir, "server/index.js");
    if (!fs.existsSync(serverBuild)) throw new Error(`No production build at ${serverBuild}: run "npm run build" first.`);
    const build = mapStorageFaults((await import(pathToFileURL(serverBuild).href)) as ServerBuild);
    app.use("/assets", express.static(path.join(buildDir, "client/assets"), { immutable: true, maxAge: "1y", index: false }));
    app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h", index: false }));
    app.all(
      "*",
      createRequestHandler({
        build,
        mode: "production",
        getLoadContext: (req, res) => ({ cspNonce: res.locals.cspNonce, clientAddress: req.ip ?? "unknown" }),
      }),
    );
  }

  // Release files, manifests, `latest` and the index answer before Express (see app/releases/serve.server.ts).
  configureReleaseServing({ logRequests: config.logRequests, secure: config.secure });
  const server = http.createServer((req, res) => {
    if (!handleReleaseRequest(req, res)) app(req, res);
  });
  server.requestTimeout = 60_000;
  server.headersTimeout = 20_000;
  let collabHook: UpgradeHook | null = null;
  server.on("upgrade", (req, socket, head) => {
    const pathname = (req.url ?? "").split("?")[0];
    // Only /collab is ours; anything else (Vite's HMR socket, say) is left to its own listener.
    if (pathname !== "/collab" && !pathname.startsWith("/collab/")) return;
    if (collabHook) return collabHook(req, socket, head);
    socket.end("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });

  // The collaboration server answers /collab in every mode (api-only included).
  const collab = createCollabServer(options.collab);
  collabHook = collab.handleUpgrade;

  const outboxTimer = setInterval(() => void deliverOutbox(), 15_000);
  outboxTimer.unref();
  // Webhook deliveries every 2 s (and at once after a publication), retried with backoff.
  const stopWebhookDeliveries = startWebhookDeliveries();
  // Ballots open and close by themselves (at once for any that fell due while the server was down).
  const stopBallotClock = startBallotClock();
  // The signed release index is re-signed before it expires (checked now, then hourly).
  const stopIndexClock = startIndexClock();

  return {
    app,
    server,
    env: config,
    checkpointer,
    setCollabHook: (hook) => {
      collabHook = hook;
    },
    listen: (port = config.port) =>
      new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, () => resolve((server.address() as { port: number }).port));
      }),
    close: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        clearInterval(outboxTimer);
        stopWebhookDeliveries();
        stopBallotClock();
        stopIndexClock();
        void collab.close();
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          void (checkpointer?.stop() ?? Promise.resolve()).finally(() => {
            closeDb();
            resolve();
          });
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * Pages: every route's loader and action answer a full disk or a database locked past busy_timeout
 * with a 503 (Retry-After, `{storage: "full" | "busy", message}`) that the root error boundary
 * explains, instead of Remix's 500 (the API does the same in app/api/endpoint.ts; both use
 * storageFailure). The write's transaction has rolled back by then: nothing is half-written.
 */
export function mapStorageFaults(build: ServerBuild): ServerBuild {
  type Fn = (args: any) => unknown;
  const wrap = (routeId: string, fn: Fn): Fn =>
    async (args) => {
      try {
        return await fn(args);
      } catch (err) {
        const storage = storageFailure(err);
        if (!storage) throw err;
        console.warn(`page ${routeId}: write refused by the database (${storage.code}): ${storage.kind === "full" ? "storage full" : "database locked"}`);
        throw new Response(JSON.stringify({ storage: storage.kind, message: storage.message }), {
          status: 503,
          statusText: "Service Unavailable",
          headers: { "Content-Type": "application/json; charset=utf-8", "Retry-After": String(storage.retryAfterSeconds) },
        });
      }
    };
  const routes: ServerBuild["routes"] = {};
  for (const [id, route] of Object.entries(build.routes)) {
    if (!route) continue;
    const module = { ...route.module } as Record<string, unknown>;
    if (typeof module.loader === "function") module.loader = wrap(id, module.loader as Fn);
    if (typeof module.action === "function") module.action = wrap(id, module.action as Fn);
    routes[id] = { ...route, module: module as unknown as typeof route.module };
  }
  return { ...build, routes };
}

async function main() {
  const mode: PortalMode = process.argv.includes("--dev") ? "development" : "production";
  process.env.NODE_ENV ??= mode === "development" ? "development" : "production";
  const portal = await createPortal({ mode });
  const port = await portal.listen();
  if (!process.env.PUBLIC_URL && port !== portal.env.port) {
    // Bound to a free port (PORT=0): the public URL follows the real port.
    const publicUrl = `http://localhost:${port}`;
    setEnv({ ...portal.env, port, publicUrl, publicOrigin: publicUrl });
  }
  console.log(`e-WTP Standards Portal (${mode}) listening on port ${port}; public URL ${env().publicUrl}`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received: finishing open requests, then closing the database.`);
    portal.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

const entry = process.argv[1] ? pathToFileURL(path.resolve(process.argv[1])).href : "";
if (entry === import.meta.url || process.env.PORTAL_MAIN === "1") {
  main().catch((err) => {
    console.error(`The portal could not start: ${(err as Error).message}`);
    process.exit(1);
  });
}
