import { describe, expect, it } from 'vitest';
import {
  cyrillicToLatin,
  deletions,
  indexTokens,
  nameForms,
  nameParts,
  queryPlan,
  readingOfName,
  skeletonOfForm,
} from '../../src/shared/domain/names/index.js';

const skeletons = (name: string) => nameParts(name).map((p) => p.skeleton);

describe('forms (kind 0)', () => {
  it.each([
    ['Оразов', ['orazow']],
    ['Orazow', ['orazow']],
    ['Aýgül Gurbanguly', ['aýgül', 'gurbanguly']],
    ['Айгуль', ['aýgul']],
    ['Елена', ['ýelena']],
    ['Атаев', ['ataýew']],
    ['Джума', ['juma']],
    ['Җума', ['juma']],
    ['Щукин', ['şçukin']],
    ['Наталья', ['natalýa']],
    ["Gul'nara Ak-Gül", ['gulnara', 'akgül']],
    ['  MYRAT,  orazow ', ['myrat', 'orazow']],
    ['René Müller', ['rene', 'müller']],
    ['İbrahim Ağa', ['ibrahim', 'aga']],
    ['A. Orazow', ['orazow']],
    ['Ÿusup $atlyk', ['ýusup', 'şatlyk']],
    ['Қанат Ғани Ұлан', ['kanat', 'gani', 'ulan']],
  ])('%s → %j', (name, forms) => {
    expect(nameForms(name)).toEqual(forms);
  });

  it('composes Turkmen letters written with combining marks', () => {
    expect(nameForms('A\u0308y\u0301gu\u0308l')).toEqual(['äýgül']);
  });

  it('reads е as ýe at the start and after a vowel, and дж as j', () => {
    expect(cyrillicToLatin('еламан')).toBe('ýelaman');
    expect(cyrillicToLatin('атаев')).toBe('ataýew');
    expect(cyrillicToLatin('мередов')).toBe('meredow');
    expect(cyrillicToLatin('джерен')).toBe('jeren');
  });
});

describe('skeletons (kind 1): spellings of one name meet', () => {
  it.each([
    [['Orazow', 'Оразов', 'Orazov', 'Orazoff'], 'orazov'],
    [['Ataýew', 'Атаев', 'Atayev', 'Ataev', 'Atayew'], 'ataev'],
    [['Myrat', 'Мырат', 'Myrad'], 'mirat'],
    [['Şatlyk', 'Шатлык', 'Shatlyk'], 'xatlik'],
    [['Çary', 'Чары', 'Chary'], 'cari'],
    [['Jumageldi', 'Җумагелди', 'Джумагельды', 'Dzhumageldi', 'Djumageldi'], 'jumageldi'],
    [['Nurmämmedow', 'Нурмамедов', 'Nurmammedov', 'Nurmammedoff', 'Нурмаммедов'], 'nurmamedov'],
    [['Ýakup', 'Якуб', 'Yakub', 'Yakup'], 'iakup'],
    [['Gülnara', 'Гульнара', "Gul'nara", 'Гюльнара', 'Gyulnara'], 'gulnara'],
    [['Ýelena', 'Елена', 'Yelena', 'Elena'], 'elena'],
    [['Natalýa', 'Наталья', 'Natalya', 'Natalia'], 'natala'],
    [['Fýodor', 'Фёдор', 'Fyodor', 'Fedor', 'Федор'], 'fedor'],
    [['Ýoldaş', 'Ёлдаш', 'Yoldash', 'Eldash'], 'eldax'],
    [['Ýewgeniý', 'Евгений', 'Yevgeniy', 'Evgeniy', 'Evgenii', 'Evgenij'], 'evgeni'],
    [['Hurşit', 'Хуршид', 'Khurshid', 'Xurshid'], 'hurxit'],
    [['Şçukin', 'Щукин', 'Shchukin'], 'xcukin'],
    [['Gurbanguly', 'Гурбангулы'], 'gurbanuli'],
    [['Mähri', 'Махри', 'Мяхри', 'Myakhri', 'Mahri'], 'mahri'],
    [['Aliýew', 'Алиев', 'Aliyev', 'Aliev'], 'alev'],
    [['Cuma', 'Juma', 'Җума'], 'juma'],
  ])('%j → %s', (spellings, skeleton) => {
    for (const s of spellings) expect(skeletons(s), s).toEqual([skeleton]);
  });

  it('reads sh as s + h in a Turkmen Latin name and in Cyrillic (Асхат), as ş in English', () => {
    expect(readingOfName('Ashat Orazowiç')).toBe('turkmen');
    expect(readingOfName('Askhat Orazovich')).toBe('english');
    expect(skeletons('Асхат')).toEqual(['ashat']);
    expect(skeletons('Askhat')).toEqual(['ashat']);
    expect(skeletons('Ashat Orazowiç')[0]).toBe('ashat');
    expect(skeletons('Shatlyk')).toEqual(['xatlik']);
  });

  it('devoices the final consonant and folds -off', () => {
    expect(skeletonOfForm('ahmed')).toBe('ahmet');
    expect(skeletonOfForm('ivanoff')).toBe('ivanov');
    expect(skeletonOfForm('oleg')).toBe('olek');
  });

  it('keeps letters of other scripts', () => {
    expect(skeletons('محمد 李')).toEqual(['محمد']);
    expect(skeletons('Γιώργος')).toEqual(['γιωργος']);
  });
});

