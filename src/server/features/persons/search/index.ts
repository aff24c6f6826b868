/**
 * Person search through blind-index name tokens (rules in src/shared/domain/names/README.md). Plaintext names
 * never reach the database: every token is a keyed HMAC of a normalised value, truncated to 16 bytes.
 *
 * The search does NOT apply agency scope: tokens are readable by every request, so that a duplicate in
 * another agency is found. The caller filters the result by scope (and raises a review task for the rest).
 * It runs in the caller's transaction. Birth year and sex of every candidate, in scope or not, come from
 * the database function halas_candidate_demographics (migration 0008), the one path past row-level security
 * that returns those two variables and nothing else.
 */
import {
  indexTokens,
  type NameToken,
  type QueryPlan,
  queryPlan,
  recoveryPlan,
  tokenValue,
} from '../../../../shared/domain/names/tokens.js';
import type { Tx } from '../../../platform/tx.js';

/** The keyed hash of a token value: `Keyring.blindIndex` (HMAC-SHA256 under a secret key). */
export type BlindIndex = (value: string) => Buffer;

/** Bytes of the HMAC kept as the token (128 bits: collisions are out of reach at any register size). */
export const TOKEN_BYTES = 16;

export interface TokenRow {
  token: Buffer;
  kind: number;
}

/** The token rows of a person with these names (primary name first, then aliases). */
export function nameTokenRows(hmac: BlindIndex, names: readonly string[]): TokenRow[] {
  return indexTokens(names).map((t: NameToken) => ({
    token: hmac(t.value).subarray(0, TOKEN_BYTES),
    kind: t.kind,
  }));
}

/** Replaces a person's name tokens (names = primary name + aliases), in the caller's transaction. */
export async function writeNameTokens(
  tx: Pick<Tx, 'query'>,
  hmac: BlindIndex,
  personId: string,
  names: readonly string[],
): Promise<number> {
  const rows = nameTokenRows(hmac, names);
  await tx.query('DELETE FROM person_name_tokens WHERE person_id = $1', [personId]);
  if (rows.length === 0) return 0;
  const result = await tx.query(
    `INSERT INTO person_name_tokens (token, person_id, kind)
     SELECT t.token, $1::uuid, t.kind FROM unnest($2::bytea[], $3::int[]) AS t(token, kind)
     ON CONFLICT (token, person_id) DO NOTHING`,
    [personId, rows.map((r) => r.token), rows.map((r) => r.kind)],
  );
  return result.rowCount ?? rows.length;
}

export interface SearchQuery {
  name: string;
  birthYear?: number;
  sex?: string;
}

export interface SearchHit {
  personId: string;
  score: number;
}

export interface SearchOptions {
  /**
   * A token whose posting list reaches this many persons is too common to retrieve candidates with (Zipf:
   * a frequent given name); it still scores the candidates found through the rarer tokens and through
   * combinations of parts. Bounds the work of one search. Default 250.
   */
  commonCap?: number;
  /** Candidates kept after the first, cheap ranking for exact scoring. Default 100. */
  candidates?: number;
  /**
   * When some tokens were too common, look up the combinations of the query's parts with one part replaced
   * by each of its single-typo recoveries (a second statement). Default true.
   */
  recover?: boolean;
  /**
   * The cache of tokens known to be common (default: the process's `commonTokens`); null: none, every
   * search reads up to `cap` entries of each common token.
   */
  commonTokens?: CommonTokens | null;
  /** Receives what one search did (for the bench and for monitoring; never names). */
  onStats?: (stats: SearchStats) => void;
}

export interface SearchStats {
  /** Tokens looked up in the first statement, and in the recovery statement (0 when not run). */
  tokens: number;
  recoveryTokens: number;
  /** Tokens too common to retrieve with. */
  capped: number;
  /** Candidates scored exactly. */
  candidates: number;
}

/** Birth year and sex bonuses added to the name score (which is in [0, 1]). */
export const BONUS = {
  /** |Δ| = 0, 1, 2 */
  year: [0.12, 0.08, 0.04] as const,
  /** per year beyond ±2, up to −0.3 */
  yearPenalty: 0.03,
  sexMatch: 0.03,
  sexMismatch: -0.1,
};

const KNOWN_SEX = new Set(['female', 'male']);

/**
 * Tokens known to be too common (their posting list reached the cap in an earlier search), so that a
 * search does not read `cap` entries of each again. Digests only (keyed hashes), bounded, with expiry: a
 * token that stops being common is retried after `ttlMs`.
 */
