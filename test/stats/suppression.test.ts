import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crossTab,
  type Dimension,
  type Entry,
  QueryError,
  suppress1D,
  type Table,
} from '../../src/server/platform/stats/suppression.js';

/**
 * G23: random datasets, random pairs and triples of queries or every one- and two-way table at once, and an
 * attacker who knows every published count of all of them. The attacker is independent of the engine: it writes each published count as a
 * linear equation over the finest cells (one per combination of categories), removes the cells a published
 * zero forces to 0, and asks whether a hidden count lies in the span of the equations (exact integer
 * elimination). On small cases a second attacker enumerates every non-negative table consistent with what is
 * published and asks whether a hidden count could take only one value. Both must find 0 hidden counts.
 */

type Rec = Record<string, string>;

/** A fixed seed keeps CI reproducible; FC_SEED=random (or a number) explores others, FC_RUNS more cases. */
const SEED = process.env.FC_SEED === 'random' ? {} : { seed: Number(process.env.FC_SEED ?? 20261128) };
interface Dataset {
  dims: Dimension[];
  records: Rec[];
  k: number;
}

/** The finest cells: every combination of categories, as index tuples. */
function fineCells(dims: readonly Dimension[]): string[][] {
  let out: string[][] = [[]];
  for (const d of dims) out = out.flatMap((prefix) => d.categories.map((c) => [...prefix, c]));
  return out;
}

interface Fact {
  /** Which fine cells it sums (dimension name → category), and its value or the hidden kind. */
  where: Record<string, string>;
  entry: Entry;
  label: string;
}

/** Every entry of a table as a fact over the categories it fixes. */
function facts(table: Table): Fact[] {
  const out: Fact[] = [];
  const r = table.rows;
  const c = table.cols;
  table.cells.forEach((row, i) => {
    row.forEach((e, j) => {
      const where: Record<string, string> = { [r.dimension]: r.categories[i]! };
      if (c) where[c.dimension] = c.categories[j]!;
      out.push({ where, entry: e, label: JSON.stringify(where) });
    });
  });
  if (c) {
    table.rowTotals!.forEach((e, i) => {
      out.push({
        where: { [r.dimension]: r.categories[i]! },
        entry: e,
        label: `${r.dimension}=${r.categories[i]}`,
      });
    });
    table.colTotals!.forEach((e, j) => {
      out.push({
        where: { [c.dimension]: c.categories[j]! },
        entry: e,
        label: `${c.dimension}=${c.categories[j]}`,
      });
    });
  }
  out.push({ where: {}, entry: table.total, label: 'total' });
  return out;
}

const gcd = (a: bigint, b: bigint): bigint => {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y) [x, y] = [y, x % y];
  return x;
};

/** Row space over the rationals, kept as integer rows with distinct pivots (fraction-free elimination). */
class Span {
  private rows: Array<{ pivot: number; v: bigint[] }> = [];
  reduce(input: bigint[]): bigint[] {
    let v = [...input];
    for (const { pivot, v: b } of this.rows) {
      if (v[pivot] === 0n) continue;
      const f = v[pivot]!;
      const p = b[pivot]!;
      v = v.map((x, i) => x * p - b[i]! * f);
      const g = v.reduce((acc, x) => gcd(acc, x), 0n);
      if (g > 1n) v = v.map((x) => x / g);
    }
    return v;
  }
  add(input: bigint[]) {
    const v = this.reduce(input);
    const pivot = v.findIndex((x) => x !== 0n);
    if (pivot >= 0) this.rows.push({ pivot, v });
  }
  contains(input: bigint[]) {
    return this.reduce(input).every((x) => x === 0n);
  }
}

const matches = (cell: string[], dims: readonly Dimension[], where: Record<string, string>) =>
  dims.every((d, i) => where[d.name] === undefined || where[d.name] === cell[i]);

