/** How the ballot page lists a frozen roll, a part at a time (shared by the server and the page). */

/** Which part of the roll the ballot page lists: everyone, the units that voted, or those that have not. */
export const ROLL_FILTERS = ["all", "voted", "not-voted"] as const;
export type RollFilter = (typeof ROLL_FILTERS)[number];

/** Units listed on one page of the roll (a roll can hold thousands: the page lists it a part at a time). */
export const ROLL_PAGE_SIZE = 50;

/** The part of the roll to list: a filter and a page of it (from 1; past the end means the last page). */
export type RollQuery = { filter?: RollFilter; page?: number };
