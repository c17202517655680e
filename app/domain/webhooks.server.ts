/**
 * Webhooks (owned by the releases-serving work): registration, signed deliveries with retries.
 * STUB — replaced by the real module.
 */

/** The body of a `release.published` event. */
export type ReleasePublishedEvent = {
  event: "release.published";
  standard: string;
  version: string;
  publishedAt: string;
  manifestUrl: string;
  manifestSha256: string;
};

/**
 * Queues one delivery per active webhook subscribed to `release.published`. Call it inside the
 * publishing transaction (it writes with the same connection), so an event exists iff the release does.
 */
export function enqueueReleaseEvent(_event: ReleasePublishedEvent): void {}
