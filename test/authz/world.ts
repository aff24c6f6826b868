import type { InjectOptions } from 'fastify';
import { createAgency, createUser, sessionIdOf, signIn } from '../factories/index.js';
import { createPersonas, type Persona } from '../factories/personas.js';
import type { TestApp } from '../support/app.js';
import { SAME_ORIGIN } from '../support/http.js';
import type { Expectation } from './matrix.js';
import { SAMPLES, urlOf, type World } from './samples.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface MatrixWorld extends World {
  foreignSessionId: string;
}

/** Every persona in a fresh agency, plus an agency, a user and a session that belong to nobody in the matrix. */
export async function buildWorld(t: TestApp): Promise<MatrixWorld> {
  const personas = await createPersonas(t);
  const foreignAgency = await createAgency(t, { type: 'crisis_room' });
  const foreignUser = await createUser(t, { agencyId: foreignAgency.id, roles: ['case_manager'] });
  return {
    personas,
    foreign: { agencyId: foreignAgency.id, userId: foreignUser.id },
    foreignSessionId: await sessionIdOf(t, await signIn(t, foreignUser.id)),
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
  const all: Record<string, string | undefined> = {
    ...SAME_ORIGIN,
    'accept-language': 'en',
    cookie,
    'content-type': sample.body !== undefined ? 'application/json' : undefined,
    ...headers,
  };
  return {
    method,
    url: urlOf(pattern, id),
    headers: Object.fromEntries(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined)),
    ...(sample.query ? { query: sample.query } : {}),
    ...(sample.body !== undefined ? { payload: JSON.stringify(sample.body) } : {}),
  };
}
