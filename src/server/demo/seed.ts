import type { AppDeps } from '../app.js';
import { hashPassword } from '../features/auth/index.js';
import { writeAudit } from '../platform/audit.js';
import type { RequestContext } from '../platform/context.js';
import { withTx } from '../platform/tx.js';
import { DEMO_AGENCIES, DEMO_PASSWORD, DEMO_USERS } from './data.js';

/** Creates the demo agencies and users once (an instance that already has agencies is left alone). */
export async function seedDemo(deps: AppDeps, ctx: RequestContext): Promise<boolean> {
  const passwordHash = await hashPassword(deps.config, DEMO_PASSWORD);
  return withTx(deps.db.pool, null, async (tx) => {
    const { rows } = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM agencies');
    if ((rows[0]?.n ?? 0) > 0) return false;
    const ids = new Map<string, string>();
    for (const a of DEMO_AGENCIES) {
      const r = await tx.query<{ id: string }>(
        'INSERT INTO agencies (code, type, name, region) VALUES ($1, $2, $3, $4) RETURNING id',
        [a.code, a.type, JSON.stringify(a.name), a.region],
      );
      ids.set(a.code, r.rows[0]!.id);
      await writeAudit(tx, ctx, {
        action: 'agency.create',
        entityType: 'agency',
        entityId: r.rows[0]!.id,
        fields: ['code', 'type', 'name', 'region'],
      });
    }
    for (const u of DEMO_USERS) {
      const r = await tx.query<{ id: string }>(
        `INSERT INTO users (username, display_name, locale, password_hash, password_changed_at, demo_account)
         VALUES ($1, $2, $3, $4, $5, true) RETURNING id`,
        [u.username, u.displayName, u.locale, passwordHash, ctx.now()],
      );
      const userId = r.rows[0]!.id;
      await tx.query('INSERT INTO memberships (user_id, agency_id, roles) VALUES ($1, $2, $3)', [
        userId,
        ids.get(u.agency),
        u.roles,
      ]);
      await writeAudit(tx, ctx, {
        action: 'user.create',
        entityType: 'user',
        entityId: userId,
        fields: ['username', 'display_name', 'locale', 'roles'],
      });
    }
    return true;
  });
}
