import { toNestErrors } from '@hookform/resolvers';
import type { FieldError, FieldValues, Resolver } from 'react-hook-form';
import type { z } from 'zod';
import type {
  CONTACT_CHANNELS,
  DOCUMENT_HOLDERS,
  DOCUMENT_TYPES,
  SEX_CODES,
} from '../../../shared/contracts/persons.js';
import type { FieldClass } from '../../../shared/domain/fields.js';
import { isApiError } from '../../api/client.js';
import { zodMessages } from '../../app/zodErrors.js';
import type { MessageKey } from '../../i18n/messages.js';
import type { MessageValues } from '../../i18n/useT.js';
import type { RevealedT } from './api.js';

export type SexCode = (typeof SEX_CODES)[number];
export type DocumentType = (typeof DOCUMENT_TYPES)[number];
export type DocumentHolder = (typeof DOCUMENT_HOLDERS)[number];
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export type NameKind = 'primary' | 'alias' | 'birth' | 'transliteration';
export type AddressKind = 'home' | 'current' | 'shelter' | 'other';
export type TriState = '' | 'yes' | 'no';

/** Form values mirror the contracts' shapes, so a validation issue's path is the field's name. */
export interface StatForm {
  sex: '' | SexCode;
  birthYear: string;
  birthYearEstimated: boolean;
  citizenships: string[];
  languages: string[];
  interpreterNeeded: TriState;
}

export interface IdentityForm {
  names: { value: string; kind: NameKind }[];
  birthDate: string;
  documents: {
    type: '' | DocumentType;
    number: string;
    issuingCountry: string;
    heldBy: '' | DocumentHolder;
  }[];
}

export interface ContactForm {
  addresses: { text: string; kind: AddressKind }[];
  phones: { number: string; safeToCall: boolean }[];
  safeContact: {
    safeToCallBack: TriState;
    safeTimes: string;
    codeWord: string;
    doNotContactVia: ContactChannel[];
  };
}

export interface NotesForm {
  notes: string;
}

export interface ChildForm {
  guardianName: string;
  bestInterestsNotes: string;
}

export interface ClassForms {
  identity: IdentityForm;
  contact: ContactForm;
  trafficking: NotesForm;
  health: NotesForm;
  legal: NotesForm;
  child: ChildForm;
}

export interface RegisterForm extends StatForm, ClassForms {
  agencyId: string;
}

export const EMPTY_STAT: StatForm = {
  sex: '',
  birthYear: '',
  birthYearEstimated: false,
  citizenships: [],
  languages: [],
  interpreterNeeded: '',
};

export function emptyClasses(): ClassForms {
  return {
    identity: { names: [{ value: '', kind: 'primary' }], birthDate: '', documents: [] },
    contact: {
      addresses: [],
      phones: [],
      safeContact: { safeToCallBack: '', safeTimes: '', codeWord: '', doNotContactVia: [] },
    },
    trafficking: { notes: '' },
    health: { notes: '' },
    legal: { notes: '' },
    child: { guardianName: '', bestInterestsNotes: '' },
  };
}

const blank = (s: string) => s.trim() === '';
const optional = (s: string) => (blank(s) ? undefined : s);
const tri = (v: TriState) => (v === '' ? undefined : v === 'yes');

/** Statistical facts as a body. `clear` sends null for an emptied value (an edit), instead of leaving it out. */
export function statBody(v: StatForm, clear: boolean) {
  const none = clear ? null : undefined;
  const year = v.birthYear.trim();
  return {
    sex: v.sex === '' ? none : v.sex,
    birthYear: year === '' ? none : /^\d+$/.test(year) ? Number(year) : Number.NaN,
    birthYearEstimated: v.birthYearEstimated,
    citizenships: v.citizenships,
    languages: v.languages,
    interpreterNeeded: v.interpreterNeeded === '' ? none : v.interpreterNeeded === 'yes',
  };
}

/** Whether the user entered anything for a class (untouched sections are not sent). */
export function classIsEmpty(cls: FieldClass, f: ClassForms): boolean {
  switch (cls) {
    case 'identity':
      return (
        f.identity.names.every((n) => blank(n.value)) &&
        blank(f.identity.birthDate) &&
        f.identity.documents.length === 0
      );
    case 'contact': {
      const s = f.contact.safeContact;
      return (
        f.contact.addresses.length === 0 &&
        f.contact.phones.length === 0 &&
        s.safeToCallBack === '' &&
        blank(s.safeTimes) &&
        blank(s.codeWord) &&
        s.doNotContactVia.length === 0
      );
    }
    case 'trafficking':
    case 'health':
    case 'legal':
      return blank(f[cls].notes);
    case 'child':
      return blank(f.child.guardianName) && blank(f.child.bestInterestsNotes);
  }
}

