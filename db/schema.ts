/**
 * The portal's relational schema (drizzle, SQLite). Migrations in db/migrations are generated from
 * this file with `npm run db:generate` and committed; the server applies them at start-up.
 */
import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
    /** BCP 47 tag of the language the standard's own text is written in (the UI never translates it). */
    language: text("language").notNull().default("en"),
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

// ─── Collaboration (Yjs documents, comments) ─────────────────────────────────────────────────────

/**
 * Every Yjs update of a collaborative document, appended as it arrives and before the server
 * acknowledges it (an acknowledged edit survives kill -9). Compaction folds a prefix of these into
 * `collab_snapshots` in one transaction.
 */
export const collabUpdates = sqliteTable(
  "collab_updates",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    docName: text("doc_name").notNull(),
    update: blob("update", { mode: "buffer" }).notNull(),
    userId: text("user_id"),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("collab_updates_doc_idx").on(t.docName, t.id)],
);

/** The compacted state of a document: all updates up to `lastUpdateId` merged. */
export const collabSnapshots = sqliteTable("collab_snapshots", {
  docName: text("doc_name").primaryKey(),
  state: blob("state", { mode: "buffer" }).notNull(),
  lastUpdateId: integer("last_update_id").notNull(),
  updatedAt: text("updated_at").notNull().default(now),
});

export const COMMENT_KINDS = ["general", "technical", "editorial"] as const;
export const COMMENT_STATUSES = ["open", "accepted", "modified", "rejected", "noted"] as const;

/** Comments on a standard's draft or a proposal's draft, anchored to a passage. */
export const comments = sqliteTable(
  "comments",
  {
    id: text("id").primaryKey(),
    /** The document commented on: `standard.<id>` or `proposal.<id>`. */
    docName: text("doc_name").notNull(),
    standardId: text("standard_id").references(() => standards.id),
    proposalId: text("proposal_id"),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind", { enum: COMMENT_KINDS }).notNull(),
    body: text("body").notNull(),
    /** The quoted passage, with some text before and after it to re-find it. */
    anchorQuote: text("anchor_quote"),
    anchorPrefix: text("anchor_prefix"),
    anchorSuffix: text("anchor_suffix"),
    /** Yjs relative positions of the passage's start and end (JSON), when made in the editor. */
    anchorStart: text("anchor_start"),
    anchorEnd: text("anchor_end"),
    state: text("state", { enum: ["attached", "detached"] }).notNull().default("attached"),
    status: text("status", { enum: COMMENT_STATUSES }).notNull().default("open"),
    response: text("response"),
    resolvedBy: text("resolved_by").references(() => users.id),
    resolvedAt: text("resolved_at"),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("comments_doc_idx").on(t.docName, t.createdAt), index("comments_standard_idx").on(t.standardId)],
);

/** Replies in a comment's thread. */
export const commentReplies = sqliteTable(
  "comment_replies",
  {
    id: text("id").primaryKey(),
    commentId: text("comment_id")
      .notNull()
      .references(() => comments.id),
    authorId: text("author_id")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("comment_replies_comment_idx").on(t.commentId)],
);

// ─── Governance (proposals, ballots, votes, checkpoints, notifications) ──────────────────────────

export const PROPOSAL_KINDS = ["amendment", "new-standard"] as const;
export const PROPOSAL_STATES = ["draft", "submitted", "in-ballot", "approved", "rejected", "applied", "withdrawn"] as const;

/** Proposals: an amendment to a standard (based on one of its revisions) or a new standard. */
export const proposals = sqliteTable(
  "proposals",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: PROPOSAL_KINDS }).notNull(),
    title: text("title").notNull(),
    rationale: text("rationale").notNull(),
    committee: text("committee")
      .notNull()
      .references(() => committees.code),
    standardId: text("standard_id").references(() => standards.id),
    baseRevision: text("base_revision"),
    /** The proposal's working text (standard Markdown); frozen into `submittedMarkdown` on submit. */
    markdown: text("markdown").notNull(),
    submittedMarkdown: text("submitted_markdown"),
    submittedHash: text("submitted_hash"),
    state: text("state", { enum: PROPOSAL_STATES }).notNull().default("draft"),
    /** The standard revision that applying the proposal created. */
    appliedRevision: text("applied_revision"),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
    updatedAt: text("updated_at").notNull().default(now),
    submittedAt: text("submitted_at"),
    decidedAt: text("decided_at"),
  },
  (t) => [index("proposals_standard_idx").on(t.standardId), index("proposals_committee_idx").on(t.committee, t.state)],
);

