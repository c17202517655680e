/** The kinds of notification a member can choose (shared by the server and the settings page; no server code here). */

/** A ballot opened for you, closing within 24 hours without your vote, closed with its result. */
export const NOTIFICATION_KINDS = ["ballot.opened", "ballot.closing", "ballot.closed"] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export type Preference = { inPortal: boolean; byMail: boolean };
export type Preferences = Record<NotificationKind, Preference>;
