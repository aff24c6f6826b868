/**
 * Name normalisation for person search (rules in ./README.md). Pure functions that run in the browser and on
 * the server: a written name in Turkmen Latin, Cyrillic (Russian, Turkmen and other Central-Asian letters)
 * or an English transliteration becomes
 *
 *   1. its **form**: lower case, Cyrillic transliterated to Turkmen Latin letters, diacritics other than the
 *      Turkmen ones removed, apostrophes and hyphens dropped (`Оразов` → `orazow`, `Aýgül` → `aýgül`);
 *   2. its **skeleton**: the form folded to a small phonetic alphabet, so that the usual spellings of one
 *      name in the three scripts meet (`Orazow`, `Оразов`, `Orazoff` → `orazov`; `Ataýew`, `Атаев`,
 *      `Atayev`, `Ataev` → `ataev`; `Myrat`, `Мырат`, `Myrad` → `mirat`).
 */

/** Cyrillic letters (Russian, Turkmen, Kazakh, Uzbek, Tajik, Kyrgyz, Ukrainian) → Turkmen Latin. */
const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'w',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'ýo',
  ж: 'ž',
  з: 'z',
  и: 'i',
  й: 'ý',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'h',
  ц: 'ts',
  ч: 'ç',
  ш: 'ş',
  щ: 'şç',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'ýu',
  я: 'ýa',
  // Turkmen Cyrillic
  ә: 'ä',
  ө: 'ö',
  ү: 'ü',
  ң: 'ň',
  җ: 'j',
  // Kazakh, Uzbek, Tajik, Kyrgyz, Ukrainian, Belarusian
  қ: 'k',
  ғ: 'g',
  ұ: 'u',
  һ: 'h',
  ҳ: 'h',
  і: 'i',
  ї: 'ýi',
  є: 'ýe',
  ґ: 'g',
  ў: 'u',
  ӣ: 'i',
  ӯ: 'u',
  ҷ: 'j',
  ҫ: 's',
};

/** Letters kept with their diacritic in the form (the Turkmen Latin alphabet's special letters). */
const TURKMEN_SPECIAL = new Set(['ä', 'ç', 'ň', 'ö', 'ş', 'ü', 'ý', 'ž']);

/** Older Turkmen Latin (1993) and neighbouring alphabets' letters → today's Turkmen Latin. */
const LATIN_ALIASES: Record<string, string> = {
  ÿ: 'ý',
  ñ: 'ň',
  $: 'ş',
  '¢': 'ç',
  '£': 'ž',
  '¥': 'ý',
  ı: 'i',
  ə: 'ä',
  ß: 'ss',
  æ: 'ae',
  ø: 'o',
  œ: 'oe',
  đ: 'd',
  ł: 'l',
};

const VOWELS_CYR = new Set('аеёиоуыэюяәөүіїєұўӣӯ');
/** Separators between the parts of a name. Hyphens and dots inside a part join it instead. */
const SEPARATORS = /[\s,;/\\|()[\]{}<>_+=*&!?:~^#@%0-9]+/u;

function isCyrillicVowel(ch: string | undefined): boolean {
  return ch !== undefined && VOWELS_CYR.has(ch);
}

const LETTER = /\p{L}/u;

/**
 * Turkmen Latin for Cyrillic text. `е` is `ýe` at the start of a word and after a vowel or a hard/soft sign
 * (Russian pronunciation); `дж` (the Russian spelling of Turkmen `җ`) is `j`. Other characters pass through.
 */
export function cyrillicToLatin(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (code < 0x400 || code > 0x52f) {
      out += ch;
      continue;
    }
    if (ch === 'д' && text[i + 1] === 'ж') {
      out += 'j';
      i++;
      continue;
    }
    if (ch === 'е') {
      const prev = text[i - 1];
      if (prev === undefined || isCyrillicVowel(prev) || prev === 'ъ' || prev === 'ь' || !LETTER.test(prev)) {
        out += 'ýe';
        continue;
      }
    }
    out += CYRILLIC[ch] ?? ch;
  }
  return out;
}

