import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { z } from 'zod';
import type {
  ChildFields,
  ContactFields,
  IdentityFields,
  TraffickingFields,
} from '../../../shared/contracts/persons.js';
import type { FieldClass } from '../../../shared/domain/fields.js';
import type { Locale } from '../../../shared/domain/locales.js';
import { en } from '../../../shared/i18n/web/en.js';
import { ru } from '../../../shared/i18n/web/ru.js';
import { tk } from '../../../shared/i18n/web/tk.js';

/**
 * Turns an export's rows into a CSV (csv-stringify) or XLSX (exceljs) file in the requester's language. Every
 * data row ends with the watermark (who, when, which export), so a row copied out of the file still says where it
 * came from; the workbook also carries it in its header, footer and properties, and an "About" sheet.
 */

export interface ExportRow {
  ref: string;
  registeredAt: Date;
  sex: string | null;
  birthYear: number | null;
  birthYearEstimated: boolean;
  citizenships: string[];
  languages: string[];
  interpreterNeeded: boolean | null;
  /** The decrypted classes consent covers. */
  values: Partial<Record<FieldClass, unknown>>;
  /** Asked-for classes not in this row: no consent for the purpose, or nothing recorded. */
  withheld: FieldClass[];
}

export interface ExportInput {
  id: string;
  format: 'csv' | 'xlsx';
  locale: Locale;
  classes: FieldClass[];
  purpose: string;
  agencyName: string;
  requestedBy: string;
  approvedBy: string | null;
  producedAt: Date;
  rows: ExportRow[];
}

export interface ExportFile {
  body: Buffer;
  contentType: string;
  filename: string;
}

const CATALOGS = { en, ru, tk };
type Key = keyof typeof en;
type Cell = string | number | null;

const joined = (items: readonly string[]) => items.join('; ');

/** The columns of each protected class, flattened for a spreadsheet. */
const CLASS_COLUMNS: Record<FieldClass, Array<[Key, (v: never) => Cell]>> = {
  identity: [
    ['export.col.names', (v: z.infer<typeof IdentityFields>) => joined(v.names.map((n) => n.value))],
    ['export.col.birthDate', (v: z.infer<typeof IdentityFields>) => v.birthDate ?? null],
    [
      'export.col.documents',
      (v: z.infer<typeof IdentityFields>) =>
        joined((v.documents ?? []).map((d) => `${d.type} ${d.number} (${d.issuingCountry}, ${d.heldBy})`)),
    ],
  ],
  contact: [
    [
      'export.col.addresses',
      (v: z.infer<typeof ContactFields>) => joined((v.addresses ?? []).map((a) => a.text)),
    ],
    [
      'export.col.phones',
      (v: z.infer<typeof ContactFields>) => joined((v.phones ?? []).map((p) => p.number)),
    ],
    [
      'export.col.safeContact',
      (v: z.infer<typeof ContactFields>) =>
        v.safeContact
          ? joined([
              v.safeContact.safeToCallBack ? 'call back: yes' : 'call back: no',
              ...(v.safeContact.safeTimes ? [v.safeContact.safeTimes] : []),
              ...(v.safeContact.doNotContactVia ?? []).map((c) => `not via ${c}`),
            ])
          : null,
    ],
  ],
  trafficking: [['export.col.trafficking', (v: z.infer<typeof TraffickingFields>) => v.notes]],
  health: [['export.col.health', (v: z.infer<typeof TraffickingFields>) => v.notes]],
  legal: [['export.col.legal', (v: z.infer<typeof TraffickingFields>) => v.notes]],
  child: [
    ['export.col.guardianName', (v: z.infer<typeof ChildFields>) => v.guardianName ?? null],
    ['export.col.bestInterests', (v: z.infer<typeof ChildFields>) => v.bestInterestsNotes ?? null],
  ],
};