export class CommonTokens {
  private readonly until = new Map<string, number>();
  constructor(
    private readonly maxEntries = 100_000,
    private readonly ttlMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}
  has(digest: string): boolean {
    const until = this.until.get(digest);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(digest);
    return false;
  }
  add(digest: string): void {
    if (this.until.size >= this.maxEntries) this.until.delete(this.until.keys().next().value!);
    this.until.set(digest, this.now() + this.ttlMs);
  }
  get size() {
    return this.until.size;
  }
}

/** The process's cache of common tokens (per database: digests differ by key, not by database). */
export const commonTokens = new CommonTokens();

interface KeyedTokens {
  /** Unique token digests to read posting lists of. */
  tokens: Buffer[];
  /** Digest (latin1) → 1-based index in `tokens`. */
  index: Map<string, number>;
  /** Role arrays (parallel): token index (1-based, as SQL ordinality), query part, weight. */
  roleToken: number[];
  rolePart: number[];
  roleWeight: number[];
  /** Tokens left out because they are known to be common. */
  skipped: number;
}

interface Digests {
  /** Digest (latin1) → best weight per query part, for every token of the query. */
  weights: Map<string, Map<number, number>>;
  all: Buffer[];
}

function keyTokens(
  hmac: BlindIndex,
  weights: Map<string, Map<number, number>>,
  digests: Digests,
  common: CommonTokens | null,
): KeyedTokens {
  const keyed: KeyedTokens = {
    tokens: [],
    index: new Map(),
    roleToken: [],
    rolePart: [],
    roleWeight: [],
    skipped: 0,
  };
  for (const [value, parts] of weights) {
    const digest = hmac(value).subarray(0, TOKEN_BYTES);
    const key = digest.toString('latin1');
    const known = digests.weights.get(key);
    if (!known) {
      digests.weights.set(key, parts);
      digests.all.push(digest);
    } else for (const [part, weight] of parts) if ((known.get(part) ?? 0) < weight) known.set(part, weight);
    if (common?.has(key)) {
      keyed.skipped++;
      continue;
    }
    keyed.tokens.push(digest);
    keyed.index.set(key, keyed.tokens.length);
    for (const [part, weight] of parts) {
      keyed.roleToken.push(keyed.tokens.length);
      keyed.rolePart.push(part);
      keyed.roleWeight.push(weight);
    }
  }
  return keyed;
}

function demographicBonus(query: SearchQuery, birthYear: number | null, sex: string | null): number {
  let bonus = 0;
  if (query.birthYear !== undefined && birthYear !== null) {
    const d = Math.abs(query.birthYear - birthYear);
    bonus += d <= 2 ? BONUS.year[d]! : -Math.min(0.3, BONUS.yearPenalty * (d - 2));
  }
  if (query.sex && sex && KNOWN_SEX.has(query.sex) && KNOWN_SEX.has(sex)) {
    bonus += query.sex === sex ? BONUS.sexMatch : BONUS.sexMismatch;
  }
  return bonus;
}

/**
 * First pass, in one statement: each query token's posting list is read up to `cap` entries; lists that
 * reach the cap (common tokens) are left out; the rest are scored per person (best weight per query part,
 * summed, divided by the number of parts), the best candidates joined to `persons` for the birth-year
 * bonus (soft blocking) and the best of those kept. A last row (person_id NULL) says how many tokens were
 * too common.
 */
