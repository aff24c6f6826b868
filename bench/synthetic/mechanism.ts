/**
 * The synthetic mechanism: agencies of every type across Turkmenistan's regions, and their staff with the
 * roles each agency type holds. Deterministic (no randomness here; names of people come from the seeded
 * name generator).
 */
import {
  AGENCY_TYPES,
  type AgencyType,
  ROLE_AGENCY_TYPES,
  type Role,
} from '../../src/shared/domain/access.js';

export interface Region {
  code: string;
  tk: string;
  ru: string;
  en: string;
}

/** Aşgabat city and the five welaýats. */
export const REGIONS: Region[] = [
  { code: 'ag', tk: 'Aşgabat', ru: 'Ашхабад', en: 'Ashgabat' },
  { code: 'ah', tk: 'Ahal', ru: 'Ахал', en: 'Ahal' },
  { code: 'bn', tk: 'Balkan', ru: 'Балкан', en: 'Balkan' },
  { code: 'dz', tk: 'Daşoguz', ru: 'Дашогуз', en: 'Dashoguz' },
  { code: 'lb', tk: 'Lebap', ru: 'Лебап', en: 'Lebap' },
  { code: 'mr', tk: 'Mary', ru: 'Мары', en: 'Mary' },
];

const NAMES: Record<AgencyType, { tk: string; ru: string; en: string }> = {
  border_service: { tk: '{r} serhet nokady', ru: 'Пограничный пункт, {r}', en: '{r} border post' },
  police: { tk: '{r} polisiýa bölümi', ru: 'Отдел полиции, {r}', en: '{r} police department' },
  migration_service: {
    tk: 'Migrasiýa gullugy, {r}',
    ru: 'Миграционная служба, {r}',
    en: '{r} migration service',
  },
  labour_inspection: {
    tk: 'Zähmet gözegçiligi, {r}',
    ru: 'Инспекция труда, {r}',
    en: '{r} labour inspection',
  },
  social_protection: {
    tk: 'Ilaty durmuş taýdan goramak bölümi, {r}',
    ru: 'Отдел социальной защиты, {r}',
    en: '{r} social protection office',
  },
  hotline_ngo: { tk: 'Ynam telefony, {r}', ru: 'Горячая линия, {r}', en: '{r} hotline' },
  rehabilitation_centre: {
    tk: 'Dikeldiş merkezi, {r}',
    ru: 'Реабилитационный центр, {r}',
    en: '{r} rehabilitation centre',
  },
  crisis_room: { tk: 'Krizis otagy, {r}', ru: 'Кризисная комната, {r}', en: '{r} crisis room' },
  ngo: {
    tk: 'Jemgyýetçilik guramasy, {r}',
    ru: 'Общественная организация, {r}',
    en: '{r} civil-society organisation',
  },
  iom: { tk: 'HMG bölümi, {r}', ru: 'Офис МОМ, {r}', en: 'IOM office, {r}' },
  guardianship_authority: {
    tk: 'Hossarlyk edarasy, {r}',
    ru: 'Орган опеки, {r}',
    en: '{r} guardianship authority',
  },
  court_prosecution: { tk: 'Prokuratura, {r}', ru: 'Прокуратура, {r}', en: '{r} prosecutor’s office' },
  statistics_office: {
    tk: 'Statistika bölümi, {r}',
    ru: 'Отдел статистики, {r}',
    en: '{r} statistics office',
  },
  nrm_secretariat: {
    tk: 'Milli mehanizmiň sekretariaty, {r}',
    ru: 'Секретариат национального механизма, {r}',
    en: 'NRM secretariat, {r}',
  },
  system_operator: { tk: 'Halas operatory, {r}', ru: 'Оператор Halas, {r}', en: 'Halas operator, {r}' },
};

/** Agencies of each type: national ones once (in Aşgabat), regional ones per region × the tier's factor. */
const PER_REGION: Record<AgencyType, 'national' | number> = {
  system_operator: 'national',
  nrm_secretariat: 'national',
  statistics_office: 'national',
  iom: 'national',
  migration_service: 1,
  border_service: 2,
  police: 2,
  labour_inspection: 1,
  social_protection: 1,
  hotline_ngo: 1,
  rehabilitation_centre: 1,
  crisis_room: 1,
  ngo: 2,
  guardianship_authority: 1,
  court_prosecution: 1,
};

