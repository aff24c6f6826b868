import { execFileSync } from 'node:child_process';
import { expect } from 'vitest';
import type { TestApp } from '../support/app.js';
import type { Browser } from '../support/http.js';
import { decryptAttempts } from './decrypt.js';

/** A unique sentinel per field and person, in the scripts survivors' names come in (as in canary.test.ts). */
export const canary = (tag: string, field: string, i: number) => `Qz${tag}${field}${i}Ýžç${i}Жщ`;

export interface Seeded {
  id: string;
  ref: string;
  /** Every identifying value written, one canary per field. */
  canaries: string[];
}

/**
 * Registers a person with a canary in every field of every class (identity, contact, trafficking, health,
 * legal, child); the writer must hold all classes (a case manager).
 */
export async function seedCanaryPerson(
  writer: Browser,
  tag: string,
  i: number,
  stats: { sex: string; birthYear: number; citizenships: string[] },
): Promise<Seeded> {
  const canaries: string[] = [];
  const c = (field: string) => {
    const v = canary(tag, field, i);
    canaries.push(v);
    return v;
  };
  const doc = `QZ${tag}${i}DOC`;
  const phone = `+993 6${String(i).padStart(7, '5')}`;
  const res = await writer.post('/api/persons', {
    ...stats,
    languages: ['tk', 'ru'],
    interpreterNeeded: true,
    identity: {
      names: [
        { value: c('Name'), kind: 'primary' },
        { value: c('Alias'), kind: 'alias' },
      ],
      birthDate: '1990-01-15',
      documents: [{ type: 'passport', number: doc, issuingCountry: 'TM', heldBy: 'employer' }],
    },
    contact: {
      addresses: [{ text: c('Address'), kind: 'shelter' }],
      phones: [{ number: phone, safeToCall: false }],
      safeContact: { safeToCallBack: false, codeWord: c('Code'), safeTimes: c('Times'), doNotContactVia: [] },
    },
    trafficking: { notes: c('Story') },
    health: { notes: c('Health') },
    legal: { notes: c('Legal') },
    child: { guardianName: c('Guardian'), bestInterestsNotes: c('Interests') },
  });
  expect(res.statusCode, res.body).toBe(201);
  canaries.push(doc, phone);
  const person = res.json().person as { id: string; ref: string };
  return { id: person.id, ref: person.ref, canaries };
}

/** Every table of the public schema as text, joined (what a dump shows). */
export async function dumpAllTables(t: TestApp): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const tables = await t.admin.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  for (const { tablename } of tables.rows) {
    const dump = await t.admin.query(
      `SELECT coalesce(string_agg(x::text, E'\\n'), '') AS text FROM "${tablename}" x`,
    );
    out.set(tablename, dump.rows[0].text);
  }
  return out;
}

/** Canaries found in any table as text, or openable from any stored envelope with the keyring. */
export async function canariesInDatabase(t: TestApp, canaries: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const [table, text] of await dumpAllTables(t))
    for (const v of canaries) if (text.includes(v)) hits.push(`${v} in ${table}`);
  const opened = await decryptAttempts(t);
  for (const v of canaries) if (opened.some((plain) => plain.includes(v))) hits.push(`${v} decrypted`);
  return hits;
}

/** Canaries readable through the API by the given reader: list, detail, reveal of every class, search, history. */
export async function canariesThroughApi(
  reader: Browser,
  persons: Seeded[],
  search: (p: Seeded) => string,
): Promise<string[]> {
  const hits: string[] = [];
  const bodies: string[] = [];
  bodies.push((await reader.get('/api/persons?limit=200')).body);
  for (const p of persons) {
    bodies.push((await reader.get(`/api/persons/${p.id}`)).body);
    bodies.push(
      (
        await reader.get(
          `/api/persons/${p.id}/fields?classes=identity,contact,trafficking,health,legal,child`,
        )
      ).body,
    );
    bodies.push((await reader.post('/api/persons/search', { name: search(p) })).body);
    // the rectification history, where the route exists (an erased person's must not fail either)
    const history = await reader.get(`/api/persons/${p.id}/history`);
    expect(history.statusCode, history.body).toBeLessThan(500);
    bodies.push(history.body);
  }
  const text = bodies.join('\n');
  for (const p of persons) for (const v of p.canaries) if (text.includes(v)) hits.push(v);
  return hits;
}

/** A pg_dump of a PostgreSQL database as text (the server engine's backup). */
export function pgDumpText(url: string): string {
  return execFileSync('pg_dump', ['--no-owner', '--data-only', url], {
    maxBuffer: 512 * 1024 * 1024,
  }).toString('utf8');
}
