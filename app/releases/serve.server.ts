/**
 * The release fast path (owned by the releases-serving work): public release files, manifests,
 * `latest` and the signed index served from precomputed bytes before the API router and Remix.
 * STUB — replaced by the real module.
 */

/** Forget cached `latest` pointers and the cached index; call after a publication or a re-sign commits. */
export function invalidateReleaseCache(): void {}
