import type { AgencyType, Role } from '../../shared/domain/access.js';

/** The demo instance: agencies of a national mechanism in Turkmenistan and one user per role. */
export const DEMO_PASSWORD = 'Garagum-desert-2026';

export const DEMO_AGENCIES: Array<{
  code: string;
  type: AgencyType;
  region: string | null;
  name: { tk: string; ru: string; en: string };
}> = [
  {
    code: 'halas-operator',
    type: 'system_operator',
    region: null,
    name: { tk: 'Halas ulgamynyň operatory', ru: 'Оператор системы Halas', en: 'Halas system operator' },
  },
  {
    code: 'nrm-secretariat',
    type: 'nrm_secretariat',
    region: 'Aşgabat',
    name: {
      tk: 'Milli mehanizmiň sekretariaty',
      ru: 'Секретариат национального механизма',
      en: 'National Referral Mechanism secretariat',
    },
  },
  {
    code: 'border-ashgabat-airport',
    type: 'border_service',
    region: 'Aşgabat',
    name: {
      tk: 'Aşgabat halkara howa menzilindäki serhet nokady',
      ru: 'Пограничный пункт международного аэропорта Ашхабада',
      en: 'Ashgabat International Airport border post',
    },
  },
  {
    code: 'police-ashgabat',
    type: 'police',
    region: 'Aşgabat',
    name: {
      tk: 'Içeri işler ministrligi, Aşgabat şäher polisiýasy',
      ru: 'МВД, полиция города Ашхабада',
      en: 'Ministry of Internal Affairs, Ashgabat city police',
    },
  },
  {
    code: 'migration-service',
    type: 'migration_service',
    region: 'Aşgabat',
    name: {
      tk: 'Türkmenistanyň Döwlet migrasiýa gullugy',
      ru: 'Государственная миграционная служба Туркменистана',
      en: 'State Migration Service of Turkmenistan',
    },
  },
  {
    code: 'labour-inspection',
    type: 'labour_inspection',
    region: 'Aşgabat',
    name: {
      tk: 'Döwlet zähmet gözegçiligi',
      ru: 'Государственная инспекция труда',
      en: 'State Labour Inspection',
    },
  },
  {
    code: 'social-protection',
    type: 'social_protection',
    region: 'Aşgabat',
    name: {
      tk: 'Zähmet we ilaty durmuş taýdan goramak ministrligi',
      ru: 'Министерство труда и социальной защиты населения',
      en: 'Ministry of Labour and Social Protection',
    },
  },
  {
    code: 'hotline-ngo',
    type: 'hotline_ngo',
    region: 'Aşgabat',
    name: {
      tk: 'Ynam telefony (jemgyýetçilik guramasy)',
      ru: 'Горячая линия (общественная организация)',
      en: 'Hotline (non-governmental organisation)',
    },
  },
  {
    code: 'rehab-centre-ashgabat',
    type: 'rehabilitation_centre',
    region: 'Aşgabat',
    name: {
      tk: 'Döwlet dikeldiş merkezi',
      ru: 'Государственный реабилитационный центр',
      en: 'State rehabilitation centre',
    },
  },
  {
    code: 'crisis-room-mary',
    type: 'crisis_room',
    region: 'Mary',
    name: {
      tk: 'Mary welaýatynyň krizis otagy',
      ru: 'Кризисная комната Марыйского велаята',
      en: 'Mary province crisis room',
    },
  },
  {
    code: 'guardianship-ashgabat',
    type: 'guardianship_authority',
    region: 'Aşgabat',
    name: {
      tk: 'Hossarlyk we howandarlyk edarasy',
      ru: 'Орган опеки и попечительства',
      en: 'Guardianship authority',
    },
  },
  {
    code: 'iom-turkmenistan',
    type: 'iom',
    region: 'Aşgabat',
    name: {
      tk: 'Halkara migrasiýa guramasy, Türkmenistan',
      ru: 'Международная организация по миграции, Туркменистан',
      en: 'International Organization for Migration, Turkmenistan',
    },
  },
];

export const DEMO_USERS: Array<{
  username: string;
  displayName: string;
  locale: 'tk' | 'ru' | 'en';
  agency: string;
  roles: Role[];
}> = [
  {
    username: 'sysadmin',
    displayName: 'Merdan Ataýew',
    locale: 'tk',
    agency: 'halas-operator',
    roles: ['system_admin'],
  },
  {
    username: 'agencyadmin',
    displayName: 'Aýgül Orazowa',
    locale: 'tk',
    agency: 'police-ashgabat',
    roles: ['agency_admin'],
  },
  {
    username: 'hotline',
    displayName: 'Jeren Nurmyradowa',
    locale: 'tk',
    agency: 'hotline-ngo',
    roles: ['hotline_operator'],
  },
  {
    username: 'border',
    displayName: 'Serdar Hojamuhammedow',
    locale: 'tk',
    agency: 'border-ashgabat-airport',
    roles: ['frontline_identifier'],
  },
  {
    username: 'authority',
    displayName: 'Batyr Annaýew',
    locale: 'ru',
    agency: 'police-ashgabat',
    roles: ['competent_authority'],
  },
  {
    username: 'casemanager',
    displayName: 'Maýsa Gurbanowa',
    locale: 'tk',
    agency: 'social-protection',
    roles: ['case_manager'],
  },
  {
    // a colleague in the same agency: the second approver of identifying exports (ADR 15)
    username: 'casemanager2',
    displayName: 'Aýna Orazowa',
    locale: 'ru',
    agency: 'social-protection',
    roles: ['case_manager'],
  },
  {
    username: 'provider',
    displayName: 'Ogulşat Berdiýewa',
    locale: 'tk',
    agency: 'rehab-centre-ashgabat',
    roles: ['service_provider'],
  },
  {
    username: 'guardian',
    displayName: 'Gülnara Saparowa',
    locale: 'ru',
    agency: 'guardianship-ashgabat',
    roles: ['guardian'],
  },
  {
    username: 'coordinator',
    displayName: 'Döwlet Rejepow',
    locale: 'tk',
    agency: 'nrm-secretariat',
    roles: ['national_coordinator'],
  },
  {
    username: 'nap',
    displayName: 'Leýli Çaryýewa',
    locale: 'tk',
    agency: 'migration-service',
    roles: ['nap_focal_point'],
  },
  {
    username: 'analyst',
    displayName: 'Rustam Ýazmyradow',
    locale: 'en',
    agency: 'nrm-secretariat',
    roles: ['analyst'],
  },
  {
    username: 'trainer',
    displayName: 'Aziza Kakabaýewa',
    locale: 'en',
    agency: 'iom-turkmenistan',
    roles: ['trainer'],
  },
  { username: 'dpo', displayName: 'Şirin Myradowa', locale: 'en', agency: 'nrm-secretariat', roles: ['dpo'] },
];