/** Removes diacritics except the Turkmen letters, maps old/neighbouring Latin letters. Input lower case, NFC. */
function foldLatin(text: string): string {
  let out = '';
  for (const ch of text) {
    const alias = LATIN_ALIASES[ch];
    if (alias !== undefined) {
      out += alias;
      continue;
    }
    if (ch.charCodeAt(0) < 0x80 || TURKMEN_SPECIAL.has(ch)) {
      out += ch;
      continue;
    }
    const base = ch.normalize('NFD').replace(/\p{M}+/gu, '');
    // a Turkmen letter written with a combining mark (a + U+0308) comes back precomposed through NFC
    out += base.length > 0 ? base : '';
  }
  return out;
}

/** The raw parts (words) of a written name, NFC lower case; parts whose form is shorter than 2 letters go. */
export function rawNameParts(name: string): string[] {
  return name
    .normalize('NFC')
    .toLowerCase()
    .normalize('NFC')
    .split(SEPARATORS)
    .filter((raw) => Array.from(formOfLowerPart(raw)).length >= 2);
}

/** The parts of a written name (words), each in its normalised form. */
export function nameForms(name: string): string[] {
  return rawNameParts(name).map(formOfLowerPart);
}

/**
 * How the Latin letters of a name are to be read. A name with a Turkmen letter (ä ç ň ö ş ü ý ž) is Turkmen
 * Latin, where `sh` is s + h (ş is sh); otherwise `sh`, `kh`, `zh`, `ch` … are English digraphs. A part
 * written in Cyrillic is always read letter by letter (its form is Turkmen Latin).
 */
export type Reading = 'turkmen' | 'english';

const TURKMEN_LETTER = /[äçňöşüýžÄÇŇÖŞÜÝŽ]/u;
const CYRILLIC_LETTER = /[\u0400-\u052f]/u;

export function readingOfName(name: string): Reading {
  return TURKMEN_LETTER.test(name.normalize('NFC')) ? 'turkmen' : 'english';
}

export function readingOfPart(rawPart: string, nameReading: Reading): Reading {
  return CYRILLIC_LETTER.test(rawPart) ? 'turkmen' : nameReading;
}

/** The normalised form of one part (no separators inside). */
export function formOfPart(rawPart: string): string {
  return formOfLowerPart(rawPart.normalize('NFC').toLowerCase().normalize('NFC'));
}

/** `formOfPart` for text already in lower case and NFC. */
export function formOfLowerPart(lower: string): string {
  const latin = foldLatin(cyrillicToLatin(lower));
  // hyphens, dots and apostrophes join: Ak-Gül → akgül, O'zbek → ozbek; anything else not a letter goes
  return ASCII_LETTERS.test(latin) ? latin : latin.replace(NOT_LETTER, '');
}

const ASCII_LETTERS = /^[a-zäçňöşüýž]*$/u;
const NOT_LETTER = /[^\p{L}]/gu;

/**
 * Multi-letter spellings, longest first. The skeleton alphabet: vowels a e i o u; `c` = ç/ch/ч, `x` = ş/sh/ш,
 * `j` = j/җ/dzh/dj/zh/ž/ж, `h` = h/kh/x/х, `n` = n/ň/ng, `v` = v/w, `k` = k/q; other Latin letters as is.
 */
const DIGRAPHS: Array<[string, string]> = [
  ['shch', 'xc'],
  ['dzh', 'j'],
  ['tch', 'c'],
  ['sch', 'x'],
  ['dž', 'j'],
  ['dj', 'j'],
  ['zh', 'j'],
  ['kh', 'h'],
  ['gh', 'g'],
  ['ch', 'c'],
  ['sh', 'x'],
  ['ng', 'n'],
  ['ph', 'f'],
  ['ck', 'k'],
];

