import { openField } from '../../src/server/platform/crypto/index.js';
import type { TestApp } from '../support/app.js';

const COLUMNS = ['identity_enc', 'contact_enc', 'trafficking_enc', 'health_enc', 'legal_enc', 'child_enc'];

/**
 * Tries to open every sealed value in the database with every data key the keyring can unwrap (read as
 * superuser): the plaintexts that still open. After a crypto-shredding, none of that person's.
 */
export async function decryptAttempts(t: TestApp): Promise<string[]> {
  const keys = await t.admin.query<{ person_id: string; kek_id: string; wrapped_dek: Buffer }>(
    'SELECT person_id, kek_id, wrapped_dek FROM person_keys',
  );
  const deks = new Map<string, Buffer>();
  for (const k of keys.rows) deks.set(k.person_id, t.deps.keyring.unwrap(k.kek_id, k.wrapped_dek));
  const out: string[] = [];
  const persons = await t.admin.query(`SELECT id, ${COLUMNS.join(', ')} FROM persons`);
  for (const row of persons.rows) {
    for (const column of COLUMNS) {
      const sealed = row[column] as Buffer | null;
      if (!sealed) continue;
      // every key against every envelope: a shredded person's data must open under none
      for (const [owner, dek] of deks) {
        try {
          out.push(JSON.stringify(openField(dek, row.id, column, sealed)));
          if (owner !== row.id) out.push('(opened under another person key)');
        } catch {
          /* not openable: the point */
        }
      }
    }
  }
  const reasons = await t.admin.query<{ person_id: string; reason: Buffer; rejection_reason: Buffer | null }>(
    'SELECT person_id, reason, rejection_reason FROM erasure_requests',
  );
  for (const r of reasons.rows) {
    const dek = deks.get(r.person_id);
    if (!dek) continue;
    for (const [column, sealed] of [
      ['erasure_requests.reason', r.reason],
      ['erasure_requests.rejection_reason', r.rejection_reason],
    ] as const) {
      if (!sealed) continue;
      try {
        out.push(JSON.stringify(openField(dek, r.person_id, column, sealed)));
      } catch {
        /* not openable */
      }
    }
  }
  return out;
}