/**
 * Hidden primary counts the linear attacker works out exactly from all the tables together. A hidden count it
 * works out as 0 (a zero hidden by rule 5 but derivable) empties its fine cells just as a shown zero does, and
 * the attacker starts again with those cells removed, until nothing new is learnt.
 */
function linearLeaks(ds: Dataset, tables: Table[]): string[] {
  const cells = fineCells(ds.dims);
  const all = tables.flatMap(facts);
  const zero = new Set<number>();
  const empty = (where: Record<string, string>) =>
    cells.forEach((c, i) => {
      if (matches(c, ds.dims, where)) zero.add(i);
    });
  for (const f of all) if ('value' in f.entry && f.entry.value === 0) empty(f.where);
  for (;;) {
    const live = cells.map((_, i) => i).filter((i) => !zero.has(i));
    const vector = (where: Record<string, string>) =>
      live.map((i) => (matches(cells[i]!, ds.dims, where) ? 1n : 0n));
    const span = new Span();
    for (const f of all) if ('value' in f.entry) span.add(vector(f.where));
    const derivedZeros = all.filter((f) => {
      if (!('suppressed' in f.entry) || trueCount(ds, f.where) !== 0) return false;
      const v = vector(f.where);
      return v.some((x) => x !== 0n) && span.contains(v);
    });
    if (derivedZeros.length === 0)
      return all
        .filter((f) => 'suppressed' in f.entry && f.entry.suppressed === 'primary')
        .filter((f) => span.contains(vector(f.where)))
        .map((f) => f.label);
    for (const f of derivedZeros) empty(f.where);
  }
}

/** The true count of a fact. */
const trueCount = (ds: Dataset, where: Record<string, string>) =>
  ds.records.filter((r) => Object.entries(where).every(([d, c]) => r[d] === c)).length;

/**
 * The full attacker on small cases: every assignment of the N records to fine cells (as counts) that agrees
 * with every published value; each hidden primary count must take at least two values across them.
 */
function enumerationLeaks(ds: Dataset, tables: Table[], limits = { cells: 9, records: 10 }): string[] | null {
  const cells = fineCells(ds.dims);
  if (cells.length > limits.cells || ds.records.length > limits.records) return null;
  const all = tables.flatMap(facts);
  const published = all.filter((f) => 'value' in f.entry);
  const hidden = all.filter((f) => 'suppressed' in f.entry && f.entry.suppressed === 'primary');
  const members = (where: Record<string, string>) =>
    cells.map((c, i) => (matches(c, ds.dims, where) ? i : -1)).filter((i) => i >= 0);
  const pub = published.map((f) => ({ idx: members(f.where), value: (f.entry as { value: number }).value }));
  const hid = hidden.map((f) => ({ idx: members(f.where), label: f.label, seen: new Set<number>() }));
  // the attacker knows N when the total is shown; when it is hidden, only that it is 1 to k − 1
  const totals =
    'value' in tables[0]!.total ? [ds.records.length] : Array.from({ length: ds.k - 1 }, (_, i) => i + 1);
  if (totals.some((x) => x > limits.records)) return null;
  const counts = new Array<number>(cells.length).fill(0);
  const visit = (i: number, left: number) => {
    if (i === cells.length - 1) {
      counts[i] = left;
      if (pub.every((p) => p.idx.reduce((s, x) => s + counts[x]!, 0) === p.value))
        for (const h of hid) h.seen.add(h.idx.reduce((s, x) => s + counts[x]!, 0));
      return;
    }
    for (let v = 0; v <= left; v++) {
      counts[i] = v;
      visit(i + 1, left - v);
    }
  };
  for (const total of totals) visit(0, total);
  return hid.filter((h) => h.seen.size < 2).map((h) => h.label);
}

const dimensionsArb = (maxDims: number, maxCats: number) =>
  fc.array(fc.integer({ min: 2, max: maxCats }), { minLength: 2, maxLength: maxDims }).map((sizes) =>
    sizes.map((size, d) => ({
      name: `d${d}`,
      categories: Array.from({ length: size }, (_, c) => `c${c}`),
    })),
  );

