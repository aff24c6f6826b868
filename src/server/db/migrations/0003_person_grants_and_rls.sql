GRANT SELECT, INSERT, UPDATE, DELETE ON webauthn_credentials, persons, person_keys, person_name_tokens, consents,
  consent_overrides, tasks, alerts TO halas_app;
--> statement-breakpoint
-- The agencies the request acts for, as set by the application at the start of every transaction
-- (app.agency_ids, comma separated). No setting: no agency, so row-level security shows nothing.
CREATE OR REPLACE FUNCTION halas_agency_ids() RETURNS uuid[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(string_to_array(nullif(current_setting('app.agency_ids', true), ''), ',')::uuid[], '{}'::uuid[])
$$;
--> statement-breakpoint
-- The one named cross-agency path (system jobs: key rotation, retention), set only by withSystemTx.
CREATE OR REPLACE FUNCTION halas_system_scope() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('app.scope', true), '') = 'system'
$$;
--> statement-breakpoint
-- Second wall: even a query that forgets its scope predicate sees only the rows of the request's agencies
-- (and, for persons, those shared with them by a consent not withdrawn or an approved override; expiry and
-- the exact classes are decided by the application, on the application's clock).
ALTER TABLE consents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE consents FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY consents_scope ON consents TO halas_app
  USING (halas_system_scope() OR owner_agency_id = ANY (halas_agency_ids()) OR recipient_agency_id = ANY (halas_agency_ids()))
  WITH CHECK (halas_system_scope() OR owner_agency_id = ANY (halas_agency_ids()));
--> statement-breakpoint
ALTER TABLE persons ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE persons FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY persons_scope ON persons TO halas_app
  USING (
    halas_system_scope()
    OR owner_agency_id = ANY (halas_agency_ids())
    OR id IN (SELECT c.person_id FROM consents c
               WHERE c.recipient_agency_id = ANY (halas_agency_ids()) AND c.withdrawn_at IS NULL)
    OR id IN (SELECT o.person_id FROM consent_overrides o
               WHERE o.recipient_agency_id = ANY (halas_agency_ids()) AND o.status = 'approved')
  )
  WITH CHECK (halas_system_scope() OR owner_agency_id = ANY (halas_agency_ids()));
--> statement-breakpoint
ALTER TABLE person_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE person_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY person_keys_scope ON person_keys TO halas_app
  USING (halas_system_scope() OR person_id IN (SELECT id FROM persons))
  WITH CHECK (halas_system_scope() OR person_id IN (SELECT id FROM persons));
--> statement-breakpoint
ALTER TABLE person_name_tokens ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE person_name_tokens FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Tokens are keyed hashes, and duplicate detection must find matches in other agencies (revealing only
-- that a review task exists), so every request may read them; writes follow the person.
CREATE POLICY person_name_tokens_read ON person_name_tokens FOR SELECT TO halas_app USING (true);
--> statement-breakpoint
CREATE POLICY person_name_tokens_write ON person_name_tokens FOR INSERT TO halas_app
  WITH CHECK (halas_system_scope() OR person_id IN (SELECT id FROM persons));
--> statement-breakpoint
CREATE POLICY person_name_tokens_delete ON person_name_tokens FOR DELETE TO halas_app
  USING (halas_system_scope() OR person_id IN (SELECT id FROM persons));
