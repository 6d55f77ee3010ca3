/**
 * JSON Schema → Gemini's Schema object (a "select subset of OpenAPI 3.0",
 * https://ai.google.dev/api/caching#Schema). Gemini answers HTTP 400 "Unknown name …" for any key
 * outside that subset, so this keeps a list of the keys it documents (an allow-list: new JSON
 * Schema keywords from clients are dropped, not forwarded) and rewrites what has an equivalent:
 *
 * - `type` in Gemini's upper-case enum names (STRING, OBJECT…; the form in Google's docs and in
 *   the recorded requests); `type: [T, "null"]` and `anyOf [T, {type:null}]` → T + `nullable`;
 *   several non-null types → `anyOf` of each.
 * - `oneOf` → `anyOf` (Gemini has no exclusive union); `allOf` merged into one schema;
 *   `const` → a one-value `enum`; enum values as strings (Gemini's enum is string-only, with
 *   `format: "enum"` for numbers).
 * - `format` only where Gemini takes it (NUMBER float/double, INTEGER int32/int64, STRING
 *   enum/date-time); a string format it rejects (`email`, `uri`…) moves into the description.
 * - dropped: `title` (rejected by some models), `default` (accepted but ignored), `examples`,
 *   `additionalProperties`, `$comment`, `propertyNames`, `exclusiveMinimum`/`Maximum`,
 *   `multipleOf`, `uniqueItems`, `not`, conditionals, and anything else not in the list.
 * - `properties: {}` is removed: Gemini rejects an OBJECT with empty properties; a tool with no
 *   parameters is sent without `parameters` at all (see toolParameters).
 * - `required` keeps only names that are in `properties`.
 */
import type { JsonObject } from '../../core/types.js';
import { flattenNullable, inlineRefs, objectSchema } from '../schema.js';

const TYPES: Record<string, string> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
  null: 'NULL',
};

const FORMATS: Record<string, readonly string[]> = {
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
  STRING: ['enum', 'date-time'],
};

const COUNTS = ['minItems', 'maxItems', 'minProperties', 'maxProperties', 'minLength', 'maxLength'] as const;
const MAX_DEPTH = 64;

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function geminiType(t: unknown): string | undefined {
  if (typeof t !== 'string') return undefined;
  return TYPES[t.toLowerCase()];
}

/** Folds `allOf` into its parent: properties and required are unioned, other keys fill gaps. */
function mergeAllOf(node: Record<string, unknown>): Record<string, unknown> {
  const { allOf, ...rest } = node;
  if (!Array.isArray(allOf)) return rest;
  const out: Record<string, unknown> = { ...rest };
  for (const sub of allOf) {
    if (!isObj(sub)) continue;
    const merged = mergeAllOf(sub);
    for (const [k, v] of Object.entries(merged)) {
      if (k === 'properties' && isObj(v)) out['properties'] = { ...(isObj(out['properties']) ? out['properties'] : {}), ...v };
      else if (k === 'required' && Array.isArray(v)) {
        const have = Array.isArray(out['required']) ? (out['required'] as unknown[]) : [];
        out['required'] = [...have, ...v.filter((x) => !have.includes(x))];
      } else if (out[k] === undefined) out[k] = v;
    }
  }
  return out;
}

