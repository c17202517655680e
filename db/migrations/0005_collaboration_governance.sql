CREATE TABLE `audit_checkpoints` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`seq` integer NOT NULL,
	`head_hash` text NOT NULL,
	`signed_at` text NOT NULL,
	`reason` text NOT NULL,
	`keyid` text NOT NULL,
	`signature` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `ballot_roll` (
	`ballot_id` text NOT NULL,
	`unit_id` text NOT NULL,
	`voter_id` text,
	`label` text NOT NULL,
	PRIMARY KEY(`ballot_id`, `unit_id`),
	FOREIGN KEY (`ballot_id`) REFERENCES `ballots`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`voter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ballot_roll_voter_idx` ON `ballot_roll` (`voter_id`);--> statement-breakpoint
CREATE TABLE `ballots` (
	`id` text PRIMARY KEY NOT NULL,
	`proposal_id` text,
	`standard_id` text,
	`revision` text,
	`subject_hash` text NOT NULL,
	`rule_json` text NOT NULL,
	`voter_unit` text NOT NULL,
	`eligible_json` text NOT NULL,
	`quorum` real,
	`opens_at` text NOT NULL,
	`closes_at` text NOT NULL,
	`results_visible` text DEFAULT 'live' NOT NULL,
	`status` text DEFAULT 'scheduled' NOT NULL,
	`roll_hash` text,
	`tally_json` text,
	`result` text,
	`result_reason` text,
	`closed_at` text,
	`created_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`proposal_id`) REFERENCES `proposals`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `ballots_status_idx` ON `ballots` (`status`,`closes_at`);--> statement-breakpoint
CREATE INDEX `ballots_standard_idx` ON `ballots` (`standard_id`);--> statement-breakpoint
CREATE INDEX `ballots_proposal_idx` ON `ballots` (`proposal_id`);--> statement-breakpoint
CREATE TABLE `collab_snapshots` (
	`doc_name` text PRIMARY KEY NOT NULL,
	`state` blob NOT NULL,
	`last_update_id` integer NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `collab_updates` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`doc_name` text NOT NULL,
	`update` blob NOT NULL,
	`user_id` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `collab_updates_doc_idx` ON `collab_updates` (`doc_name`,`id`);--> statement-breakpoint
CREATE TABLE `comment_replies` (
	`id` text PRIMARY KEY NOT NULL,
	`comment_id` text NOT NULL,
	`author_id` text NOT NULL,
	`body` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`comment_id`) REFERENCES `comments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `comment_replies_comment_idx` ON `comment_replies` (`comment_id`);--> statement-breakpoint
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`doc_name` text NOT NULL,
	`standard_id` text,
	`proposal_id` text,
	`author_id` text NOT NULL,
	`kind` text NOT NULL,
	`body` text NOT NULL,
	`anchor_quote` text,
	`anchor_prefix` text,
	`anchor_suffix` text,
	`anchor_start` text,
	`anchor_end` text,
	`state` text DEFAULT 'attached' NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`response` text,
	`resolved_by` text,
	`resolved_at` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`author_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`resolved_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `comments_doc_idx` ON `comments` (`doc_name`,`created_at`);--> statement-breakpoint
CREATE INDEX `comments_standard_idx` ON `comments` (`standard_id`);--> statement-breakpoint
CREATE TABLE `notification_preferences` (
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`in_portal` integer DEFAULT true NOT NULL,
	`by_mail` integer DEFAULT true NOT NULL,
	PRIMARY KEY(`user_id`, `kind`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `notifications` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`link` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`read_at` text,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `notifications_user_idx` ON `notifications` (`user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `proposals` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`title` text NOT NULL,
	`rationale` text NOT NULL,
	`committee` text NOT NULL,
	`standard_id` text,
	`base_revision` text,
	`markdown` text NOT NULL,
	`submitted_markdown` text,
	`submitted_hash` text,
	`state` text DEFAULT 'draft' NOT NULL,
	`applied_revision` text,
	`created_by` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`updated_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`submitted_at` text,
	`decided_at` text,
	FOREIGN KEY (`committee`) REFERENCES `committees`(`code`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `proposals_standard_idx` ON `proposals` (`standard_id`);--> statement-breakpoint
CREATE INDEX `proposals_committee_idx` ON `proposals` (`committee`,`state`);--> statement-breakpoint
CREATE TABLE `votes` (
	`ballot_id` text NOT NULL,
	`unit_id` text NOT NULL,
	`voter_id` text NOT NULL,
	`position` text NOT NULL,
	`reason` text,
	`cast_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	PRIMARY KEY(`ballot_id`, `unit_id`),
	FOREIGN KEY (`ballot_id`) REFERENCES `ballots`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`voter_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