const FIRST_PASS = `
WITH q AS (
  SELECT tok, i FROM unnest($1::bytea[]) WITH ORDINALITY AS q(tok, i)
), postings AS MATERIALIZED (
  SELECT q.i, p.person_id, count(*) OVER (PARTITION BY q.i) AS df
  FROM q CROSS JOIN LATERAL (
    SELECT t.person_id FROM person_name_tokens t WHERE t.token = q.tok LIMIT $5
  ) p
), roles AS (
  SELECT * FROM unnest($2::int[], $3::int[], $4::real[]) AS r(i, part, weight)
), best AS (
  SELECT p.person_id, r.part, max(r.weight) AS weight
  FROM postings p JOIN roles r ON r.i = p.i
  WHERE p.df < $5
  GROUP BY p.person_id, r.part
), named AS (
  SELECT person_id, sum(weight) / $6::real AS score FROM best GROUP BY person_id
  ORDER BY score DESC, person_id LIMIT $8
)
SELECT * FROM (
  SELECT n.person_id, n.score, pe.birth_year, pe.sex, NULL::int[] AS capped, NULL::int[] AS unknown
  FROM named n LEFT JOIN halas_candidate_demographics(ARRAY(SELECT person_id FROM named)) pe
    ON pe.person_id = n.person_id
  ORDER BY n.score
    + CASE WHEN $9::int IS NULL OR pe.birth_year IS NULL THEN 0
           WHEN abs(pe.birth_year - $9::int) <= 2 THEN 0.12 - 0.04 * abs(pe.birth_year - $9::int)
           ELSE -least(0.3, 0.03 * (abs(pe.birth_year - $9::int) - 2)) END
    DESC, n.person_id
  LIMIT $7
) c
UNION ALL
SELECT NULL, NULL, NULL, NULL, ARRAY(SELECT DISTINCT i::int FROM postings WHERE df >= $5), ARRAY(
  SELECT probe.i::int FROM unnest($10::int[]) AS probe(i)
  WHERE NOT EXISTS (SELECT 1 FROM postings p WHERE p.i = probe.i AND p.df >= 3))`;

interface Candidate {
  person_id: string | null;
  score: number | null;
  birth_year: number | null;
  sex: string | null;
  /** Last row only: 1-based indexes of the tokens that reached the cap. */
  capped: number[] | null;
  /** Last row only: which of the probed tokens ($10) (almost) no one has. */
  unknown: number[] | null;
}

/** The candidates' tokens that the query has (common ones included): the exact, second-pass scoring. */
const SECOND_PASS = `
WITH c AS MATERIALIZED (SELECT person_id, token FROM person_name_tokens WHERE person_id = ANY($1::uuid[]))
SELECT person_id, token FROM c WHERE token = ANY($2::bytea[])`;

interface Settings {
  cap: number;
  candidates: number;
  partCount: number;
  birthYear: number | null;
  common: CommonTokens | null;
}

/** Runs the first pass for a set of tokens; remembers the tokens that turned out to be common. */
async function firstPass(
  tx: Pick<Tx, 'query'>,
  keyed: KeyedTokens,
  settings: Settings,
  probe: number[] = [],
) {
  if (keyed.tokens.length === 0) return { rows: [], capped: keyed.skipped, unknown: new Set<number>() };
  const r = await tx.query<Candidate>(FIRST_PASS, [
    keyed.tokens,
    keyed.roleToken,
    keyed.rolePart,
    keyed.roleWeight,
    settings.cap,
    settings.partCount,
    settings.candidates,
    // the cut before the join keeps more than the final candidates, so that birth year reorders near-ties
    settings.candidates * 2,
    settings.birthYear,
    probe,
  ]);
  const last = r.rows.at(-1);
  const capped = last?.capped ?? [];
  if (settings.common) for (const i of capped) settings.common.add(keyed.tokens[i - 1]!.toString('latin1'));
  return {
    rows: r.rows.filter((row) => row.person_id !== null),
    capped: capped.length + keyed.skipped,
    unknown: new Set(last?.unknown ?? []),
  };
}

/**
 * Persons whose names match the query across scripts and typos, best first. Not scoped: see the module
 * comment. `score` is the name score in [0, 1] (1: every part matches in its normalised form) plus a small
 * birth-year/sex bonus or penalty. Runs in the caller's transaction (3–6 statements).
 */
export async function searchPersons(
  tx: Pick<Tx, 'query'>,
  hmac: BlindIndex,
  query: SearchQuery,
  limit = 10,
  options: SearchOptions = {},
): Promise<SearchHit[]> {
  const plan = queryPlan(query.name);
  if (plan.parts.length === 0 || limit <= 0) return [];
  // The planner overestimates these statements (it expects long posting lists for every token) and would
  // JIT-compile them, which costs hundreds of milliseconds and saves nothing: off for the search, then
  // restored for the rest of the caller's transaction.
  const jit = await tx.query<{ prev: string | null }>(
    "SELECT current_setting('jit', true) AS prev, set_config('jit', 'off', true)",
  );
  const prevJit = jit.rows[0]?.prev;
  try {
    return await search(tx, hmac, query, limit, options, plan);
  } finally {
    if (prevJit && prevJit !== 'off') await tx.query("SELECT set_config('jit', $1, true)", [prevJit]);
  }
}

