CREATE TABLE `release_files` (
	`release_id` integer NOT NULL,
	`name` text NOT NULL,
	`content_type` text NOT NULL,
	`bytes` blob NOT NULL,
	`sha256` text NOT NULL,
	`length` integer NOT NULL,
	`gzip` blob NOT NULL,
	`brotli` blob NOT NULL,
	PRIMARY KEY(`release_id`, `name`),
	FOREIGN KEY (`release_id`) REFERENCES `releases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `release_indexes` (
	`version` integer PRIMARY KEY NOT NULL,
	`body` text NOT NULL,
	`expires` text NOT NULL,
	`signed_at` text NOT NULL,
	`reason` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `releases` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`standard_id` text NOT NULL,
	`version` text NOT NULL,
	`revision` text NOT NULL,
	`revision_hash` text NOT NULL,
	`ballot_id` text NOT NULL,
	`published_at` text NOT NULL,
	`effective_from` text NOT NULL,
	`supersedes` text,
	`status` text DEFAULT 'current' NOT NULL,
	`changes_json` text NOT NULL,
	`manifest` text NOT NULL,
	`manifest_sha256` text NOT NULL,
	`published_by` text NOT NULL,
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`ballot_id`) REFERENCES `ballots`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`published_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `releases_standard_version_unique` ON `releases` (`standard_id`,`version`);--> statement-breakpoint
CREATE INDEX `releases_published_idx` ON `releases` (`published_at`);--> statement-breakpoint
CREATE TABLE `standard_translations` (
	`standard_id` text NOT NULL,
	`locale` text NOT NULL,
	`title` text NOT NULL,
	`scope` text NOT NULL,
	PRIMARY KEY(`standard_id`, `locale`),
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`webhook_id` text NOT NULL,
	`event` text NOT NULL,
	`payload` text NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`last_status_code` integer,
	`last_error` text,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`delivered_at` text,
	FOREIGN KEY (`webhook_id`) REFERENCES `webhooks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due_idx` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_webhook_idx` ON `webhook_deliveries` (`webhook_id`,`id`);--> statement-breakpoint
CREATE TABLE `webhooks` (
	`id` text PRIMARY KEY NOT NULL,
	`owner_id` text NOT NULL,
	`url` text NOT NULL,
	`events_json` text NOT NULL,
	`secret` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhooks_owner_idx` ON `webhooks` (`owner_id`);--> statement-breakpoint
ALTER TABLE `standards` ADD `language` text DEFAULT 'en' NOT NULL;