import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import { FIELD_CLASSES, type FieldClass } from '../../../shared/domain/fields.js';
import type { Locale } from '../../../shared/domain/locales.js';
import { en } from '../../../shared/i18n/web/en.js';
import { ru } from '../../../shared/i18n/web/ru.js';
import { tk } from '../../../shared/i18n/web/tk.js';
import type { AccessReportData } from './dsar.js';

/**
 * Renders the data-subject access report as a PDF (pdfkit), in the subject's language, with labels from the
 * web catalogs (one translation of every code). The font is DejaVu Sans from the `dejavu-fonts-ttf` npm
 * package (Bitstream Vera licence; covers Turkmen Latin and Cyrillic), embedded as a subset. The document
 * is a stream: the caller pipes it to the response, nothing touches the disk.
 */

const fontDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
const FONT = path.join(fontDir, 'DejaVuSans.ttf');
const FONT_BOLD = path.join(fontDir, 'DejaVuSans-Bold.ttf');

type Key = keyof typeof en;
const CATALOGS: Record<Locale, Record<Key, string>> = { en, ru, tk };

const MARGIN = 56;
const GREY = '#555555';

class Labels {
  private readonly dateTime: Intl.DateTimeFormat;
  private readonly date: Intl.DateTimeFormat;
  private readonly regions: Intl.DisplayNames | null;
  private readonly languages: Intl.DisplayNames | null;
  constructor(readonly locale: Locale) {
    this.dateTime = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    });
    this.date = new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' });
    const names = (type: 'region' | 'language') => {
      try {
        return Intl.DisplayNames.supportedLocalesOf([locale]).length > 0
          ? new Intl.DisplayNames([locale], { type, fallback: 'code' })
          : null;
      } catch {
        return null;
      }
    };
    this.regions = names('region');
    this.languages = names('language');
  }
  t(key: Key, params: Record<string, string | number> = {}): string {
    return CATALOGS[this.locale][key].replace(/\{(\w+)\}/g, (_, n: string) => String(params[n] ?? ''));
  }
  /** A code's label if the catalog has one (`prefix.code`), else the code itself. */
  code(prefix: string, code: string | null | undefined): string {
    if (code === null || code === undefined) return '—';
    const key = `${prefix}.${code}` as Key;
    return key in en ? this.t(key) : code;
  }
  at(d: Date | null): string {
    return d ? `${this.dateTime.format(d)} UTC` : '—';
  }
  day(iso: string): string {
    return this.date.format(new Date(`${iso}T00:00:00Z`));
  }
  yesNo(v: boolean | null | undefined): string {
    return v === null || v === undefined ? '—' : this.t(v ? 'dsar.pdf.yes' : 'dsar.pdf.no');
  }
  country(c: string): string {
    return this.regions?.of(c) ?? c;
  }
  language(c: string): string {
    return this.languages?.of(c) ?? c;
  }
  /** A field name as audited or versioned: a class, a statistical column, a file kind or a report part. */
  field(name: string): string {
    const parts: Record<string, Key> = {
      statistics: 'dsar.pdf.record',
      consents: 'dsar.pdf.consents',
      overrides: 'dsar.pdf.overrides',
      files: 'dsar.pdf.files',
      history: 'dsar.pdf.history',
      access_log: 'dsar.pdf.access',
    };
    if (parts[name]) return this.t(parts[name]);
    for (const prefix of ['class', 'history.field', 'files.kind'])
      if (`${prefix}.${name}` in en) return this.code(prefix, name);
    return name;
  }
  list(items: string[]): string {
    return items.length > 0 ? items.join(', ') : '—';
  }
}

type Pair = [string, string];