async function search(
  tx: Pick<Tx, 'query'>,
  hmac: BlindIndex,
  query: SearchQuery,
  limit: number,
  options: SearchOptions,
  plan: QueryPlan,
): Promise<SearchHit[]> {
  const settings: Settings = {
    cap: options.commonCap ?? 250,
    candidates: Math.max(options.candidates ?? 100, limit),
    partCount: plan.parts.length,
    birthYear: query.birthYear ?? null,
    common: options.commonTokens === undefined ? commonTokens : options.commonTokens,
  };
  const digests: Digests = { weights: new Map(), all: [] };
  const base = keyTokens(hmac, plan.tokens, digests, settings.common);
  // each part's own skeleton token: a part whose skeleton (almost) no one has is probably where a typo is
  const skeletonIndex = plan.parts.map(
    (p) => base.index.get(hmac(tokenValue(1, p.skeleton)).subarray(0, TOKEN_BYTES).toString('latin1')) ?? 0,
  );
  const first = await firstPass(
    tx,
    base,
    settings,
    skeletonIndex.filter((i) => i > 0),
  );
  const found = new Map(first.rows.map((r) => [r.person_id!, r]));
  const recoverOn = first.capped > 0 && (options.recover ?? true);
  // Some parts were too common to retrieve with: look up the combinations of all parts with one part
  // replaced by each of its typo recoveries, first for the parts whose skeleton (almost) no one has.
  const recovered = new Set<number>();
  let recoveryTokens = 0;
  const recover = async (parts: Set<number>) => {
    for (const i of parts) recovered.add(i);
    const tokens = recoveryPlan(plan, parts);
    recoveryTokens += tokens.size;
    if (tokens.size === 0) return;
    const more = await firstPass(tx, keyTokens(hmac, tokens, digests, settings.common), settings);
    for (const r of more.rows) if (!found.has(r.person_id!)) found.set(r.person_id!, r);
  };
  if (recoverOn) {
    const suspects = new Set(plan.parts.flatMap((_, i) => (first.unknown.has(skeletonIndex[i]!) ? [i] : [])));
    if (suspects.size > 0) await recover(suspects);
  }
  let names = await nameScores(tx, found, digests, settings.partCount);
  // No convincing candidate (the typo made another known name: Maral → Mara, the skeleton of Мария):
  // recover the other parts too.
  if (recoverOn && bestOf(names) < CONVINCING && recovered.size < plan.parts.length) {
    await recover(new Set(plan.parts.flatMap((_, i) => (recovered.has(i) ? [] : [i]))));
    names = await nameScores(tx, found, digests, settings.partCount);
  }
  options.onStats?.({
    tokens: plan.tokens.size,
    recoveryTokens,
    capped: first.capped,
    candidates: found.size,
  });
  const hits: SearchHit[] = [...found.values()].map((r) => {
    const score = (names.get(r.person_id!) ?? 0) + demographicBonus(query, r.birth_year, r.sex);
    return { personId: r.person_id!, score: Math.round(score * 1e4) / 1e4 };
  });
  hits.sort((a, b) => b.score - a.score || (a.personId < b.personId ? -1 : 1));
  return hits.slice(0, limit);
}

/**
 * A name score below this (in [0, 1]) is not a convincing match: for two parts, one part one edit away and
 * the other exact scores 0.85, a substitution 0.775.
 */
const CONVINCING = 0.75;

const bestOf = (scores: Map<string, number>) => Math.max(0, ...scores.values());

/** Second pass: the exact name score of each candidate, from its tokens that the query has. */
async function nameScores(
  tx: Pick<Tx, 'query'>,
  found: Map<string, unknown>,
  digests: Digests,
  partCount: number,
): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  if (found.size === 0) return scores;
  const all = await tx.query<{ person_id: string; token: Buffer }>(SECOND_PASS, [
    [...found.keys()],
    digests.all,
  ]);
  const perPerson = new Map<string, Map<number, number>>();
  for (const row of all.rows) {
    const parts = digests.weights.get(row.token.toString('latin1'));
    if (!parts) continue;
    let best = perPerson.get(row.person_id);
    if (!best) {
      best = new Map();
      perPerson.set(row.person_id, best);
    }
    for (const [part, weight] of parts) if ((best.get(part) ?? 0) < weight) best.set(part, weight);
  }
  for (const [id, parts] of perPerson) {
    let sum = 0;
    for (const w of parts.values()) sum += w;
    scores.set(id, sum / partCount);
  }
  return scores;
}
