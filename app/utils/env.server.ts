/**
 * The portal's configuration, read from the environment once and validated.
 * Nothing is required: every setting has a default that works on a laptop.
 */
import path from "node:path";
import { z } from "zod";

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default("./data"),
  PUBLIC_URL: z.string().url().optional(),
  SMTP_URL: z.string().optional(),
  MAIL_FROM: z.string().default("e-WTP Standards Portal <no-reply@localhost>"),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === "" || v === "0" || v === "false" ? false : v === "1" || v === "true" ? 1 : Number(v) || v)),
  LOG_REQUESTS: z
    .string()
    .optional()
    .transform((v) => v !== "0" && v !== "false"),
  /** Lets webhooks reach loopback/private/link-local addresses (tests, closed networks); off by default. */
  WEBHOOK_ALLOW_PRIVATE: z
    .string()
    .optional()
    .transform((v) => v === "1" || v === "true"),
});

export type Env = {
  port: number;
  dataDir: string;
  publicUrl: string;
  publicOrigin: string;
  secure: boolean;
  smtpUrl?: string;
  mailFrom: string;
  trustProxy: false | number | string;
  logRequests: boolean;
  /** Webhooks may be delivered to private, loopback and link-local addresses (WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate: boolean;
};

/** Reads and validates the environment; throws a readable error naming the bad setting. */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`Invalid setting ${issue.path.join(".")}: ${issue.message}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  const origin = new URL(publicUrl).origin;
  return {
    port: e.PORT,
    dataDir: path.resolve(e.DATA_DIR),
    publicUrl,
    publicOrigin: origin,
    secure: origin.startsWith("https:"),
    smtpUrl: e.SMTP_URL || undefined,
    mailFrom: e.MAIL_FROM,
    trustProxy: e.TRUST_PROXY as false | number | string,
    logRequests: e.LOG_REQUESTS,
    webhookAllowPrivate: e.WEBHOOK_ALLOW_PRIVATE,
  };
}

const g = globalThis as { __portalEnv?: Env };

/** The process-wide configuration (shared by server.ts and the Remix bundle). */
export function env(): Env {
  if (!g.__portalEnv) g.__portalEnv = readEnv();
  return g.__portalEnv;
}

/** Replaces the process-wide configuration (server start-up and tests). */
export function setEnv(next: Env): void {
  g.__portalEnv = next;
}
