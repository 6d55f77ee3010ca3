/**
 * JSON-schema clean-up for tool parameters. Providers accept different subsets of JSON Schema:
 * Anthropic and Bedrock take most of it but not `$ref`; Gemini takes an OpenAPI-3 subset. These
 * pure helpers return new objects and never mutate their input.
 */
import type { JsonObject } from '../core/types.js';

const MAX_DEPTH = 32;

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Replaces local `$ref`s (`#/$defs/X`, `#/definitions/X`) with their definitions and removes the
 * definition tables. Recursive references deeper than 32 levels become `{}` (any) rather than
 * looping forever.
 */
export function inlineRefs(schema: JsonObject): JsonObject {
  const defs: Record<string, unknown> = {
    ...(isObj(schema['definitions']) ? prefixKeys(schema['definitions'], '#/definitions/') : {}),
    ...(isObj(schema['$defs']) ? prefixKeys(schema['$defs'], '#/$defs/') : {}),
  };
  const walk = (node: unknown, depth: number): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, depth));
    if (!isObj(node)) return node;
    if (typeof node['$ref'] === 'string') {
      const target = defs[node['$ref']];
      if (target === undefined || depth >= MAX_DEPTH) return {};
      const { $ref: _ref, ...rest } = node;
      const resolved = walk(target, depth + 1);
      return Object.keys(rest).length && isObj(resolved) ? { ...resolved, ...(walk(rest, depth) as object) } : resolved;
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$defs' || k === 'definitions') continue;
      out[k] = walk(v, depth);
    }
    return out;
  };
  return walk(schema, 0) as JsonObject;
}

function prefixKeys(obj: Record<string, unknown>, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[prefix + k] = v;
  return out;
}

/** Removes the named keys at every depth, except inside `properties` maps (where keys are field names). */
export function stripKeys(schema: JsonObject, keys: readonly string[]): JsonObject {
  const drop = new Set(keys);
  const walk = (node: unknown, inProperties: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (!isObj(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (!inProperties && drop.has(k)) continue;
      out[k] = walk(v, !inProperties && k === 'properties');
    }
    return out;
  };
  return walk(schema, false) as JsonObject;
}

/**
 * Turns `anyOf`/`oneOf` of `[T, {type:"null"}]` and `type: [T, "null"]` into `T` with
 * `nullable: true` (OpenAPI 3.0 style, which Gemini expects).
 */
export function flattenNullable(schema: JsonObject): JsonObject {
  const walk = (node: unknown, inProperties: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, false));
    if (!isObj(node)) return node;
    let cur: Record<string, unknown> = node;
    if (!inProperties) {
      for (const key of ['anyOf', 'oneOf'] as const) {
        const alts = cur[key];
        if (Array.isArray(alts) && alts.length === 2) {
          const nonNull = alts.filter((a) => !(isObj(a) && a['type'] === 'null'));
          if (nonNull.length === 1 && isObj(nonNull[0])) {
            const { [key]: _alts, ...rest } = cur;
            cur = { ...rest, ...nonNull[0], nullable: true };
          }
        }
      }
      const t = cur['type'];
      if (Array.isArray(t) && t.includes('null')) {
        const others = t.filter((x) => x !== 'null');
        cur = { ...cur, type: others.length === 1 ? others[0] : others, nullable: true };
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(cur)) out[k] = walk(v, !inProperties && k === 'properties');
    return out;
  };
  return walk(schema, false) as JsonObject;
}

/** A tool's parameters as most providers need them: an object schema with refs inlined. */
export function objectSchema(params: JsonObject | undefined): JsonObject {
  if (!params || Object.keys(params).length === 0) return { type: 'object', properties: {} };
  const inlined = inlineRefs(params);
  const { $schema: _s, $id: _i, ...rest } = inlined;
  return rest.type === undefined ? { type: 'object', ...rest } : rest;
}
