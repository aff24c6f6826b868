import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPersonKey,
  keyProblems,
  keyringForTests,
  keyUsage,
  loadPersonKeys,
  openField,
  sealField,
  shredPersonKey,
} from '../../src/server/platform/crypto/index.js';
import { withTx } from '../../src/server/platform/tx.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { actorFor, insertAgency, readability, type SeededPerson, seedPersons } from './support.js';

describe.each(ENGINES)('person data keys and sealed fields on %s (G20, G24)', (engine) => {
  let t: TestApp;
  let agency: string;
  let otherAgency: string;
  let people: SeededPerson[];
  beforeAll(async () => {
    t = await createTestApp(engine);
    agency = await insertAgency(t.admin);
    otherAgency = await insertAgency(t.admin);
    people = await seedPersons(t.admin, t.deps.keyring, agency, 20);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a data key in the transaction and round-trips Unicode fields through the database', async () => {
    const { keyring } = t.deps;
    const id = randomUUID();
    const identity = { names: ['Aýgözel Öwezmyradowa', 'Айгозель Овезмурадова'], note: 'Ňň Şş Žž 🏠' };
    await withTx(t.deps.db.pool, actorFor(agency), async (tx) => {
      await tx.query("INSERT INTO persons (id, ref, owner_agency_id) VALUES ($1, 'P-new', $2)", [id, agency]);
      const dek = await createPersonKey(tx, keyring, id);
      await tx.query('UPDATE persons SET identity_enc = $2 WHERE id = $1', [
        id,
        sealField(dek, id, 'identity_enc', identity),
      ]);
    });
    const row = await t.admin.query(
      'SELECT kek_id, length(wrapped_dek) AS n FROM person_keys WHERE person_id = $1',
      [id],
    );
    expect(row.rows[0]).toEqual({ kek_id: keyring.activeKekId, n: 61 });
    const opened = await withTx(t.deps.db.pool, actorFor(agency), async (tx) => {
      const keys = await loadPersonKeys(tx, keyring, [id.toUpperCase()]);
      const p = await tx.query('SELECT identity_enc FROM persons WHERE id = $1', [id]);
      return openField(keys.get(id)!, id, 'identity_enc', p.rows[0]!.identity_enc);
    });
    expect(opened).toEqual(identity);
  });

  it('shows a person’s data key only to the agencies that see the person (row-level security)', async () => {
    const ids = people.slice(0, 3).map((p) => p.id);
    const own = await withTx(t.deps.db.pool, actorFor(agency), (tx) =>
      loadPersonKeys(tx, t.deps.keyring, ids),
    );
    expect([...own.keys()].sort()).toEqual([...ids].sort());
    const other = await withTx(t.deps.db.pool, actorFor(otherAgency), (tx) =>
      loadPersonKeys(tx, t.deps.keyring, ids),
    );
    expect(other.size).toBe(0);
    expect(await withTx(t.deps.db.pool, actorFor(otherAgency), (tx) => shredPersonKey(tx, ids[0]!))).toBe(
      false,
    );
  });

  it('ciphertexts or data keys swapped between rows or columns decrypt 0 times', async () => {
    const [a, b] = [people[0]!, people[1]!];
    let opened = 0;
    let attempts = 0;
    const client = await t.admin.connect();
    try {
      const tryAll = async () => {
        const { rows } = await client.query(
          'SELECT id, identity_enc, contact_enc FROM persons WHERE id = ANY($1::uuid[])',
          [[a.id, b.id]],
        );
        const keys = await client.query(
          'SELECT person_id, kek_id, wrapped_dek FROM person_keys WHERE person_id = ANY($1::uuid[])',
          [[a.id, b.id]],
        );
        for (const row of rows) {
          const k = keys.rows.find((r) => r.person_id === row.id);
          for (const column of ['identity_enc', 'contact_enc']) {
            attempts++;
            try {
              const dek = t.deps.keyring.unwrap(k.kek_id, k.wrapped_dek);
              openField(dek, row.id, column, row[column]);
              opened++;
            } catch {
              // expected: the envelope is bound to its row and column
            }
          }
        }
      };
      await client.query('BEGIN');
      // rows: A's identity and contact ciphertexts go to B and B's to A
      await client.query(
        `UPDATE persons p SET identity_enc = q.identity_enc, contact_enc = q.contact_enc
           FROM persons q WHERE (p.id, q.id) IN (($1::uuid, $2::uuid), ($2::uuid, $1::uuid))`,
        [a.id, b.id],
      );
      await tryAll();
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      // columns: identity and contact exchanged within each row
      await client.query(
        'UPDATE persons SET identity_enc = contact_enc, contact_enc = identity_enc WHERE id = ANY($1::uuid[])',
        [[a.id, b.id]],
      );
      await tryAll();
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      // data keys: the wrapped keys exchanged between the two persons
      await client.query(
        `UPDATE person_keys k SET wrapped_dek = q.wrapped_dek
           FROM person_keys q WHERE (k.person_id, q.person_id) IN (($1::uuid, $2::uuid), ($2::uuid, $1::uuid))`,
        [a.id, b.id],
      );
      await tryAll();
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      // everything of A moved to B: key row and both ciphertexts
      await client.query(
        `UPDATE persons p SET identity_enc = q.identity_enc, contact_enc = q.contact_enc
           FROM persons q WHERE p.id = $2 AND q.id = $1`,
        [a.id, b.id],
      );
      await client.query(
        `UPDATE person_keys k SET kek_id = q.kek_id, wrapped_dek = q.wrapped_dek
           FROM person_keys q WHERE k.person_id = $2 AND q.person_id = $1`,
        [a.id, b.id],
      );
      await tryAll();
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    // only A's own row in the last case is untouched and opens; every swapped ciphertext fails
    expect(attempts).toBe(16);
    expect(opened).toBe(2);
    expect((await readability(t.deps.db.pool, t.deps.keyring, [a, b])).unreadable).toEqual([]);
  });

  it('a database dump holds none of the sealed values', async () => {
    const tables = await t.admin.query(
      "SELECT schemaname, tablename FROM pg_tables WHERE schemaname IN ('public', 'drizzle') ORDER BY 1, 2",
    );
    let dump = '';
    for (const { schemaname, tablename } of tables.rows) {
      const rows = await t.admin.query(
        `SELECT row_to_json(x)::text AS j FROM "${schemaname}"."${tablename}" x`,
      );
      dump += rows.rows.map((r) => r.j).join('\n');
    }
    expect(dump.length).toBeGreaterThan(1000);
    const hits = people.filter(
      (p) => dump.includes(p.canary) || dump.includes('Aýgözel') || dump.includes('Айгозель'),
    );
    expect(hits).toHaveLength(0);
  });

  it('shredding a data key makes that person unreadable and leaves everyone else readable', async () => {
    const [victim, ...others] = people.slice(2, 8);
    const pool = t.deps.db.pool;
    const before = await withTx(pool, actorFor(agency), (tx) =>
      loadPersonKeys(tx, t.deps.keyring, [victim!.id]),
    );
    const oldDek = before.get(victim!.id)!;
    expect(await withTx(pool, actorFor(agency), (tx) => shredPersonKey(tx, victim!.id))).toBe(true);
    expect(await withTx(pool, actorFor(agency), (tx) => shredPersonKey(tx, victim!.id))).toBe(false);

    const keys = await withTx(pool, actorFor(agency), (tx) =>
      loadPersonKeys(
        tx,
        t.deps.keyring,
        [victim!, ...others].map((p) => p!.id),
      ),
    );
    expect(keys.has(victim!.id)).toBe(false);
    expect(keys.size).toBe(others.length);
    const { rows } = await t.admin.query('SELECT identity_enc, contact_enc FROM persons WHERE id = $1', [
      victim!.id,
    ]);
    expect(rows[0].identity_enc).toBeInstanceOf(Buffer); // the ciphertext is still there…
    let opened = 0;
    for (const dek of keys.values()) {
      for (const column of ['identity_enc', 'contact_enc'])
        try {
          openField(dek, victim!.id, column, rows[0][column]);
          opened++;
        } catch {
          // …and no remaining key opens it
        }
    }
    expect(opened).toBe(0);
    const check = await readability(pool, t.deps.keyring, [victim!, ...(others as SeededPerson[])]);
    expect(check.unreadable).toEqual([victim!.id]);
    expect(check.readable).toBe(others.length);
    // (only a copy of the data key taken before erasure could open it)
    expect(openField(oldDek, victim!.id, 'identity_enc', rows[0].identity_enc)).toEqual(victim!.identity);
    expect(keyProblems(await keyUsage(pool, t.deps.keyring))).toEqual([]);
  });

  it('refuses to treat data keys under a master key that is not loaded as shredded', async () => {
    const stranger = keyringForTests();
    const [p] = await seedPersons(t.admin, stranger, agency, 1);
    await expect(
      withTx(t.deps.db.pool, actorFor(agency), (tx) => loadPersonKeys(tx, t.deps.keyring, [p!.id])),
    ).rejects.toThrow(/not loaded/);
    const usage = await keyUsage(t.deps.db.pool, t.deps.keyring);
    expect(usage.find((u) => u.kekId === stranger.activeKekId)).toMatchObject({ count: 1, loaded: false });
    expect(keyProblems(usage)).toEqual([
      `1 data keys are wrapped under master key '${stranger.activeKekId}', which is not loaded`,
    ]);
    await t.admin.query('DELETE FROM person_keys WHERE person_id = $1', [p!.id]);
  });
});
