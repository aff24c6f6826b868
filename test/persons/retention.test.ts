import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, projectRoot } from '../../src/server/config/index.js';
import { readLedger, reapplyErasureLedger } from '../../src/server/features/persons/erasure-ledger.js';
import { runRetention } from '../../src/server/features/persons/retention.js';
import { verifyAuditChain } from '../../src/server/platform/audit.js';
import { systemContext } from '../../src/server/platform/system-context.js';
import { createAgency } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { canariesInDatabase, canariesThroughApi, type Seeded, seedCanaryPerson } from './canaries.js';
import { removeLedger, testRetention } from './reopen.js';
import { staff } from './support.js';

const DAY = 86_400_000;
const SCHEDULE = {
  inactive: { identity: 30, contact: 10, trafficking: 30, health: 20, legal: 30, child: 30 },
};
const STATS = `SELECT sex, birth_year, citizenships, count(*)::int AS n FROM persons
  GROUP BY sex, birth_year, citizenships ORDER BY sex, birth_year, citizenships::text`;

async function fingerprint(t: TestApp) {
  const { rows } = await t.admin.query(
    `SELECT (SELECT count(*)::int FROM audit_events) AS audit,
            (SELECT md5(coalesce(string_agg(p::text, '|' ORDER BY p.id), '')) FROM persons p) AS persons,
            (SELECT count(*)::int FROM person_keys) AS keys,
            (SELECT count(*)::int FROM person_name_tokens) AS tokens`,
  );
  return rows[0];
}

/** The canaries of one class (seedCanaryPerson's field names). */
const CLASS_FIELDS = {
  contact: ['Address', 'Code', 'Times'],
  health: ['Health'],
} as const;