/** Records drawn with skewed weights, so that many small cells and many zeros occur. */
const datasetArb = (maxDims: number, maxCats: number, maxRecords: number, ks = [3, 5, 11]) =>
  dimensionsArb(maxDims, maxCats).chain((dims) =>
    fc
      .record({
        k: fc.constantFrom(...ks),
        picks: fc.array(
          fc.tuple(
            ...dims.map((d) => fc.integer({ min: 0, max: d.categories.length * d.categories.length - 1 })),
          ),
          { maxLength: maxRecords },
        ),
      })
      .map(
        ({ k, picks }): Dataset => ({
          dims,
          k,
          // a square-root skew: low categories are far more frequent
          records: picks.map((p) =>
            Object.fromEntries(dims.map((d, i) => [d.name, d.categories[Math.floor(Math.sqrt(p[i]!))]!])),
          ),
        }),
      ),
  );

const queryArb = (dims: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: dims - 1 }).map((a) => [`d${a}`]),
    fc
      .tuple(fc.integer({ min: 0, max: dims - 1 }), fc.integer({ min: 0, max: dims - 1 }))
      .filter(([a, b]) => a !== b)
      .map(([a, b]) => [`d${a}`, `d${b}`]),
  );

const caseArb = (maxDims: number, maxCats: number, maxRecords: number, ks?: number[]) =>
  datasetArb(maxDims, maxCats, maxRecords, ks).chain((ds) =>
    fc.record({
      ds: fc.constant(ds),
      queries: fc.array(queryArb(ds.dims.length), { minLength: 2, maxLength: 3 }),
    }),
  );

function run(ds: Dataset, queries: string[][]): Table[] {
  return queries.map((q) => crossTab(ds.records, ds.dims, q, ds.k));
}

/** Every one- and two-way query over the dataset's dimensions. */
const allQueries = (ds: Dataset) =>
  ds.dims.flatMap((a, i) => [[a.name], ...ds.dims.slice(i + 1).map((b) => [a.name, b.name])]);