describe('tokens', () => {
  it('gives each part a form, a skeleton, its deletions, and combinations of parts', () => {
    const tokens = indexTokens(['Myrat Orazow']);
    const byKind = (k: number) => tokens.filter((t) => t.kind === k).length;
    expect(byKind(0)).toBe(2);
    expect(byKind(1)).toBe(2);
    expect(byKind(2)).toBe(deletions('mirat').length + deletions('orazov').length);
    expect(byKind(3)).toBe(1);
    expect(new Set(tokens.map((t) => t.value)).size).toBe(tokens.length);
  });

  it('caps deletions of long names and skips them for very short skeletons', () => {
    expect(deletions('ab')).toEqual([]);
    expect(deletions('abc').sort()).toEqual(['ab', 'ac', 'bc']);
    expect(deletions('abcdefghijklmnopqrstuvwxyz')).toHaveLength(16);
  });

  it('deduplicates tokens across a person’s names (aliases in another script add only their forms)', () => {
    const one = indexTokens(['Myrat Orazow']);
    const both = indexTokens(['Myrat Orazow', 'Мырат Оразов']);
    expect(both.length).toBe(one.length);
    const russian = indexTokens(['Myrat Orazow', 'Murad Orazov']);
    expect(russian.length).toBeGreaterThan(one.length);
  });

  it('builds combinations from at most four distinct skeletons, in any order', () => {
    const a = indexTokens(['Myrat Orazowiç Annaýew']).filter((t) => t.kind === 3);
    const b = indexTokens(['Annaýew Myrat Orazowiç']).filter((t) => t.kind === 3);
    expect(a.map((t) => t.value).sort()).toEqual(b.map((t) => t.value).sort());
    expect(a).toHaveLength(4); // three pairs and the triple
    const many = indexTokens(['Aa Bb Cc Dd Ee Ff']).filter((t) => t.kind === 3);
    expect(many).toHaveLength(11);
  });

  it('weights a query’s tokens by how they match', () => {
    const plan = queryPlan('Myrat Orazow');
    const weights = [...plan.tokens.values()].flatMap((m) => [...m.values()]);
    expect(Math.max(...weights)).toBe(1);
    expect(new Set(weights)).toEqual(new Set([1, 0.9, 0.7, 0.55]));
  });

  it('ignores empty and punctuation-only names', () => {
    expect(indexTokens(['', '   ', '-- ,,', 'A.'])).toEqual([]);
    expect(queryPlan('').parts).toEqual([]);
  });
});
