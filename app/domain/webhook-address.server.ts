/**
 * Keeps webhooks off the portal's own network (SSRF guard). Unless WEBHOOK_ALLOW_PRIVATE is set,
 * a webhook may only reach public addresses: registration refuses literal private IPs and
 * `localhost`, and each delivery resolves the host, refuses it if ANY address is private, and
 * connects to exactly the address it checked (so a DNS answer that changes between the check and
 * the connection cannot redirect the request).
 */
import { promises as dnsPromises } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, isIPv4, isIPv6, type LookupFunction } from "node:net";

/** The message shown when a webhook URL is refused for pointing at a non-public address. */
export const PRIVATE_ADDRESS_MESSAGE = "The webhook URL points at a private or loopback address; webhooks must reach a public address.";

const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8], // "this network", includes the unspecified 0.0.0.0
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12], // private
  ["192.168.0.0", 16], // private
  ["224.0.0.0", 4], // multicast
  ["255.255.255.255", 32], // broadcast
] as const)
  blocked.addSubnet(net, prefix, "ipv4");
for (const [net, prefix] of [
  ["::", 96], // unspecified ::, loopback ::1 and the deprecated IPv4-compatible ::a.b.c.d
  ["fc00::", 7], // unique local (private)
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const)
  blocked.addSubnet(net, prefix, "ipv6");

/** The eight 16-bit groups of an IPv6 address (zone id dropped), or null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  const a = address.split("%")[0].toLowerCase();
  if (!isIPv6(a)) return null;
  let text = a;
  // A trailing dotted quad (::ffff:127.0.0.1) becomes two hex groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [b0, b1, b2, b3] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === null ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return groups.length === 8 ? groups.map((g) => parseInt(g, 16)) : null;
}

/**
 * True if `address` (an IPv4 or IPv6 literal, IPv6 without brackets) is loopback, private,
 * link-local, unspecified, CGNAT, multicast or broadcast, including IPv4-mapped IPv6 forms of those.
 * Anything that is not an IP address counts as private (refuse what cannot be checked).
 */
export function isPrivateAddress(address: string): boolean {
  if (isIPv4(address)) return blocked.check(address, "ipv4");
  const groups = ipv6Groups(address);
  if (!groups) return true;
  // ::ffff:a.b.c.d is the IPv4 address a.b.c.d: judge it as one.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const v4 = [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join(".");
    return blocked.check(v4, "ipv4");
  }
  return blocked.check(groups.map((g) => g.toString(16)).join(":"), "ipv6");
}

/** The host of a URL as a resolver wants it: IPv6 without brackets, without a trailing dot. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "").toLowerCase();
}

/**
 * The registration-time check (no DNS): refuses a URL whose host is a private IP literal or
 * `localhost` (or a name under `.localhost`). Returns the refusal message, or null if it may be registered.
 */
export function registrationRefusal(rawUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return null; // the schema already refuses a URL that does not parse
  }
  const host = hostOf(url);
  if (host === "localhost" || host.endsWith(".localhost")) return PRIVATE_ADDRESS_MESSAGE;
  if (isIP(host) && isPrivateAddress(host)) return PRIVATE_ADDRESS_MESSAGE;
  return null;
}

export type ResolvedAddress = { address: string; family: 4 | 6 };
export type Lookup = (host: string, options: { all: true }) => Promise<{ address: string; family: number }[]>;

/** Why a delivery was refused before connecting (recorded as a failed attempt, never retried). */
export class DestinationRefused extends Error {}

/**
 * Resolves the host of `url` (with `lookup`, normally `dns.promises.lookup`) and returns the address
 * to connect to; throws `DestinationRefused` if any resolved address is private. DNS failures
 * (ENOTFOUND, timeouts) are thrown as they are: those are worth retrying.
 */
export async function resolvePublicAddress(url: URL, lookup: Lookup = dnsPromises.lookup as unknown as Lookup): Promise<ResolvedAddress> {
  const host = hostOf(url);
  const family = isIP(host);
  const addresses = family ? [{ address: host, family }] : await lookup(host, { all: true });
  if (addresses.length === 0) throw Object.assign(new Error(`${host} has no address.`), { code: "ENOTFOUND" });
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) {
    const what = family ? host : `${host} resolves to ${bad.address}, which`;
    throw new DestinationRefused(
      `Not sent: ${what} is a private or loopback address; webhooks must reach a public address (an administrator can allow this with WEBHOOK_ALLOW_PRIVATE).`,
    );
  }
  const first = addresses[0];
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** A `lookup` for http(s).request that always answers with the address already checked. */
export function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}

export type PostResult = { status: number; location: string | null };

/**
 * POSTs `body` to `url` (never following redirects), connecting to `pinned` when given instead of
 * resolving the host again. Resolves with the status; rejects on network errors and on `signal`.
 */
export function postTo(url: URL, headers: Record<string, string>, body: string, options: { pinned?: ResolvedAddress; signal: AbortSignal }): Promise<PostResult> {
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise<PostResult>((resolve, reject) => {
    const req = send(
      url,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body, "utf8")) },
        signal: options.signal,
        ...(options.pinned ? { lookup: pinnedLookup(options.pinned) } : {}),
      },
      (res) => {
        // Only the status matters: answer at once and drop the connection (a slow body cannot hold it).
        resolve({ status: res.statusCode ?? 0, location: res.headers.location ?? null });
        res.destroy();
      },
    );
    req.on("error", reject);
    req.end(body, "utf8");
  });
}