export const BALLOT_STATUSES = ["scheduled", "open", "closed", "cancelled"] as const;

/** Ballots on an immutable subject (a submitted proposal or a standard revision). */
export const ballots = sqliteTable(
  "ballots",
  {
    id: text("id").primaryKey(),
    proposalId: text("proposal_id").references(() => proposals.id),
    standardId: text("standard_id").references(() => standards.id),
    revision: text("revision"),
    /** SHA-256 of the exact text voted on. */
    subjectHash: text("subject_hash").notNull(),
    /** The rule as given (preset name or custom object), JSON. */
    ruleJson: text("rule_json").notNull(),
    voterUnit: text("voter_unit", { enum: ["individual", "organization"] }).notNull(),
    /** Eligibility as given: {roles, committees?}, JSON. */
    eligibleJson: text("eligible_json").notNull(),
    quorum: real("quorum"),
    opensAt: text("opens_at").notNull(),
    closesAt: text("closes_at").notNull(),
    resultsVisible: text("results_visible", { enum: ["live", "after-close"] }).notNull().default("live"),
    status: text("status", { enum: BALLOT_STATUSES }).notNull().default("scheduled"),
    /** SHA-256 over the canonical JSON of the frozen roll; set when the ballot opens. */
    rollHash: text("roll_hash"),
    /** Final tally and result, recorded once at close. */
    tallyJson: text("tally_json"),
    result: text("result", { enum: ["approved", "rejected"] }),
    resultReason: text("result_reason"),
    closedAt: text("closed_at"),
    createdBy: text("created_by")
      .notNull()
      .references(() => users.id),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("ballots_status_idx").on(t.status, t.closesAt), index("ballots_standard_idx").on(t.standardId), index("ballots_proposal_idx").on(t.proposalId)],
);

/** The frozen roll of a ballot: one row per voting unit (a user, or an organisation and its representative). */
export const ballotRoll = sqliteTable(
  "ballot_roll",
  {
    ballotId: text("ballot_id")
      .notNull()
      .references(() => ballots.id),
    /** The user's id (individual ballots) or the organisation's id (organisation ballots). */
    unitId: text("unit_id").notNull(),
    /** Who may cast the unit's vote: the user, or the organisation's voting representative. */
    voterId: text("voter_id").references(() => users.id),
    label: text("label").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ballotId, t.unitId] }), index("ballot_roll_voter_idx").on(t.voterId)],
);

/** One vote per voting unit; a later vote by the same unit replaces the earlier while the ballot is open. */
export const votes = sqliteTable(
  "votes",
  {
    ballotId: text("ballot_id")
      .notNull()
      .references(() => ballots.id),
    unitId: text("unit_id").notNull(),
    voterId: text("voter_id")
      .notNull()
      .references(() => users.id),
    position: text("position", { enum: ["approve", "disapprove", "abstain"] }).notNull(),
    reason: text("reason"),
    castAt: text("cast_at").notNull().default(now),
    /** How many times the unit has voted (1 = first vote). */
    version: integer("version").notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.ballotId, t.unitId] })],
);

/** Signed checkpoints of the audit chain: the chain head at `seq`, signed with the portal's key. */
export const auditCheckpoints = sqliteTable("audit_checkpoints", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  seq: integer("seq").notNull(),
  headHash: text("head_hash").notNull(),
  signedAt: text("signed_at").notNull(),
  reason: text("reason").notNull(),
  keyid: text("keyid").notNull(),
  /** base64 Ed25519 signature over the JCS canonical JSON of {seq, headHash, signedAt, reason}. */
  signature: text("signature").notNull(),
});

/** In-portal notifications (mail goes through the outbox as well, per the member's preferences). */
export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    link: text("link").notNull(),
    createdAt: text("created_at").notNull().default(now),
    readAt: text("read_at"),
  },
  (t) => [index("notifications_user_idx").on(t.userId, t.createdAt)],
);

/** A member's choice of notifications: per kind, in the portal and/or by mail. */
export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    inPortal: integer("in_portal", { mode: "boolean" }).notNull().default(true),
    byMail: integer("by_mail", { mode: "boolean" }).notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.userId, t.kind] })],
);

