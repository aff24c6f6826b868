import { formOfLowerPart, type NamePart, nameParts, type Reading, skeletonOfForm } from './normalise.js';

/**
 * Blind-index token values of names (rules in ./README.md). These strings are never stored: the server keys
 * them (HMAC) and stores only the digest. Each value carries its kind as a prefix, so that a digest also
 * says how it matched without reading anything but the index.
 *
 *   kind 0  whole normalised part (form)
 *   kind 1  phonetic skeleton of a part
 *   kind 2  one-deletion neighbour of a skeleton (SymSpell): two spellings one edit apart share one
 *   kind 3  a combination of two or more parts' skeletons of the same name (sorted): finds a person whose
 *           every part is common (Zipf) without scanning the common parts' long posting lists
 */
export type TokenKind = 0 | 1 | 2 | 3;

export interface NameToken {
  kind: TokenKind;
  /** The string to key (never stored). */
  value: string;
}

/** Version and domain of the token values; a change means re-indexing every person. */
export const TOKEN_DOMAIN = 'halas.name.v1';
const SEP = '\u001f';
const PART_SEP = '\u001e';

export const tokenValue = (kind: TokenKind, text: string) => `${TOKEN_DOMAIN}${SEP}${kind}${SEP}${text}`;

/** Deletion neighbours only for skeletons of at least this many letters (shorter ones match too much). */
export const MIN_DELETION_SKELETON = 3;
/** At most this many deletion neighbours per part (positions beyond are not covered in long names). */
export const MAX_DELETIONS_PER_PART = 16;
/** Parts that take part in combinations (kind 3): the first distinct skeletons of a name, up to this many. */
export const MAX_COMBINATION_PARTS = 4;
/** Parts of a name that are indexed at all. */
export const MAX_PARTS = 8;

/** Distinct one-deletion neighbours of a skeleton (code points, not UTF-16 units). */
export function deletions(skeleton: string): string[] {
  const chars = Array.from(skeleton);
  if (chars.length < MIN_DELETION_SKELETON) return [];
  const out = new Set<string>();
  for (let i = 0; i < chars.length && i < MAX_DELETIONS_PER_PART; i++) {
    out.add(chars.slice(0, i).join('') + chars.slice(i + 1).join(''));
  }
  return [...out];
}

/** Every subset of at least two of the given distinct skeletons, as sorted, joined strings. */
export function combinations(skeletons: string[]): string[] {
  const distinct = [...new Set(skeletons)].slice(0, MAX_COMBINATION_PARTS).sort();
  const out: string[] = [];
  for (let mask = 1; mask < 1 << distinct.length; mask++) {
    const picked = distinct.filter((_, i) => mask & (1 << i));
    if (picked.length >= 2) out.push(picked.join(PART_SEP));
  }
  return out;
}

const combinationOf = (skeletons: string[]) => [...new Set(skeletons)].sort().join(PART_SEP);

/** The tokens stored for a person with these names (primary name and aliases), without duplicates. */
export function indexTokens(names: readonly string[]): NameToken[] {
  const seen = new Map<string, TokenKind>();
  const add = (kind: TokenKind, text: string) => {
    const value = tokenValue(kind, text);
    if (!seen.has(value)) seen.set(value, kind);
  };
  for (const name of names) {
    const parts = nameParts(name).slice(0, MAX_PARTS);
    for (const part of parts) {
      add(0, part.form);
      add(1, part.skeleton);
      for (const d of deletions(part.skeleton)) add(2, d);
    }
    for (const c of combinations(parts.map((p) => p.skeleton))) add(3, c);
  }
  return [...seen].map(([value, kind]) => ({ kind, value }));
}

/** How a query token matches a stored one; weights are per query part, the best one counts. */
export const MATCH = {
  /** same normalised form */
  form: 1,
  /** same skeleton */
  skeleton: 0.9,
  /** skeletons one edit apart (insertion or deletion), or recovered by undoing one typo */
  oneEdit: 0.7,
  /** both skeletons lose one letter to meet (substitution, transposition; sometimes two edits) */
  deletionPair: 0.55,
} as const;

export interface QueryPlan {
  parts: NamePart[];
  /**
   * Token value → what a match means: query part index → weight. A part's token has one entry; a
   * combination has one per part it covers (a part recovered from a typo counts as one edit).
   */
  tokens: Map<string, Map<number, number>>;
}

const ALPHABET_LATIN = Array.from('abcdefghijklmnopqrstuvwxyzäçňöşüýž');
const ALPHABET_CYRILLIC = Array.from('абвгдеёжзийклмнопрстуфхцчшщъыьэюяәөүңҗ');
const SKELETON_ALPHABET = Array.from('abcdefghijklmnoprstuvxz');

/** Distinct strings one Damerau edit away from `chars` over `alphabet` (plus the string itself). */
function edits1(chars: string[], alphabet: string[]): Set<string> {
  const n = chars.length;
  const heads: string[] = [''];
  for (let i = 0; i < n; i++) heads.push(heads[i]! + chars[i]!);
  const tails: string[] = new Array(n + 1).fill('');
  for (let i = n - 1; i >= 0; i--) tails[i] = chars[i]! + tails[i + 1]!;
  const out = new Set<string>([heads[n]!]);
  for (let i = 0; i <= n; i++) {
    const head = heads[i]!;
    const tail = tails[i]!;
    for (const a of alphabet) out.add(head + a + tail);
    if (i < n) {
      const rest = tails[i + 1]!;
      out.add(head + rest);
      for (const a of alphabet) if (a !== chars[i]) out.add(head + a + rest);
      if (i + 1 < n) out.add(head + chars[i + 1] + chars[i] + tails[i + 2]!);
    }
  }
  return out;
}

