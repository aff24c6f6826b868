import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/shared/domain/access.js';
import { FIELD_CLASSES, type FieldClass, readableClasses } from '../../src/shared/domain/fields.js';
import { createAgency } from '../factories/index.js';
import { createPersonas } from '../factories/personas.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { SAME_ORIGIN } from '../support/http.js';
import { staff } from './support.js';

/**
 * G03: field-level read protection everywhere. One person carries a canary in every field class (and in an
 * earlier version of its identity, and in a stored file). Every GET route of the API is crawled as a member
 * of the owning agency in each role, as a recipient agency that holds consent for one class, and as every
 * persona of another agency; the canaries a caller receives must belong to classes that caller may read.
 */
const mark = (cls: FieldClass, n = 0) => `Qz${cls}${n}Çž${cls.length}Щ`;

type Caller = { label: string; browser: Awaited<ReturnType<typeof staff>>; may: readonly FieldClass[] };

describe.each(ENGINES)('field-level read protection on %s (G03)', (engine) => {
  let t: TestApp;
  let callers: Caller[] = [];
  let personId = '';
  let fileId = '';
  let ownerAgency = '';
  let recipientAgency = '';

  beforeAll(async () => {
    t = await createTestApp(engine);
    ownerAgency = (await createAgency(t, { type: 'social_protection' })).id;
    recipientAgency = (await createAgency(t, { type: 'rehabilitation_centre' })).id;
    const writer = await staff(t, ownerAgency, ['case_manager']);
    const created = await writer.post(
      '/api/persons',
      {
        sex: 'female',
        birthYear: 2012,
        identity: { names: [{ value: mark('identity'), kind: 'primary' }] },
        contact: { addresses: [{ text: mark('contact'), kind: 'shelter' }] },
        trafficking: { notes: mark('trafficking') },
        health: { notes: mark('health') },
        legal: { notes: mark('legal') },
        child: { guardianName: mark('child') },
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(created.statusCode, created.body).toBe(201);
    personId = created.json().person.id;
    // an earlier identity in the history, and a scanned document (class identity) on disk
    const patched = await writer.patch(
      `/api/persons/${personId}`,
      { identity: { names: [{ value: mark('identity', 1), kind: 'primary' }] } },
      { 'if-match': `"${created.json().person.version}"` },
    );
    expect(patched.statusCode, patched.body).toBe(200);
    const upload = await t.app.inject({
      method: 'POST',
      url: `/api/persons/${personId}/files?kind=identity_document`,
      headers: {
        ...SAME_ORIGIN,
        cookie: writer.cookie ?? '',
        'content-type': 'application/octet-stream',
        'idempotency-key': randomUUID(),
      },
      payload: Buffer.from(`%PDF-1.4\n${mark('identity', 2)}\n%%EOF\n`),
    });
    expect(upload.statusCode, upload.body).toBe(201);
    fileId = upload.json().id;
    // a consent shares one class (trafficking) with the recipient agency
    const consent = await writer.post(
      `/api/persons/${personId}/consents`,
      {
        purpose: 'referral',
        recipientAgencyId: recipientAgency,
        dataClasses: ['trafficking'],
        givenBy: 'guardian',
        childAssent: true,
        evidence: 'signed_form',
        givenAt: t.clock.now().toISOString(),
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(consent.statusCode, consent.body).toBe(201);

    callers = [];
    for (const role of ROLES as readonly Role[]) {
      callers.push({
        label: `owner ${role}`,
        browser: await staff(t, ownerAgency, [role]),
        may: readableClasses([role]),
      });
      callers.push({
        label: `recipient ${role}`,
        browser: await staff(t, recipientAgency, [role]),
        may: readableClasses([role]).filter((c) => c === 'trafficking'),
      });
    }
    const personas = await createPersonas(t);
    for (const persona of Object.values(personas)) {
      if (!persona.userId || persona.name === 'deactivated') continue;
      callers.push({
        label: `other agency ${persona.name}`,
        browser: await staff(t, persona.agencyId!, [persona.name as Role]),
        may: [],
      });
    }
  }, 240_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Every GET route of the API with its parameters filled in, and each class asked for on its own. */
  function requests(): string[] {
    const urls: string[] = [];
    for (const route of t.app.declaredRoutes) {
      if (route.method !== 'GET' || !route.url.startsWith('/api/')) continue;
      const url = route.url
        .replace(':fileId', fileId)
        .replace(/^\/api\/agencies\/:id/, `/api/agencies/${ownerAgency}`)
        .replace(':id', personId);
      if (/:[a-zA-Z]/.test(url)) continue; // a record kind this person has none of (erasure requests, users)
      if (url.endsWith('/fields') || url.endsWith('/history')) {
        for (const cls of FIELD_CLASSES) urls.push(`${url}?classes=${cls}`);
        if (url.endsWith('/history')) urls.push(url);
      } else urls.push(url);
    }
    return urls;
  }

  it('gives every caller only the canaries of classes it may read, on every GET route', async () => {
    const urls = requests();
    expect(urls.length).toBeGreaterThan(20);
    const leaks: string[] = [];
    const seen = new Set<string>();
    for (const caller of callers) {
      for (const url of urls) {
        const res = await caller.browser.get(url);
        const body = res.rawPayload.toString('latin1') + res.body;
        for (const cls of FIELD_CLASSES)
          for (const n of [0, 1, 2])
            if (body.includes(mark(cls, n)) || body.includes(Buffer.from(mark(cls, n)).toString('latin1'))) {
              seen.add(`${caller.label}:${cls}`);
              if (!caller.may.includes(cls)) leaks.push(`${caller.label} got ${cls} from ${url}`);
            }
      }
    }
    expect(leaks).toEqual([]);
    // the crawl reached the data: readers did get their classes
    expect(seen.has('owner case_manager:identity')).toBe(true);
    expect(seen.has('owner case_manager:child')).toBe(true);
    expect(seen.has('recipient case_manager:trafficking')).toBe(true);
  }, 600_000);
});
