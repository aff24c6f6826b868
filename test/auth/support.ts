import { hashPassword } from '../../src/server/features/auth/index.js';
import type { TestApp } from '../support/app.js';

export const PASSWORD = 'correct horse battery staple';

/** A user with a password and a membership, inserted directly (these tests exercise sign-in itself). */
export async function insertUser(
  t: TestApp,
  username: string,
  options: { roles?: string[]; demo?: boolean; password?: string | null } = {},
): Promise<string> {
  const agency = await t.admin.query<{ id: string }>(
    `INSERT INTO agencies (code, type, name) VALUES ($1, 'police', $2) RETURNING id`,
    [`ag-${username}`.slice(0, 40), JSON.stringify({ tk: 'Polisiýa', ru: 'Полиция', en: 'Police' })],
  );
  const hash =
    options.password === null ? null : await hashPassword(t.deps.config, options.password ?? PASSWORD);
  const user = await t.admin.query<{ id: string }>(
    'INSERT INTO users (username, display_name, password_hash, demo_account) VALUES ($1, $2, $3, $4) RETURNING id',
    [username, `User ${username}`, hash, options.demo ?? false],
  );
  const id = user.rows[0]!.id;
  await t.admin.query('INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, $3)', [
    id,
    agency.rows[0]!.id,
    options.roles ?? ['case_manager'],
  ]);
  return id;
}
