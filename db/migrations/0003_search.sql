-- Full-text search (SQLite FTS5) over standards and, in later issues, comments and proposals.
--
-- `search_documents` holds what is searchable, one row per thing a hit points at:
--   kind         'standard' (title; id and scope), 'draft' (one section of the draft's prose,
--                ```rule blocks removed: title = the section heading), 'rule' (a draft rule:
--                title; id and description); later 'comment', 'proposal', 'release'.
--   ref          the section heading for 'draft', the rule id for 'rule', '' otherwise.
--   standard_id  the standard the row belongs to; visibility and filters join `standards` on it.
-- `search_index` is an external-content FTS5 index of its title and body, kept in step by the
-- triggers below. Keeping kind/ref/standard_id out of the FTS table lets a query filter its matches
-- without loading every matching row's (large) body; snippets read the body of the page of hits only.
-- Porter stemming over unicode61 with diacritics folded: "duties" finds "duty", "dutiés" too.
-- drizzle does not model virtual tables, so neither table is in db/schema.ts; the app writes
-- search_documents in app/domain/search.server.ts.
CREATE TABLE `search_documents` (
  `id` integer PRIMARY KEY,
  `kind` text NOT NULL,
  `ref` text NOT NULL DEFAULT '',
  `standard_id` text NOT NULL,
  `title` text NOT NULL DEFAULT '',
  `body` text NOT NULL DEFAULT ''
);
--> statement-breakpoint
CREATE INDEX `search_documents_standard_idx` ON `search_documents` (`standard_id`, `kind`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `search_index` USING fts5(
  `title`,
  `body`,
  content = 'search_documents',
  content_rowid = 'id',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `search_documents_after_insert` AFTER INSERT ON `search_documents`
BEGIN
  INSERT INTO `search_index` (rowid, `title`, `body`) VALUES (NEW.`id`, NEW.`title`, NEW.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_documents_after_delete` AFTER DELETE ON `search_documents`
BEGIN
  INSERT INTO `search_index` (`search_index`, rowid, `title`, `body`) VALUES ('delete', OLD.`id`, OLD.`title`, OLD.`body`);
END;
--> statement-breakpoint
CREATE TRIGGER `search_documents_after_update` AFTER UPDATE ON `search_documents`
BEGIN
  INSERT INTO `search_index` (`search_index`, rowid, `title`, `body`) VALUES ('delete', OLD.`id`, OLD.`title`, OLD.`body`);
  INSERT INTO `search_index` (rowid, `title`, `body`) VALUES (NEW.`id`, NEW.`title`, NEW.`body`);
END;
