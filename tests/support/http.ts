/** A small HTTP client over global fetch for talking to a test portal the way a browser or a tool would. */
import type { TestPortal } from "./portal";

export type CallOptions = {
  method?: string;
  /** Sent as JSON (Content-Type: application/json) unless `rawBody` is given. */
  body?: unknown;
  /** Sent as is, with `contentType` (default application/json). */
  rawBody?: string;
  contentType?: string;
  /** A Cookie header value (a browser session). */
  cookie?: string;
  /** A personal access token, sent as `Authorization: Bearer`. */
  token?: string;
  /**
   * The Origin header. Default: with a cookie on a state-changing request, the portal's own origin
   * (what a browser sends from the portal's pages); otherwise none. `null` sends none.
   */
  origin?: string | null;
  headers?: Record<string, string>;
  /** Resolve `path` against the site root instead of the API base (for non-API paths like /login). */
  fromRoot?: boolean;
};

export type CallResult = { status: number; contentType: string; body: any; text: string };

/** Calls `path` (relative to the API base, e.g. `/orgs`, unless `fromRoot`) and reads the answer. */
export async function call(portal: TestPortal, path: string, options: CallOptions = {}): Promise<CallResult> {
  const method = (options.method ?? "GET").toUpperCase();
  const url = (options.fromRoot ? portal.baseUrl : portal.apiUrl) + path;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.cookie) headers.cookie = options.cookie;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const stateChanging = method !== "GET" && method !== "HEAD";
  const origin = options.origin === undefined ? (options.cookie && stateChanging ? portal.baseUrl : null) : options.origin;
  if (origin) headers.origin = origin;
  let body: string | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody;
    headers["content-type"] = options.contentType ?? "application/json";
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = options.contentType ?? "application/json";
  }
  const res = await fetch(url, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  const contentType = res.headers.get("content-type") ?? "";
  let parsed: unknown = text;
  if (contentType.includes("json") && text) parsed = JSON.parse(text);
  return { status: res.status, contentType, body: parsed, text };
}
