/**
 * G12, growth and soak stability, on the PostgreSQL server with the tier's synthetic data.
 *
 * (a) A 60 s mixed soak: 20 virtual users in closed loops, 70 % audited reveals, 20 % name searches (the
 *     generated duplicates' typo and other-script spellings), 10 % writes (PATCH with If-Match); bounded in
 *     time and requests. Printed: p95 overall and by kind, errors, the server's RSS at the start, at 15 s and at
 *     the end, and pg_stat_activity on the bench database before and after (connections, and any left active
 *     or idle in a transaction).
 * (b) Audit growth: the G1 reveal's p95 with the tier's own audit trail, then with millions more events
 *     appended to the hash chain (bench/synthetic appendAuditEvents: S 2 M, M 20 M, L 50 M), interleaved
 *     before/after is impossible (growth is one-way), so each side is 3 repetitions back to back; plus the
 *     "who accessed this person" query at that size. Printed, never asserted.
 */

import type { BenchArm, Tier } from '../arm.js';
import { Rng } from '../names/generator.js';
import { browserHeaders, deployment } from '../support/fixture.js';
import { load } from '../support/http.js';
import { rssMb } from '../support/proc.js';
import { appendAuditEvents } from '../synthetic/generator.js';
import { readLoad } from './read.js';

const SOAK_SECONDS = 60;
const USERS = 20;
export const GROWTH: Record<Tier, number> = { S: 2_000_000, M: 20_000_000, L: 50_000_000 };
/** The default profile must stay within 10 minutes: the growth stops early (and says so) past this. */
const GROWTH_SECONDS: Record<Tier, number> = { S: 75, M: 1800, L: 3600 };