// ─── Releases (signed, immutable files implementers download) and webhooks ───────────────────────

export const RELEASE_FILE_NAMES = ["ruleset.json", "conformance.json", "document.md", "document.html"] as const;

/**
 * A published release of a standard: one approved, frozen revision under a semantic version.
 * Immutable except `status` (current → superseded), guarded by triggers (migration 0008).
 * `manifest` is the signed manifest exactly as served (UTF-8 JSON bytes as text).
 */
export const releases = sqliteTable(
  "releases",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    standardId: text("standard_id")
      .notNull()
      .references(() => standards.id),
    version: text("version").notNull(),
    revision: text("revision").notNull(),
    revisionHash: text("revision_hash").notNull(),
    ballotId: text("ballot_id")
      .notNull()
      .references(() => ballots.id),
    publishedAt: text("published_at").notNull(),
    effectiveFrom: text("effective_from").notNull(),
    /** The version this release supersedes (the previous current release), or null. */
    supersedes: text("supersedes"),
    status: text("status", { enum: ["current", "superseded"] }).notNull().default("current"),
    /** Human changelog: the semantic rule diff from the previous release, as JSON {rules:{added,removed,changed}, breaking, suggestedBump}. */
    changesJson: text("changes_json").notNull(),
    manifest: text("manifest").notNull(),
    manifestSha256: text("manifest_sha256").notNull(),
    publishedBy: text("published_by")
      .notNull()
      .references(() => users.id),
  },
  (t) => [uniqueIndex("releases_standard_version_unique").on(t.standardId, t.version), index("releases_published_idx").on(t.publishedAt)],
);

/** The files of a release: bytes made once at publication, with their hash and precomputed encodings. Immutable. */
export const releaseFiles = sqliteTable(
  "release_files",
  {
    releaseId: integer("release_id")
      .notNull()
      .references(() => releases.id),
    name: text("name").notNull(),
    contentType: text("content_type").notNull(),
    bytes: blob("bytes", { mode: "buffer" }).notNull(),
    sha256: text("sha256").notNull(),
    length: integer("length").notNull(),
    gzip: blob("gzip", { mode: "buffer" }).notNull(),
    brotli: blob("brotli", { mode: "buffer" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.releaseId, t.name] })],
);

/** Every signed index ever issued (the newest is served); `version` grows at each publication and re-signing. Append-only. */
export const releaseIndexes = sqliteTable("release_indexes", {
  version: integer("version").primaryKey(),
  /** The signed index document exactly as served. */
  body: text("body").notNull(),
  expires: text("expires").notNull(),
  signedAt: text("signed_at").notNull(),
  reason: text("reason", { enum: ["publication", "re-sign"] }).notNull(),
});

/** Webhooks: URLs that receive signed `release.published` events. `secret` is kept to sign deliveries. */
export const webhooks = sqliteTable(
  "webhooks",
  {
    id: text("id").primaryKey(),
    ownerId: text("owner_id")
      .notNull()
      .references(() => users.id),
    url: text("url").notNull(),
    eventsJson: text("events_json").notNull(),
    secret: text("secret").notNull(),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    createdAt: text("created_at").notNull().default(now),
  },
  (t) => [index("webhooks_owner_idx").on(t.ownerId)],
);

/** One event to one webhook, with its attempts; retried with backoff until delivered or given up. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    webhookId: text("webhook_id")
      .notNull()
      .references(() => webhooks.id),
    event: text("event").notNull(),
    /** The exact body sent (and signed). */
    payload: text("payload").notNull(),
    status: text("status", { enum: ["pending", "delivered", "failed"] }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: text("next_attempt_at").notNull().default(now),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: text("created_at").notNull().default(now),
    deliveredAt: text("delivered_at"),
  },
  (t) => [index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt), index("webhook_deliveries_webhook_idx").on(t.webhookId, t.id)],
);

/** Translated titles and scope of a standard (the standard's own text stays in its language). */
export const standardTranslations = sqliteTable(
  "standard_translations",
  {
    standardId: text("standard_id")
      .notNull()
      .references(() => standards.id),
    locale: text("locale").notNull(),
    title: text("title").notNull(),
    scope: text("scope").notNull(),
  },
  (t) => [primaryKey({ columns: [t.standardId, t.locale] })],
);
