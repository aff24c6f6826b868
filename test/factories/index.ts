import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { createAgencyRecord } from '../../src/server/features/agencies/index.js';
import { applyUserPatch, createUserRecord } from '../../src/server/features/users/index.js';
import { cookieName, createSession, hashToken } from '../../src/server/platform/sessions.js';
import { systemContext } from '../../src/server/platform/system-context.js';
import { withTx } from '../../src/server/platform/tx.js';
import type { AgencyCreate, AgencyView } from '../../src/shared/contracts/admin.js';
import type { Role } from '../../src/shared/domain/access.js';
import type { Locale } from '../../src/shared/domain/locales.js';
import type { TestApp } from '../support/app.js';

/**
 * Test data built through the same service functions the routes use, so every record comes with its audit
 * event and the constraints the app relies on. Names are unique per call: tests never collide.
 */

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${(++counter).toString(36)}-${randomUUID().slice(0, 6)}`;

const ctxOf = (t: TestApp) => systemContext(t.deps, `factory-${randomUUID()}`);

export async function createAgency(
  t: TestApp,
  overrides: Partial<z.infer<typeof AgencyCreate>> & { active?: boolean } = {},
): Promise<AgencyView> {
  const code = overrides.code ?? unique('agency');
  const { active, ...fields } = overrides;
  const agency = await withTx(t.deps.db.pool, null, (tx) =>
    createAgencyRecord(tx, ctxOf(t), {
      code,
      type: 'ngo',
      name: { tk: `Edara ${code}`, ru: `Ведомство ${code}`, en: `Agency ${code}` },
      ...fields,
    }),
  );
  if (active === false) {
    await t.admin.query('UPDATE agencies SET active = false, version = version + 1 WHERE id = $1', [
      agency.id,
    ]);
    return { ...agency, active: false, version: agency.version + 1 };
  }
  return agency;
}

export interface CreatedUser {
  id: string;
  username: string;
  displayName: string;
  agencyId: string;
  roles: Role[];
  setupToken: string;
}

export async function createUser(
  t: TestApp,
  options: {
    agencyId: string;
    roles: Role[];
    username?: string;
    displayName?: string;
    locale?: Locale;
    active?: boolean;
  },
): Promise<CreatedUser> {
  const username = options.username ?? unique('user');
  const displayName = options.displayName ?? `Person ${username}`;
  const ctx = ctxOf(t);
  return withTx(t.deps.db.pool, null, async (tx) => {
    const { userId, setup } = await createUserRecord(tx, ctx, {
      username,
      displayName,
      locale: options.locale ?? 'en',
      agencyId: options.agencyId,
      roles: options.roles,
    });
    if (options.active === false) await applyUserPatch(tx, ctx, userId, { active: false });
    return {
      id: userId,
      username,
      displayName,
      agencyId: options.agencyId,
      roles: options.roles,
      setupToken: setup.setupToken,
    };
  });
}

/**
 * A fully authenticated session (password and second factor done) for the user, as sign-in would create
 * it; returns the Cookie header value. `authenticatedAt` moves the last step-up into the past.
 */
export async function signIn(
  t: TestApp,
  userId: string,
  options: { authenticatedAt?: Date } = {},
): Promise<string> {
  const now = t.clock.now();
  const session = await withTx(t.deps.db.pool, null, (tx) =>
    createSession(tx, t.deps.config, now, userId, true),
  );
  if (options.authenticatedAt)
    await t.admin.query('UPDATE sessions SET authenticated_at = $2 WHERE id = $1', [
      session.id,
      options.authenticatedAt,
    ]);
  return `${cookieName(t.deps.config)}=${session.token}`;
}

/** The session id behind a cookie from `signIn` (for tests that end or inspect one session). */
export async function sessionIdOf(t: TestApp, cookie: string): Promise<string> {
  const token = cookie.slice(cookie.indexOf('=') + 1);
  const { rows } = await t.admin.query<{ id: string }>('SELECT id FROM sessions WHERE token_hash = $1', [
    hashToken(token),
  ]);
  return rows[0]!.id;
}
