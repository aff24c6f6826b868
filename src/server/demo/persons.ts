import type { z } from 'zod';
import type { PersonCreate } from '../../shared/contracts/persons.js';

/**
 * The demo instance's survivors: invented people (names, numbers and stories are fiction), registered over
 * the fifteen months before the first start (80 of them) by the three agencies whose demo users register persons. They
 * give every screen something true to show: person pages with field classes, consents given, referred and
 * withdrawn, a child with a guardian's consent and the child's assent, a survivor registered twice in two
 * scripts by two agencies (the coordinator's duplicate-review task), and enough closed months for the
 * statistics page to show counts where they are safe and hide them where they are not.
 */
export type DemoRegistrar = 'casemanager' | 'border' | 'hotline';

export interface DemoPerson {
  by: DemoRegistrar;
  /** Registered this many days before the first start. */
  daysAgo: number;
  person: z.input<typeof PersonCreate>;
  /** Agency codes the survivor agreed to be referred to, with what may be shared. */
  referrals?: Array<{ to: string; classes: Array<'identity' | 'contact' | 'trafficking' | 'health'> }>;
  /** Agreed to speak to journalists, then withdrew it this many days later. */
  mediaWithdrawnAfter?: number;
}

const doc = (
  type: 'passport' | 'national_id' | 'birth_certificate',
  number: string,
  issuingCountry: string,
  heldBy: 'person' | 'employer' | 'recruiter' | 'lost',
) => ({ type, number, issuingCountry, heldBy });
const primary = (value: string) => ({ value, kind: 'primary' as const });
const alias = (value: string) => ({ value, kind: 'transliteration' as const });

const FEMALE = [
  'Bahar',
  'Gülnar',
  'Ogulnabat',
  'Enejan',
  'Selbi',
  'Mähri',
  'Sona',
  'Leýli',
  'Gülşat',
  'Merjen',
  'Näzik',
  'Dünýä',
  'Nurjemal',
  'Güljemal',
  'Bibi',
  'Ogulşeker',
  'Aýsoltan',
  'Täzegül',
  'Gözel',
  'Maral',
  'Ogulgerek',
  'Jahan',
  'Şemşat',
  'Akgül',
];
const MALE = ['Batyr', 'Dowran', 'Myrat', 'Kerim', 'Rahym', 'Arslan', 'Nury', 'Ýusup', 'Atamyrat', 'Begenç'];
const SURNAMES = [
  'Ataýew',
  'Gurbanow',
  'Amanow',
  'Meredow',
  'Rejepow',
  'Çaryýew',
  'Nurmuhammedow',
  'Allaberdiýew',
  'Hommadow',
  'Babaýew',
  'Kakaýew',
  'Muradow',
  'Garaýew',
  'Öwezow',
  'Halmyradow',
  'Ýazmyradow',
  'Sähetmyradow',
  'Orazgeldiýew',
  'Tagandurdyýew',
  'Atajanow',
  'Baýramow',
  'Kurbanow',
  'Işangulyýew',
  'Saryýew',
  'Jumaýew',
];
const UZBEK = [
  { female: 'Nargiza Yusupova', male: 'Jasur Rahimov' },
  { female: 'Zarina Rahimova', male: 'Sherzod Tursunov' },
  { female: 'Malika Ergasheva', male: 'Bobur Karimov' },
  { female: 'Gulnora Saidova', male: 'Otabek Nazarov' },
  { female: 'Shahnoza Aliyeva', male: 'Ulugbek Xolmatov' },
  { female: 'Feruza Qodirova', male: 'Akmal Sobirov' },
  { female: 'Dildora Usmonova', male: 'Rustam Mirzayev' },
  { female: 'Kamola Abdullayeva', male: 'Sardor Jurayev' },
  { female: 'Madina Hamidova', male: 'Javlon Ismoilov' },
  { female: 'Nodira Raximova', male: 'Farrux Umarov' },
];
const REGISTRARS: DemoRegistrar[] = ['casemanager', 'border', 'hotline'];

/**
 * `n` lighter records (name, birth year, sex, citizenship, and the consents), spread evenly over the 15
 * months, about three in ten men, every seventh an Uzbek citizen: enough for the statistics page to show
 * counts by year and sex, and to hide the small ones. Deterministic: every demo has the same people.
 */
function generated(n: number): DemoPerson[] {
  return Array.from({ length: n }, (_, i): DemoPerson => {
    const sex = i % 10 === 2 || i % 10 === 5 || i % 10 === 8 ? 'male' : 'female';
    const by = REGISTRARS[(i + Math.floor(i / 3)) % REGISTRARS.length]!;
    const uzbek = i % 7 === 3;
    const surname = SURNAMES[(i * 7) % SURNAMES.length]!;
    const name = uzbek
      ? UZBEK[Math.floor(i / 7) % UZBEK.length]![sex]
      : sex === 'male'
        ? `${MALE[(Math.floor(i / 10) * 3 + Math.floor((i % 10) / 3)) % MALE.length]} ${surname}`
        : `${FEMALE[i % FEMALE.length]} ${surname}a`;
    return {
      by,
      daysAgo: 426 - Math.floor((i * 410) / n),
      person: {
        sex,
        birthYear: 1975 + ((i * 13) % 30),
        citizenships: [uzbek ? 'UZ' : 'TM'],
        languages: uzbek ? ['uz', 'ru'] : ['tk', 'ru'],
        identity: { names: [primary(name)] },
      },
      referrals: by === 'casemanager' ? [] : [{ to: 'social-protection', classes: ['identity'] }],
    };
  });
}

