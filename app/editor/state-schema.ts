/**
 * The size limit of what the editor pages receive. The live editor never posts a document (the
 * collaboration server stores it as it changes); the only post is a rule check ("checkRules"), whose
 * sources may together reach the rule core's limit (MAX_CHECK_CHARS of rule-check.server.ts, 5 MiB)
 * — which is why server.ts lets editor pages post a little more than other pages.
 */

/** The largest rule-check request an editor page reads, in bytes (5 MB; the routes add room for the form envelope). */
export const MAX_EDITOR_STATE_BYTES = 5 * 1024 * 1024;