describe.each(ENGINES)('retention job on %s (G24)', (engine) => {
  let t: TestApp;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-retention-'));
  const retention = testRetention(SCHEDULE);
  let expired: Seeded[];
  let active: Seeded;
  let agency: string;

  beforeAll(async () => {
    t = await createTestApp(engine, { retention }, engine === 'embedded' ? { dataDir } : {});
    agency = (await createAgency(t, { type: 'social_protection' })).id;
    const writer = await staff(t, agency, ['case_manager']);
    const tag = `T${engine.slice(0, 1)}`;
    expired = [
      await seedCanaryPerson(writer, tag, 1, { sex: 'female', birthYear: 2004, citizenships: ['UZ'] }),
      await seedCanaryPerson(writer, tag, 2, { sex: 'male', birthYear: 1979, citizenships: ['TM', 'RU'] }),
    ];
    active = await seedCanaryPerson(writer, tag, 3, { sex: 'female', birthYear: 1995, citizenships: ['TM'] });
    // day 5: the active person's record changes (last activity)
    t.clock.advance(5 * DAY);
    const later = await staff(t, agency, ['case_manager']);
    const url = `/api/persons/${active.id}`;
    const etag = (await later.get(url)).headers.etag;
    const patched = await later.patch(
      url,
      { interpreterNeeded: false },
      typeof etag === 'string' ? { 'if-match': etag } : {},
    );
    expect(patched.statusCode, patched.body).toBe(200);
  });
  let closed = false;
  afterAll(async () => {
    if (!closed) await t?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    removeLedger(retention);
  });

  it('does nothing before expiry', async () => {
    t.clock.advance(3 * DAY); // day 8: nothing has reached its period
    const before = await fingerprint(t);
    const r = await runRetention(t.deps, systemContext(t.deps, 'retention-early'));
    expect(r.shredded).toBe(0);
    expect(Object.values(r.cleared).every((n) => n === 0)).toBe(true);
    expect(await fingerprint(t)).toEqual(before);
  });

  it('at expiry + 1 day: a dry run counts only; the run shreds the expired persons and clears expired classes', async () => {
    t.clock.advance(23 * DAY); // day 31: 30-day classes of the untouched persons have run out
    const statsBefore = (await t.admin.query(STATS)).rows;
    const before = await fingerprint(t);
    const dry = await runRetention(t.deps, systemContext(t.deps, 'retention-dry'), { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, shredded: 2 });
    // the active person (last activity day 5): contact (10 days) and health (20 days) have run out
    expect(dry.cleared).toEqual({ identity: 0, contact: 1, trafficking: 0, health: 1, legal: 0, child: 0 });
    expect(await fingerprint(t)).toEqual(before);

    const run = await runRetention(t.deps, systemContext(t.deps, 'retention-run'));
    expect(run.shredded).toBe(2);
    expect(run.cleared).toEqual(dry.cleared);

    const reader = await staff(t, agency, ['case_manager']);
    const all = expired.flatMap((p) => p.canaries);
    expect(await canariesThroughApi(reader, expired, (p) => p.canaries[0]!)).toEqual([]);
    expect(await canariesInDatabase(t, all)).toEqual([]);
    for (const p of expired) {
      const view = (await reader.get(`/api/persons/${p.id}`)).json();
      expect(view).toMatchObject({ erased: true, erasedAt: t.clock.now().toISOString(), readable: [] });
    }
    // the active person: expired classes gone, the rest still there (the scans do see live data)
    const cleared = Object.values(CLASS_FIELDS)
      .flat()
      .map((f) => active.canaries.find((c) => c.includes(f))!);
    expect(await canariesThroughApi(reader, [active], (p) => p.canaries[0]!)).not.toEqual([]);
    const visible = await canariesThroughApi(reader, [active], (p) => p.canaries[0]!);
    for (const c of cleared) expect(visible).not.toContain(c);
    expect(visible).toContain(active.canaries[0]);
    expect((await canariesInDatabase(t, cleared)).filter((h) => !h.endsWith('decrypted'))).toEqual([]);
    const row = await t.admin.query(
      'SELECT contact_enc, health_enc, identity_enc FROM persons WHERE id = $1',
      [active.id],
    );
    expect(row.rows[0]).toMatchObject({ contact_enc: null, health_enc: null });
    expect(row.rows[0].identity_enc).not.toBeNull();

    // statistics unchanged, every change audited, the chain verifies, the ledger holds ids and dates only
    expect((await t.admin.query(STATS)).rows).toEqual(statsBefore);
    const events = await t.admin.query(
      "SELECT action, entity_id, fields FROM audit_events WHERE action LIKE 'retention.%' ORDER BY seq",
    );
    expect(
      events.rows
        .filter((e) => e.action === 'retention.erase')
        .map((e) => e.entity_id)
        .sort(),
    ).toEqual(expired.map((p) => p.id).sort());
    expect(events.rows.find((e) => e.action === 'retention.clear')).toMatchObject({
      entity_id: active.id,
      fields: ['contact', 'health'],
    });
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
    const ledger = readLedger(retention.ledgerFile);
    expect(
      ledger
        .filter((e) => e.scope === 'person')
        .map((e) => e.personId)
        .sort(),
    ).toEqual(expired.map((p) => p.id).sort());
    expect(ledger.find((e) => e.personId === active.id)?.scope).toEqual(['contact', 'health']);
    expect(fs.readFileSync(retention.ledgerFile, 'utf8')).not.toMatch(/Qz/);

    // a second run has nothing left to do and writes nothing
    const settled = await fingerprint(t);
    const again = await runRetention(t.deps, systemContext(t.deps, 'retention-again'));
    expect(again.shredded).toBe(0);
    expect(Object.values(again.cleared).every((n) => n === 0)).toBe(true);
    expect(await fingerprint(t)).toEqual(settled);
  });

  it('clears expired classes again when a restored backup brings them back', async () => {
    // what a restore of a backup from before the run puts back: the active person's contact envelope
    const sealed = Buffer.from('restored-ciphertext');
    await t.admin.query('UPDATE persons SET contact_enc = $2 WHERE id = $1', [active.id, sealed]);
    const r = await reapplyErasureLedger(t.deps, systemContext(t.deps, 'restart'));
    expect(r).toMatchObject({ reshredded: 0, recleared: 1, appended: 0 });
    const row = await t.admin.query('SELECT contact_enc, identity_enc FROM persons WHERE id = $1', [
      active.id,
    ]);
    expect(row.rows[0].contact_enc).toBeNull();
    expect(row.rows[0].identity_enc).not.toBeNull();
    const event = await t.admin.query(
      "SELECT fields FROM audit_events WHERE action = 'person.retention_reapplied' AND entity_id = $1",
      [active.id],
    );
    expect(event.rows.map((e) => e.fields)).toEqual([['contact']]);
    expect((await verifyAuditChain(t.admin)).ok).toBe(true);
  });

  it.runIf(engine === 'embedded')(
    'npm run retention:run -- --dry-run prints counts and changes nothing',
    async () => {
      t.clock.advance(10 * DAY); // day 41: the active person has expired too
      closed = true;
      await t.app.close();
      await t.deps.db.close();
      const schedule = path.join(dataDir, 'retention.json');
      fs.writeFileSync(schedule, JSON.stringify({ schedule: SCHEDULE }));
      const env = {
        ...process.env,
        NODE_ENV: 'test',
        HALAS_DATA_DIR: dataDir,
        HALAS_DEMO: 'false',
        HALAS_RETENTION_FILE: schedule,
        HALAS_ERASURE_LEDGER: retention.ledgerFile,
      };
      const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');
      const cli = path.join(projectRoot, 'src', 'server', 'cli', 'retention-run.ts');
      const out = execFileSync(tsx, [cli, '--dry-run'], { env, encoding: 'utf8' });
      // the real clock is far past day 41: the active person is due, the erased ones are not counted again
      expect(out).toMatch(/Dry run, nothing changed\. Would erase 1 person;/);
      const bad = path.join(dataDir, 'bad.json');
      fs.writeFileSync(bad, JSON.stringify({ schedule: { inactive: { identity: 0 } } }));
      let message = '';
      try {
        execFileSync(tsx, [cli, '--dry-run'], {
          env: { ...env, HALAS_RETENTION_FILE: bad },
          encoding: 'utf8',
          stdio: 'pipe',
        });
      } catch (error) {
        message = String((error as { stderr: string }).stderr);
      }
      expect(message).toMatch(/not a valid retention schedule/);
      expect(message).toMatch(/schedule\.inactive\.identity/);
    },
  );
});