function clean(input: unknown, depth: number): Record<string, unknown> {
  if (!isObj(input) || depth > MAX_DEPTH) return {};
  let node = mergeAllOf(input);
  if (Array.isArray(node['oneOf'])) {
    const { oneOf, ...rest } = node;
    node = rest['anyOf'] === undefined ? { ...rest, anyOf: oneOf } : rest;
  }
  if (node['const'] !== undefined && node['enum'] === undefined) node = { ...node, enum: [node['const']] };

  const out: Record<string, unknown> = {};
  let nullable = node['nullable'] === true;

  // type: one name, or a list (T + null → nullable; several → anyOf of each).
  let type: string | undefined;
  let typeUnion: string[] | undefined;
  const rawType = node['type'];
  if (Array.isArray(rawType)) {
    const names = rawType.map(geminiType).filter((t): t is string => t !== undefined);
    const nonNull = names.filter((t) => t !== 'NULL');
    if (nonNull.length !== names.length) nullable = true;
    if (nonNull.length === 1) type = nonNull[0];
    else if (nonNull.length > 1) typeUnion = nonNull;
    else if (names.length > 0) type = 'NULL';
  } else {
    type = geminiType(rawType);
  }

  // anyOf: null alternatives become `nullable`; a single survivor is merged into this node.
  let merged: Record<string, unknown> | undefined;
  if (Array.isArray(node['anyOf'])) {
    const alts = node['anyOf'].map((a) => clean(a, depth + 1));
    const nonNull = alts.filter((a) => a['type'] !== 'NULL');
    if (nonNull.length !== alts.length) nullable = true;
    if (nonNull.length === 1) merged = nonNull[0];
    else if (nonNull.length > 1) out['anyOf'] = nonNull;
  } else if (typeUnion) {
    out['anyOf'] = typeUnion.map((t) => ({ type: t }));
  }

  if (type === undefined && !out['anyOf']) {
    if (isObj(node['properties'])) type = 'OBJECT';
    else if (node['items'] !== undefined) type = 'ARRAY';
    else if (Array.isArray(node['enum'])) type = 'STRING';
  }
  if (type !== undefined) out['type'] = type;

  let description = typeof node['description'] === 'string' ? node['description'] : undefined;

  if (Array.isArray(node['enum'])) {
    const values = node['enum'].filter((v) => {
      if (v === null) nullable = true;
      return v !== null;
    });
    if (values.length > 0) {
      out['enum'] = values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      if (type !== undefined && type !== 'STRING') out['format'] = 'enum';
    }
  }

  const format = node['format'];
  if (typeof format === 'string' && out['format'] === undefined) {
    if (type !== undefined && FORMATS[type]?.includes(format)) out['format'] = format;
    else if (type === 'STRING') description = description ? `${description} (format: ${format})` : `Format: ${format}`;
  }
  if (description !== undefined) out['description'] = description;

  if (isObj(node['properties'])) {
    const props: Record<string, unknown> = {};
    for (const [name, sub] of Object.entries(node['properties'])) props[name] = clean(sub, depth + 1);
    if (Object.keys(props).length > 0) {
      out['properties'] = props;
      if (Array.isArray(node['required'])) {
        const required = node['required'].filter((r): r is string => typeof r === 'string' && r in props);
        if (required.length > 0) out['required'] = required;
      }
      if (Array.isArray(node['propertyOrdering'])) {
        const order = node['propertyOrdering'].filter((r): r is string => typeof r === 'string' && r in props);
        if (order.length > 0) out['propertyOrdering'] = order;
      }
    }
  }

  const items = node['items'];
  if (isObj(items)) out['items'] = clean(items, depth + 1);
  else if (Array.isArray(items) && items.length > 0) out['items'] = clean(items[0], depth + 1);

  for (const k of COUNTS) {
    const v = node[k];
    if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) out[k] = v;
  }
  for (const k of ['minimum', 'maximum'] as const) if (typeof node[k] === 'number') out[k] = node[k];
  if (typeof node['pattern'] === 'string') out['pattern'] = node['pattern'];
  if (node['example'] !== undefined) out['example'] = node['example'];

  const result = merged ? { ...merged, ...withoutUndefined(out), type: merged['type'] ?? out['type'] } : out;
  if (result['type'] === undefined) delete result['type'];
  if (nullable) result['nullable'] = true;
  return result;
}

function withoutUndefined(o: Record<string, unknown>): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) r[k] = v;
  return r;
}

/** Any JSON Schema (refs inlined first) as a Gemini Schema; used for `responseSchema`. */
export function geminiSchema(schema: JsonObject): Record<string, unknown> {
  return clean(flattenNullable(inlineRefs(schema)), 0);
}

/**
 * A tool's parameters as a Gemini Schema, or undefined when the tool takes no arguments
 * (Gemini rejects `{type: OBJECT, properties: {}}`; the declaration must omit `parameters`).
 */
export function toolParameters(params: JsonObject | undefined): Record<string, unknown> | undefined {
  const s = clean(flattenNullable(objectSchema(params)), 0);
  if (s['type'] === 'OBJECT' && s['properties'] === undefined && s['anyOf'] === undefined) return undefined;
  return s;
}
