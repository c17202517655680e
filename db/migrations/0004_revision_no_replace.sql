-- INSERT OR REPLACE deletes the row it replaces without firing DELETE triggers (recursive triggers
-- are off), so it would slip past 0002. Refuse any insert that collides with an existing revision
-- or retired rule id instead: a revision number, once frozen, is never written again.
CREATE TRIGGER `standard_revisions_no_replace` BEFORE INSERT ON `standard_revisions`
WHEN EXISTS (SELECT 1 FROM `standard_revisions` WHERE `id` = NEW.`id` OR (`standard_id` = NEW.`standard_id` AND `number` = NEW.`number`))
BEGIN
  SELECT RAISE(ABORT, 'standard revisions are immutable: this revision exists already');
END;
--> statement-breakpoint
CREATE TRIGGER `retired_rule_ids_no_replace` BEFORE INSERT ON `retired_rule_ids`
WHEN EXISTS (SELECT 1 FROM `retired_rule_ids` WHERE `standard_id` = NEW.`standard_id` AND `rule_id` = NEW.`rule_id`)
BEGIN
  SELECT RAISE(ABORT, 'retired rule ids stay retired: this one is retired already');
END;