/**
 * The skeletons a written part may have had before one typo: every single edit (insertion, deletion,
 * substitution, transposition) of the part as written, in its own script, and of its skeleton. Undoing the
 * typo gives back the original spelling, so the original skeleton is always among them, even when the typo
 * moved the skeleton by more than one letter (it broke a digraph, sh → hs, or made two letters meet and
 * collapse). Memoised: names repeat.
 */
export function recoveries(rawPart: string, reading: Reading): Set<string> {
  const lower = rawPart.normalize('NFC').toLowerCase();
  const key = `${reading}:${lower}`;
  const cached = recoveryCache.get(key);
  if (cached) return cached;
  const chars = Array.from(lower);
  const cyrillic = chars.some((c) => c >= '\u0400' && c <= '\u052f');
  const out = new Set<string>();
  if (chars.length <= 24) {
    for (const edited of edits1(chars, cyrillic ? ALPHABET_CYRILLIC : ALPHABET_LATIN)) {
      const form = formOfLowerPart(edited);
      if (form.length >= 2) out.add(skeletonOfForm(form, reading));
    }
  }
  const skeleton = skeletonOfForm(formOfLowerPart(lower), reading);
  const sk = Array.from(skeleton);
  if (sk.length <= 24) for (const e of edits1(sk, SKELETON_ALPHABET)) if (e.length >= 2) out.add(e);
  out.delete(skeleton);
  if (recoveryCache.size >= RECOVERY_CACHE_SIZE) recoveryCache.delete(recoveryCache.keys().next().value!);
  recoveryCache.set(key, out);
  return out;
}

const RECOVERY_CACHE_SIZE = 5000;
const recoveryCache = new Map<string, Set<string>>();

type TokenWeights = Map<string, Map<number, number>>;

function adder(tokens: TokenWeights) {
  return (kind: TokenKind, text: string, part: number, weight: number) => {
    const value = tokenValue(kind, text);
    let parts = tokens.get(value);
    if (!parts) {
      parts = new Map();
      tokens.set(value, parts);
    }
    if ((parts.get(part) ?? 0) < weight) parts.set(part, weight);
  };
}

/**
 * The tokens to look up for a query and what each match means. Per part: its form, its skeleton (against
 * stored skeletons and stored deletions) and its deletions (against both). For the whole name: the
 * combinations of its parts' skeletons.
 */
export function queryPlan(name: string): QueryPlan {
  const parts = nameParts(name).slice(0, MAX_PARTS);
  const tokens: TokenWeights = new Map();
  const add = adder(tokens);
  parts.forEach((part, i) => {
    add(0, part.form, i, MATCH.form);
    add(1, part.skeleton, i, MATCH.skeleton);
    if (Array.from(part.skeleton).length >= MIN_DELETION_SKELETON - 1)
      add(2, part.skeleton, i, MATCH.oneEdit);
    for (const d of deletions(part.skeleton)) {
      add(1, d, i, MATCH.oneEdit);
      add(2, d, i, MATCH.deletionPair);
    }
  });
  // combinations: which query parts does each distinct skeleton stand for
  const skeletons = parts.map((p) => p.skeleton);
  const partsOf = (skeleton: string) => skeletons.flatMap((s, i) => (s === skeleton ? [i] : []));
  for (const c of combinations(skeletons)) {
    for (const s of c.split(PART_SEP)) for (const i of partsOf(s)) add(3, c, i, MATCH.skeleton);
  }
  return { parts, tokens };
}

/**
 * Combinations of all the query's parts with one part replaced by each of its typo recoveries: they find a
 * person whose every part is too common to retrieve by itself when one part carries a typo. Empty for a
 * query of one part, or of more parts than combinations cover. `only`: recover just these parts (the
 * server recovers the parts whose skeleton no one has: the likely typos).
 */
export function recoveryPlan(plan: QueryPlan, only?: ReadonlySet<number>): TokenWeights {
  const tokens: TokenWeights = new Map();
  const skeletons = plan.parts.map((p) => p.skeleton);
  if (plan.parts.length > MAX_COMBINATION_PARTS || new Set(skeletons).size < 2) return tokens;
  const add = adder(tokens);
  plan.parts.forEach((part, i) => {
    if (only && !only.has(i)) return;
    for (const r of recoveries(part.raw, part.reading)) {
      const replaced = skeletons.map((s, j) => (j === i ? r : s));
      if (new Set(replaced).size !== replaced.length) continue;
      const c = combinationOf(replaced);
      for (let j = 0; j < replaced.length; j++) add(3, c, j, j === i ? MATCH.oneEdit : MATCH.skeleton);
    }
  });
  return tokens;
}

/** Tokens of the query (with its recovery combinations when `recover`), for tests and tools. */
export function queryTokenValues(name: string, recover = false): Set<string> {
  const plan = queryPlan(name);
  const values = new Set(plan.tokens.keys());
  if (recover) for (const v of recoveryPlan(plan).keys()) values.add(v);
  return values;
}
