/** Errors a person can act on: a code from the API contract, a status, a message and field errors. */
export type ErrorCode =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unprocessable"
  | "rate_limited"
  | "unavailable";

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
};

/** A refusal with a contract error code; never a 500. */
export class PortalError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.status = STATUS[code];
  }
  /** The JSON body of the API's error format. */
  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.fields ? { fields: this.fields } : {}) } };
  }
}

/** Field errors from a zod error, keyed by dotted path. */
export function fieldErrors(issues: { path: PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.map(String).join(".") || "_";
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}

/** Why the database could not take a write: its disk (or its size limit) is full, or another writer held it too long. */
export type StorageFailure = { kind: "full" | "busy"; code: string; message: string; retryAfterSeconds: number };

// SQLite reports a write that fails with ENOSPC as SQLITE_FULL; other I/O errors stay 500s (logged).
const FULL_CODES = new Set(["SQLITE_FULL"]);
const BUSY_CODES = new Set(["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT", "SQLITE_LOCKED"]);

/**
 * The one mapping of storage faults to what a user is told (the API wrapper, the page route wrapper
 * in server.ts and the collaboration persistence use it): a full disk or a database locked past
 * `busy_timeout` is not the user's mistake and not a bug to hide behind a 500, but a temporary
 * outage (503) whose message says nothing was saved and what to do. Null for any other error.
 */
export function storageFailure(err: unknown): StorageFailure | null {
  const code = typeof err === "object" && err !== null && typeof (err as { code?: unknown }).code === "string" ? (err as { code: string }).code : "";
  if (FULL_CODES.has(code)) {
    return {
      kind: "full",
      code,
      retryAfterSeconds: 300,
      message:
        "The portal's storage is full, so this change was not saved (nothing of it was written). Keep your text, try again later, and tell the secretariat: the server needs more disk space.",
    };
  }
  if (BUSY_CODES.has(code)) {
    return {
      kind: "busy",
      code,
      retryAfterSeconds: 10,
      message: "The database was busy with another long write, so this change was not saved (nothing of it was written). Try again in a moment.",
    };
  }
  return null;
}
