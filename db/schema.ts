/**
 * The portal's relational schema (drizzle, SQLite). Migrations in db/migrations are generated from
 * this file with `npm run db:generate` and committed; the server applies them at start-up.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const now = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

import { ORG_KINDS, ROLES, STANDARD_STATUSES, USER_STATUSES } from "./vocabulary";

export * from "./vocabulary";

export const organizations = sqliteTable(
  "organizations",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    kind: text("kind", { enum: ORG_KINDS }).notNull(),
    country: text("country").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [uniqueIndex("organizations_name_unique").on(sql`lower(${t.name})`)],
);

export const committees = sqliteTable("committees", {
  code: text("code").primaryKey(),
  name: text("name").notNull(),
  description: text("description").notNull().default(""),
  createdAt: text("created_at").notNull().default(now),
});

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    name: text("name").notNull(),
    orgId: text("org_id")
      .notNull()
      .references(() => organizations.id),
    role: text("role", { enum: ROLES }).notNull(),
    status: text("status", { enum: USER_STATUSES }).notNull(),
    votingRepresentative: integer("voting_representative", { mode: "boolean" }).notNull().default(false),
    passwordHash: text("password_hash"),
    locale: text("locale"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email), index("users_org_idx").on(t.orgId)],
);

export const committeeMembers = sqliteTable(
  "committee_members",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    committeeCode: text("committee_code")
      .notNull()
      .references(() => committees.code),
  },
  (t) => [primaryKey({ columns: [t.userId, t.committeeCode] }), index("committee_members_code_idx").on(t.committeeCode)],
);

/** Browser sessions: the token is `<id>.<secret>`; only the SHA-256 of the secret is stored. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    secretHash: text("secret_hash").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    lastVerifiedAt: integer("last_verified_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    absoluteExpiresAt: integer("absolute_expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Single-use links mailed to a person: invitations and password resets (stored hashed). */
export const userTokens = sqliteTable(
  "user_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["invite", "reset"] }).notNull(),
    createdAt: text("created_at").notNull().default(now),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("user_tokens_user_idx").on(t.userId)],
);

/** Personal access tokens for tools and the API (`Authorization: Bearer`). */
export const accessTokens = sqliteTable(
  "access_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    tokenHash: text("token_hash").notNull(),
    readOnly: integer("read_only", { mode: "boolean" }).notNull().default(false),
    createdAt: text("created_at").notNull().default(now),
    lastUsedAt: text("last_used_at"),
    revokedAt: text("revoked_at"),
  },
  (t) => [uniqueIndex("access_tokens_hash_unique").on(t.tokenHash), index("access_tokens_user_idx").on(t.userId)],
);

/** Outgoing mail. Delivered by nodemailer when SMTP_URL is set; otherwise admins read it in the portal. */
export const outbox = sqliteTable("outbox", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  to: text("to").notNull(),
  subject: text("subject").notNull(),
  text: text("text").notNull(),
  createdAt: text("created_at").notNull().default(now),
  sentAt: text("sent_at"),
  attempts: integer("attempts").notNull().default(0),
  lastError: text("last_error"),
});

/** Append-only, hash-chained record of governance and security events. */
export const auditEvents = sqliteTable(
  "audit_events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    at: text("at").notNull(),
    actorId: text("actor_id"),
    action: text("action").notNull(),
    subjectType: text("subject_type").notNull(),
    subjectId: text("subject_id"),
    data: text("data").notNull().default("{}"),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_subject_idx").on(t.subjectType, t.subjectId)],
);

export const standards = sqliteTable(
  "standards",
  {
    id: text("id").primaryKey(),
    committee: text("committee")
      .notNull()
      .references(() => committees.code),
    title: text("title").notNull(),
    scope: text("scope").notNull(),
    status: text("status", { enum: STANDARD_STATUSES }).notNull().default("draft"),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
  },
  (t) => [index("standards_committee_idx").on(t.committee), index("standards_status_idx").on(t.status)],
);

/** The working text of each standard, in standard Markdown. */
export const standardDrafts = sqliteTable("standard_drafts", {
  standardId: text("standard_id")
    .primaryKey()
    .references(() => standards.id, { onDelete: "cascade" }),
  markdown: text("markdown").notNull(),
  hash: text("hash").notNull(),
  updatedAt: text("updated_at").notNull().default(now),
  updatedBy: text("updated_by"),
  /** Cache of the draft's extracted RuleSet (JSON); null until computed (rows older than the cache). */
  rulesetJson: text("ruleset_json"),
  /** Cache of the draft's conformance results `{passed, failed, results}` (JSON). */
  conformanceJson: text("conformance_json"),
  /** Cache of the problems with the draft's ```rule blocks (JSON array of RuleBlockError). */
  ruleErrorsJson: text("rule_errors_json"),
});

/** Key/value settings the portal keeps about itself (e.g. which seed files were imported). */
export const portalMeta = sqliteTable("portal_meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

/**
 * Frozen revisions of a standard's draft, numbered "00", "01", … per standard. Immutable: triggers
 * (migration 0002) refuse every UPDATE and DELETE. `hash` is the hex SHA-256 of `markdown` (UTF-8).
 */
export const standardRevisions = sqliteTable(
  "standard_revisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    standardId: text("standard_id")
      .notNull()
      .references(() => standards.id),
    number: text("number").notNull(),
    markdown: text("markdown").notNull(),
    lexicalJson: text("lexical_json").notNull(),
    rulesetJson: text("ruleset_json").notNull(),
    conformanceJson: text("conformance_json").notNull(),
    hash: text("hash").notNull(),
    createdAt: text("created_at").notNull().default(now),
    createdBy: text("created_by").references(() => users.id),
  },
  (t) => [uniqueIndex("standard_revisions_number_unique").on(t.standardId, t.number)],
);

/** Rule ids that were in a frozen revision and then removed: never to be used again in that standard. */
export const retiredRuleIds = sqliteTable(
  "retired_rule_ids",
  {
    standardId: text("standard_id")
      .notNull()
      .references(() => standards.id),
    ruleId: text("rule_id").notNull(),
    /** The revision that no longer had the rule. */
    retiredInRevision: text("retired_in_revision").notNull(),
    retiredAt: text("retired_at").notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.standardId, t.ruleId] })],
);

/** Every change of a standard's lifecycle status: who, when, from, to and why. */
export const standardStatusEvents = sqliteTable(
  "standard_status_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    standardId: text("standard_id")
      .notNull()
      .references(() => standards.id),
    fromStatus: text("from_status", { enum: STANDARD_STATUSES }),
    toStatus: text("to_status", { enum: STANDARD_STATUSES }).notNull(),
    reason: text("reason").notNull().default(""),
    actorId: text("actor_id").references(() => users.id),
    at: text("at").notNull().default(now),
  },
  (t) => [index("standard_status_events_standard_idx").on(t.standardId)],
);