/** The readable lines of one field class value, as label–value pairs. */
function classPairs(l: Labels, cls: FieldClass, value: unknown): Pair[] {
  const v = (value ?? {}) as Record<string, unknown>;
  const pairs: Pair[] = [];
  if (cls === 'identity') {
    const names = (v.names as Array<{ value: string; kind: string }> | undefined) ?? [];
    for (const n of names) pairs.push([l.code('nameKind', n.kind), n.value]);
    if (v.birthDate) pairs.push([l.t('identity.birthDate'), l.day(String(v.birthDate))]);
    const docs =
      (v.documents as Array<{ type: string; number: string; issuingCountry: string; heldBy: string }>) ?? [];
    for (const d of docs)
      pairs.push([
        l.code('docType', d.type),
        `${d.number} · ${l.t('identity.issuingCountry')}: ${l.country(d.issuingCountry)} · ${l.t('identity.heldBy')}: ${l.code('docHolder', d.heldBy)}`,
      ]);
  } else if (cls === 'contact') {
    for (const a of (v.addresses as Array<{ text: string; kind: string }>) ?? [])
      pairs.push([`${l.t('contact.addresses')} (${l.code('addressKind', a.kind)})`, a.text]);
    for (const p of (v.phones as Array<{ number: string; safeToCall: boolean }>) ?? [])
      pairs.push([
        l.t('contact.phones'),
        `${p.number} · ${l.t(p.safeToCall ? 'contact.safeToCall' : 'contact.notSafeToCall')}`,
      ]);
    const safe = v.safeContact as
      | { safeToCallBack: boolean; safeTimes?: string; codeWord?: string; doNotContactVia?: string[] }
      | undefined;
    if (safe) {
      pairs.push([l.t('contact.safeToCallBack'), l.yesNo(safe.safeToCallBack)]);
      if (safe.safeTimes) pairs.push([l.t('contact.safeTimes'), safe.safeTimes]);
      if (safe.codeWord) pairs.push([l.t('contact.codeWord'), safe.codeWord]);
      if (safe.doNotContactVia?.length)
        pairs.push([
          l.t('contact.doNotContactVia'),
          l.list(safe.doNotContactVia.map((c) => l.code('channel', c))),
        ]);
    }
  } else if (cls === 'child') {
    if (v.guardianName) pairs.push([l.t('child.guardianName'), String(v.guardianName)]);
    if (v.bestInterestsNotes) pairs.push([l.t('child.bestInterests'), String(v.bestInterestsNotes)]);
  } else if (typeof v.notes === 'string' && v.notes.length > 0) {
    pairs.push([l.t(`notes.${cls}` as Key), v.notes]);
  }
  // Anything a later schema adds is still shown, never silently left out of an access report.
  const known: Record<FieldClass, string[]> = {
    identity: ['names', 'birthDate', 'documents'],
    contact: ['addresses', 'phones', 'safeContact'],
    trafficking: ['notes'],
    health: ['notes'],
    legal: ['notes'],
    child: ['guardianName', 'bestInterestsNotes'],
  };
  for (const [k, extra] of Object.entries(v))
    if (!known[cls].includes(k) && extra !== undefined && extra !== null)
      pairs.push([k, typeof extra === 'string' ? extra : JSON.stringify(extra)]);
  return pairs;
}

function statPairs(l: Labels, s: Record<string, unknown>): Pair[] {
  const pairs: Pair[] = [];
  if ('sex' in s) pairs.push([l.t('person.sex'), l.code('sex', s.sex as string | null)]);
  if ('birthYear' in s)
    pairs.push([l.t('person.birthYear'), s.birthYear === null ? '—' : String(s.birthYear)]);
  if ('birthYearEstimated' in s)
    pairs.push([l.t('person.birthYearEstimated'), l.yesNo(s.birthYearEstimated as boolean)]);
  if ('citizenships' in s)
    pairs.push([l.t('person.citizenships'), l.list((s.citizenships as string[]).map((c) => l.country(c)))]);
  if ('languages' in s)
    pairs.push([l.t('person.languages'), l.list((s.languages as string[]).map((c) => l.language(c)))]);
  if ('interpreterNeeded' in s)
    pairs.push([l.t('person.interpreterNeeded'), l.yesNo(s.interpreterNeeded as boolean | null)]);
  return pairs;
}

