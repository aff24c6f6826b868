import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Username } from '../../shared/contracts/admin.js';
import { issueSetupToken } from '../features/auth/index.js';
import { writeAudit } from '../platform/audit.js';
import { systemContext } from '../platform/system-context.js';
import { withTx } from '../platform/tx.js';
import { cliFail, openForCli } from './shared.js';

/**
 * `npm run admin:create -- --username NAME --name "Full Name"`: creates a system administrator in the
 * operator agency (created if missing) and prints a one-time setup token. The administrator then opens
 * Halas, chooses "first-time setup", sets a password and enrols the second factor.
 */
const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    name: { type: 'string' },
    locale: { type: 'string', default: 'tk' },
  },
});
const username = Username.safeParse(values.username ?? '');
if (!username.success || !values.name)
  cliFail(
    'Usage: npm run admin:create -- --username <3-40 letters, digits, . _ -> --name "<full name>" [--locale tk|ru|en]',
  );
if (!['tk', 'ru', 'en'].includes(values.locale!)) cliFail('--locale must be tk, ru or en');

const { config, db } = await openForCli().catch((error: Error) =>
  cliFail(`Cannot open the database: ${error.message}`),
);
const ctx = systemContext({ config, clock: () => new Date() }, randomUUID());
try {
  const result = await withTx(db.pool, null, async (tx) => {
    const taken = await tx.query('SELECT 1 FROM users WHERE username = $1', [username.data]);
    if (taken.rowCount) return null;
    let agency = await tx.query<{ id: string }>(
      "SELECT id FROM agencies WHERE type = 'system_operator' ORDER BY created_at LIMIT 1",
    );
    if (!agency.rows[0]) {
      agency = await tx.query<{ id: string }>(
        `INSERT INTO agencies (code, type, name) VALUES ('halas-operator', 'system_operator', $1) RETURNING id`,
        [
          JSON.stringify({
            tk: 'Halas ulgamynyň operatory',
            ru: 'Оператор системы Halas',
            en: 'Halas system operator',
          }),
        ],
      );
      await writeAudit(tx, ctx, {
        action: 'agency.create',
        entityType: 'agency',
        entityId: agency.rows[0]!.id,
        fields: ['code', 'type', 'name'],
      });
    }
    const user = await tx.query<{ id: string }>(
      'INSERT INTO users (username, display_name, locale) VALUES ($1, $2, $3) RETURNING id',
      [username.data, values.name, values.locale],
    );
    const userId = user.rows[0]!.id;
    await tx.query("INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, '{system_admin}')", [
      userId,
      agency.rows[0]!.id,
    ]);
    const setup = await issueSetupToken(tx, userId, ctx.now());
    await writeAudit(tx, ctx, {
      action: 'user.create',
      entityType: 'user',
      entityId: userId,
      fields: ['username', 'display_name', 'locale', 'roles'],
    });
    return setup;
  });
  if (!result) cliFail(`A user named ${username.data} already exists.`);
  console.info(
    [
      `System administrator "${username.data}" created.`,
      `One-time setup code (valid until ${result.setupExpiresAt.toISOString()}):`,
      '',
      `    ${result.setupToken}`,
      '',
      'Open Halas, choose "First-time setup", enter this code and choose a password; then enrol an authenticator app.',
    ].join('\n'),
  );
} finally {
  await db.close();
}