const SINGLE: Record<string, string> = {
  ä: 'a',
  ö: 'o',
  ü: 'u',
  ý: 'i',
  y: 'i',
  ç: 'c',
  ş: 'x',
  ž: 'j',
  ň: 'n',
  w: 'v',
  q: 'k',
  x: 'h',
  c: 'j', // Turkish spelling of Turkmen names: Cuma = Jumа
};

const SKELETON_VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/** Turkmen Latin has no digraphs but `ng` (Cyrillic нг, English ng for ň). */
const TURKMEN_DIGRAPHS: Array<[string, string]> = [['ng', 'n']];
const DIGRAPH_STARTS = new Set(DIGRAPHS.map(([from]) => from[0]!));

/** The phonetic skeleton of a normalised form (see `nameForms`), read as English or Turkmen Latin. */
export function skeletonOfForm(form: string, reading: Reading = 'english'): string {
  const digraphs = reading === 'english' ? DIGRAPHS : TURKMEN_DIGRAPHS;
  const mapped: string[] = [];
  const push = (ch: string) => {
    if (mapped[mapped.length - 1] !== ch) mapped.push(ch);
  };
  for (let i = 0; i < form.length; ) {
    let matched = false;
    if (DIGRAPH_STARTS.has(form[i]!)) {
      for (const [from, to] of digraphs) {
        if (form.startsWith(from, i)) {
          for (const ch of to) push(ch);
          i += from.length;
          matched = true;
          break;
        }
      }
    }
    if (matched) continue;
    const ch = String.fromCodePoint(form.codePointAt(i)!);
    push(SINGLE[ch] ?? ch);
    i += ch.length;
  }
  // glides (y, ý, й, ь + vowel): io is e (ё: Фёдор = Fedor = Fyodor, Ёлдаш = Eldash); before e the i goes
  // (Ataýew = Atayev = Атаев = Ataev, Ýelena = Yelena = Елена = Elena, Aliyev = Aliev); after a consonant
  // it goes before any vowel (Гюльнара = Гульнара, Наталья = Natalia); a final ij is i (Georgij = Георгий)
  const out: string[] = [];
  for (let i = 0; i < mapped.length; i++) {
    const ch = mapped[i]!;
    const next = mapped[i + 1];
    if (ch === 'i' && next !== undefined && SKELETON_VOWELS.has(next)) {
      if (next === 'o') {
        // ё is e in ICAO passports and often in Russian itself: Ёлдаш = Eldash, Фёдор = Федор
        mapped[i + 1] = 'e';
        continue;
      }
      const prev = out[out.length - 1];
      if (next === 'e' || (prev !== undefined && !SKELETON_VOWELS.has(prev))) continue;
    }
    if (ch === 'j' && i === mapped.length - 1 && mapped[i - 1] === 'i') continue;
    if (out[out.length - 1] !== ch) out.push(ch);
  }
  // final devoicing (Myrat/Мурад, Ahmet/Ahmed, Ýakup/Yakub) and -off/-ov
  const last = out.length - 1;
  if (last >= 1) {
    const end = out[last]!;
    if (end === 'd') out[last] = 't';
    else if (end === 'b') out[last] = 'p';
    else if (end === 'g') out[last] = 'k';
    else if (end === 'f' && (out[last - 1] === 'o' || out[last - 1] === 'e')) out[last] = 'v';
    if (out[last] === out[last - 1]) out.pop();
  }
  return out.join('');
}

export interface NamePart {
  /** Normalised form (kind 0). */
  form: string;
  /** Phonetic skeleton (kind 1). */
  skeleton: string;
  /** The part as written (NFC, lower case). */
  raw: string;
  reading: Reading;
}

/** The parts of a written name with their form and skeleton. */
export function nameParts(name: string): NamePart[] {
  const nameReading = readingOfName(name);
  return rawNameParts(name).map((raw) => {
    const form = formOfLowerPart(raw);
    const reading = readingOfPart(raw, nameReading);
    return { form, skeleton: skeletonOfForm(form, reading), raw, reading };
  });
}
