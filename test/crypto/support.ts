import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Actor } from '../../src/server/platform/context.js';
import {
  type Keyring,
  loadPersonKeys,
  openField,
  sealField,
} from '../../src/server/platform/crypto/index.js';
import { withTx } from '../../src/server/platform/tx.js';

/** Identity and contact values with Turkmen and Cyrillic text and a unique canary per person. */
export function personValues(i: number, tag: string) {
  const canary = `Canary${tag}Q${i}x`;
  return {
    identity: {
      names: [
        { given: 'Aýgözel', family: `Öwezmyradowa ${canary}` },
        { given: 'Айгозель', family: 'Овезмурадова' },
      ],
      birthDate: '2001-02-03',
      documents: [{ type: 'passport', number: `I-TM ${100000 + i}` }],
    },
    contact: {
      phones: ['+993 65 12 34 56'],
      address: `Aşgabat, Magtymguly şaýoly ${i}, ${canary}`,
      shelter: 'Ňň Şş Žž Üü Çç Ää 🏠',
    },
    canary,
  };
}

export type SeededPerson = { id: string } & ReturnType<typeof personValues>;

export async function insertAgency(admin: pg.Pool): Promise<string> {
  const code = `crypto-${randomBytes(4).toString('hex')}`;
  const { rows } = await admin.query(
    `INSERT INTO agencies (code, type, name) VALUES ($1, 'ngo', $2) RETURNING id`,
    [code, { tk: code, ru: code, en: code }],
  );
  return rows[0].id;
}

/**
 * Persons with identity and contact sealed under their own data keys, wrapped by `keyring`, inserted with the
 * superuser pool (bypassing row-level security) in one statement per table.
 */
export async function seedPersons(
  admin: pg.Pool,
  keyring: Keyring,
  agencyId: string,
  count: number,
  tag = randomBytes(3).toString('hex'),
  chosenIds: string[] = [],
): Promise<SeededPerson[]> {
  const people: SeededPerson[] = [];
  const ids: string[] = [];
  const refs: string[] = [];
  const identity: Buffer[] = [];
  const contact: Buffer[] = [];
  const keks: string[] = [];
  const wrapped: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const id = chosenIds[i] ?? randomUUID();
    const values = personValues(i, tag);
    const dek = randomBytes(32);
    const w = keyring.wrap(dek);
    people.push({ id, ...values });
    ids.push(id);
    refs.push(`P-${tag}-${i}`);
    identity.push(sealField(dek, id, 'identity_enc', values.identity));
    contact.push(sealField(dek, id, 'contact_enc', values.contact));
    keks.push(w.kekId);
    wrapped.push(w.wrapped);
  }
  for (let start = 0; start < count; start += 5000) {
    const end = start + 5000;
    await admin.query(
      `INSERT INTO persons (id, ref, owner_agency_id, identity_enc, contact_enc)
       SELECT id, ref, $3, i, c FROM unnest($1::uuid[], $2::text[], $4::bytea[], $5::bytea[]) AS v(id, ref, i, c)`,
      [
        ids.slice(start, end),
        refs.slice(start, end),
        agencyId,
        identity.slice(start, end),
        contact.slice(start, end),
      ],
    );
    await admin.query(
      `INSERT INTO person_keys (person_id, kek_id, wrapped_dek)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::bytea[])`,
      [ids.slice(start, end), keks.slice(start, end), wrapped.slice(start, end)],
    );
  }
  return people;
}

/** An actor acting for the given agencies (row-level security sees their persons). */
export function actorFor(...agencyIds: string[]): Pick<Actor, 'userId' | 'memberships'> {
  return {
    userId: randomUUID(),
    memberships: agencyIds.map((agencyId) => ({
      id: randomUUID(),
      agencyId,
      agencyCode: 'x',
      agencyName: { tk: 'x', ru: 'x', en: 'x' },
      agencyType: 'ngo' as const,
      roles: [],
    })),
  };
}

/**
 * Opens every seeded person's fields through the application's own path (runtime role, key-rotation system
 * path so every agency is visible) and compares them with what was sealed.
 */
export async function readability(
  pool: pg.Pool,
  keyring: Keyring,
  people: SeededPerson[],
): Promise<{ readable: number; unreadable: string[] }> {
  const byId = new Map(people.map((p) => [p.id, p]));
  const unreadable: string[] = [];
  let readable = 0;
  await withTx(
    pool,
    null,
    async (tx) => {
      const { rows } = await tx.query<{ id: string; identity_enc: Buffer; contact_enc: Buffer }>(
        'SELECT id, identity_enc, contact_enc FROM persons WHERE id = ANY($1::uuid[])',
        [people.map((p) => p.id)],
      );
      let keys: Map<string, Buffer>;
      try {
        keys = await loadPersonKeys(
          tx,
          keyring,
          people.map((p) => p.id),
        );
      } catch {
        // one key cannot be unwrapped: find out which, person by person
        keys = new Map();
        for (const p of people) {
          const one = await loadPersonKeys(tx, keyring, [p.id]).catch(() => new Map<string, Buffer>());
          const dek = one.get(p.id);
          if (dek) keys.set(p.id, dek);
        }
      }
      const seen = new Set<string>();
      for (const row of rows) {
        seen.add(row.id);
        const expected = byId.get(row.id)!;
        const dek = keys.get(row.id);
        try {
          if (!dek) throw new Error('no key');
          const identity = openField(dek, row.id, 'identity_enc', row.identity_enc);
          const contact = openField(dek, row.id, 'contact_enc', row.contact_enc);
          if (JSON.stringify(identity) !== JSON.stringify(expected.identity)) throw new Error('identity');
          if (JSON.stringify(contact) !== JSON.stringify(expected.contact)) throw new Error('contact');
          readable++;
        } catch {
          unreadable.push(row.id);
        }
      }
      for (const p of people) if (!seen.has(p.id)) unreadable.push(p.id);
    },
    { systemPath: 'key-rotation', readOnly: true },
  );
  return { readable, unreadable };
}