/** One class as the contract wants it. Rows keep their positions, so issues point at the right row. */
export function classBody(cls: FieldClass, f: ClassForms, clear: boolean): unknown {
  switch (cls) {
    case 'identity':
      return {
        names: f.identity.names.map((n) => ({ value: n.value, kind: n.kind })),
        birthDate: blank(f.identity.birthDate) ? (clear ? null : undefined) : f.identity.birthDate,
        documents: f.identity.documents.map((d) => ({
          type: d.type || undefined,
          number: d.number,
          issuingCountry: d.issuingCountry || undefined,
          heldBy: d.heldBy || undefined,
        })),
      };
    case 'contact': {
      const s = f.contact.safeContact;
      const safeEmpty =
        s.safeToCallBack === '' && blank(s.safeTimes) && blank(s.codeWord) && s.doNotContactVia.length === 0;
      return {
        addresses: f.contact.addresses.map((a) => ({ text: a.text, kind: a.kind })),
        phones: f.contact.phones.map((p) => ({ number: p.number, safeToCall: p.safeToCall })),
        safeContact: safeEmpty
          ? undefined
          : {
              safeToCallBack: tri(s.safeToCallBack),
              safeTimes: optional(s.safeTimes),
              codeWord: optional(s.codeWord),
              doNotContactVia: s.doNotContactVia,
            },
      };
    }
    case 'trafficking':
    case 'health':
    case 'legal':
      return { notes: f[cls].notes };
    case 'child':
      return {
        guardianName: optional(f.child.guardianName),
        bestInterestsNotes: optional(f.child.bestInterestsNotes),
      };
  }
}

/** Revealed values as form values, for editing one class. */
export function formFromRevealed(cls: FieldClass, value: RevealedT[FieldClass] | null): ClassForms {
  const f = emptyClasses();
  if (!value) return f;
  switch (cls) {
    case 'identity': {
      const v = value as NonNullable<RevealedT['identity']>;
      f.identity = {
        names: v.names.length ? v.names.map((n) => ({ ...n })) : f.identity.names,
        birthDate: v.birthDate ?? '',
        documents: (v.documents ?? []).map((d) => ({ ...d })),
      };
      break;
    }
    case 'contact': {
      const v = value as NonNullable<RevealedT['contact']>;
      const s = v.safeContact;
      f.contact = {
        addresses: (v.addresses ?? []).map((a) => ({ ...a })),
        phones: (v.phones ?? []).map((p) => ({ ...p })),
        safeContact: {
          safeToCallBack: s ? (s.safeToCallBack ? 'yes' : 'no') : '',
          safeTimes: s?.safeTimes ?? '',
          codeWord: s?.codeWord ?? '',
          doNotContactVia: [...(s?.doNotContactVia ?? [])],
        },
      };
      break;
    }
    case 'trafficking':
    case 'health':
    case 'legal':
      f[cls] = { notes: (value as { notes: string }).notes ?? '' };
      break;
    case 'child': {
      const v = value as NonNullable<RevealedT['child']>;
      f.child = { guardianName: v.guardianName ?? '', bestInterestsNotes: v.bestInterestsNotes ?? '' };
      break;
    }
  }
  return f;
}

type Translate = (id: MessageKey, values?: MessageValues) => string;

/**
 * A resolver that turns form values into the API body and checks it against the shared contract, with
 * messages in the interface language. Handlers receive the parsed body.
 */
export function bodyResolver<V extends FieldValues, B>(
  schema: z.ZodType<B>,
  toBody: (values: V) => unknown,
  t: Translate,
): Resolver<V, unknown, B> {
  const messages = zodMessages(t);
  return async (values, _context, options) => {
    const result = schema.safeParse(toBody(values), { error: messages.error });
    if (result.success) return { values: result.data, errors: {} };
    const flat: Record<string, FieldError> = {};
    for (const issue of result.error.issues) {
      const path = issue.path.join('.');
      flat[path] ??= { type: issue.code, message: issue.message };
    }
    return { values: {}, errors: toNestErrors(flat, options) };
  };
}

/** Every leaf path of a form's values (`identity.names.0.value`), to tell which server issues have a field. */
export function leafPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) {
    const inner = value.flatMap((v, i) => leafPaths(v, `${prefix}${i}.`));
    return [prefix.slice(0, -1), ...inner];
  }
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, `${prefix}${k}.`));
  }
  return [prefix.slice(0, -1)];
}

/** Puts the server's validation issues next to their fields; the rest are listed by the form error. */
export function applyServerIssues(
  error: unknown,
  values: unknown,
  setError: (name: never, error: { type: string; message: string }) => void,
): string[] {
  if (!isApiError(error)) return [];
  const known = new Set(leafPaths(values));
  const shown: string[] = [];
  for (const issue of error.issues) {
    if (!known.has(issue.path)) continue;
    setError(issue.path as never, { type: 'server', message: issue.message });
    shown.push(issue.path);
  }
  return shown;
}
