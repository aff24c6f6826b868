import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shredPerson } from '../../src/server/features/persons/erasure-ledger.js';
import { runRetention } from '../../src/server/features/persons/retention.js';
import { shredPersonKey } from '../../src/server/platform/crypto/index.js';
import { systemContext } from '../../src/server/platform/system-context.js';
import type { Tx } from '../../src/server/platform/tx.js';
import { MAX_FILE_BYTES } from '../../src/shared/domain/files.js';
import { createAgency, createUser, signIn } from '../factories/index.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { Browser, SAME_ORIGIN } from '../support/http.js';
import { staff } from './support.js';

/** Canary bytes inside files whose magic bytes make them a JPEG, a PNG and a PDF. */
const CANARY = (tag: string) => `QzFile${tag}Ýžç${tag}Жщ`;
const jpeg = (tag: string) =>
  Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from(CANARY(tag)), Buffer.from([0xff, 0xd9])]);
const png = (tag: string) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(CANARY(tag))]);
const pdf = (tag: string) => Buffer.from(`%PDF-1.4\n% ${CANARY(tag)}\n%%EOF\n`);

function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? allFiles(p) : [p];
  });
}

describe.each(ENGINES)('encrypted person files on %s', (engine) => {
  let t: TestApp;
  let agencyA: string;
  let agencyB: string;
  let caseA: Awaited<ReturnType<typeof staff>>;
  let authorityA: Awaited<ReturnType<typeof staff>>;
  let caseB: Awaited<ReturnType<typeof staff>>;
  let personId: string;
  let otherPersonId: string;

  beforeAll(async () => {
    t = await createTestApp(engine);
    agencyA = (await createAgency(t, { type: 'social_protection' })).id;
    agencyB = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    caseA = await staff(t, agencyA, ['case_manager']);
    authorityA = await staff(t, agencyA, ['competent_authority']);
    caseB = await staff(t, agencyB, ['case_manager']);
    const create = async () => {
      const res = await caseA.post('/api/persons', {
        sex: 'female',
        birthYear: 1995,
        identity: { names: [{ value: 'Gözel Ataýewa', kind: 'primary' }] },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().person.id as string;
    };
    personId = await create();
    otherPersonId = await create();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A raw upload from our own pages as the given staff member. */
  const upload = (
    who: { cookie: string | undefined; locale: string },
    id: string,
    kind: string,
    body: Buffer,
    contentType = 'application/octet-stream',
  ) =>
    t.app.inject({
      method: 'POST',
      url: `/api/persons/${id}/files?kind=${kind}`,
      headers: {
        ...SAME_ORIGIN,
        'accept-language': who.locale,
        cookie: who.cookie ?? '',
        'content-type': contentType,
      },
      payload: body,
    });

  it('round-trips a JPEG, a PNG and a PDF: sealed on disk under random names, plain for the reader', async () => {
    const uploads: Array<[string, Buffer, string, string]> = [
      ['photo', jpeg('A'), 'image/jpeg', 'application/octet-stream'],
      ['identity_document', png('B'), 'image/png', 'image/png'],
      ['consent_form', pdf('C'), 'application/pdf', 'application/pdf'],
    ];
    for (const [kind, bytes, type, sentAs] of uploads) {
      t.clock.advance(1000);
      const res = await upload(caseA, personId, kind, bytes, sentAs);
      expect(res.statusCode, res.body).toBe(201);
      const file = res.json();
      expect(file).toMatchObject({
        kind,
        fieldClass: 'identity',
        contentType: type,
        sizeBytes: bytes.length,
      });
      const down = await caseA.get(`/api/persons/${personId}/files/${file.id}`);
      expect(down.statusCode).toBe(200);
      expect(down.rawPayload.equals(bytes)).toBe(true);
      expect(down.headers['content-type']).toBe(type);
      expect(down.headers['content-disposition']).toMatch(/^attachment; filename="[a-z_]+\.(jpg|png|pdf)"$/);
      expect(down.headers['cache-control']).toBe('no-store');
      expect(down.headers['x-content-type-options']).toBe('nosniff');
    }
    const list = await caseA.get(`/api/persons/${personId}/files`);
    expect(list.json().map((f: { kind: string }) => f.kind)).toEqual([
      'photo',
      'identity_document',
      'consent_form',
    ]);

    const stored = allFiles(t.deps.config.filesDir);
    expect(stored.length).toBe(3);
    for (const f of stored) {
      expect(path.basename(f)).toMatch(/^[0-9a-f]{32}$/);
      expect(fs.statSync(f).mode & 0o077).toBe(0);
      const raw = fs.readFileSync(f);
      for (const tag of ['A', 'B', 'C']) expect(raw.includes(Buffer.from(CANARY(tag)))).toBe(false);
      expect(raw.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    }
    const tables = await t.admin.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    for (const { tablename } of tables.rows) {
      const dump = await t.admin.query(
        `SELECT coalesce(string_agg(x::text, E'\\n'), '') AS text FROM ${tablename} x`,
      );
      for (const tag of ['A', 'B', 'C'])
        expect(dump.rows[0].text.includes(CANARY(tag)), `${tag} in ${tablename}`).toBe(false);
    }
    const audit = await t.admin.query(
      "SELECT action, fields FROM audit_events WHERE entity_id = $1 AND action LIKE 'person.file.%' ORDER BY seq",
      [personId],
    );
    expect(audit.rows.filter((r) => r.action === 'person.file.upload')).toHaveLength(3);
    expect(audit.rows.filter((r) => r.action === 'person.file.read').map((r) => r.fields)).toEqual([
      ['photo'],
      ['identity_document'],
      ['consent_form'],
    ]);
  });

  it('binds a file to its person: another person, another agency or a random id is not found', async () => {
    const file = (await upload(caseA, personId, 'photo', jpeg('D'))).json();
    expect((await caseA.get(`/api/persons/${otherPersonId}/files/${file.id}`)).statusCode).toBe(404);
    expect((await caseB.get(`/api/persons/${personId}/files/${file.id}`)).statusCode).toBe(404);
    expect((await caseB.get(`/api/persons/${personId}/files`)).statusCode).toBe(404);
    expect((await caseB.delete(`/api/persons/${personId}/files/${file.id}`)).statusCode).toBe(404);
    expect((await upload(caseB, personId, 'photo', jpeg('E'))).statusCode).toBe(404);
    // A ciphertext moved under another file's name does not open.
    const rows = await t.admin.query(
      'SELECT id, storage_name FROM person_files WHERE person_id = $1 ORDER BY uploaded_at, id LIMIT 2',
      [personId],
    );
    const [a, b] = rows.rows.map((r) => path.join(t.deps.config.filesDir, r.storage_name));
    const [bytesA, bytesB] = [fs.readFileSync(a!), fs.readFileSync(b!)];
    fs.writeFileSync(a!, bytesB);
    const swapped = await caseA.get(`/api/persons/${personId}/files/${rows.rows[0].id}`);
    expect(swapped.statusCode).not.toBe(200);
    expect(swapped.body.includes(CANARY('B'))).toBe(false);
    fs.writeFileSync(a!, bytesA);
  });

  it('lets only readers of the class see files, and only writers of it add or delete them', async () => {
    // Agency B receives the person by consent for health only: the person exists for it, the photos not.
    const consent = await caseA.post(`/api/persons/${personId}/consents`, {
      purpose: 'assistance',
      recipientAgencyId: agencyB,
      dataClasses: ['health'],
      givenBy: 'person',
      evidence: 'signed_form',
      givenAt: '2026-01-01T00:00:00.000Z',
    });
    expect(consent.statusCode, consent.body).toBe(201);
    expect((await caseB.get(`/api/persons/${personId}`)).statusCode).toBe(200);
    const list = await caseB.get(`/api/persons/${personId}/files`);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual([]);
    const someFile = (await caseA.get(`/api/persons/${personId}/files`)).json()[0];
    expect((await caseB.get(`/api/persons/${personId}/files/${someFile.id}`)).statusCode).toBe(404);
    // A recipient never writes; a competent authority writes only the legal class.
    expect((await upload(caseB, personId, 'photo', jpeg('F'))).statusCode).toBe(403);
    const byAuthority = await upload(authorityA, personId, 'identity_document', png('G'));
    expect([byAuthority.statusCode, byAuthority.json().code]).toEqual([403, 'field_not_writable']);
    expect((await authorityA.delete(`/api/persons/${personId}/files/${someFile.id}`)).statusCode).toBe(403);
    expect((await authorityA.get(`/api/persons/${personId}/files/${someFile.id}`)).statusCode).toBe(200);
  });

  it('refuses an oversize file with 413 and a file that is not JPEG, PNG or PDF with 415, writing nothing', async () => {
    const before = await t.admin.query('SELECT count(*)::int AS n FROM person_files');
    const onDisk = allFiles(t.deps.config.filesDir).length;
    const big = Buffer.alloc(MAX_FILE_BYTES + 1, 0x20);
    jpeg('H').copy(big);
    const tooBig = await upload(caseA, personId, 'photo', big);
    expect([tooBig.statusCode, tooBig.json().code]).toEqual([413, 'payload_too_large']);

    const gif = Buffer.from('GIF89a\x01\x00\x01\x00');
    const ruUser = await createUser(t, { agencyId: agencyA, roles: ['case_manager'], locale: 'ru' });
    const ru = { cookie: await signIn(t, ruUser.id), locale: 'ru' };
    const notImage = await upload(ru, personId, 'photo', gif, 'image/jpeg');
    expect([notImage.statusCode, notImage.json().code]).toEqual([415, 'file_type_not_accepted']);
    expect(notImage.json().message).toMatch(/JPEG/);
    expect(notImage.json().message).toMatch(/[а-я]/);
    const html = await upload(caseA, personId, 'photo', Buffer.from('<html><script>x</script>'), 'text/html');
    expect(html.statusCode).toBe(415);
    const json = await upload(caseA, personId, 'photo', Buffer.from('{"a":1}'), 'application/json');
    expect([json.statusCode, json.json().code]).toEqual([415, 'file_type_not_accepted']);
    const empty = await upload(caseA, personId, 'photo', Buffer.alloc(0));
    expect(empty.statusCode).toBe(400);
    const badKind = await upload(caseA, personId, 'selfie', jpeg('I'));
    expect([badKind.statusCode, badKind.json().code]).toEqual([400, 'validation_failed']);

    expect((await t.admin.query('SELECT count(*)::int AS n FROM person_files')).rows[0].n).toBe(
      before.rows[0].n,
    );
    expect(allFiles(t.deps.config.filesDir).length).toBe(onDisk);
  });

  it('deletes a file: the row, the stored file, and an audit event', async () => {
    const file = (await upload(caseA, otherPersonId, 'photo', jpeg('J'))).json();
    const name = (await t.admin.query('SELECT storage_name FROM person_files WHERE id = $1', [file.id]))
      .rows[0].storage_name;
    expect(fs.existsSync(path.join(t.deps.config.filesDir, name))).toBe(true);
    const del = await caseA.delete(`/api/persons/${otherPersonId}/files/${file.id}`);
    expect(del.statusCode).toBe(204);
    expect(fs.existsSync(path.join(t.deps.config.filesDir, name))).toBe(false);
    expect((await caseA.get(`/api/persons/${otherPersonId}/files/${file.id}`)).statusCode).toBe(404);
    const audit = await t.admin.query(
      "SELECT fields FROM audit_events WHERE entity_id = $1 AND action = 'person.file.delete'",
      [otherPersonId],
    );
    expect(audit.rows.map((r) => r.fields)).toEqual([['photo']]);
  });

  it('makes every file of a person unreadable once the data key is shredded', async () => {
    const file = (await upload(caseA, otherPersonId, 'identity_document', pdf('K'))).json();
    expect((await caseA.get(`/api/persons/${otherPersonId}/files/${file.id}`)).statusCode).toBe(200);
    const admin: Tx = { query: (text, params) => t.admin.query(text, params), orm: undefined as never };
    expect(await shredPersonKey(admin, otherPersonId)).toBe(true);
    const after = await caseA.get(`/api/persons/${otherPersonId}/files/${file.id}`);
    expect(after.statusCode).toBe(404);
    expect(after.body.includes(CANARY('K'))).toBe(false);
    // the sealed bytes are still on disk, and nothing that remains opens them
    const name = (await t.admin.query('SELECT storage_name FROM person_files WHERE id = $1', [file.id]))
      .rows[0].storage_name;
    expect(fs.readFileSync(path.join(t.deps.config.filesDir, name)).includes(Buffer.from(CANARY('K')))).toBe(
      false,
    );
    expect((await upload(caseA, otherPersonId, 'photo', jpeg('L'))).statusCode).toBe(403);
  });

  it('removes an erased person’s stored files from disk at the next retention run, and only theirs', async () => {
    const kept = (await upload(caseA, personId, 'photo', jpeg('M'))).json();
    const admin: Tx = { query: (text, params) => t.admin.query(text, params), orm: undefined as never };
    const storage = async () =>
      (await t.admin.query('SELECT person_id, storage_name FROM person_files')).rows as {
        person_id: string;
        storage_name: string;
      }[];
    const erasedNames = (await storage())
      .filter((r) => r.person_id === otherPersonId)
      .map((r) => r.storage_name);
    expect(erasedNames.length).toBeGreaterThan(0);
    await shredPerson(admin, otherPersonId, t.clock.now());
    const result = await runRetention(t.deps, systemContext(t.deps, 'files-sweep'));
    expect(result.filesRemoved).toBe(erasedNames.length);
    for (const name of erasedNames)
      expect(fs.existsSync(path.join(t.deps.config.filesDir, name))).toBe(false);
    expect((await storage()).some((r) => r.person_id === otherPersonId)).toBe(false);
    expect((await caseA.get(`/api/persons/${personId}/files/${kept.id}`)).statusCode).toBe(200);
    const audit = await t.admin.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE entity_id = $1 AND action = 'retention.files_removed'",
      [otherPersonId],
    );
    expect(audit.rows[0].n).toBe(1);
    expect((await runRetention(t.deps, systemContext(t.deps, 'files-sweep-2'))).filesRemoved).toBe(0);
  });
  it('refuses a stored file that was changed on disk with a localized file_damaged, serving nothing', async () => {
    const file = (await upload(caseA, personId, 'photo', jpeg('T'))).json();
    const name = (await t.admin.query('SELECT storage_name FROM person_files WHERE id = $1', [file.id]))
      .rows[0].storage_name;
    const where = path.join(t.deps.config.filesDir, name);
    const sealed = fs.readFileSync(where);
    const changed = Buffer.from(sealed);
    changed[changed.length - 20]! ^= 0x01;
    fs.writeFileSync(where, changed);
    try {
      const ruUser = await createUser(t, { agencyId: agencyA, roles: ['case_manager'], locale: 'ru' });
      const ru = new Browser(t, 'ru');
      ru.cookie = await signIn(t, ruUser.id);
      const res = await ru.get(`/api/persons/${personId}/files/${file.id}`);
      expect([res.statusCode, res.json().code]).toEqual([500, 'file_damaged']);
      expect(res.json().message).toMatch(/повреждён/);
      expect(res.body.includes(CANARY('T'))).toBe(false);
      expect(res.body).not.toMatch(/Error|at .*\.ts|decipher|auth/i);
      const audited = await t.admin.query(
        "SELECT count(*)::int AS n FROM audit_events WHERE action = 'person.file.read' AND actor_user_id = $1",
        [ruUser.id],
      );
      expect(audited.rows[0].n).toBe(0);
    } finally {
      fs.writeFileSync(where, sealed);
    }
    expect((await caseA.get(`/api/persons/${personId}/files/${file.id}`)).statusCode).toBe(200);
  });

  it('brakes file downloads and identifying history reads like reveals (G07)', async () => {
    t.deps.config.bulkRevealsPerHour = 2;
    try {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await caseA.post('/api/persons', {
          sex: 'female',
          birthYear: 1990 + i,
          identity: { names: [{ value: `Brake Person ${i}`, kind: 'primary' }] },
        });
        ids.push(res.json().person.id);
      }
      const file = (await upload(caseA, ids[0]!, 'photo', jpeg('U'))).json();
      const otherFile = (await upload(caseA, ids[2]!, 'photo', jpeg('V'))).json();
      const reader = await staff(t, agencyA, ['case_manager']);
      reader.cookie = await signIn(t, reader.userId, {
        authenticatedAt: new Date(t.clock.now().getTime() - 10 * 60_000),
      });
      expect((await reader.get(`/api/persons/${ids[0]}/files/${file.id}`)).statusCode).toBe(200);
      // statistical history (no identifying class) does not count
      expect((await reader.get(`/api/persons/${ids[2]}/history`)).statusCode).toBe(200);
      expect((await reader.get(`/api/persons/${ids[1]}/history?classes=identity`)).statusCode).toBe(200);
      // two distinct persons read: a third is braked on every path, the first two stay readable
      const third = await reader.get(`/api/persons/${ids[2]}/files/${otherFile.id}`);
      expect([third.statusCode, third.json().code]).toEqual([403, 'reauth_required']);
      const thirdHistory = await reader.get(`/api/persons/${ids[2]}/history?classes=contact`);
      expect([thirdHistory.statusCode, thirdHistory.json().code]).toEqual([403, 'reauth_required']);
      expect((await reader.get(`/api/persons/${ids[2]}/fields?classes=identity`)).statusCode).toBe(403);
      expect((await reader.get(`/api/persons/${ids[0]}/files/${file.id}`)).statusCode).toBe(200);
      expect((await reader.get(`/api/persons/${ids[1]}/history?classes=identity`)).statusCode).toBe(200);
      const alerts = await t.admin.query(
        "SELECT count(*)::int AS n FROM alerts WHERE kind = 'bulk_access' AND user_id = $1",
        [reader.userId],
      );
      expect(alerts.rows[0].n).toBe(3);
      const denied = await t.admin.query(
        "SELECT action, entity_type, entity_id, fields FROM audit_events WHERE actor_user_id = $1 AND outcome = 'denied' AND entity_type = 'person' ORDER BY seq",
        [reader.userId],
      );
      expect(denied.rows.map((r) => r.action)).toEqual([
        'person.file.read',
        'person.history.read',
        'person.reveal',
      ]);
      reader.cookie = await signIn(t, reader.userId);
      expect((await reader.get(`/api/persons/${ids[2]}/files/${otherFile.id}`)).statusCode).toBe(200);
    } finally {
      t.deps.config.bulkRevealsPerHour = 60;
    }
  });
});
