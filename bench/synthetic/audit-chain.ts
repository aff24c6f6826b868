/**
 * Bulk audit events that form a valid hash chain. Events are hashed in Node with the product's own
 * `eventHash` (so the canonical form can never drift from what `verifyAuditChain` recomputes) and written in
 * multi-row `INSERT … SELECT unnest(…)` statements; `audit_head` is moved to the last event at the end.
 *
 * Events may be produced out of time order (each person's life spans months): `EventQueue` merges them so
 * that sequence numbers follow time, holding only the events not yet due.
 */
import type pg from 'pg';
import {
  type AuditOutcome,
  type AuditRow,
  eventHash,
  GENESIS_HASH,
} from '../../src/server/platform/audit.js';

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** One event before it gets its sequence number. */
export type PendingEvent = Omit<AuditRow, 'seq'>;

export interface AuditEventSpec {
  at: Date;
  action: string;
  outcome?: AuditOutcome;
  actorUserId: string | null;
  actorAgencyId: string | null;
  actorRole: string | null;
  entityType: string | null;
  entityId: string | null;
  fields: string[];
  requestId: string | null;
}

export function pending(spec: AuditEventSpec): PendingEvent {
  return { ...spec, outcome: spec.outcome ?? 'success' };
}

/** A binary min-heap of events by time; ties keep insertion order (deterministic). */
export class EventQueue {
  private readonly heap: Array<{ t: number; n: number; e: PendingEvent }> = [];
  private counter = 0;
  get size() {
    return this.heap.length;
  }
  push(e: PendingEvent): void {
    const item = { t: e.at.getTime(), n: this.counter++, e };
    const h = this.heap;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  /** Removes and returns every event due strictly before `t` (all of them when t is undefined), in order. */
  *drainBefore(t?: number): Generator<PendingEvent> {
    const h = this.heap;
    while (h.length > 0 && (t === undefined || h[0]!.t < t)) {
      const top = h[0]!;
      const last = h.pop()!;
      if (h.length > 0) {
        h[0] = last;
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
          if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m]!, h[i]!];
          i = m;
        }
      }
      yield top.e;
    }
  }
  private less(a: { t: number; n: number }, b: { t: number; n: number }) {
    return a.t < b.t || (a.t === b.t && a.n < b.n);
  }
}

/** Appends events to the chain, continuing from `audit_head`; call `finish` to write the rest and the head. */
export class AuditChainWriter {
  private seq = 0;
  private prev: Buffer = GENESIS_HASH;
  private batch: Array<{ row: AuditRow; prev: Buffer; hash: Buffer }> = [];
  written = 0;

  private constructor(
    private readonly db: Queryable,
    private readonly batchSize: number,
  ) {}

  static async open(db: Queryable, batchSize = 5000): Promise<AuditChainWriter> {
    const w = new AuditChainWriter(db, batchSize);
    const head = await db.query<{ seq: string | number; hash: Buffer }>(
      'SELECT seq, hash FROM audit_head WHERE id = 1',
    );
    if (head.rows[0]) {
      w.seq = Number(head.rows[0].seq);
      w.prev = head.rows[0].hash;
    }
    return w;
  }

  async add(e: PendingEvent): Promise<void> {
    const row: AuditRow = { seq: ++this.seq, ...e };
    const hash = eventHash(this.prev, row);
    this.batch.push({ row, prev: this.prev, hash });
    this.prev = hash;
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  /** One batch in flight while the next is hashed (the database and Node work side by side). */
  private inFlight: Promise<unknown> = Promise.resolve();

  private async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const b = this.batch;
    this.batch = [];
    await this.inFlight;
    // text[] per row travels as an array literal and is cast back (unnest cannot take ragged 2-D arrays)
    const literal = (fields: string[]) =>
      `{${fields.map((f) => `"${f.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
    const query = this.db.query(
      `INSERT INTO audit_events (seq, at, actor_user_id, actor_agency_id, actor_role, action, outcome, entity_type,
         entity_id, fields, request_id, prev_hash, hash)
       SELECT seq, at, actor_user_id, actor_agency_id, actor_role, action, outcome, entity_type, entity_id,
              fields::text[], request_id, prev_hash, hash
         FROM unnest($1::bigint[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                     $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[], $13::bytea[])
           AS t(seq, at, actor_user_id, actor_agency_id, actor_role, action, outcome, entity_type, entity_id, fields,
                request_id, prev_hash, hash)`,
      [
        b.map((x) => x.row.seq),
        b.map((x) => x.row.at.toISOString()),
        b.map((x) => x.row.actorUserId),
        b.map((x) => x.row.actorAgencyId),
        b.map((x) => x.row.actorRole),
        b.map((x) => x.row.action),
        b.map((x) => x.row.outcome),
        b.map((x) => x.row.entityType),
        b.map((x) => x.row.entityId),
        b.map((x) => literal(x.row.fields)),
        b.map((x) => x.row.requestId),
        b.map((x) => x.prev),
        b.map((x) => x.hash),
      ],
    );
    query.catch(() => {}); // awaited (and thrown) by the next flush or by finish
    this.inFlight = query;
    this.written += b.length;
  }

  /**
   * Bulk mode for bench databases (superuser): the secondary indexes of audit_events are dropped now and
   * recreated from their saved definitions by `finish`, which is much faster than maintaining them row by row.
   */
  async dropSecondaryIndexes(): Promise<void> {
    const { rows } = await this.db.query<{ indexname: string; indexdef: string }>(
      `SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = 'audit_events'
          AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = 'audit_events'::regclass)`,
    );
    for (const r of rows) await this.db.query(`DROP INDEX ${r.indexname}`);
    this.dropped = rows.map((r) => r.indexdef);
  }
  private dropped: string[] = [];

  /** Writes what is left and moves the head (and the bigserial) past the last event. */
  async finish(): Promise<{ seq: number; hash: Buffer }> {
    await this.flush();
    await this.inFlight;
    for (const def of this.dropped) await this.db.query(def);
    this.dropped = [];
    await this.db.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [this.seq, this.prev]);
    if (this.seq > 0)
      await this.db.query("SELECT setval(pg_get_serial_sequence('audit_events', 'seq'), $1)", [this.seq]);
    return { seq: this.seq, hash: this.prev };
  }
}