export function renderAccessReport(data: AccessReportData): PDFKit.PDFDocument {
  const l = new Labels(data.locale);
  const agency = (id: string | null) => {
    if (!id) return '—';
    const a = data.agencies.get(id);
    return a ? (a.name[data.locale] ?? a.name.en ?? Object.values(a.name)[0] ?? id) : id;
  };
  const user = (id: string | null) => (id ? (data.users.get(id) ?? l.t('dsar.pdf.unknownUser')) : '—');
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + 14, left: MARGIN, right: MARGIN },
    bufferPages: true,
    lang: data.locale,
    displayTitle: true,
    info: { Title: `${l.t('dsar.title')} ${data.person.ref}`, Author: 'Halas', Creator: 'Halas' },
  });
  doc.registerFont('body', FONT);
  doc.registerFont('bold', FONT_BOLD);
  const width = doc.page.width - 2 * MARGIN;

  const heading = (text: string) => {
    if (doc.y > doc.page.height - MARGIN - 120) doc.addPage();
    doc.moveDown(0.8).font('bold').fontSize(13).fillColor('black').text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.3);
  };
  const sub = (text: string) => {
    if (doc.y > doc.page.height - MARGIN - 80) doc.addPage();
    doc.moveDown(0.4).font('bold').fontSize(10.5).fillColor('black').text(text, MARGIN, doc.y, { width });
    doc.moveDown(0.2);
  };
  const para = (text: string, color = 'black') =>
    doc.font('body').fontSize(9.5).fillColor(color).text(text, MARGIN, doc.y, { width });
  const pairs = (rows: Pair[]) => {
    if (rows.length === 0) return para(l.t('dsar.pdf.none'), GREY);
    doc.font('body').fontSize(9.5).fillColor('black');
    doc.table({
      position: { x: MARGIN, y: doc.y },
      maxWidth: width,
      columnStyles: [Math.round(width * 0.32), '*'],
      defaultStyle: { border: 0.5, borderColor: '#bbbbbb', padding: [3, 5] },
      data: rows.map(([k, v]) => [{ text: k, font: { src: 'bold' } }, v]),
    });
    doc.moveDown(0.3);
  };
  const table = (header: string[], rows: string[][], widths: Array<number | string>) => {
    if (rows.length === 0) return para(l.t('dsar.pdf.none'), GREY);
    doc.font('body').fontSize(8.5).fillColor('black');
    doc.table({
      position: { x: MARGIN, y: doc.y },
      maxWidth: width,
      columnStyles: widths,
      defaultStyle: { border: 0.5, borderColor: '#bbbbbb', padding: [3, 4] },
      data: [
        header.map((h) => ({
          text: h,
          font: { src: 'bold' },
          backgroundColor: '#eeeeee',
          type: 'TH' as const,
        })),
        ...rows,
      ],
    });
    doc.moveDown(0.3);
  };

  // Title
  doc.font('bold').fontSize(18).text(l.t('dsar.title'), { width });
  doc.font('body').fontSize(11).fillColor(GREY).text(data.person.ref, { width });
  doc.moveDown(0.6);
  para(l.t('dsar.pdf.intro', { ref: data.person.ref }));
  doc.moveDown(0.3);
  para(l.t('dsar.pdf.produced', { date: l.at(data.producedAt), name: data.producedBy }));
  doc.moveDown(0.3);
  doc.font('bold').fontSize(9.5).fillColor('#8a1c1c').text(l.t('dsar.pdf.confidential'), { width });

  // The record's facts
  const p = data.person;
  heading(l.t('dsar.pdf.record'));
  pairs([
    [l.t('person.ref'), p.ref],
    [l.t('dsar.pdf.ownerAgency'), agency(p.ownerAgencyId)],
    [l.t('person.registered'), l.at(p.createdAt)],
    ...statPairs(l, {
      sex: p.sex,
      birthYear: p.birthYear,
      birthYearEstimated: p.birthYearEstimated,
      citizenships: p.citizenships,
      languages: p.languages,
      interpreterNeeded: p.interpreterNeeded,
    }),
    ...(p.erasedAt ? ([[l.t('person.erased'), l.at(p.erasedAt)]] as Pair[]) : []),
  ]);

  // Every field class
  heading(l.t('dsar.pdf.protected'));
  for (const c of FIELD_CLASSES) {
    sub(l.t(`class.${c}` as Key));
    if (data.shredded) para(l.t('dsar.pdf.erased'), GREY);
    else if (data.classes[c] === undefined) para(l.t('reveal.nothingRecorded'), GREY);
    else pairs(classPairs(l, c, data.classes[c]));
  }

  // Consents, with withdrawals
  heading(l.t('dsar.pdf.consents'));
  if (data.consents.length === 0) para(l.t('dsar.pdf.none'), GREY);
  data.consents.forEach((c, i) => {
    sub(`${i + 1}. ${l.code('purpose', c.purpose)}`);
    pairs([
      [
        l.t('consent.recipient'),
        c.recipientAgencyId
          ? agency(c.recipientAgencyId)
          : c.recipientType
            ? l.t('consent.anyOfType', { type: l.code('agencyType', c.recipientType) })
            : l.t('consent.noRecipient'),
      ],
      [l.t('consent.classes'), l.list(c.dataClasses.map((d) => l.code('class', d)))],
      [
        l.t('consent.givenBy'),
        `${l.code('givenBy', c.givenBy)}${c.childAssent === null ? '' : ` (${l.t(c.childAssent ? 'consent.assentGiven' : 'consent.assentNotGiven')})`}`,
      ],
      [l.t('consent.evidence'), l.code('evidence', c.evidence)],
      [l.t('consent.givenOn'), l.at(c.givenAt)],
      [l.t('consent.expiresOn'), c.expiresAt ? l.at(c.expiresAt) : l.t('consent.noExpiry')],
      ...(c.withdrawnAt
        ? ([
            [l.t('consent.withdrawnOn'), `${l.at(c.withdrawnAt)} (${l.code('withdrawnBy', c.withdrawnBy)})`],
          ] as Pair[])
        : []),
    ]);
  });

  heading(l.t('dsar.pdf.overrides'));
  if (data.overrides.length === 0) para(l.t('dsar.pdf.none'), GREY);
  data.overrides.forEach((o, i) => {
    sub(`${i + 1}. ${l.code('purpose', o.purpose)} · ${l.code('overrideStatus', o.status)}`);
    pairs([
      [l.t('consent.recipient'), agency(o.recipientAgencyId)],
      [l.t('consent.classes'), l.list(o.dataClasses.map((d) => l.code('class', d)))],
      [l.t('override.reason'), o.reason ?? l.t('dsar.pdf.erased')],
      [l.t('override.requestedAt'), l.at(o.requestedAt)],
      [l.t('override.decidedAt'), l.at(o.decidedAt)],
      [l.t('override.expiresAt'), l.at(o.expiresAt)],
    ]);
  });

  heading(l.t('dsar.pdf.files'));
  table(
    [l.t('files.kind'), l.t('files.type'), l.t('files.size'), l.t('files.added'), l.t('dsar.pdf.by')],
    data.files.map((f) => [
      l.code('files.kind', f.kind),
      f.contentType,
      l.t('files.sizeKb', { size: new Intl.NumberFormat(data.locale).format(Math.ceil(f.sizeBytes / 1024)) }),
      l.at(f.uploadedAt),
      user(f.uploadedBy),
    ]),
    ['*', 80, 60, 118, '*'],
  );

  heading(l.t('dsar.pdf.history'));
  if (data.history.length === 0) para(l.t('history.empty'), GREY);
  for (const h of data.history) {
    const fieldNames = h.fields.map((f) => l.field(f));
    sub(`${l.t('history.version')} ${h.version} · ${l.at(new Date(h.changedAt))} · ${user(h.changedBy)}`);
    para(`${l.t('history.fields')}: ${l.list(fieldNames)}`);
    doc.moveDown(0.2);
    const previous: Pair[] = [];
    if (h.previous.statistics) previous.push(...statPairs(l, h.previous.statistics));
    for (const c of FIELD_CLASSES) {
      const value = (h.previous as Record<string, unknown>)[c];
      if (value !== undefined)
        previous.push(...classPairs(l, c, value).map(([k, v]): Pair => [`${l.code('class', c)}: ${k}`, v]));
    }
    if (previous.length > 0) {
      para(l.t('history.previous'), GREY);
      pairs(previous);
    } else if (data.shredded) para(l.t('dsar.pdf.erased'), GREY);
  }

  heading(l.t('dsar.pdf.access'));
  table(
    [l.t('audit.time'), l.t('audit.actor'), l.t('person.agency'), l.t('audit.action'), l.t('audit.outcome')],
    data.access.map((a) => [
      l.at(a.at),
      user(a.user),
      agency(a.agencyId),
      // an access report lists every part: naming them all again on each line says nothing new
      `${l.code('auditAction', a.action)}${a.fields.length && a.action !== 'person.access_report' ? ` (${a.fields.map((f) => l.field(f)).join(', ')})` : ''}`,
      l.code('outcome', a.outcome),
    ]),
    [112, '*', '*', 150, 60],
  );

  // Page numbers and the confidentiality line on every page
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // the footer sits in the bottom margin: without this, pdfkit would start a new page for it
    doc.page.margins.bottom = 0;
    const y = doc.page.height - MARGIN + 4;
    doc
      .font('body')
      .fontSize(7.5)
      .fillColor(GREY)
      .text(`${data.person.ref} · ${l.t('dsar.pdf.confidential')}`, MARGIN, y, {
        width: width - 90,
        height: 9, // one line: a longer sentence ends in an ellipsis instead of wrapping
        ellipsis: true,
      })
      .text(l.t('dsar.pdf.page', { page: i + 1, pages: range.count }), MARGIN + width - 80, y, {
        width: 80,
        align: 'right',
        lineBreak: false,
      });
  }
  doc.end();
  return doc;
}
