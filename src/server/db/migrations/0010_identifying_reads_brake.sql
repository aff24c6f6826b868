-- The bulk-access brake counts every read of identifying data, not only reveals: downloads of person
-- files and histories with previous identifying values count too. The partial index follows.
DROP INDEX IF EXISTS audit_events_reveals_idx;
--> statement-breakpoint
CREATE INDEX audit_events_identifying_reads_idx ON audit_events (actor_user_id, at)
  WHERE action IN ('person.reveal', 'person.file.read', 'person.history.read');
