import { randomBytes, randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { createAgency, createUser, sessionIdOf, signIn } from '../factories/index.js';
import { createPersonas, type Persona } from '../factories/personas.js';
import type { TestApp } from '../support/app.js';
import { SAME_ORIGIN } from '../support/http.js';
import type { Expectation } from './matrix.js';
import { SAMPLES, urlOf, type World } from './samples.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A person owned by the agency (a row and a data key, inserted directly: only ownership matters here). */
async function personOf(t: TestApp, agencyId: string): Promise<string> {
  const existing = await t.admin.query<{ id: string }>(
    'SELECT id FROM persons WHERE owner_agency_id = $1 ORDER BY created_at, id LIMIT 1',
    [agencyId],
  );
  if (existing.rows[0]) return existing.rows[0].id;
  return newPerson(t, agencyId);
}

/** A new person of the agency, with a data key (no sealed fields). */
async function newPerson(t: TestApp, agencyId: string): Promise<string> {
  const { rows } = await t.admin.query<{ id: string }>(
    `INSERT INTO persons (ref, owner_agency_id, sex, birth_year) VALUES ($1, $2, 'female', 1990) RETURNING id`,
    [`P-M${randomBytes(3).toString('hex').toUpperCase()}`, agencyId],
  );
  const id = rows[0]!.id;
  const { kekId, wrapped } = t.deps.keyring.wrap(randomBytes(32));
  await t.admin.query('INSERT INTO person_keys (person_id, kek_id, wrapped_dek) VALUES ($1, $2, $3)', [
    id,
    kekId,
    wrapped,
  ]);
  return id;
}

export interface MatrixWorld extends World {
  /** A person owned by the foreign agency. */
  foreignPersonId: string;
  foreignSessionId: string;
  /** A security key of the foreign user. */
  foreignKeyId: string;
}

/**
 * A security key of the user: the one they have, else a new row (inserted directly: only its ownership
 * matters to the matrix). Every persona gets one up front, so that asking for it writes nothing later.
 */
async function securityKeyOf(t: TestApp, userId: string): Promise<string> {
  const existing = await t.admin.query<{ id: string }>(
    'SELECT id FROM webauthn_credentials WHERE user_id = $1 ORDER BY created_at, id LIMIT 1',
    [userId],
  );
  if (existing.rows[0]) return existing.rows[0].id;
  const { rows } = await t.admin.query<{ id: string }>(
    `INSERT INTO webauthn_credentials (user_id, credential_id, public_key, label)
     VALUES ($1, $2, '\\x00', 'Matrix key') RETURNING id`,
    [userId, randomBytes(16).toString('base64url')],
  );
  return rows[0]!.id;
}

/** The tables behind versioned routes (`etag: 'update'`), by the first segment after /api/. */
const VERSIONED_TABLES: Record<string, string> = { agencies: 'agencies', users: 'users', persons: 'persons' };

/** `"<version>"` of the record the URL names, as a client that just loaded it would send (any for a missing id). */
async function currentEtag(t: TestApp, pattern: string, id: string | undefined): Promise<string> {
  const table = VERSIONED_TABLES[pattern.split('/')[2] ?? ''];
  if (!table)
    throw new Error(`test/authz/world.ts: which table versions ${pattern}? Add it to VERSIONED_TABLES.`);
  if (!id) return '"1"';
  const { rows } = await t.admin.query<{ version: number }>(`SELECT version FROM ${table} WHERE id = $1`, [
    id,
  ]);
  return `"${rows[0]?.version ?? 1}"`;
}

/** Every persona in a fresh agency, plus an agency, a user and a session that belong to nobody in the matrix. */
export async function buildWorld(t: TestApp): Promise<MatrixWorld> {
  const personas = await createPersonas(t);
  const foreignAgency = await createAgency(t, { type: 'crisis_room' });
  const foreignUser = await createUser(t, { agencyId: foreignAgency.id, roles: ['case_manager'] });
  for (const persona of Object.values(personas)) {
    if (persona.userId) await securityKeyOf(t, persona.userId);
    if (persona.agencyId) await personOf(t, persona.agencyId);
  }
  const foreignPersonId = await personOf(t, foreignAgency.id);
  const refOf = async (id: string) =>
    (await t.admin.query<{ ref: string }>('SELECT ref FROM persons WHERE id = $1', [id])).rows[0]!.ref;
  // break-the-glass opens a person of its own: the grants it makes would otherwise open foreignPersonId,
  // the out-of-scope record of every later route in the matrix
  const glassPersonId = await newPerson(t, foreignAgency.id);
  return {
    personas,
    foreign: { agencyId: foreignAgency.id, userId: foreignUser.id },
    foreignSessionId: await sessionIdOf(t, await signIn(t, foreignUser.id)),
    foreignKeyId: await securityKeyOf(t, foreignUser.id),
    foreignPersonId,
    foreignPersonRef: await refOf(foreignPersonId),
    glassPersonRef: await refOf(glassPersonId),
  };
}

/** An id of the record kind in the persona's own scope, and one from an agency outside it. */
export async function recordIds(
  t: TestApp,
  world: MatrixWorld,
  kind: NonNullable<Expectation['record']>,
  p: Persona,
): Promise<[string, string]> {
  if (kind === 'agency') return [p.agencyId ?? world.foreign.agencyId, world.foreign.agencyId];
  if (kind === 'user') return [p.colleagueId ?? world.foreign.userId, world.foreign.userId];
  if (kind === 'person')
    return [p.agencyId ? await personOf(t, p.agencyId) : world.foreignPersonId, world.foreignPersonId];
  if (kind === 'own-security-key')
    return [p.userId ? await securityKeyOf(t, p.userId) : world.foreignKeyId, world.foreignKeyId];
  const own = p.userId ? await sessionIdOf(t, await signIn(t, p.userId)) : world.foreignSessionId;
  return [own, world.foreignSessionId];
}

/**
 * The route's valid sample request as the persona, from our own pages: a fresh session (none for
 * anonymous), same-origin headers and the custom header. `headers` adjusts them (CSRF tests).
 */
export async function sampleRequest(
  t: TestApp,
  world: MatrixWorld,
  key: string,
  persona: Persona,
  id?: string,
  headers: Record<string, string | undefined> = {},
): Promise<InjectOptions> {
  const [method, pattern] = key.split(' ') as [Method, string];
  const sample = SAMPLES[key]?.(persona, world) ?? {};
  const cookie = persona.userId ? await signIn(t, persona.userId) : undefined;
  const route = t.app.declaredRoutes.find((r) => r.method === method && r.url === pattern);
  const all: Record<string, string | undefined> = {
    ...SAME_ORIGIN,
    'accept-language': 'en',
    cookie,
    'content-type': sample.raw?.contentType ?? (sample.body !== undefined ? 'application/json' : undefined),
    // G33: a fresh Idempotency-Key on every creating request; G34: the record's current ETag on updates
    'idempotency-key': route?.idempotent ? randomUUID() : undefined,
    'if-match': route?.etag === 'update' ? await currentEtag(t, pattern, id) : undefined,
    ...headers,
  };
  return {
    method,
    url: urlOf(pattern, id),
    headers: Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined)),
    ...(sample.query ? { query: sample.query } : {}),
    ...(sample.body !== undefined ? { payload: JSON.stringify(sample.body) } : {}),
    ...(sample.raw ? { payload: sample.raw.payload } : {}),
  };
}
