-- Published releases never change: their files, manifest, version and hashes are fixed at
-- publication. Only a release's status may move from current to superseded, once.
CREATE TRIGGER releases_no_update BEFORE UPDATE ON releases
WHEN NOT (OLD.status = 'current' AND NEW.status = 'superseded'
  AND NEW.id = OLD.id AND NEW.standard_id = OLD.standard_id AND NEW.version = OLD.version
  AND NEW.revision = OLD.revision AND NEW.revision_hash = OLD.revision_hash AND NEW.ballot_id = OLD.ballot_id
  AND NEW.published_at = OLD.published_at AND NEW.effective_from = OLD.effective_from
  AND NEW.supersedes IS OLD.supersedes AND NEW.changes_json = OLD.changes_json
  AND NEW.manifest = OLD.manifest AND NEW.manifest_sha256 = OLD.manifest_sha256 AND NEW.published_by = OLD.published_by)
BEGIN
  SELECT RAISE(ABORT, 'releases are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER releases_no_delete BEFORE DELETE ON releases
BEGIN
  SELECT RAISE(ABORT, 'releases are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER releases_no_replace BEFORE INSERT ON releases
WHEN EXISTS (SELECT 1 FROM releases WHERE standard_id = NEW.standard_id AND version = NEW.version)
BEGIN
  SELECT RAISE(ABORT, 'releases are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER release_files_no_update BEFORE UPDATE ON release_files
BEGIN
  SELECT RAISE(ABORT, 'release files are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER release_files_no_delete BEFORE DELETE ON release_files
BEGIN
  SELECT RAISE(ABORT, 'release files are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER release_files_no_replace BEFORE INSERT ON release_files
WHEN EXISTS (SELECT 1 FROM release_files WHERE release_id = NEW.release_id AND name = NEW.name)
BEGIN
  SELECT RAISE(ABORT, 'release files are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER release_indexes_no_update BEFORE UPDATE ON release_indexes
BEGIN
  SELECT RAISE(ABORT, 'issued indexes are append-only');
END;
--> statement-breakpoint
CREATE TRIGGER release_indexes_no_delete BEFORE DELETE ON release_indexes
BEGIN
  SELECT RAISE(ABORT, 'issued indexes are append-only');
END;
