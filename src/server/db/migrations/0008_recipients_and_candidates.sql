-- Duplicate detection ranks candidates from every agency on birth year and sex as well as on names (issue 4).
-- Row-level security hides other agencies' persons from the request, so this one function returns exactly
-- those two statistical variables, and nothing else, for the candidate ids the blind-index search produced.
-- It runs as the caller (not SECURITY DEFINER: no owner privileges), with the named cross-agency scope set
-- for its own duration only (a function SET clause is undone when the function returns).
CREATE OR REPLACE FUNCTION halas_candidate_demographics(ids uuid[])
  RETURNS TABLE (person_id uuid, birth_year integer, sex text)
  LANGUAGE sql STABLE
  SET app.scope = 'system'
AS $$
  SELECT p.id, p.birth_year, p.sex FROM persons p WHERE p.id = ANY (ids) AND p.erased_at IS NULL
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION halas_candidate_demographics(uuid[]) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION halas_candidate_demographics(uuid[]) TO halas_app;
--> statement-breakpoint
-- A consent may name its recipient by type of agency ("any rehabilitation centre") instead of one agency.
-- The second wall lets every agency of that type see the person and the consent, as the application does;
-- the classes and the expiry are still decided by coveredClasses() on the application's clock.
CREATE OR REPLACE FUNCTION halas_agency_types() RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT coalesce(array_agg(DISTINCT a.type), '{}'::text[]) FROM agencies a WHERE a.id = ANY (halas_agency_ids())
$$;
--> statement-breakpoint
CREATE POLICY consents_recipient_type ON consents FOR SELECT TO halas_app
  USING (recipient_agency_id IS NULL AND recipient_type = ANY (halas_agency_types()));
--> statement-breakpoint
CREATE POLICY persons_recipient_type ON persons FOR SELECT TO halas_app
  USING (id IN (SELECT c.person_id FROM consents c
                 WHERE c.recipient_agency_id IS NULL AND c.recipient_type = ANY (halas_agency_types())
                   AND c.withdrawn_at IS NULL));
