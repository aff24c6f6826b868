import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverMessage } from '../../src/shared/i18n/server/index.js';
import { createAgency, createUser, signIn } from '../factories/index.js';
import { staff } from '../persons/support.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { SAME_ORIGIN } from '../support/http.js';

const REPLAYS = 1000;
const CONCURRENCY = 8;

const personBody = (name: string) => ({
  sex: 'female',
  birthYear: 1994,
  identity: { names: [{ value: name, kind: 'primary' }] },
});

describe.each(ENGINES)('Idempotency-Key on %s (G33)', (engine) => {
  let t: TestApp;
  let agencyId: string;
  let operator: Awaited<ReturnType<typeof staff>>;
  let colleague: Awaited<ReturnType<typeof staff>>;

  beforeAll(async () => {
    t = await createTestApp(engine);
    agencyId = (await createAgency(t, { type: 'hotline_ngo' })).id;
    operator = await staff(t, agencyId, ['hotline_operator']);
    colleague = await staff(t, agencyId, ['hotline_operator']);
  });
  afterAll(async () => {
    await t?.close();
  });

  const count = async (table: string) =>
    (await t.admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n;

  /** POST /api/persons as `who`, with exactly the headers given (no automatic key). */
  const createPerson = (
    who: { cookie: string | undefined },
    body: unknown,
    headers: Record<string, string | string[]>,
    locale = 'en',
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/persons',
      headers: {
        ...SAME_ORIGIN,
        'accept-language': locale,
        cookie: who.cookie!,
        'content-type': 'application/json',
        ...headers,
      },
      payload: JSON.stringify(body),
    });

  /** Like a client: sends, and on 409 in flight waits a little and sends the same request again. */
  const withRetries = async (send: () => Promise<LightMyRequestResponse>) => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await send();
      if (res.statusCode !== 409) return res;
      expect(res.json().code).toBe('idempotency_in_flight');
      await new Promise((r) => setTimeout(r, 5));
    }
    throw new Error('still in flight after 200 attempts');
  };

  it('is declared on every record-creating route, and required on intake and consent', () => {
    const creating = t.app.declaredRoutes.filter((r) => r.method === 'POST' && r.creates);
    expect(creating.length).toBeGreaterThanOrEqual(6);
    expect(creating.filter((r) => !r.idempotent).map((r) => r.url)).toEqual([]);
    const required = creating.filter((r) => r.idempotent === 'required').map((r) => r.url);
    expect(required).toEqual(expect.arrayContaining(['/api/persons', '/api/persons/:id/consents']));
  });

  it('refuses intake without a key, in the caller language, writing nothing', async () => {
    const before = await count('persons');
    const messages = new Set<string>();
    for (const locale of ['tk', 'ru', 'en'] as const) {
      const user = await createUser(t, { agencyId, roles: ['hotline_operator'], locale });
      const someone = { cookie: await signIn(t, user.id) };
      const res = await createPerson(someone, personBody('Keyless Person'), {}, locale);
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('idempotency_key_required');
      expect(res.json().message).toBe(serverMessage(locale, 'error.idempotency_key_required'));
      messages.add(res.json().message);
    }
    expect(messages.size).toBe(3);
    expect(await count('persons')).toBe(before);
  });

  it('refuses malformed keys with 400 and claims nothing', async () => {
    const before = [await count('persons'), await count('idempotency_keys')];
    for (const bad of [
      'short',
      'x'.repeat(129),
      'has a space in it',
      'ключ-ключ-ключ',
      'semi;colon;key',
      '""',
    ]) {
      const res = await createPerson(operator, personBody('Bad Key'), { 'idempotency-key': bad });
      expect(res.statusCode, bad).toBe(400);
      expect(res.json().code).toBe('idempotency_key_invalid');
    }
    expect([await count('persons'), await count('idempotency_keys')]).toEqual(before);
  });

  it(`${REPLAYS} replays, ${CONCURRENCY} at a time: exactly one record and identical answers`, async () => {
    const key = randomUUID();
    const name = `Replay Ýazgül ${randomUUID().slice(0, 8)}`;
    const before = await count('persons');
    const auditBefore = await count('audit_events');
    const answers: LightMyRequestResponse[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REPLAYS) {
          next++;
          answers.push(
            await withRetries(() => createPerson(operator, personBody(name), { 'idempotency-key': key })),
          );
        }
      }),
    );
    expect(answers).toHaveLength(REPLAYS);
    expect(await count('persons')).toBe(before + 1);
    expect(new Set(answers.map((a) => a.statusCode))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    expect(answers.filter((a) => a.headers['idempotent-replayed'] === 'true')).toHaveLength(REPLAYS - 1);
    // one person.create event, however many replays
    const events = await t.admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_events WHERE action = 'person.create' AND seq > $1",
      [auditBefore],
    );
    expect(events.rows[0]!.n).toBe(1);
    // the stored answer holds the person's name only sealed
    const stored = await t.admin.query<{ response: Buffer }>(
      "SELECT response FROM idempotency_keys WHERE user_id = $1 AND state = 'done'",
      [operator.userId],
    );
    expect(stored.rows.length).toBeGreaterThan(0);
    for (const row of stored.rows) {
      expect(row.response.includes(Buffer.from('Replay'))).toBe(false);
      expect(row.response.includes(Buffer.from(answers[0]!.json().person.id))).toBe(false);
    }
  });

  it('answers 422 for the same key with a different body, and writes nothing', async () => {
    const key = randomUUID();
    const first = await createPerson(operator, personBody('First Body'), { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const before = await count('persons');
    for (const locale of ['tk', 'ru', 'en']) {
      const res = await createPerson(operator, personBody('Second Body'), { 'idempotency-key': key }, locale);
      expect(res.statusCode).toBe(422);
      expect(res.json().code).toBe('idempotency_key_reused');
    }
    expect(await count('persons')).toBe(before);
    // the same body with its keys in another order is the same request
    const reordered = await createPerson(
      operator,
      { identity: { names: [{ kind: 'primary', value: 'First Body' }] }, birthYear: 1994, sex: 'female' },
      { 'idempotency-key': `"${key}"` },
    );
    expect(reordered.statusCode).toBe(201);
    expect(reordered.body).toBe(first.body);
  });

  it('answers 409 to a duplicate while the first is in flight, and takes over a claim that never committed', async () => {
    const key = randomUUID();
    const first = await createPerson(operator, personBody('In Flight'), { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    const before = await count('persons');
    // put the claim back in flight, as it is between the claim and the stored answer
    const inFlight = async (committed: boolean) =>
      t.admin.query(
        `UPDATE idempotency_keys SET state = 'in_flight', committed = $2, status_code = NULL, response = NULL,
                lease_until = $3 WHERE user_id = $1 AND key_hash = $4`,
        [
          operator.userId,
          committed,
          new Date(t.clock.now().getTime() + 60_000),
          t.deps.secrets.hmac('idempotency-key', `${operator.userId}\u0000${agencyId}\u0000${key}`),
        ],
      );
    await inFlight(true);
    const duplicate = await createPerson(operator, personBody('In Flight'), { 'idempotency-key': key });
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.json().code).toBe('idempotency_in_flight');
    // committed but its answer lost (a crash): never run twice, even after the lease
    t.clock.advance(61_000);
    const afterLease = await createPerson(operator, personBody('In Flight'), { 'idempotency-key': key });
    expect(afterLease.statusCode).toBe(409);
    expect(await count('persons')).toBe(before);
    // not committed and the lease ran out: nothing of it exists, so the retry runs the request
    await inFlight(false);
    expect(
      (await createPerson(operator, personBody('In Flight'), { 'idempotency-key': key })).statusCode,
    ).toBe(409);
    t.clock.advance(61_000);
    const takeover = await createPerson(operator, personBody('In Flight'), { 'idempotency-key': key });
    expect(takeover.statusCode).toBe(201);
    expect(await count('persons')).toBe(before + 1);
  });

  it.runIf(engine === 'postgres')('answers 409 to a duplicate of a request running right now', async () => {
    const key = randomUUID();
    const before = await count('persons');
    // hold the audit chain head: the first request claims its key, then waits inside its transaction
    const lock = await t.admin.connect();
    try {
      await lock.query('BEGIN');
      await lock.query('SELECT seq FROM audit_head WHERE id = 1 FOR UPDATE');
      const first = createPerson(operator, personBody('Running'), { 'idempotency-key': key });
      // wait until it holds its claim (it then blocks on the chain head, under the statement timeout)
      const keyHash = t.deps.secrets.hmac(
        'idempotency-key',
        `${operator.userId}\u0000${agencyId}\u0000${key}`,
      );
      // (bounded by time, not by tries: on a loaded machine the first request may take seconds to get there,
      // and a duplicate sent before would itself claim the key and wait on the held chain head)
      let claimed = false;
      for (const until = Date.now() + 30_000; !claimed && Date.now() < until; ) {
        const { rowCount } = await t.admin.query(
          "SELECT 1 FROM idempotency_keys WHERE key_hash = $1 AND state = 'in_flight'",
          [keyHash],
        );
        claimed = Boolean(rowCount);
        if (!claimed) await new Promise((r) => setTimeout(r, 10));
      }
      expect(claimed).toBe(true);
      const duplicate = await createPerson(operator, personBody('Running'), { 'idempotency-key': key });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json().code).toBe('idempotency_in_flight');
      await lock.query('COMMIT');
      const done = await first;
      expect(done.statusCode).toBe(201);
      const again = await createPerson(operator, personBody('Running'), { 'idempotency-key': key });
      expect(again.statusCode).toBe(201);
      expect(again.body).toBe(done.body);
    } finally {
      lock.release();
    }
    expect(await count('persons')).toBe(before + 1);
  });

  it("scopes keys per user: another user's identical key and body is an independent request", async () => {
    const key = randomUUID();
    const a = await createPerson(operator, personBody('Scoped Key'), { 'idempotency-key': key });
    const b = await createPerson(colleague, personBody('Scoped Key'), { 'idempotency-key': key });
    expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
    expect(b.json().person.id).not.toBe(a.json().person.id);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    // and under the runtime role the other user cannot even see the rows (row-level security)
    const all = await t.admin.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM idempotency_keys WHERE user_id = $1',
      [operator.userId],
    );
    expect(all.rows[0]!.n).toBeGreaterThan(0);
    const client = await t.admin.connect();
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL ROLE halas_app');
      await client.query("SELECT set_config('app.user_id', $1, true)", [colleague.userId]);
      const rls = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM idempotency_keys WHERE user_id = $1',
        [operator.userId],
      );
      expect(rls.rows[0]!.n).toBe(0);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('gives the key back when the request fails, so that the client may correct and retry', async () => {
    const key = randomUUID();
    const refused = await createPerson(
      operator,
      { health: { notes: 'not for a hotline' } },
      { 'idempotency-key': key },
    );
    expect(refused.statusCode).toBe(403);
    const retried = await createPerson(operator, personBody('Corrected'), { 'idempotency-key': key });
    expect(retried.statusCode).toBe(201);
  });

  it('requires a key on consent creation and replays it', async () => {
    const person = (
      await createPerson(operator, personBody('Consenting'), { 'idempotency-key': randomUUID() })
    ).json().person;
    const consent = {
      purpose: 'assistance',
      dataClasses: ['identity'],
      givenBy: 'person',
      evidence: 'signed_form',
      givenAt: new Date(t.clock.now().getTime() - 60_000).toISOString(),
    };
    const send = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: `/api/persons/${person.id}/consents`,
        headers: { ...SAME_ORIGIN, cookie: operator.cookie!, 'content-type': 'application/json', ...headers },
        payload: JSON.stringify(consent),
      });
    const before = await count('consents');
    expect((await send({})).json().code).toBe('idempotency_key_required');
    const key = randomUUID();
    const a = await send({ 'idempotency-key': key });
    const b = await send({ 'idempotency-key': key });
    expect(a.statusCode).toBe(201);
    expect(b.body).toBe(a.body);
    expect(await count('consents')).toBe(before + 1);
  });
  it('keeps keys 24 hours, then purges them', async () => {
    const key = randomUUID();
    const first = await createPerson(operator, personBody('Day One'), { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    t.clock.advance(24 * 3600_000 - 1000);
    // sessions end long before a day has passed: sign in again as the same user
    const later = { cookie: await signIn(t, operator.userId) };
    const replay = await createPerson(later, personBody('Day One'), { 'idempotency-key': key });
    expect(replay.body).toBe(first.body);
    t.clock.advance(2000);
    const again = { cookie: await signIn(t, operator.userId) };
    const fresh = await createPerson(again, personBody('Day Two'), { 'idempotency-key': key });
    expect(fresh.statusCode).toBe(201);
    expect(fresh.json().person.id).not.toBe(first.json().person.id);
    // the purge runs at most once a minute, on the next idempotent request
    t.clock.advance(60_001);
    const after = { cookie: await signIn(t, operator.userId) };
    expect(
      (await createPerson(after, personBody('Purger'), { 'idempotency-key': randomUUID() })).statusCode,
    ).toBe(201);
    const expired = await t.admin.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM idempotency_keys WHERE expires_at <= $1',
      [t.clock.now()],
    );
    expect(expired.rows[0]!.n).toBe(0);
  });
});
