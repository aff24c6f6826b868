import type pg from 'pg';

/**
 * A fingerprint of everything a request could write: a checksum of every business table, the number of
 * audit events other than denials (a refused request is itself audited as `access.denied`), and the
 * sessions that exist and are live. Two equal fingerprints mean "nothing was written".
 */
export async function writeFingerprint(admin: pg.Pool): Promise<Record<string, string | number>> {
  const out: Record<string, string | number> = {};
  for (const table of ['agencies', 'users', 'memberships', 'recovery_codes', 'webauthn_credentials']) {
    const { rows } = await admin.query<{ sum: string | null }>(
      `SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS sum FROM ${table} t`,
    );
    out[table] = rows[0]?.sum ?? '';
  }
  const audit = await admin.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM audit_events WHERE outcome <> 'denied'",
  );
  out.audit_events = audit.rows[0]!.n;
  const sessions = await admin.query<{ n: number; live: number }>(
    'SELECT count(*)::int AS n, count(*) FILTER (WHERE revoked_at IS NULL)::int AS live FROM sessions',
  );
  out.sessions = sessions.rows[0]!.n;
  out.live_sessions = sessions.rows[0]!.live;
  return out;
}
