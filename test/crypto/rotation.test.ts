import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import {
  KekNotLoadedError,
  type Keyring,
  keyProblems,
  keyringFromKeys,
  keyUsage,
  rotateKeys,
} from '../../src/server/platform/crypto/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { insertAgency, readability, type SeededPerson, seedPersons } from './support.js';

const blindIndexKey = randomBytes(32);
const kek = { a: randomBytes(32), b: randomBytes(32), c: randomBytes(32) };
function ring(active: keyof typeof kek, ...loaded: (keyof typeof kek)[]): Keyring {
  return keyringFromKeys({
    keks: [...new Set([active, ...loaded])].map((id) => [id, kek[id]] as const),
    activeKekId: active,
    blindIndexKey,
  });
}

describe.each(ENGINES)('master key rotation on %s (G21)', (engine) => {
  let t: TestApp;
  let agency: string;
  let people: SeededPerson[];
  beforeAll(async () => {
    t = await createTestApp(engine);
    agency = await insertAgency(t.admin);
    people = await seedPersons(t.admin, ring('a'), agency, 230);
  });
  afterAll(async () => {
    await t?.close();
  });
  const pool = () => t.deps.db.pool;

  it('rewraps every data key in batches; afterwards every record opens with only the new master key', async () => {
    expect((await readability(pool(), ring('b'), people)).readable).toBe(0);
    const progress: number[] = [];
    const result = await rotateKeys(pool(), ring('b', 'a'), {
      batchSize: 50,
      onBatch: (n) => void progress.push(n),
    });
    expect(result).toEqual({ rewrapped: 230, remaining: 0 });
    expect(progress).toEqual([50, 100, 150, 200, 230]);
    const check = await readability(pool(), ring('b'), people);
    expect(check).toEqual({ readable: 230, unreadable: [] });
    const { rows } = await t.admin.query(
      'SELECT kek_id, count(*)::int AS n, count(rewrapped_at)::int AS r FROM person_keys GROUP BY kek_id',
    );
    expect(rows).toEqual([{ kek_id: 'b', n: 230, r: 230 }]);
    // one audit event per batch, names only, and the chain still verifies
    const audit = await t.admin.query(
      "SELECT entity_id, fields FROM audit_events WHERE action = 'key.rewrap'",
    );
    expect(audit.rows).toHaveLength(5);
    expect(audit.rows[0]).toEqual({ entity_id: 'b', fields: ['kek_id', 'wrapped_dek'] });
    expect(await verifyAuditChain(t.admin)).toMatchObject({ ok: true });
  });

  it('is idempotent: a rerun rewraps nothing; the old key is no longer needed', async () => {
    expect(await rotateKeys(pool(), ring('b', 'a'))).toEqual({ rewrapped: 0, remaining: 0 });
    expect(await rotateKeys(pool(), ring('b'))).toEqual({ rewrapped: 0, remaining: 0 });
    expect(keyProblems(await keyUsage(pool(), ring('b')))).toEqual([]);
    expect(keyProblems(await keyUsage(pool(), ring('a')))).toHaveLength(1);
  });

  it('resumes after an interruption, and catches data keys created under the old key meanwhile', async () => {
    // interrupted after two batches (an exception in the progress callback stops the run)
    await expect(
      rotateKeys(pool(), ring('c', 'b'), {
        batchSize: 40,
        onBatch: (n) => {
          if (n === 80) throw new Error('interrupted');
        },
      }),
    ).rejects.toThrow('interrupted');
    expect(await keyUsage(pool(), ring('c', 'b'))).toEqual([
      { kekId: 'b', count: 150, loaded: true, opens: true },
      { kekId: 'c', count: 80, loaded: true, opens: true },
    ]);
    expect((await readability(pool(), ring('c', 'b'), people)).unreadable).toEqual([]);
    const late: SeededPerson[] = [];
    const result = await rotateKeys(pool(), ring('c', 'b'), {
      batchSize: 40,
      onBatch: async () => {
        if (late.length > 0) return;
        // an instance still on the old active key creates a person behind the pass's cursor (smallest id)
        const low = `00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`;
        late.push(...(await seedPersons(t.admin, ring('b'), agency, 1, undefined, [low])));
      },
    });
    expect(result).toEqual({ rewrapped: 151, remaining: 0 });
    expect(await keyUsage(pool(), ring('c'))).toEqual([
      { kekId: 'c', count: 231, loaded: true, opens: true },
    ]);
    expect((await readability(pool(), ring('c'), [...people, ...late])).unreadable).toEqual([]);
  });

  it('stops, changing nothing further, at a data key under a master key that is not loaded', async () => {
    const [p] = await seedPersons(t.admin, ring('a'), agency, 1);
    await expect(rotateKeys(pool(), ring('b', 'c'))).rejects.toBeInstanceOf(KekNotLoadedError);
    expect(keyProblems(await keyUsage(pool(), ring('b', 'c')))).toEqual([
      "1 data keys are wrapped under master key 'a', which is not loaded",
    ]);
    expect(await rotateKeys(pool(), ring('b', 'a', 'c'))).toMatchObject({ remaining: 0 });
    expect((await readability(pool(), ring('b'), [...people, p!])).unreadable).toEqual([]);
  });
});