describe('retention schedule configuration', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'halas-retention-config-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const load = (json: unknown, extra: Record<string, string> = {}) => {
    const file = path.join(dir, `s-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, typeof json === 'string' ? json : JSON.stringify(json));
    return loadConfig({ NODE_ENV: 'test', HALAS_DATA_DIR: dir, HALAS_RETENTION_FILE: file, ...extra });
  };
  const good = { identity: 3650, contact: 365, trafficking: 3650, health: 1825, legal: 3650, child: 3650 };

  it('has documented defaults and a ledger in the data folder', () => {
    const config = loadConfig({ NODE_ENV: 'test', HALAS_DATA_DIR: dir });
    expect(config.retention).toMatchObject({
      source: 'defaults',
      intervalMinutes: 60,
      ledgerFile: path.join(dir, 'erasure', 'ledger.jsonl'),
    });
    expect(config.retention.schedule.inactive.contact).toBe(1095);
    expect(fs.readFileSync(path.join(projectRoot, 'docs', 'operations.md'), 'utf8')).toContain(
      'HALAS_RETENTION_FILE',
    );
  });

  it('loads a valid file', () => {
    const config = load({ schedule: { inactive: good }, intervalMinutes: 15 });
    expect(config.retention.schedule.inactive).toEqual(good);
    expect(config.retention.intervalMinutes).toBe(15);
  });

  it.each([
    ['not JSON', '{ schedule: ', /not valid JSON/],
    [
      'a missing class',
      { schedule: { inactive: { ...good, child: undefined } } },
      /schedule\.inactive\.child/,
    ],
    ['zero days', { schedule: { inactive: { ...good, health: 0 } } }, /schedule\.inactive\.health/],
    ['fractional days', { schedule: { inactive: { ...good, health: 1.5 } } }, /schedule\.inactive\.health/],
    ['an unknown outcome', { schedule: { inactive: good, closed: good } }, /schedule/],
    ['an unknown key', { schedule: { inactive: good }, extra: 1 }, /extra|Unrecognized/],
  ])('stops start-up for %s with a clear message', (_name, json, pattern) => {
    expect(() => load(json)).toThrow(ConfigError);
    expect(() => load(json)).toThrow(pattern);
  });

  it('stops start-up for a missing file and a bad interval', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'test',
        HALAS_DATA_DIR: dir,
        HALAS_RETENTION_FILE: path.join(dir, 'nope.json'),
      }),
    ).toThrow(/cannot read/);
    expect(() =>
      loadConfig({ NODE_ENV: 'test', HALAS_DATA_DIR: dir, HALAS_RETENTION_INTERVAL_MINUTES: '-1' }),
    ).toThrow(/HALAS_RETENTION_INTERVAL_MINUTES/);
  });
});
