import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';
import { insertUser } from './support.js';

const GUESSES = process.env.DEEP ? 10_000 : 1_000;

describe.each(ENGINES)('brute force on %s (G11)', (engine) => {
  let t: TestApp;
  const accounts: string[] = [];
  beforeAll(async () => {
    t = await createTestApp(engine);
    for (let i = 0; i < 20; i++) {
      accounts.push(`target${i}`);
      await insertUser(t, `target${i}`);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it(`${GUESSES} guesses against 20 accounts from 5 sources: no success, one answer, source limit enforced`, async () => {
    const sources = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4', '198.51.100.5'];
    const statuses = new Map<number, number>();
    const bodies = new Set<string>();
    let successes = 0;
    for (let i = 0; i < GUESSES; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: sources[i % sources.length],
        headers: {
          host: 'localhost',
          origin: 'http://localhost',
          'x-halas-request': '1',
          'content-type': 'application/json',
        },
        payload: JSON.stringify({
          username: accounts[i % accounts.length],
          password: `guess number ${i} of many`,
        }),
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode === 200) successes++;
      if (res.statusCode === 401) bodies.add(res.body.replace(/"requestId":"[^"]+"/, ''));
    }
    expect(successes).toBe(0);
    expect(bodies.size).toBe(1);
    const perSource = t.deps.config.loginThrottle.perSourcePer15Min;
    // each source gets its allowance, then 429 until the window ends
    expect(statuses.get(401)).toBe(Math.min(GUESSES, perSource * sources.length));
    expect(statuses.get(429) ?? 0).toBe(Math.max(0, GUESSES - perSource * sources.length));
    // the per-account lock engaged: every account saw 10 failures within the allowance
    const locked = await t.admin.query(
      "SELECT count(*)::int AS n FROM audit_events WHERE action = 'auth.lockout'",
    );
    expect(locked.rows[0].n).toBeGreaterThanOrEqual(20);
  }, 300_000);
});
