/**
 * Sign-in throttling per account and per client address. Failures are counted in a sliding window;
 * past the limit the sign-in is refused with the same message whether or not the account exists.
 * Kept in memory on globalThis (one process); a restart forgets it, which only loosens the limit.
 */
export const ACCOUNT_LIMIT = 5; // failures per account per window
export const ADDRESS_LIMIT = 20; // failures per client address per window
export const WINDOW_MS = 15 * 60 * 1000;

type Buckets = Map<string, number[]>;
const g = globalThis as { __portalThrottle?: Buckets };
const buckets = (): Buckets => (g.__portalThrottle ??= new Map());

function recent(key: string, now: number): number[] {
  const list = (buckets().get(key) ?? []).filter((t) => now - t < WINDOW_MS);
  if (list.length) buckets().set(key, list);
  else buckets().delete(key);
  return list;
}

/** Seconds until another attempt is allowed, or 0 when the attempt may go ahead. */
export function signInRetryAfter(email: string, address: string, now = Date.now()): number {
  const acc = recent(`acct:${email.toLowerCase()}`, now);
  const addr = recent(`addr:${address}`, now);
  const waits: number[] = [];
  if (acc.length >= ACCOUNT_LIMIT) waits.push(acc[acc.length - ACCOUNT_LIMIT] + WINDOW_MS - now);
  if (addr.length >= ADDRESS_LIMIT) waits.push(addr[addr.length - ADDRESS_LIMIT] + WINDOW_MS - now);
  return waits.length ? Math.ceil(Math.max(...waits) / 1000) : 0;
}

/** Counts a failed sign-in against the account and the address. */
export function recordSignInFailure(email: string, address: string, now = Date.now()): void {
  for (const key of [`acct:${email.toLowerCase()}`, `addr:${address}`]) {
    const list = recent(key, now);
    list.push(now);
    buckets().set(key, list);
  }
}

/** Clears the account's failures after a successful sign-in. */
export function recordSignInSuccess(email: string): void {
  buckets().delete(`acct:${email.toLowerCase()}`);
}

/** Forgets everything (tests). */
export function resetThrottle(): void {
  buckets().clear();
}
