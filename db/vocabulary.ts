/** The portal's fixed vocabularies, shared by the schema, validation and the browser (no database code here). */
export const ORG_KINDS = ["company", "government", "expert", "secretariat"] as const;
export const ROLES = ["admin", "expert", "member", "observer"] as const;
export const USER_STATUSES = ["invited", "active", "disabled"] as const;
export const STANDARD_STATUSES = ["draft", "review", "ballot", "published", "superseded", "withdrawn"] as const;

export type OrgKind = (typeof ORG_KINDS)[number];
export type Role = (typeof ROLES)[number];
export type UserStatus = (typeof USER_STATUSES)[number];
export type StandardStatus = (typeof STANDARD_STATUSES)[number];
