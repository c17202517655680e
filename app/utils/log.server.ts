/** Request logging without secrets: no query strings, no cookies, no tokens in paths. */
import type { NextFunction, Request, Response } from "express";

// Path segments that are secrets (invitation and reset links) are masked.
const SECRET_PATHS = /^\/(invite|reset-password)\/[^/]+/;

/** Text as it may appear inside one log line: control characters (newlines included) become "?", so they cannot forge lines. */
export function logSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, "?");
}

/** The path as it may appear in a log line. */
export function loggablePath(url: string): string {
  const path = url.split("?")[0].replace(SECRET_PATHS, "/$1/[redacted]");
  // Control characters could forge log lines.
  return path.replace(/[\u0000-\u001f\u007f]/g, "?").slice(0, 300);
}

/** Express middleware writing one line per request: method, path, status, duration. */
export function requestLogger() {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(`${new Date().toISOString()} ${req.method} ${loggablePath(req.originalUrl)} ${res.statusCode} ${ms.toFixed(1)}ms`);
    });
    next();
  };
}
