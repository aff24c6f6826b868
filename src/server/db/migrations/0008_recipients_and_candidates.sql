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
