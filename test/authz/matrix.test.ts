import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERSONAS, type Persona } from '../factories/personas.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { comparable } from '../support/identical.js';
import { writeFingerprint } from '../support/snapshot.js';
import { type Expectation, MATRIX } from './matrix.js';
import { buildWorld, type MatrixWorld, type Method, recordIds, sampleRequest } from './world.js';

/** What must not change when a request is refused (sessions aside: using a dead session ends it). */
const businessFingerprint = async (t: TestApp) => {
  const { sessions: _s, live_sessions: _l, ...rest } = await writeFingerprint(t.admin);
  return rest;
};

describe.each(ENGINES)('authorization matrix on %s (G01, G02)', (engine) => {
  let t: TestApp;
  let world: MatrixWorld;

  beforeAll(async () => {
    t = await createTestApp(engine);
    world = await buildWorld(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = async (persona: Persona, key: string, id?: string): Promise<LightMyRequestResponse> =>
    t.app.inject(await sampleRequest(t, world, key, persona, id));

  function verdict(
    res: LightMyRequestResponse,
    allowed: boolean,
    p: Persona,
    exp: Expectation,
  ): string | null {
    const code = res.headers['content-type']?.toString().includes('json')
      ? (res.json() as { code?: string }).code
      : undefined;
    if (allowed) {
      if (exp.reached) return code === exp.reached ? null : `expected ${exp.reached}`;
      return res.statusCode >= 200 && res.statusCode < 300 ? null : 'expected 2xx';
    }
    if (p.name === 'anonymous' || p.name === 'deactivated')
      return res.statusCode === 401 ? null : 'expected 401';
    return res.statusCode === 403 || res.statusCode === 404 ? null : 'expected 403 or 404';
  }

  it('has an expectation for every declared route, and none for a route that does not exist', () => {
    const declared = t.app.declaredRoutes.map((r) => `${r.method} ${r.url}`);
    expect(
      declared.filter((key) => !(key in MATRIX)),
      'routes missing from test/authz/matrix.ts',
    ).toEqual([]);
    expect(
      Object.keys(MATRIX).filter((key) => !declared.includes(key)),
      'matrix entries without a route',
    ).toEqual([]);
  });

  it('answers 401 on every non-public /api route without a session or with an unknown one', async () => {
    const failures: string[] = [];
    for (const route of t.app.declaredRoutes) {
      if ('public' in route.access || !route.url.startsWith('/api/')) continue;
      const key = `${route.method} ${route.url}`;
      const none = await send(world.personas.anonymous, key, randomUUID());
      const forged = await t.app.inject(
        await sampleRequest(t, world, key, world.personas.anonymous, randomUUID(), {
          cookie: 'halas_session=forged',
        }),
      );
      for (const res of [none, forged])
        if (res.statusCode !== 401) failures.push(`${key}: ${res.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(Object.keys(MATRIX))('%s', async (key) => {
    const exp = MATRIX[key]!;
    const method = key.split(' ')[0] as Method;
    const failures: string[] = [];
    for (const name of PERSONAS) {
      const persona = world.personas[name];
      const allowed = exp.allow.includes(name);
      const [inScope, outOfScope] = exp.record
        ? await recordIds(t, world, exp.record, persona)
        : [undefined, undefined];
      const before = !allowed && method !== 'GET' ? await businessFingerprint(t) : undefined;
      const res = await send(persona, key, inScope);
      const problem = verdict(res, allowed, persona, exp);
      if (problem) failures.push(`${name}: ${problem}, got ${res.statusCode} ${res.body.slice(0, 160)}`);
      if (before && JSON.stringify(await businessFingerprint(t)) !== JSON.stringify(before))
        failures.push(`${name}: a refused request wrote something`);
      if (!exp.record || !allowed || !outOfScope) continue;

      const random = await send(persona, key, randomUUID());
      if (random.statusCode !== 404)
        failures.push(`${name}: random id gave ${random.statusCode}, expected 404`);
      if (exp.seesAll?.includes(name)) continue;
      const other = await send(persona, key, outOfScope);
      const [a, b] = [comparable(other), comparable(random)];
      if (JSON.stringify(a) !== JSON.stringify(b))
        failures.push(
          `${name}: out-of-scope answer differs from a random id: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
        );
    }
    expect(failures).toEqual([]);
  });
});
