import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { writeFingerprint } from '../support/snapshot.js';
import { MATRIX } from './matrix.js';
import { SAMPLES } from './samples.js';
import { buildWorld, type MatrixWorld, recordIds, sampleRequest } from './world.js';

const RUNS = process.env.DEEP ? 1000 : 200;

/** Keys a client must never be able to set, and the prototype keys of G04. */
const FORBIDDEN = [
  'owner_agency_id',
  'ownerAgencyId',
  'created_by',
  'createdBy',
  'version',
  'id',
  'password_hash',
  'passwordHash',
  'mfaEnrolled',
  'demoAccount',
  'permissions',
  '__proto__',
  'constructor',
  'prototype',
];

/**
 * Inserts `key: value` into the body at the top level or inside one of its nested objects. Null when that
 * object already declares the key (a WebAuthn credential's own `id`): that is a value, not an injection.
 */
function inject(body: unknown, key: string, value: unknown, depthPick: number): string | null {
  const text = JSON.stringify(body);
  const objects: string[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      objects.push(path.join('\u0000'));
      for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    }
  };
  walk(body, []);
  const target = objects[depthPick % objects.length]!.split('\u0000').filter(Boolean);
  // Write the key into the JSON text itself, so that "__proto__" arrives as a real key on the wire.
  const clone = JSON.parse(text);
  let node = clone;
  for (const k of target) node = node[k];
  if (Object.hasOwn(node, key)) return null;
  const marker = `"__halas_marker_${Math.random().toString(36).slice(2)}"`;
  node[marker.slice(1, -1)] = value;
  return JSON.stringify(clone).replace(marker, JSON.stringify(key));
}

describe.each(ENGINES)('no mass assignment or prototype pollution on %s (G04)', (engine) => {
  let t: TestApp;
  let world: MatrixWorld;
  beforeAll(async () => {
    t = await createTestApp(engine);
    world = await buildWorld(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  const routes = Object.keys(MATRIX).filter((key) => !key.startsWith('GET ') && SAMPLES[key]);

  it.each(routes)('%s refuses a forbidden key anywhere in a valid body and changes nothing', async (key) => {
    const exp = MATRIX[key]!;
    const personaName = exp.allow.find((p) => p !== 'anonymous' && p !== 'deactivated') ?? exp.allow[0]!;
    const persona = world.personas[personaName];
    const sample = SAMPLES[key]!(persona, world);
    if (!sample.body || typeof sample.body !== 'object') return;
    const id = exp.record ? (await recordIds(t, world, exp.record, persona))[0] : undefined;
    const base = await sampleRequest(t, world, key, persona, id);
    const before = await writeFingerprint(t.admin);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FORBIDDEN),
        fc.oneof(
          fc.string(),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.dictionary(fc.string(), fc.string()),
        ),
        fc.nat(),
        async (forbidden, value, depthPick) => {
          const payload = inject(sample.body, forbidden, value, depthPick);
          fc.pre(payload !== null);
          const res = await t.app.inject({ ...base, payload });
          expect(res.statusCode, `${key} with ${forbidden}`).toBeGreaterThanOrEqual(400);
          expect(res.statusCode).toBeLessThan(500);
          expect(Object.keys(Object.prototype)).toEqual([]);
        },
      ),
      { numRuns: RUNS },
    );
    const { sessions: _a, live_sessions: _b, ...after } = await writeFingerprint(t.admin);
    const { sessions: _c, live_sessions: _d, ...beforeBusiness } = before;
    expect(after).toEqual(beforeBusiness);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
