/** The person row, its identity envelope and its wrapped data key: what the G1 read loads, in one SELECT. */
export const BARE_SQL = `SELECT p.id, p.ref, p.owner_agency_id, p.sex, p.birth_year, p.birth_year_estimated, p.citizenships,
  p.languages, p.interpreter_needed, p.erased_at, p.created_at, p.version, p.identity_enc, k.kek_id, k.wrapped_dek
  FROM persons p JOIN person_keys k ON k.person_id = p.id WHERE p.id = $1`;
