CREATE TABLE `retired_rule_ids` (
	`standard_id` text NOT NULL,
	`rule_id` text NOT NULL,
	`retired_in_revision` text NOT NULL,
	`retired_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	PRIMARY KEY(`standard_id`, `rule_id`),
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `standard_revisions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`standard_id` text NOT NULL,
	`number` text NOT NULL,
	`markdown` text NOT NULL,
	`lexical_json` text NOT NULL,
	`ruleset_json` text NOT NULL,
	`conformance_json` text NOT NULL,
	`hash` text NOT NULL,
	`created_at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	`created_by` text,
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `standard_revisions_number_unique` ON `standard_revisions` (`standard_id`,`number`);--> statement-breakpoint
CREATE TABLE `standard_status_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`standard_id` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`actor_id` text,
	`at` text DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')) NOT NULL,
	FOREIGN KEY (`standard_id`) REFERENCES `standards`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`actor_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `standard_status_events_standard_idx` ON `standard_status_events` (`standard_id`);--> statement-breakpoint
ALTER TABLE `standard_drafts` ADD `ruleset_json` text;--> statement-breakpoint
ALTER TABLE `standard_drafts` ADD `conformance_json` text;--> statement-breakpoint
ALTER TABLE `standard_drafts` ADD `rule_errors_json` text;