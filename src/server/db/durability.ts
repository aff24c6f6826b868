import type pg from 'pg';

/** A PostgreSQL server that can lose acknowledged writes is refused in production (G31). */
export async function checkDurability(pool: pg.Pool): Promise<string | null> {
  const { rows } = await pool.query<{ name: string; setting: string }>(
    "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes')",
  );
  const off = rows.filter((r) => r.setting === 'off').map((r) => r.name);
  return off.length > 0
    ? `the PostgreSQL server runs with ${off.join(', ')} off, so acknowledged writes could be lost in a crash. Turn them on (or set HALAS_ALLOW_UNSAFE_DURABILITY=1 for a throwaway instance).`
    : null;
}