describe('statistical disclosure control (G23)', () => {
  it('no hidden count is derivable by differencing or subtraction across random query pairs and triples', () => {
    let checked = 0;
    let hiddenChecked = 0;
    fc.assert(
      fc.property(caseArb(4, 4, 300), ({ ds, queries }) => {
        const tables = run(ds, queries);
        hiddenChecked += tables
          .flatMap(facts)
          .filter((f) => 'suppressed' in f.entry && f.entry.suppressed === 'primary').length;
        checked++;
        expect(linearLeaks(ds, tables)).toEqual([]);
      }),
      { numRuns: 1500, ...SEED },
    );
    process.stdout.write(
      `G23 linear attacker: ${checked} query sets, ${hiddenChecked} hidden small counts, 0 derivable\n`,
    );
  });

  it('the same with few records over many categories (many small margins hidden, the hard case for secondary cells)', () => {
    let hiddenChecked = 0;
    fc.assert(
      fc.property(caseArb(4, 6, 40, [3, 5]), ({ ds, queries }) => {
        const tables = run(ds, queries);
        hiddenChecked += tables
          .flatMap(facts)
          .filter((f) => 'suppressed' in f.entry && f.entry.suppressed === 'primary').length;
        expect(linearLeaks(ds, tables)).toEqual([]);
      }),
      { numRuns: 3000, ...SEED },
    );
    process.stdout.write(
      `G23 linear attacker, few records: 3000 query sets, ${hiddenChecked} hidden small counts, 0 derivable\n`,
    );
  });

  it('not even all one- and two-way tables of a dataset together give away a hidden count', () => {
    let withheld = 0;
    let enumerated = 0;
    fc.assert(
      fc.property(datasetArb(4, 5, 80, [3, 5, 11]), (ds) => {
        const tables = run(ds, allQueries(ds));
        withheld += tables.filter((t) => t.withheld && 'value' in t.total).length;
        expect(linearLeaks(ds, tables)).toEqual([]);
        const pinned = enumerationLeaks(ds, tables);
        if (pinned === null) return;
        enumerated++;
        expect(pinned).toEqual([]);
      }),
      { numRuns: 800, ...SEED },
    );
    process.stdout.write(
      `G23 every table at once: 800 datasets, ${withheld} tables withheld under a shown total, ${enumerated} enumerated in full\n`,
    );
  });

  it('all tables at once, few records (many zeros: the hard case for linked tables)', () => {
    let enumerated = 0;
    let cyclic = 0;
    fc.assert(
      fc.property(datasetArb(4, 4, 14, [3, 4, 5]), (ds) => {
        const tables = run(ds, allQueries(ds));
        expect(linearLeaks(ds, tables)).toEqual([]);
        const pinned = enumerationLeaks(ds, tables, { cells: 12, records: 8 });
        if (pinned === null) return;
        enumerated++;
        if (ds.dims.length >= 3 && 'value' in tables[0]!.total) cyclic++;
        expect(pinned).toEqual([]);
      }),
      { numRuns: Number(process.env.FC_RUNS ?? 3000), ...SEED },
    );
    process.stdout.write(
      `G23 every table at once, few records: ${enumerated} enumerated in full, ${cyclic} of them with three variables in a cycle and a shown total\n`,
    );
  });

  it('a case fast-check found: zeros of three linked tables pinned a small count before rule 5', () => {
    const size = [3, 4, 4, 3];
    const dims: Dimension[] = size.map((n, d) => ({
      name: `d${d}`,
      categories: Array.from({ length: n }, (_, c) => `c${c}`),
    }));
    const records = ['2301', '0200', '2001', '2200', '2230', '1231', '2200'].map((code) =>
      Object.fromEntries([...code].map((c, d) => [`d${d}`, `c${c}`])),
    );
    const ds: Dataset = { dims, records, k: 5 };
    expect(linearLeaks(ds, run(ds, allQueries(ds)))).toEqual([]);
  });

  it('on small cases, no hidden count is pinned even with non-negativity (every consistent table enumerated)', () => {
    let enumerated = 0;
    let protectedCounts = 0;
    fc.assert(
      fc.property(caseArb(3, 3, 10, [3, 4]), ({ ds, queries }) => {
        const tables = run(ds, queries);
        const leaks = enumerationLeaks(ds, tables);
        if (leaks === null) return;
        enumerated++;
        if ('value' in tables[0]!.total)
          protectedCounts += tables
            .flatMap(facts)
            .filter((f) => 'suppressed' in f.entry && f.entry.suppressed === 'primary').length;
        expect(leaks).toEqual([]);
      }),
      { numRuns: 800, ...SEED },
    );
    process.stdout.write(
      `G23 enumeration attacker: ${enumerated} small cases checked in full, ${protectedCounts} hidden small counts under a shown total\n`,
    );
    expect(enumerated).toBeGreaterThan(200);
    expect(protectedCounts).toBeGreaterThan(200);
  });

  it('shows every count of k or more as it is, a zero only for an empty category, and never a count of 1 to k − 1', () => {
    fc.assert(
      fc.property(caseArb(4, 4, 300), ({ ds, queries }) => {
        for (const table of run(ds, queries)) {
          for (const f of facts(table)) {
            const real = trueCount(ds, f.where);
            // an inner cell of a two-way table whose row and column both hold someone
            const [x, y] = Object.entries(f.where);
            const innerOfLiveLines =
              y !== undefined &&
              trueCount(ds, Object.fromEntries([x!])) > 0 &&
              trueCount(ds, Object.fromEntries([y])) > 0;
            if ('value' in f.entry) {
              expect(f.entry.value).toBe(real);
              expect(real === 0 || real >= ds.k).toBe(true);
              // a zero is shown only for a category that is empty as a whole
              if (real === 0) expect(innerOfLiveLines).toBe(false);
            } else {
              expect(Object.keys(f.entry)).toEqual(['suppressed']);
              if (f.entry.suppressed === 'primary') expect(real >= 1 && real < ds.k).toBe(true);
              if (real === 0) expect(table.withheld || innerOfLiveLines).toBe(true);
            }
          }
        }
      }),
      { numRuns: 500, ...SEED },
    );
  });

  it('two queries agree on every count they share, in either orientation', () => {
    fc.assert(
      fc.property(datasetArb(4, 4, 300), (ds) => {
        const one = ds.dims.map((d) => crossTab(ds.records, ds.dims, [d.name], ds.k));
        for (const a of ds.dims)
          for (const b of ds.dims) {
            if (a === b) continue;
            const ab = crossTab(ds.records, ds.dims, [a.name, b.name], ds.k);
            const ba = crossTab(ds.records, ds.dims, [b.name, a.name], ds.k);
            const ia = ds.dims.indexOf(a);
            const ib = ds.dims.indexOf(b);
            expect(ab.rowTotals).toEqual(one[ia]!.cells.map((c) => c[0]));
            expect(ab.colTotals).toEqual(one[ib]!.cells.map((c) => c[0]));
            expect(ab.total).toEqual(one[ia]!.total);
            expect(ba.cells).toEqual(ab.cells[0]!.map((_, j) => ab.cells.map((row) => row[j])));
          }
      }),
      { numRuns: 200, ...SEED },
    );
  });

  it('hides a second count next to a single small one, and closes a cycle round a small inner cell', () => {
    expect(suppress1D([10, 3, 7, 0], 5)).toEqual({
      cells: [null, 'primary', 'secondary', null],
      total: null,
    });
    expect(suppress1D([10, 3, 2, 0], 5)).toEqual({ cells: [null, 'primary', 'primary', null], total: null });
    expect(suppress1D([1, 2, 0], 5)).toEqual({
      cells: ['primary', 'primary', 'secondary'],
      total: 'primary',
    });
    const dims: Dimension[] = [
      { name: 'sex', categories: ['f', 'm'] },
      { name: 'age', categories: ['child', 'adult'] },
    ];
    const recs = (sex: string, age: string, n: number) => Array.from({ length: n }, () => ({ sex, age }));
    const records = [
      ...recs('f', 'child', 2),
      ...recs('f', 'adult', 20),
      ...recs('m', 'child', 9),
      ...recs('m', 'adult', 15),
    ];
    const t = crossTab(records, dims, ['sex', 'age'], 5);
    expect(t.cells).toEqual([
      [{ suppressed: 'primary' }, { suppressed: 'secondary' }],
      [{ suppressed: 'secondary' }, { suppressed: 'secondary' }],
    ]);
    expect(t.rowTotals).toEqual([{ value: 22 }, { value: 24 }]);
    expect(t.colTotals).toEqual([{ value: 11 }, { value: 35 }]);
    expect(t.total).toEqual({ value: 46 });
    expect(JSON.stringify(t)).not.toMatch(/"value":2\b/);
  });

  it('refuses queries it cannot protect', () => {
    const dims: Dimension[] = ['a', 'b', 'c'].map((name) => ({ name, categories: ['x', 'y'] }));
    const records = [{ a: 'x', b: 'y', c: 'x' }];
    expect(() => crossTab(records, dims, ['a', 'b', 'c'])).toThrow(QueryError);
    expect(() => crossTab(records, dims, ['a', 'a'])).toThrow(QueryError);
    expect(() => crossTab(records, dims, ['z'])).toThrow(QueryError);
    expect(() => crossTab(records, dims, [])).toThrow(QueryError);
    expect(() => crossTab(records, dims, ['a'], 1)).toThrow(QueryError);
    expect(crossTab(records, dims, ['a']).total).toEqual({ suppressed: 'primary' });
  });
});
