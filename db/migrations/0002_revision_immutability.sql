-- Frozen revisions are immutable: no code path may change or remove one, and the database itself
-- refuses to. (Retired rule ids and status events are append-only records as well.)
CREATE TRIGGER `standard_revisions_no_update` BEFORE UPDATE ON `standard_revisions`
BEGIN
  SELECT RAISE(ABORT, 'standard revisions are immutable: freeze a new revision instead');
END;
--> statement-breakpoint
CREATE TRIGGER `standard_revisions_no_delete` BEFORE DELETE ON `standard_revisions`
BEGIN
  SELECT RAISE(ABORT, 'standard revisions are immutable: they cannot be deleted');
END;
--> statement-breakpoint
CREATE TRIGGER `retired_rule_ids_no_update` BEFORE UPDATE ON `retired_rule_ids`
BEGIN
  SELECT RAISE(ABORT, 'retired rule ids stay retired');
END;
--> statement-breakpoint
CREATE TRIGGER `retired_rule_ids_no_delete` BEFORE DELETE ON `retired_rule_ids`
BEGIN
  SELECT RAISE(ABORT, 'retired rule ids stay retired');
END;