function table(input: ExportInput) {
  const t = (key: Key, params: Record<string, string> = {}) =>
    (CATALOGS[input.locale][key] as string).replace(/\{(\w+)\}/g, (_, n: string) => params[n] ?? '');
  const yesNo = (b: boolean | null) => (b === null ? null : t(b ? 'common.yes' : 'common.no'));
  const date = new Intl.DateTimeFormat(input.locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const watermark = t('export.watermark', {
    user: input.requestedBy,
    time: input.producedAt.toISOString(),
    id: input.id,
  });
  const classColumns = input.classes.flatMap((c) => CLASS_COLUMNS[c].map(([key, get]) => ({ c, key, get })));
  const header = [
    t('export.col.ref'),
    t('export.col.registered'),
    t('export.col.sex'),
    t('export.col.birthYear'),
    t('export.col.birthYearEstimated'),
    t('export.col.citizenships'),
    t('export.col.languages'),
    t('export.col.interpreter'),
    ...classColumns.map(({ key }) => t(key)),
    t('export.col.withheld'),
    t('export.col.watermark'),
  ];
  const body: Cell[][] = input.rows.map((r) => [
    r.ref,
    date.format(r.registeredAt),
    r.sex,
    r.birthYear,
    yesNo(r.birthYearEstimated),
    joined(r.citizenships),
    joined(r.languages),
    yesNo(r.interpreterNeeded),
    ...classColumns.map(({ c, get }) => (r.values[c] === undefined ? null : get(r.values[c] as never))),
    joined(r.withheld.map((c) => t(`class.${c}` as Key))),
    watermark,
  ]);
  const about: Array<[string, string]> = [
    [t('export.about.agency'), input.agencyName],
    [t('export.about.purpose'), t(`purpose.${input.purpose}` as Key)],
    [t('export.about.classes'), joined(input.classes.map((c) => t(`class.${c}` as Key)))],
    [t('export.about.requestedBy'), input.requestedBy],
    [t('export.about.approvedBy'), input.approvedBy ?? '—'],
    [t('export.about.producedAt'), input.producedAt.toISOString()],
    [t('export.about.persons'), String(input.rows.length)],
    [t('export.about.notice'), t('export.notice')],
  ];
  return { t, header, body, about, watermark };
}

/** Cells a spreadsheet would run as formulas are written as text (CSV injection). */
function safe(cell: Cell): Cell {
  return typeof cell === 'string' && /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export async function renderExport(input: ExportInput): Promise<ExportFile> {
  const { t, header, body, about, watermark } = table(input);
  const stamp = input.producedAt.toISOString().slice(0, 10);
  const filename = `halas-export-${stamp}-${input.id.slice(0, 8)}.${input.format}`;
  if (input.format === 'csv') {
    const text = stringify([header, ...body.map((row) => row.map(safe))], { bom: true });
    return { body: Buffer.from(text, 'utf8'), contentType: 'text/csv; charset=utf-8', filename };
  }
  const wb = new ExcelJS.Workbook();
  wb.creator = input.requestedBy;
  wb.lastModifiedBy = input.requestedBy;
  wb.created = input.producedAt;
  wb.modified = input.producedAt;
  wb.title = t('export.title');
  wb.subject = watermark;
  wb.description = t('export.notice');
  const footer = `&L${watermark.replace(/&/g, '&&')}&R&P / &N`;
  const data = wb.addWorksheet(t('export.sheet.data'), {
    headerFooter: { oddHeader: `&C${t('export.notice').replace(/&/g, '&&')}`, oddFooter: footer },
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  data.addRow(header).font = { bold: true };
  for (const row of body) data.addRow(row);
  data.columns.forEach((col) => {
    col.width = 22;
  });
  const sheet = wb.addWorksheet(t('export.sheet.about'), { headerFooter: { oddFooter: footer } });
  for (const row of about) sheet.addRow(row);
  sheet.getColumn(1).width = 28;
  sheet.getColumn(2).width = 80;
  return {
    body: Buffer.from(await wb.xlsx.writeBuffer()),
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    filename,
  };
}
