import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgency } from '../factories/index.js';
import { staff } from '../persons/support.js';
import { createTestApp, ENGINES, type TestApp } from '../support/app.js';

type Value = { value: number } | { suppressed: true };
const shown = (v: Value) => ('value' in v ? v.value : null);

describe.each(ENGINES)(
  'national statistics on %s (G23: aggregates only, small cells suppressed)',
  (engine) => {
    let t: TestApp;
    let analyst: Awaited<ReturnType<typeof staff>>;
    let caseManager: Awaited<ReturnType<typeof staff>>;
    let agency: string;
    let n = 0;

    /** Persons straight into the table (statistical variables only), registered at `at`. */
    async function persons(
      count: number,
      v: { sex: string; citizenships: string[]; birthYear: number },
      at: Date,
    ) {
      for (let i = 0; i < count; i++) {
        await t.admin.query(
          `INSERT INTO persons (ref, owner_agency_id, sex, birth_year, citizenships, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)`,
          [`P-STAT-${engine}-${n++}`, agency, v.sex, v.birthYear, v.citizenships, at],
        );
      }
    }

    beforeAll(async () => {
      t = await createTestApp(engine);
      agency = (await createAgency(t, { type: 'social_protection' })).id;
      const office = (await createAgency(t, { type: 'statistics_office' })).id;
      analyst = await staff(t, office, ['analyst']);
      caseManager = await staff(t, agency, ['case_manager']);
      // the clock is 2026-03-01T09:00Z: February counts, March (the current month) does not
      const feb = new Date('2026-02-10T10:00:00Z');
      await persons(12, { sex: 'female', citizenships: ['TM'], birthYear: 1995 }, feb);
      await persons(9, { sex: 'male', citizenships: ['TM'], birthYear: 1990 }, feb);
      await persons(2, { sex: 'male', citizenships: ['UZ'], birthYear: 2010 }, feb); // a small group
      await persons(6, { sex: 'female', citizenships: ['RU'], birthYear: 2000 }, feb);
      await persons(
        3,
        { sex: 'female', citizenships: ['TM'], birthYear: 1999 },
        new Date('2026-03-01T08:00:00Z'),
      );
    });
    afterAll(async () => {
      await t?.close();
    });

    const get = async (query: string) => {
      const res = await analyst.get(`/api/statistics/persons?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };

    it('counts closed months only, hides counts of 1 to k − 1 and protects them with a second hidden count', async () => {
      const bySex = await get('rows=sex');
      expect(bySex.k).toBe(5);
      expect(bySex.asOf).toBe('2026-03-01T00:00:00.000Z');
      expect(shown(bySex.total)).toBe(29);
      const cells: Value[] = bySex.cells.map((row: Value[]) => row[0]);
      const female = bySex.rows.categories.indexOf('female');
      const male = bySex.rows.categories.indexOf('male');
      expect(shown(cells[female]!)).toBe(18);
      expect(shown(cells[male]!)).toBe(11);

      const byCitizenship = await get('rows=citizenship');
      // UZ has 2 persons: not even named as a category; it is "other", which is hidden, and so is a second count
      expect(byCitizenship.rows.categories).toEqual(['RU', 'TM', 'other', 'unknown']);
      const c: Value[] = byCitizenship.cells.map((row: Value[]) => row[0]);
      expect(c[2]).toEqual({ suppressed: true });
      expect(c.filter((v) => 'suppressed' in v).length).toBeGreaterThanOrEqual(2);
      expect(shown(c[3]!)).toBe(0);
      expect(JSON.stringify(byCitizenship)).not.toContain('UZ');
    });

    it('in a cross-table, shows a zero only for a category that is empty as a whole', async () => {
      const table = await get('rows=sex&cols=citizenship');
      const cell = (sex: string, country: string) =>
        table.cells[table.rows.categories.indexOf(sex)][table.cols.categories.indexOf(country)] as Value;
      // no man from RU, but both the male row and the RU column hold persons: the zero is hidden
      expect(cell('male', 'RU')).toEqual({ suppressed: true });
      // nobody of unknown citizenship at all, as the one-way table already shows: the zero is shown
      expect(cell('male', 'unknown')).toEqual({ value: 0 });
      expect(cell('female', 'unknown')).toEqual({ value: 0 });
    });

    it('never shows a count of 1 to k − 1, and two queries agree on every count they share', async () => {
      const dims = ['year', 'sex', 'ageBand', 'citizenship', 'agencyType'];
      const one = new Map<string, unknown>();
      for (const d of dims) one.set(d, await get(`rows=${d}`));
      for (const rows of dims) {
        for (const cols of dims) {
          if (rows === cols) continue;
          const table = await get(`rows=${rows}&cols=${cols}`);
          const values = [
            ...table.cells.flat(),
            ...table.rowTotals,
            ...table.colTotals,
            table.total,
          ] as Value[];
          for (const v of values) if ('value' in v) expect(v.value === 0 || v.value >= 5).toBe(true);
          const r = one.get(rows) as { cells: Value[][]; total: Value };
          const cTable = one.get(cols) as { cells: Value[][] };
          expect(table.rowTotals).toEqual(r.cells.map((x) => x[0]));
          expect(table.colTotals).toEqual(cTable.cells.map((x) => x[0]));
          expect(table.total).toEqual(r.total);
        }
      }
    });

    it('keeps erased persons (aggregates unchanged) and leaves merged duplicates out', async () => {
      const before = await get('rows=sex');
      await t.admin.query(
        "UPDATE persons SET erased_at = now() WHERE ref IN (SELECT ref FROM persons WHERE sex = 'male' AND ref LIKE 'P-STAT-%' LIMIT 3)",
      );
      expect(await get('rows=sex')).toEqual(before);
      const [a, b] = (
        await t.admin.query(
          "SELECT id FROM persons WHERE sex = 'female' AND ref LIKE 'P-STAT-%' ORDER BY ref LIMIT 2",
        )
      ).rows;
      await t.admin.query('UPDATE persons SET merged_into = $1 WHERE id = $2', [a.id, b.id]);
      expect(shown((await get('rows=sex')).total)).toBe(28);
    });

    it('answers only holders of statistics.read, and bad queries with a localized 400', async () => {
      expect((await caseManager.get('/api/statistics/persons?rows=sex')).statusCode).toBe(403);
      const unknown = await analyst.get('/api/statistics/persons?rows=name');
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().issues[0].path).toBe('rows');
      expect((await analyst.get('/api/statistics/persons?rows=sex&cols=sex')).statusCode).toBe(400);
      expect((await analyst.get('/api/statistics/persons?rows=sex&cols=sex&x=1')).statusCode).toBe(400);
      expect((await analyst.get('/api/statistics/persons')).statusCode).toBe(400);
    });
  },
);
