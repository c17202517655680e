/**
 * A token bucket per client address, in memory (one process; a restart forgets it, which only
 * loosens the limit). Each address may make `capacity` requests at once, refilled evenly over
 * `perMs`. Pure apart from its own map: the time is passed in.
 */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Token buckets keyed by client address. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly capacity: number,
    readonly perMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token for `key` at time `now` (ms), or says how long to wait for the next one. */
  take(key: string, now: number): RateDecision {
    const rate = this.capacity / this.perMs;
    const b = this.buckets.get(key) ?? { tokens: this.capacity, at: now };
    b.tokens = Math.min(this.capacity, b.tokens + Math.max(0, now - b.at) * rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.remember(key, b, now);
      return { ok: true };
    }
    this.remember(key, b, now);
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000)) };
  }

  /** Forgets every address (tests). */
  reset(): void {
    this.buckets.clear();
  }

  private remember(key: string, b: { tokens: number; at: number }, now: number): void {
    this.buckets.set(key, b);
    if (this.buckets.size <= this.maxKeys) return;
    // Many addresses: drop those whose bucket has refilled (they lose nothing by being forgotten).
    for (const [k, v] of this.buckets) {
      if (v.tokens + (now - v.at) * (this.capacity / this.perMs) >= this.capacity) this.buckets.delete(k);
    }
  }
}