export const DEMO_PERSONS: DemoPerson[] = [
  {
    by: 'casemanager',
    daysAgo: 430,
    person: {
      sex: 'female',
      birthYear: 1996,
      citizenships: ['TM'],
      languages: ['tk', 'ru'],
      interpreterNeeded: false,
      identity: {
        names: [primary('Aýnabat Orazgulyýewa'), alias('Айнабат Оразгулыева'), alias('Aynabat Orazguliyeva')],
        birthDate: '1996-03-14',
        documents: [doc('passport', 'A 0000417', 'TM', 'employer')],
      },
      contact: {
        addresses: [{ text: 'Aşgabat, Büzmeýin etraby (demo)', kind: 'current' }],
        phones: [{ number: '+993 65 000 001', safeToCall: true }],
        safeContact: {
          safeToCallBack: true,
          safeTimes: '10:00–12:00',
          codeWord: 'Gülälek',
          doNotContactVia: ['home_visit'],
        },
      },
      trafficking: {
        notes:
          'Работа по дому в Стамбуле, 2023–2024. Паспорт удерживал работодатель, зарплату не платили восемь месяцев, выходить из дома запрещали.',
      },
      health: { notes: 'Бессонница, тревожность; направлена к психологу реабилитационного центра.' },
    },
    referrals: [{ to: 'rehab-centre-ashgabat', classes: ['identity', 'contact', 'health'] }],
    mediaWithdrawnAfter: 40,
  },
  {
    by: 'border',
    daysAgo: 400,
    person: {
      sex: 'female',
      birthYear: 2001,
      citizenships: ['TM'],
      languages: ['tk'],
      identity: {
        names: [primary('Jeren Berdiýewa'), alias('Джерен Бердыева')],
        documents: [doc('passport', 'A 0000932', 'TM', 'person')],
      },
      contact: { phones: [{ number: '+993 65 000 002', safeToCall: false }] },
      trafficking: {
        notes:
          'Returned on a flight from Dubai. Recruited as a "hotel cleaner" by an acquaintance; worked in a massage salon, debt bondage for the ticket.',
      },
    },
    referrals: [{ to: 'social-protection', classes: ['identity', 'contact', 'trafficking'] }],
  },
  {
    by: 'casemanager',
    daysAgo: 380,
    person: {
      sex: 'female',
      birthYear: 2011,
      citizenships: ['TM'],
      languages: ['tk'],
      identity: {
        names: [primary('Maýsa Hojaýewa'), alias('Майса Ходжаева')],
        documents: [doc('birth_certificate', 'I-AŞ 000215', 'TM', 'person')],
      },
      child: {
        guardianName: 'Ogulbike Hojaýewa (demo)',
        bestInterestsNotes: 'Lives with her aunt; school in Aşgabat; no contact with the recruiter’s family.',
      },
      health: { notes: 'Общий осмотр без замечаний.' },
    },
    referrals: [{ to: 'rehab-centre-ashgabat', classes: ['identity', 'health'] }],
  },
  {
    by: 'border',
    daysAgo: 360,
    person: {
      sex: 'male',
      birthYear: 1988,
      citizenships: ['TM'],
      languages: ['tk', 'ru'],
      identity: {
        names: [primary('Serdar Durdyýew'), alias('Сердар Дурдыев')],
        documents: [doc('passport', 'A 0000760', 'TM', 'recruiter')],
      },
      trafficking: {
        notes:
          'Строительство в Подмосковье, 2022–2024: паспорт у бригадира, долг за дорогу, жильё на объекте.',
      },
    },
    referrals: [{ to: 'social-protection', classes: ['identity', 'trafficking'] }],
  },
  {
    by: 'hotline',
    daysAgo: 340,
    person: {
      sex: 'female',
      birthYear: 1993,
      citizenships: ['UZ'],
      languages: ['uz', 'ru'],
      interpreterNeeded: true,
      identity: { names: [primary('Dilnoza Karimova'), alias('Дилноза Каримова')] },
      contact: {
        phones: [{ number: '+993 65 000 003', safeToCall: true }],
        safeContact: {
          safeToCallBack: true,
          safeTimes: 'after 18:00',
          doNotContactVia: ['sms', 'messenger'],
        },
      },
    },
    referrals: [{ to: 'social-protection', classes: ['identity', 'contact'] }],
  },
  {
    by: 'border',
    daysAgo: 215,
    person: {
      sex: 'female',
      birthYear: 1998,
      citizenships: ['TM'],
      languages: ['tk', 'ru'],
      identity: {
        names: [primary('Aýgül Annaýewa')],
        documents: [doc('passport', 'A 0000388', 'TM', 'lost')],
      },
      trafficking: { notes: 'Sewing workshop in Istanbul; documents lost when she left.' },
    },
    referrals: [{ to: 'social-protection', classes: ['identity', 'trafficking'] }],
  },
  {
    by: 'casemanager',
    daysAgo: 150,
    person: {
      sex: 'male',
      birthYear: 2010,
      citizenships: ['TM'],
      languages: ['tk'],
      identity: { names: [primary('Merdan Saparow'), alias('Мердан Сапаров')] },
      child: { guardianName: 'Guardianship authority, Aşgabat (demo)' },
      trafficking: { notes: 'Forced begging in a market town, brought by a relative.' },
    },
  },
  // The survivor registered at the airport months ago comes back to the hotline under the Cyrillic spelling:
  // the hotline does not see the airport's record, so a duplicate-review task goes to the coordinator.
  {
    by: 'hotline',
    daysAgo: 35,
    person: {
      sex: 'female',
      birthYear: 1998,
      citizenships: ['TM'],
      languages: ['ru'],
      identity: { names: [primary('Айгуль Аннаева')] },
      contact: { phones: [{ number: '+993 65 000 004', safeToCall: true }] },
    },
  },
  ...generated(72),
];