export const run: BenchArm = async (ctx) => {
  const log = (line: string) => console.info(line);
  const d = await deployment('postgres', ctx.tier, ctx.pgUrl, log);
  const admin = d.admin!;
  const pid = d.child.pid!;
  const activity = async () => {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE state = 'active' AND pid <> pg_backend_pid())::int AS active,
              count(*) FILTER (WHERE state LIKE 'idle in transaction%')::int AS idle_in_tx
         FROM pg_stat_activity WHERE datname = $1`,
      [d.dbName],
    );
    return rows[0] as { total: number; active: number; idle_in_tx: number };
  };

  // (a) the soak
  const before = await activity();
  const rssStart = rssMb(pid);
  let rss15 = rssStart;
  const samples: number[] = [];
  const sampler = setInterval(() => {
    try {
      samples.push(rssMb(pid));
    } catch {
      // the server is gone: the soak's errors will say so
    }
  }, 1000);
  const at15 = setTimeout(() => {
    rss15 = rssMb(pid);
  }, 15_000);
  const rng = new Rng('g12-soak');
  const mine = Array.from({ length: USERS }, (_, w) => d.personIds.filter((_, i) => i % USERS === w));
  let r: Awaited<ReturnType<typeof load>>;
  try {
    r = await load(
      d.appPort,
      (w) => {
        const s = d.sessions[w % d.sessions.length]!;
        const x = rng.next();
        if (x < 0.7) {
          const id = d.personIds[rng.int(d.personIds.length)]!;
          return {
            path: `/api/persons/${id}/fields?classes=identity`,
            headers: browserHeaders(s),
            kind: 'read',
          };
        }
        if (x < 0.9) {
          const q = d.searches[rng.int(d.searches.length)]!;
          return {
            method: 'POST',
            path: '/api/persons/search',
            headers: browserHeaders(s, true),
            body: { name: q.name, birthYear: q.birthYear, sex: q.sex },
            kind: 'search',
          };
        }
        const list = mine[w]!;
        const id = list[rng.int(list.length)]!;
        return {
          method: 'PATCH',
          path: `/api/persons/${id}`,
          headers: { ...browserHeaders(s, true), 'if-match': `"${d.versions.get(id)}"` },
          body: { health: { notes: 'Seen again at the shelter; follow-up in two weeks.' } },
          kind: 'write',
          tag: id,
        };
      },
      {
        seconds: SOAK_SECONDS,
        connections: USERS,
        maxRequests: 200_000,
        onResponse: (_w, req, status, body) => {
          const b = body as { version?: number; currentVersion?: number } | undefined;
          if (req.tag && status === 200 && b?.version) d.versions.set(req.tag, b.version);
          else if (req.tag && b?.currentVersion) d.versions.set(req.tag, b.currentVersion);
        },
      },
    );
  } finally {
    clearInterval(sampler);
    clearTimeout(at15);
  }
  const rssEnd = rssMb(pid);
  await new Promise((res) => setTimeout(res, 1000));
  const after = await activity();
  if (r.errors > 0) log(`#   G12 soak errors by status: ${JSON.stringify(r.statuses)}`);
  const E = 'postgres';
  ctx.record('G12', `soak ${SOAK_SECONDS} s, ${USERS} users, 70/20/10: requests answered 2xx`, 'count', E, [
    r.requests,
  ]);
  ctx.record('G12', 'soak: throughput', 'req/s', E, [r.rps]);
  ctx.record('G12', 'soak: p95 all requests (goal ≤ 300 ms at tier M)', 'ms', E, [r.p95]);
  for (const kind of ['read', 'search', 'write'])
    if (r.byKind[kind]) ctx.record('G12', `soak: p95 ${kind}`, 'ms', E, [r.byKind[kind]!.p95]);
  ctx.record('G12', 'soak: errors (goal 0)', 'count', E, [r.errors]);
  ctx.record('G12', 'soak: server RSS at start', 'MB', E, [rssStart]);
  ctx.record('G12', 'soak: server RSS at 15 s', 'MB', E, [rss15]);
  ctx.record('G12', 'soak: server RSS at end', 'MB', E, [rssEnd]);
  ctx.record('G12', 'soak: server RSS peak (1 s samples)', 'MB', E, [Math.max(rssEnd, ...samples)]);
  ctx.record('G12', 'soak: RSS end ÷ RSS at 15 s (goal ≤ 1.1)', 'ratio', E, [rssEnd / rss15]);
  ctx.record('G12', 'soak: DB connections before (pool + bench admin)', 'count', E, [before.total]);
  ctx.record('G12', 'soak: DB connections after', 'count', E, [after.total]);
  ctx.record('G12', 'soak: queries still active or idle in transaction after (goal 0)', 'count', E, [
    after.active + after.idle_in_tx,
  ]);

  // (b) audit growth
  const auditRows = async () =>
    Number((await admin.query('SELECT count(*) AS n FROM audit_events')).rows[0].n);
  const rowsBefore = await auditRows();
  const p95 = async (label: string) => {
    const out: number[] = [];
    for (let rep = 0; rep < 3; rep++) out.push((await readLoad(d, 'reveal', 5, `g12b:${label}:${rep}`)).p95);
    return out;
  };
  const without = await p95('before');
  const growth = GROWTH[ctx.tier];
  log(`#   G12 audit growth: appending up to ${growth} events to the chain of ${rowsBefore}`);
  const g = await appendAuditEvents(admin, {
    count: growth,
    seed: 'halas-bench-growth',
    fast: true,
    maxSeconds: GROWTH_SECONDS[ctx.tier],
    log,
  });
  await admin.query('VACUUM ANALYZE audit_events');
  const rowsAfter = await auditRows();
  const withGrowth = await p95('after');
  // "who accessed this person": every audit event about one person, newest first
  const who: number[] = [];
  const whoRng = new Rng('g12-who');
  for (let i = 0; i < 20; i++) {
    const id = d.personIds[whoRng.int(d.personIds.length)]!;
    const t = performance.now();
    await admin.query(
      `SELECT seq, at, actor_user_id, actor_agency_id, action, fields FROM audit_events
        WHERE entity_type = 'person' AND entity_id = $1 ORDER BY seq DESC`,
      [id],
    );
    who.push(performance.now() - t);
  }
  ctx.record('G12', 'audit growth: events appended to the hash chain', 'events/s', E, [
    g.written / (g.ms / 1000),
  ]);
  ctx.record('G12', `audit rows before growth`, 'rows', E, [rowsBefore]);
  ctx.record('G12', `audit rows after growth`, 'rows', E, [rowsAfter]);
  ctx.record('G12', 'audited reveal p95, tier audit trail only', 'ms', E, without);
  ctx.record(
    'G12',
    `audited reveal p95, after +${(growth / 1e6).toFixed(0)} M audit rows`,
    'ms',
    E,
    withGrowth,
  );
  ctx.record(
    'G12',
    'ratio reveal p95 with ÷ without audit growth (goal ≤ 1.2 at 50 M)',
    'ratio',
    E,
    withGrowth.map((v, i) => v / without[i]!),
  );
  ctx.record(
    'G12',
    `"who accessed person X" at ${(rowsAfter / 1e6).toFixed(1)} M rows (goal ≤ 500 ms at 50 M)`,
    'ms',
    E,
    who,
  );
};
