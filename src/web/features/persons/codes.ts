import { useMemo } from 'react';
import type { Locale } from '../../../shared/domain/locales.js';
import { useLocale } from '../../i18n/LocaleProvider.js';

/** ISO 3166-1 alpha-2: every officially assigned country code. */
export const COUNTRY_CODES: readonly string[] = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV ' +
  'BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ' +
  'ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE ' +
  'IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY ' +
  'MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU ' +
  'NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM ' +
  'SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE ' +
  'VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');

/** ISO 639-1 living languages, plus ISO 639-3 codes of languages spoken in the region that 639-1 lacks. */
export const LANGUAGE_CODES: readonly string[] = (
  'aa ab af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cv cy da de dv dz ee el ' +
  'en es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz id ig ii ik is it iu ja ' +
  'jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my ' +
  'na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pl ps pt qu rm rn ro ru rw sc sd se sg si sk sl sm ' +
  'sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi wa wo xh yi yo ' +
  'za zh zu bal prs'
).split(' ');

/**
 * Browsers ship no Turkmen display names (Chromium answers in English). Until a display-names polyfill
 * with Turkmen data is added, the countries and languages Halas's users meet most are named here; any
 * other falls back to the browser's name, then to the code.
 */
const TK_COUNTRIES: Record<string, string> = {
  AE: 'Birleşen Arap Emirlikleri',
  AF: 'Owganystan',
  AM: 'Ermenistan',
  AT: 'Awstriýa',
  AU: 'Awstraliýa',
  AZ: 'Azerbaýjan',
  BD: 'Bangladeş',
  BE: 'Belgiýa',
  BG: 'Bolgariýa',
  BH: 'Bahreýn',
  BY: 'Belarus',
  CA: 'Kanada',
  CH: 'Şweýsariýa',
  CN: 'Hytaý',
  CY: 'Kipr',
  CZ: 'Çehiýa',
  DE: 'Germaniýa',
  EE: 'Estoniýa',
  EG: 'Müsür',
  ES: 'Ispaniýa',
  FI: 'Finlýandiýa',
  FR: 'Fransiýa',
  GB: 'Beýik Britaniýa',
  GE: 'Gruziýa',
  GR: 'Gresiýa',
  ID: 'Indoneziýa',
  IL: 'Ysraýyl',
  IN: 'Hindistan',
  IQ: 'Yrak',
  IR: 'Eýran',
  IT: 'Italiýa',
  JO: 'Iordaniýa',
  JP: 'Ýaponiýa',
  KG: 'Gyrgyzystan',
  KR: 'Koreýa Respublikasy',
  KW: 'Kuweýt',
  KZ: 'Gazagystan',
  LB: 'Liwan',
  LK: 'Şri-Lanka',
  LT: 'Litwa',
  LV: 'Latwiýa',
  MD: 'Moldowa',
  MN: 'Mongoliýa',
  MY: 'Malaýziýa',
  NL: 'Niderlandlar',
  NO: 'Norwegiýa',
  NP: 'Nepal',
  OM: 'Oman',
  PH: 'Filippinler',
  PK: 'Pakistan',
  PL: 'Polşa',
  QA: 'Katar',
  RO: 'Rumyniýa',
  RU: 'Russiýa',
  SA: 'Saud Arabystany',
  SE: 'Şwesiýa',
  SY: 'Siriýa',
  TH: 'Taýland',
  TJ: 'Täjigistan',
  TM: 'Türkmenistan',
  TR: 'Türkiýe',
  UA: 'Ukraina',
  US: 'Amerikanyň Birleşen Ştatlary',
  UZ: 'Özbegistan',
  VN: 'Wýetnam',
};

const TK_LANGUAGES: Record<string, string> = {
  ar: 'arap dili',
  az: 'azerbaýjan dili',
  bal: 'beluç dili',
  be: 'belarus dili',
  bn: 'bengal dili',
  de: 'nemes dili',
  en: 'iňlis dili',
  es: 'ispan dili',
  fa: 'pars dili',
  fr: 'fransuz dili',
  hi: 'hindi dili',
  hy: 'ermeni dili',
  it: 'italýan dili',
  ja: 'ýapon dili',
  ka: 'gruzin dili',
  kk: 'gazak dili',
  ko: 'koreý dili',
  ku: 'kürt dili',
  ky: 'gyrgyz dili',
  ne: 'nepal dili',
  prs: 'dari dili',
  ps: 'peştun dili',
  ru: 'rus dili',
  tg: 'täjik dili',
  tk: 'türkmen dili',
  tr: 'türk dili',
  ug: 'uýgur dili',
  uk: 'ukrain dili',
  ur: 'urdu dili',
  uz: 'özbek dili',
  zh: 'hytaý dili',
};

const OWN: Partial<Record<Locale, { region: Record<string, string>; language: Record<string, string> }>> = {
  tk: { region: TK_COUNTRIES, language: TK_LANGUAGES },
};

export interface CodeOption {
  code: string;
  label: string;
}

export interface CodeNames {
  country: (code: string) => string;
  language: (code: string) => string;
  countries: CodeOption[];
  languages: CodeOption[];
}

function displayNames(
  locale: Locale,
  type: 'region' | 'language',
): ((code: string) => string | undefined) | null {
  try {
    if (typeof Intl.DisplayNames !== 'function') return null;
    const names = new Intl.DisplayNames([locale], { type, fallback: 'none' });
    return (code) => {
      try {
        const name = names.of(code);
        return name && name !== code ? name : undefined;
      } catch {
        return undefined;
      }
    };
  } catch {
    return null;
  }
}

function build(locale: Locale): CodeNames {
  const supported =
    typeof Intl.DisplayNames === 'function' && Intl.DisplayNames.supportedLocalesOf([locale]).length > 0;
  const own = OWN[locale];
  const region = displayNames(locale, 'region');
  const language = displayNames(locale, 'language');
  const country = (code: string) =>
    (supported ? region?.(code) : undefined) ?? own?.region[code] ?? region?.(code) ?? code;
  const lang = (code: string) =>
    (supported ? language?.(code) : undefined) ?? own?.language[code] ?? language?.(code) ?? code;
  const collator = new Intl.Collator(locale);
  const options = (codes: readonly string[], name: (code: string) => string) =>
    codes.map((code) => ({ code, label: name(code) })).sort((a, b) => collator.compare(a.label, b.label));
  return {
    country,
    language: lang,
    countries: options(COUNTRY_CODES, country),
    languages: options(LANGUAGE_CODES, lang),
  };
}

const cache = new Map<Locale, CodeNames>();

/** Country and language names in the interface language (`Intl.DisplayNames`, then our own, then the code). */
export function useCodeNames(): CodeNames {
  const { locale } = useLocale();
  return useMemo(() => {
    let names = cache.get(locale);
    if (!names) {
      names = build(locale);
      cache.set(locale, names);
    }
    return names;
  }, [locale]);
}