/** Staff of an agency by type (one agency administrator each, except the operator's system administrators). */
const STAFF: Record<AgencyType, Array<[Role, number]>> = {
  system_operator: [['system_admin', 2]],
  nrm_secretariat: [
    ['national_coordinator', 2],
    ['analyst', 1],
    ['dpo', 1],
    ['nap_focal_point', 1],
    ['agency_admin', 1],
  ],
  statistics_office: [
    ['analyst', 2],
    ['agency_admin', 1],
  ],
  iom: [
    ['case_manager', 2],
    ['trainer', 1],
    ['agency_admin', 1],
  ],
  migration_service: [
    ['frontline_identifier', 2],
    ['nap_focal_point', 1],
    ['agency_admin', 1],
  ],
  border_service: [
    ['frontline_identifier', 3],
    ['agency_admin', 1],
  ],
  police: [
    ['frontline_identifier', 2],
    ['competent_authority', 2],
    ['agency_admin', 1],
  ],
  labour_inspection: [
    ['frontline_identifier', 2],
    ['agency_admin', 1],
  ],
  social_protection: [
    ['case_manager', 3],
    ['agency_admin', 1],
  ],
  hotline_ngo: [
    ['hotline_operator', 4],
    ['agency_admin', 1],
  ],
  rehabilitation_centre: [
    ['service_provider', 3],
    ['case_manager', 1],
    ['agency_admin', 1],
  ],
  crisis_room: [
    ['service_provider', 2],
    ['case_manager', 1],
    ['agency_admin', 1],
  ],
  ngo: [
    ['case_manager', 2],
    ['service_provider', 1],
    ['hotline_operator', 1],
    ['agency_admin', 1],
  ],
  guardianship_authority: [
    ['guardian', 2],
    ['agency_admin', 1],
  ],
  court_prosecution: [
    ['competent_authority', 2],
    ['agency_admin', 1],
  ],
};

/** Where survivors are registered (identification and intake), by agency type: relative weights. */
export const REGISTRATION_WEIGHTS: Partial<Record<AgencyType, number>> = {
  hotline_ngo: 25,
  police: 20,
  border_service: 15,
  ngo: 15,
  social_protection: 10,
  migration_service: 5,
  labour_inspection: 5,
  crisis_room: 3,
  iom: 2,
};

/** Where survivors are referred to (consent recipients), by agency type. */
export const REFERRAL_TYPES: AgencyType[] = [
  'rehabilitation_centre',
  'social_protection',
  'crisis_room',
  'ngo',
  'iom',
  'guardianship_authority',
];

export interface AgencySpec {
  code: string;
  type: AgencyType;
  region: Region;
  name: { tk: string; ru: string; en: string };
}

export interface UserSpec {
  /** Index among all users (names come from the name generator by this index). */
  index: number;
  username: string;
  agency: string;
  roles: Role[];
}

export function agencies(regionalFactor: number, regions = REGIONS): AgencySpec[] {
  const out: AgencySpec[] = [];
  for (const type of AGENCY_TYPES) {
    const per = PER_REGION[type];
    const places: Array<{ region: Region; n: number }> = [];
    if (per === 'national') places.push({ region: regions[0]!, n: 1 });
    else
      for (const region of regions)
        for (let n = 1; n <= per * regionalFactor; n++) places.push({ region, n });
    for (const { region, n } of places) {
      const label = (template: string, r: string) => {
        const base = template.replace('{r}', r);
        return n > 1 ? `${base} №${n}` : base;
      };
      out.push({
        code: `${type.replace(/_/g, '-')}-${region.code}-${n}`,
        type,
        region,
        name: {
          tk: label(NAMES[type].tk, region.tk),
          ru: label(NAMES[type].ru, region.ru),
          en: label(NAMES[type].en, region.en),
        },
      });
    }
  }
  return out;
}

/** Staff of every agency; roles respect ROLE_AGENCY_TYPES (a hotline operator only in a hotline or NGO). */
export function staff(list: readonly AgencySpec[], staffFactor: number): UserSpec[] {
  const out: UserSpec[] = [];
  for (const a of list) {
    for (const [role, count] of STAFF[a.type]) {
      const allowed = ROLE_AGENCY_TYPES[role];
      if (allowed && !allowed.includes(a.type)) throw new Error(`${role} is not valid in a ${a.type}`);
      const n =
        role === 'agency_admin' || role === 'system_admin' || role === 'dpo' ? count : count * staffFactor;
      for (let i = 0; i < n; i++) {
        const index = out.length;
        out.push({
          index,
          username: `u${String(index).padStart(5, '0')}.${a.code}`,
          agency: a.code,
          roles: [role],
        });
      }
    }
  }
  return out;
}
