/** The kinds of notification a member can choose (shared by the server and the settings page; no server code here). */

/**
 * A ballot opened for you, closing within 24 hours without your vote, closed with its result; a
 * proposal on one of your committees submitted or decided; someone mentioned you in a comment.
 */
export const NOTIFICATION_KINDS = [
  "ballot.opened",
  "ballot.closing",
  "ballot.closed",
  "proposal.submitted",
  "proposal.decided",
  "comment.mention",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type Preference = { inPortal: boolean; byMail: boolean };
export type Preferences = Record<NotificationKind, Preference>;
