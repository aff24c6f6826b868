-- The application runs every request transaction as halas_app (SET LOCAL ROLE), a role that owns
-- nothing, is not a superuser, and so is subject to row-level security and to the grants below.
-- Roles are cluster-wide: create it only if another database on the same server has not already.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'halas_app') THEN
    CREATE ROLE halas_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--> statement-breakpoint
-- A connecting user that is not a superuser needs membership to SET ROLE halas_app.
DO $$
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT halas_app TO %I', current_user);
  END IF;
EXCEPTION WHEN duplicate_object OR insufficient_privilege THEN
  NULL;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO halas_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON agencies, users, recovery_codes, memberships, sessions, login_throttle TO halas_app;
--> statement-breakpoint
-- The audit trail is append-only for the application: no UPDATE, DELETE or TRUNCATE.
GRANT SELECT, INSERT ON audit_events TO halas_app;
--> statement-breakpoint
GRANT SELECT, UPDATE ON audit_head TO halas_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE audit_events_seq_seq TO halas_app;
--> statement-breakpoint
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex')) ON CONFLICT (id) DO NOTHING;
