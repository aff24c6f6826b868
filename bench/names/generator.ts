/**
 * Seeded synthetic persons with realistic Turkmen, Russian and other Central-Asian names, and a query set with
 * ground truth (the target person's id) for measuring name search. Same seed → same data, ids included.
 *
 * A person's name is a set of components (given name, patronymic, family name), each with a native spelling
 * (Turkmen Latin for Turkmen names, Cyrillic for the others). It is *written* in one of several systems:
 * Turkmen Latin, Turkmen Cyrillic, Russian Cyrillic (Russified spelling of Turkmen names), or an English
 * transliteration (BGN/PCGN, ICAO 9303 as in passports, or a popular one). Frequencies follow Zipf's law.
 * Queries are the written name with exactly one typo, or the same components written in the other script.
 */
import { cyrillicToLatin } from '../../src/shared/domain/names/normalise.js';

// ---------------------------------------------------------------------------------------------------------
// Randomness

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number | string) {
    // sfc32 seeded through a string hash, so that seeds like "persons" and "queries" are independent
    let h = 1779033703 ^ String(seed).length;
    for (const ch of String(seed)) {
      h = Math.imul(h ^ ch.charCodeAt(0), 3432918353);
      h = (h << 13) | (h >>> 19);
    }
    const next = () => {
      h = Math.imul(h ^ (h >>> 16), 2246822507);
      h = Math.imul(h ^ (h >>> 13), 3266489909);
      h ^= h >>> 16;
      return h >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.next();
  }
  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  uuid(): string {
    const hex: string[] = [];
    for (let i = 0; i < 16; i++) {
      let byte = this.int(256);
      if (i === 6) byte = (byte & 0x0f) | 0x40;
      if (i === 8) byte = (byte & 0x3f) | 0x80;
      hex.push(byte.toString(16).padStart(2, '0'));
    }
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/**
 * Picks from a list by the Zipf–Mandelbrot law: rank r (from 1) has weight 1 / (r + q)^s. With q = 0 it is
 * Zipf's law; a small q flattens the head, as in real name frequencies (the most frequent Turkmen or Russian
 * name or surname is a few per cent of people, not a sixth).
 */
export class Zipf<T> {
  private readonly cumulative: number[];
  constructor(
    readonly items: readonly T[],
    s = 1,
    q = 0,
  ) {
    let sum = 0;
    this.cumulative = items.map((_, r) => {
      sum += 1 / (r + 1 + q) ** s;
      return sum;
    });
  }
  /** Share of the most frequent item. */
  get headShare(): number {
    return this.cumulative[0]! / this.cumulative[this.cumulative.length - 1]!;
  }
  pick(rng: Rng): T {
    const x = rng.next() * this.cumulative[this.cumulative.length - 1]!;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return this.items[lo]!;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Name inventories, roughly by frequency (most frequent first)

const TK_MALE = `Myrat Aman Serdar Batyr Merdan Döwlet Maksat Rahman Ahmet Mämmet Gurbanguly Kakajan Begenç Atamyrat
Annamyrat Orazmyrat Nurmuhammet Baýram Rejep Şatlyk Arslan Azat Bagtyýar Eziz Hojamyrat Jumageldi Kerim Nazar Öwez
Perhat Resul Saparmyrat Täçmyrat Wepa Ýazmyrat Allaberdi Annaguly Atageldi Çary Durdy Gylyç Hemra Ilýas Jepbar Kemal
Oraz Orazgeldi Pälwan Rüstem Sähet Toýly Ýusup Ýakup Gurban Meret Nury Berdi Hudaýberdi Hangeldi Babageldi Garry
Halmyrat Ata Amanmyrat Bekmyrat Bäşim Döwran Geldi Gulgeldi Hydyr Mekan Nepes Nyýaz Sahy Söýün Tagan Ýagmyr Ýoldaş
Yhlas Magtymguly Muhammet Mergen Şöhrat Toýjan Dädebaý Begmyrat Agajan Akmyrat Allanazar Atabaý Baýramgeldi Berdimyrat
Çarymyrat Daňatar Ezizmyrat Gadam Gandym Guwanç Hally Işangeldi Jora Kadyr Kurbanmyrat Myratberdi Nobat Orazberdi
Pena Ruslan Sapar Seýit Şamyrat Tirkiş Ussa Wekil Ylýas Ahmetjan Aşyr Bahtiýar Bally Dowletgeldi Ikram Ybraýym`;

const TK_FEMALE = `Aýgül Jeren Maral Mähri Ogulgerek Gülnara Bägül Näzik Gülälek Aýna Dursun Enejan Gözel Jemal Leýla Merjen
Nurjemal Ogulbibi Ogulgurban Ogulşat Ogulnabat Selbi Sona Şemşat Tylla Täzegül Ýazgül Zöhre Ejegyz Bahar Aýsoltan
Annagül Gülşat Gülbahar Jahan Keýik Läle Maýsa Mähriban Nabat Oguljan Owadan Sülgün Şirin Züleýha Sapargül Bibi
Durdygül Akgül Altyn Aýjemal Gunça Ýakut Mahym Meretgül Amangül Ogulsapar Mährijemal Arzygül Bossan Dünýägözel
Gülşirin Nurgözel Aýnabat Gülşen Annabibi Kümüş Gülbadam Ogulmaral Aýperi Bilbil Dilber Gyzlargül Jennet Laçyn
Mahrijemal Nargiza Orazgül Parahat Raýhan Sähra Tawus Umyt Wepagül Ýulduz Zybagül Aýşat Gülnur Humaý Jahangül`;

/** Russian names with their patronymic forms (male, female) when used as a father's name. */
const RU_MALE: Array<[string, string, string]> = [
  ['Александр', 'Александрович', 'Александровна'],
  ['Сергей', 'Сергеевич', 'Сергеевна'],
  ['Дмитрий', 'Дмитриевич', 'Дмитриевна'],
  ['Андрей', 'Андреевич', 'Андреевна'],
  ['Алексей', 'Алексеевич', 'Алексеевна'],
  ['Владимир', 'Владимирович', 'Владимировна'],
  ['Николай', 'Николаевич', 'Николаевна'],
  ['Игорь', 'Игоревич', 'Игоревна'],
  ['Евгений', 'Евгеньевич', 'Евгеньевна'],
  ['Михаил', 'Михайлович', 'Михайловна'],
  ['Юрий', 'Юрьевич', 'Юрьевна'],
  ['Виктор', 'Викторович', 'Викторовна'],
  ['Олег', 'Олегович', 'Олеговна'],
  ['Павел', 'Павлович', 'Павловна'],
  ['Иван', 'Иванович', 'Ивановна'],
  ['Артём', 'Артёмович', 'Артёмовна'],
  ['Максим', 'Максимович', 'Максимовна'],
  ['Вячеслав', 'Вячеславович', 'Вячеславовна'],
  ['Геннадий', 'Геннадьевич', 'Геннадьевна'],
  ['Фёдор', 'Фёдорович', 'Фёдоровна'],
];
const RU_FEMALE = `Елена Ольга Наталья Татьяна Ирина Светлана Анна Юлия Екатерина Людмила Галина Марина Валентина Любовь Мария
Ксения Надежда Оксана Алёна Яна`;
const RU_FAMILY = `Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков Алексеев Лебедев
Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев
Григорьев`;
const RU_UNGENDERED_FAMILY = ['Ким', 'Шевченко', 'Бондаренко', 'Пак'];

const UZ_MALE = `Шерзод Фаррух Бахтиёр Улугбек Рустам Жасур Санжар Азиз Бобур Отабек Дилшод Тимур Жахонгир Шухрат Ильхом Равшан
Акмал Фарход Бекзод Хуршид`;
const UZ_FEMALE = `Дильноза Гулноза Нилуфар Шахноза Мадина Зарина Феруза Малика Севара Умида Дилфуза Камола Нодира Гулчехра Мохира`;
const UZ_FAMILY = `Каримов Юсупов Рахимов Ахмедов Тошматов Исмоилов Абдуллаев Усмонов Хакимов Эргашев Мирзаев Назаров Султанов
Холматов Рашидов Алимов Турсунов Саидов Жураев Норматов`;
const KZ_MALE = `Нурлан Ерлан Асхат Даурен Ержан Болат Серик Айдос Арман Канат Азамат Бауыржан Ермек Марат Данияр`;
const KZ_FEMALE = `Айгерим Гульмира Динара Асель Жанар Сауле Айжан Карлыгаш Мадина Ботагоз Гульнар Жанна Акмарал Назерке Алия`;
const KZ_FAMILY = `Ахметов Жумабаев Сулейменов Омаров Искаков Абенов Тулегенов Байжанов Кенжебаев Нурланов Сейткали Есенов
Мухамедов Кудайбергенов Исаев`;

/** Turkmen family-name bases (mostly fathers' or forefathers' names); the suffix follows vowel harmony. */
const TK_FAMILY_BASES = `Oraz Anna Ata Berdi Durdy Gurban Hoja Nurmämmet Çary Aman Sapar Mämmet Öwez Rejep Baýram Allaberdi Garry
Meret Nepes Baba Juma Hudaýberdi Geldi Hally Kaka Pirli Soltan Täçmyrat Myrat Ahmet Kurban Seýitguly Ýazmyrat Annaguly
Atajan Babaýew Çaryýar Durdymyrat Gylyç Hojageldi Işan Jora Kadyr Kerim Mollaýew Nazar Nury Orazgeldi Pälwan Rahman
Sähet Tagan Toýly Ussa Wepa Ýakup Ýusup Agajan Akmyrat Atamyrat Bally Begenç Berdimuhamet Bäşim Gandym Gurbanmyrat
Halmyrat Ilýas Myratgeldi Nobat Nyýaz Rozy Saparmyrat Şamyrat Tirkiş Ödek Ylýas Aşyr Hemra Sary Gulmyrat Kulyýew`;

const words = (s: string) => s.split(/\s+/u).filter(Boolean);

const VOWEL_TK = /[aeäoöuüyi]$/u;

/** Voices a final consonant before a suffix that starts with a vowel (Myrat → Myradow, Begenç → Begenjow). */
function voiceFinal(base: string): string {
  const map: Record<string, string> = { t: 'd', p: 'b', ç: 'j', k: 'g' };
  const voiced = map[base.slice(-1)];
  return voiced ? base.slice(0, -1) + voiced : base;
}

/** -ow after a consonant (Orazow, Myradow), -ýew after a vowel (Annaýew, Berdiýew); -a for women. */
function tkFamily(base: string, sex: Sex): string {
  if (/(ýew|ow|ew)$/u.test(base)) return sex === 'female' ? `${base}a` : base;
  const stem = VOWEL_TK.test(base) ? `${base}ýew` : `${voiceFinal(base)}ow`;
  return `${stem}${sex === 'female' ? 'a' : ''}`;
}

/** Orazowiç / Orazowna, Annaýewiç / Annaýewna. */
function tkPatronymic(father: string, sex: Sex): string {
  const stem = VOWEL_TK.test(father) ? `${father}ýew` : `${voiceFinal(father)}ow`;
  return `${stem}${sex === 'female' ? 'na' : 'iç'}`;
}

/** A Russian-style patronymic for a Central-Asian father's name written in Cyrillic. */
function ruPatronymic(father: string, sex: Sex): string {
  const soft = /[йжшчщцьиы]$/u.test(father);
  const stem = father.replace(/[йь]$/u, '');
  return `${stem}${soft ? 'ев' : 'ов'}${sex === 'female' ? 'на' : 'ич'}`;
}

// ---------------------------------------------------------------------------------------------------------
// Writing systems

export type NameSystem = 'tk-latn' | 'tk-cyrl' | 'ru-cyrl' | 'en-bgn' | 'en-icao' | 'en-popular' | 'en-tk';
export const LATIN_SYSTEMS: NameSystem[] = ['tk-latn', 'en-bgn', 'en-icao', 'en-popular', 'en-tk'];
export const CYRILLIC_SYSTEMS: NameSystem[] = ['tk-cyrl', 'ru-cyrl'];
export const isCyrillicSystem = (s: NameSystem) => s === 'tk-cyrl' || s === 'ru-cyrl';

const capitalise = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** Turkmen Latin → Turkmen Cyrillic (the 1940–1993 orthography, letter for letter). */
function tkLatinToCyrillic(word: string, russified: boolean, rng: Rng): string {
  const w = word.toLowerCase();
  let out = '';
  const vowels = /[aeäoöuüyiаеёиоуыэюяәөү]/u;
  for (let i = 0; i < w.length; i++) {
    const ch = w[i]!;
    const next = w[i + 1];
    const prev = out.slice(-1);
    if (ch === 'ý' && next && 'aueo'.includes(next)) {
      out += { a: 'я', u: 'ю', e: 'е', o: 'ё' }[next as 'a' | 'u' | 'e' | 'o'];
      i++;
      continue;
    }
    const afterConsonant = prev !== '' && !vowels.test(prev);
    switch (ch) {
      case 'ä':
        out += russified ? (afterConsonant && rng.chance(0.15) ? 'я' : 'а') : 'ә';
        break;
      case 'ö':
        out += russified ? (afterConsonant && rng.chance(0.2) ? 'ё' : 'о') : 'ө';
        break;
      case 'ü':
        out += russified ? (afterConsonant && rng.chance(0.3) ? 'ю' : 'у') : 'ү';
        break;
      case 'ň':
        out += russified ? 'н' : 'ң';
        break;
      case 'j':
        out += russified ? 'дж' : 'җ';
        break;
      case 'e':
        out += i === 0 || vowels.test(prev) ? 'э' : 'е';
        break;
      case 'l':
        // Russian spelling softens l in front-vowel words before a consonant or at the end: Айгуль, Гульнара
        out +=
          russified && /[eäöüi]/u.test(w) && (!next || !vowels.test(next)) && /[üäöei]/u.test(w[i - 1] ?? '')
            ? 'ль'
            : 'л';
        break;
      default:
        out +=
          (
            {
              a: 'а',
              b: 'б',
              ç: 'ч',
              d: 'д',
              f: 'ф',
              g: 'г',
              h: 'х',
              i: 'и',
              k: 'к',
              m: 'м',
              n: 'н',
              o: 'о',
              p: 'п',
              r: 'р',
              s: 'с',
              ş: 'ш',
              t: 'т',
              u: 'у',
              w: 'в',
              y: 'ы',
              ý: 'й',
              z: 'з',
              ž: 'ж',
            } as Record<string, string>
          )[ch] ?? ch;
    }
  }
  return capitalise(out);
}

const BGN: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'y',
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
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: "'",
  э: 'e',
  ю: 'yu',
  я: 'ya',
  ё: 'yo',
  ә: 'a',
  ө: 'o',
  ү: 'u',
  ң: 'ng',
  җ: 'j',
};

/** Cyrillic → English: BGN/PCGN, ICAO 9303 (Russian passports since 2013) or a popular mix. */
function cyrillicToEnglish(word: string, system: 'en-bgn' | 'en-icao' | 'en-popular', rng: Rng): string {
  const w = word.toLowerCase();
  let out = '';
  const vowels = /[аеёиоуыэюяәөү]/u;
  for (let i = 0; i < w.length; i++) {
    const ch = w[i]!;
    const prev = w[i - 1];
    const initialOrAfterVowel = prev === undefined || vowels.test(prev) || prev === 'ь' || prev === 'ъ';
    if (system === 'en-icao') {
      const icao: Record<string, string> = {
        е: 'e',
        ё: 'e',
        й: 'i',
        ъ: 'ie',
        ь: '',
        ю: 'iu',
        я: 'ia',
        х: 'kh',
      };
      if (ch === 'и' && w[i + 1] === 'й' && i + 2 === w.length) {
        out += 'ii';
        i++;
        continue;
      }
      out += icao[ch] ?? BGN[ch] ?? ch;
      continue;
    }
    if (ch === 'е') {
      out += initialOrAfterVowel && (system === 'en-bgn' || rng.chance(0.6)) ? 'ye' : 'e';
      continue;
    }
    if (system === 'en-popular') {
      if (ch === 'х') {
        out += rng.chance(0.5) ? 'h' : 'kh';
        continue;
      }
      if (ch === 'ь') continue;
      if (ch === 'д' && w[i + 1] === 'ж') {
        out += rng.chance(0.5) ? 'j' : 'dzh';
        i++;
        continue;
      }
      if (ch === 'и' && w[i + 1] === 'й' && i + 2 === w.length) {
        out += rng.chance(0.5) ? 'iy' : 'y';
        i++;
        continue;
      }
      if (ch === 'в' && i + 1 === w.length && prev === 'о' && rng.chance(0.1)) {
        out += 'ff';
        continue;
      }
    }
    out += BGN[ch] ?? ch;
  }
  return capitalise(out);
}

/** Turkmen Latin → plain English letters (how an aid worker types a Turkmen Latin name). */
function tkLatinToEnglish(word: string, rng: Rng): string {
  const map: Record<string, string> = {
    ä: 'a',
    ö: 'o',
    ü: 'u',
    ň: 'n',
    ş: 'sh',
    ç: 'ch',
    ž: 'zh',
    ý: 'y',
    w: rng.chance(0.5) ? 'v' : 'w',
  };
  return capitalise([...word.toLowerCase()].map((c) => map[c] ?? c).join(''));
}

/** A component written in a system. `native` is Turkmen Latin (`tk` origin) or Cyrillic. */
export function writeComponent(native: string, nativeLatin: boolean, system: NameSystem, rng: Rng): string {
  if (nativeLatin) {
    switch (system) {
      case 'tk-latn':
        return native;
      case 'tk-cyrl':
        return tkLatinToCyrillic(native, false, rng);
      case 'ru-cyrl':
        return tkLatinToCyrillic(native, true, rng);
      case 'en-tk':
        return tkLatinToEnglish(native, rng);
      default:
        // English spellings of Turkmen names mostly come through their Russian spelling (Soviet documents)
        return cyrillicToEnglish(tkLatinToCyrillic(native, true, rng), system, rng);
    }
  }
  switch (system) {
    case 'tk-latn': {
      const latin = cyrillicToLatin(native.toLowerCase());
      return capitalise(latin);
    }
    case 'tk-cyrl':
    case 'ru-cyrl':
      return native;
    case 'en-tk':
      return cyrillicToEnglish(native, 'en-popular', rng);
    default:
      return cyrillicToEnglish(native, system, rng);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Persons

export type Sex = 'female' | 'male';
export type Origin = 'turkmen' | 'russian' | 'uzbek' | 'kazakh';

export interface NameComponents {
  origin: Origin;
  /** Native spellings in order given, patronymic (may be empty), family. */
  given: string;
  patronymic: string;
  family: string;
  /** Natives are Turkmen Latin (else Cyrillic). */
  latin: boolean;
}

export interface SyntheticPerson {
  id: string;
  index: number;
  sex: Sex;
  birthYear: number;
  components: NameComponents;
  /** The written names: primary first, then aliases. */
  names: string[];
  systems: NameSystem[];
  /** Order of the written parts: 'gpf' given-patronymic-family, 'fgp' family-given-patronymic, 'gf'. */
  order: 'gpf' | 'fgp' | 'gf';
}

interface Inventory {
  male: Zipf<string>;
  female: Zipf<string>;
  family: Zipf<string>;
  fathers: Zipf<string>;
}

/**
 * Turkmen compound names (Oraz + myrat, Aý + gül): the long tail after the common simple names. The order is
 * a fixed shuffle, so that frequency does not follow the alphabet.
 */
const TK_MALE_STEMS =
  words(`Oraz Anna Ata Gurban Baýram Sapar Nur Hoja Alla Döwlet Aman Kaka Baba Sähet Täç Ýaz Bek
Ak Ýol Hally Meret Rejep Juma Durdy Ussa Nepes Hudaý Bally Kurban Öwez Ýagmyr Hemra Toýly Nazar Seýit Molla
Garry Çary Berdi Allaýar Pena Soltan Han Jora`);
const TK_MALE_ENDS = words('myrat geldi berdi guly baý nazar durdy mämmet niýaz gylyç ýar jan');
const TK_FEMALE_STEMS =
  words(`Ogul Aý Gül Täze Ene Bibi Mähri Nur Ak Altyn Sona Durdy Anna Sapar Meret Ýaz Kümüş Bagt
Jeren Maral Gyz Ene Dünýä Nabat Şa Gözel Ogulj Bahar Tylla Näzik`);
const TK_FEMALE_ENDS = words('gül jemal bibi soltan gözel jan nabat şat maral gerek bossan sähra');

function shuffled<T>(items: T[], seed: string): T[] {
  const rng = new Rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function compounds(stems: string[], ends: string[], seed: string): string[] {
  const out: string[] = [];
  for (const stem of stems)
    for (const end of ends) {
      const joined = stem.toLowerCase().endsWith(end[0]!) ? stem + end.slice(1) : stem + end;
      out.push(joined[0]!.toUpperCase() + joined.slice(1));
    }
  return shuffled([...new Set(out)], seed);
}

const unique = (items: string[]) => [...new Set(items)];
const tkMaleNames = unique([...words(TK_MALE), ...compounds(TK_MALE_STEMS, TK_MALE_ENDS, 'tk-male')]);
const tkFemaleNames = unique([
  ...words(TK_FEMALE),
  ...compounds(TK_FEMALE_STEMS, TK_FEMALE_ENDS, 'tk-female'),
]);
/** Family names come from forefathers' names: the common bases first, then every male name. */
const tkFamilyBases = unique([...words(TK_FAMILY_BASES), ...shuffled(tkMaleNames, 'tk-family')]);

/** Zipf–Mandelbrot parameters: the head is a few per cent, the tail long. */
const GIVEN = { s: 1, q: 4 };
const FAMILY = { s: 1, q: 8 };

const tkInventory: Inventory = {
  male: new Zipf(tkMaleNames, GIVEN.s, GIVEN.q),
  female: new Zipf(tkFemaleNames, GIVEN.s, GIVEN.q),
  family: new Zipf(tkFamilyBases, FAMILY.s, FAMILY.q),
  fathers: new Zipf(tkMaleNames, GIVEN.s, GIVEN.q),
};
const ruFathers = new Zipf(RU_MALE, GIVEN.s, 2);
const ruInventory = {
  male: new Zipf(
    RU_MALE.map((m) => m[0]),
    GIVEN.s,
    2,
  ),
  female: new Zipf(words(RU_FEMALE), GIVEN.s, 2),
  family: new Zipf([...words(RU_FAMILY), ...RU_UNGENDERED_FAMILY], FAMILY.s, 4),
};
const caInventories: Record<'uzbek' | 'kazakh', Inventory> = {
  uzbek: {
    male: new Zipf(words(UZ_MALE), GIVEN.s, 2),
    female: new Zipf(words(UZ_FEMALE), GIVEN.s, 2),
    family: new Zipf(words(UZ_FAMILY), FAMILY.s, 2),
    fathers: new Zipf(words(UZ_MALE), GIVEN.s, 2),
  },
  kazakh: {
    male: new Zipf(words(KZ_MALE), GIVEN.s, 2),
    female: new Zipf(words(KZ_FEMALE), GIVEN.s, 2),
    family: new Zipf(words(KZ_FAMILY), FAMILY.s, 2),
    fathers: new Zipf(words(KZ_MALE), GIVEN.s, 2),
  },
};

/** Sizes and head shares of the inventories (for the bench's header). */
export function inventorySummary(): string {
  const pct = (z: Zipf<unknown>) => `${z.items.length} (top ${(100 * z.headShare).toFixed(1)}%)`;
  return `Turkmen given names: male ${pct(tkInventory.male)}, female ${pct(tkInventory.female)}; family-name bases ${pct(tkInventory.family)}`;
}

function ruFamily(base: string, sex: Sex): string {
  if (RU_UNGENDERED_FAMILY.includes(base) || sex === 'male') return base;
  return /(ов|ев|ёв|ин)$/u.test(base) ? `${base}а` : base;
}

function drawComponents(rng: Rng, sex: Sex): NameComponents {
  const r = rng.next();
  const origin: Origin = r < 0.85 ? 'turkmen' : r < 0.91 ? 'russian' : r < 0.97 ? 'uzbek' : 'kazakh';
  if (origin === 'turkmen') {
    const given = (sex === 'male' ? tkInventory.male : tkInventory.female).pick(rng);
    return {
      origin,
      given,
      patronymic: tkPatronymic(tkInventory.fathers.pick(rng), sex),
      family: tkFamily(tkInventory.family.pick(rng), sex),
      latin: true,
    };
  }
  if (origin === 'russian') {
    const father = ruFathers.pick(rng);
    return {
      origin,
      given: (sex === 'male' ? ruInventory.male : ruInventory.female).pick(rng),
      patronymic: sex === 'male' ? father[1] : father[2],
      family: ruFamily(ruInventory.family.pick(rng), sex),
      latin: false,
    };
  }
  const inv = caInventories[origin];
  return {
    origin,
    given: (sex === 'male' ? inv.male : inv.female).pick(rng),
    patronymic: ruPatronymic(inv.fathers.pick(rng), sex),
    family: ruFamily(inv.family.pick(rng), sex),
    latin: false,
  };
}

function drawSystem(rng: Rng, c: NameComponents): NameSystem {
  const r = rng.next();
  if (c.latin) {
    if (r < 0.5) return 'tk-latn';
    if (r < 0.75) return 'ru-cyrl';
    if (r < 0.8) return 'tk-cyrl';
    return rng.pick(['en-bgn', 'en-icao', 'en-popular', 'en-tk'] as const);
  }
  if (r < 0.6) return 'ru-cyrl';
  if (r < 0.75) return 'tk-latn';
  return rng.pick(['en-bgn', 'en-icao', 'en-popular'] as const);
}

/** The written name of the components in a system and order. */
export function writeName(
  c: NameComponents,
  system: NameSystem,
  order: SyntheticPerson['order'],
  rng: Rng,
): string {
  const w = (s: string) => (s ? writeComponent(s, c.latin, system, rng) : '');
  const given = w(c.given);
  const family = w(c.family);
  const patronymic = w(c.patronymic);
  const parts =
    order === 'gf'
      ? [given, family]
      : order === 'fgp'
        ? [family, given, patronymic]
        : [given, patronymic, family];
  return parts.filter(Boolean).join(' ');
}

function drawBirthYear(rng: Rng): number {
  // mostly 18–40 years old at registration around 2026, some children and older adults
  const age = Math.round(12 + 30 * ((rng.next() + rng.next() + rng.next()) / 3) * 1.6);
  return 2026 - Math.min(70, Math.max(8, age));
}

export interface GenerateOptions {
  /** Share of persons with one alias (their name written in another system). */
  aliasShare?: number;
}

/** `count` persons; the same seed gives the same persons (ids included). */
export function generatePersons(count: number, seed: number | string, options: GenerateOptions = {}) {
  const rng = new Rng(`persons:${seed}`);
  const aliasShare = options.aliasShare ?? 0.15;
  const persons: SyntheticPerson[] = [];
  for (let index = 0; index < count; index++) {
    const id = rng.uuid();
    const sex: Sex = rng.chance(0.6) ? 'female' : 'male';
    const components = drawComponents(rng, sex);
    const r = rng.next();
    const order: SyntheticPerson['order'] = r < 0.45 ? 'gpf' : r < 0.8 ? 'fgp' : 'gf';
    const system = drawSystem(rng, components);
    const systems = [system];
    const names = [writeName(components, system, order, rng)];
    if (rng.chance(aliasShare)) {
      const alias = drawSystem(rng, components);
      const written = writeName(components, alias, order, rng);
      if (!names.includes(written)) {
        names.push(written);
        systems.push(alias);
      }
    }
    persons.push({ id, index, sex, birthYear: drawBirthYear(rng), components, names, systems, order });
  }
  return persons;
}

// ---------------------------------------------------------------------------------------------------------
// Queries with ground truth

export type QueryKind = 'typo' | 'translit';

export interface NameQuery {
  kind: QueryKind;
  name: string;
  birthYear?: number;
  sex: Sex;
  targetId: string;
  targetIndex: number;
  /** What was done: the typo operation, or the systems from → to. */
  detail: string;
}

const LATIN_TYPO = 'abcdefghijklmnopqrstuvwxyz'.split('');
const CYRILLIC_TYPO = 'абвгдеёжзийклмнопрстуфхцчшщъыьэюя'.split('');

/** The word with exactly one edit (insertion, deletion, substitution, transposition) at a random place. */
export function typo(word: string, rng: Rng): { text: string; op: string } {
  const chars = [...word];
  const cyrillic = chars.some((c) => /\p{Script=Cyrillic}/u.test(c));
  const alphabet = cyrillic ? CYRILLIC_TYPO : LATIN_TYPO;
  for (let attempt = 0; attempt < 20; attempt++) {
    const op = rng.pick(['insert', 'delete', 'substitute', 'transpose'] as const);
    const out = [...chars];
    if (op === 'insert') out.splice(rng.int(chars.length + 1), 0, rng.pick(alphabet));
    else if (op === 'delete') {
      if (chars.length < 3) continue;
      out.splice(rng.int(chars.length), 1);
    } else if (op === 'substitute') out[rng.int(chars.length)] = rng.pick(alphabet);
    else {
      if (chars.length < 2) continue;
      const i = rng.int(chars.length - 1);
      [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
    }
    // keep the capital letter where it was
    const text = out.join('');
    const fixed = word[0] === word[0]?.toUpperCase() ? capitalise(text.toLowerCase()) : text;
    if (fixed.toLowerCase() !== word.toLowerCase()) return { text: fixed, op };
  }
  return { text: `${word}a`, op: 'insert' };
}

export interface QueryOptions {
  typo: number;
  translit: number;
  /** Share of queries that carry a birth year (estimated age), ±0–2 years off (default 0.9). */
  birthYearShare?: number;
}

function queryBirthYear(rng: Rng, person: SyntheticPerson, share: number): number | undefined {
  if (!rng.chance(share)) return undefined;
  const r = rng.next();
  const off = r < 0.55 ? 0 : r < 0.9 ? 1 : 2;
  return person.birthYear + (rng.chance(0.5) ? off : -off);
}

/** A query set over sampled persons: `typo` one-typo variants and `translit` cross-script variants. */
export function generateQueries(
  persons: readonly SyntheticPerson[],
  seed: number | string,
  options: QueryOptions,
) {
  const rng = new Rng(`queries:${seed}`);
  const share = options.birthYearShare ?? 0.9;
  const queries: NameQuery[] = [];
  for (let i = 0; i < options.typo; i++) {
    const person = persons[rng.int(persons.length)]!;
    const written = person.names[0]!;
    const parts = written.split(' ');
    const which = rng.int(parts.length);
    const { text, op } = typo(parts[which]!, rng);
    parts[which] = text;
    queries.push({
      kind: 'typo',
      name: parts.join(' '),
      birthYear: queryBirthYear(rng, person, share),
      sex: person.sex,
      targetId: person.id,
      targetIndex: person.index,
      detail: `${op} in part ${which + 1}`,
    });
  }
  for (let i = 0; i < options.translit; i++) {
    const person = persons[rng.int(persons.length)]!;
    const stored = person.systems;
    // the other script than the primary spelling, avoiding any system the person is already written in
    const wantCyrillic = !isCyrillicSystem(stored[0]!);
    const candidates = (wantCyrillic ? CYRILLIC_SYSTEMS : LATIN_SYSTEMS).filter(
      (s) => !stored.includes(s) && (person.components.latin || s !== 'en-tk'),
    );
    const system = rng.pick(
      candidates.length > 0 ? candidates : wantCyrillic ? CYRILLIC_SYSTEMS : LATIN_SYSTEMS,
    );
    const order = rng.chance(0.7) ? person.order : rng.pick(['gpf', 'fgp'] as const);
    const effectiveOrder = person.order === 'gf' ? 'gf' : order;
    queries.push({
      kind: 'translit',
      name: writeName(person.components, system, effectiveOrder, rng),
      birthYear: queryBirthYear(rng, person, share),
      sex: person.sex,
      targetId: person.id,
      targetIndex: person.index,
      detail: `${stored[0]} → ${system}`,
    });
  }
  return queries;
}

// ---------------------------------------------------------------------------------------------------------
// How many queries no ranker could answer: the same name, an equally close birth year, ten times over

/** Persons by name components: given + family (any patronymic) and given + patronymic + family. */
export function identicalNames(persons: readonly SyntheticPerson[]) {
  const index = new Map<string, SyntheticPerson[]>();
  const add = (key: string, p: SyntheticPerson) => {
    const list = index.get(key);
    if (list) list.push(p);
    else index.set(key, [p]);
  };
  for (const p of persons) {
    const c = p.components;
    add(`${c.given}|${c.family}`, p);
    add(`${c.given}|${c.patronymic}|${c.family}`, p);
  }
  return index;
}

/**
 * Whether at least `k` other persons carry the same name components as the query's target (those the query
 * writes) and a birth year at least as close to the query's: then even a perfect ranker cannot be sure to
 * put the target in the top k.
 */
export function isAmbiguous(
  index: ReturnType<typeof identicalNames>,
  person: SyntheticPerson,
  query: NameQuery,
  k = 10,
): boolean {
  const c = person.components;
  const key = person.order === 'gf' ? `${c.given}|${c.family}` : `${c.given}|${c.patronymic}|${c.family}`;
  const same = index.get(key) ?? [];
  if (query.birthYear === undefined) return same.length > k;
  const d = Math.abs(person.birthYear - query.birthYear);
  let closer = 0;
  for (const other of same)
    if (other.id !== person.id && Math.abs(other.birthYear - query.birthYear) <= d) closer++;
  return closer >= k;
}
