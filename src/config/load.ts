/**
 * Loads a config file: TOML parse, `${VAR}`/`${VAR:-default}` expansion inside string values
 * (never over raw text, so a value cannot break the TOML), validation against the schema with
 * messages that name the file, the key's path and what was expected, and a suggestion for an
 * unknown key.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { ConfigSchema, DOCUMENTED_BUT_IGNORED, ModelInfoSchema, type Config, type ModelInfo } from './schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file loaded. */
  path: string;
  warnings: string[];
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Expands `${VAR}` and `${VAR:-default}` in every string value (and array element), recursively. */
export function expandEnv(value: unknown, env: NodeJS.ProcessEnv, path: string, warnings: string[]): unknown {
  if (typeof value === 'string') {
    if (!value.includes('${')) return value;
    return value.replace(VAR, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      warnings.push(`${path}: environment variable ${name} is not set; using an empty value`);
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => expandEnv(v, env, `${path}[${i}]`, warnings));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = expandEnv(v, env, path ? `${path}.${k}` : k, warnings);
    return out;
  }
  return value;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}

export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** Removes keys crabllm documented but never read, turning each into a warning. */
function dropDocumentedButIgnored(raw: Record<string, unknown>, warnings: string[]): void {
  for (const [path, hint] of Object.entries(DOCUMENTED_BUT_IGNORED)) {
    const parts = path.split('.');
    let obj: unknown = raw;
    for (let i = 0; i < parts.length - 1 && obj && typeof obj === 'object'; i++) obj = (obj as Record<string, unknown>)[parts[i]!];
    const last = parts[parts.length - 1]!;
    if (obj && typeof obj === 'object' && last in obj) {
      delete (obj as Record<string, unknown>)[last];
      warnings.push(`${path}: ignored (crabllm documented it but never read it); ${hint}`);
    }
  }
}

function formatPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(top level)';
}

/** Known keys at a path of the schema, for suggestions. */
function knownKeysAt(schema: z.ZodType, path: PropertyKey[]): string[] {
  let s: unknown = schema;
  const unwrap = (x: unknown): unknown => {
    let cur = x as { def?: { type?: string; innerType?: unknown; valueType?: unknown; element?: unknown; shape?: unknown } };
    while (cur?.def && (cur.def.type === 'default' || cur.def.type === 'optional' || cur.def.type === 'nullable')) cur = cur.def.innerType as typeof cur;
    return cur;
  };
  for (const p of path) {
    const cur = unwrap(s) as { def?: { type?: string; valueType?: unknown; element?: unknown; shape?: Record<string, unknown> } };
    if (!cur?.def) return [];
    if (cur.def.type === 'object') s = cur.def.shape?.[String(p)];
    else if (cur.def.type === 'record') s = cur.def.valueType;
    else if (cur.def.type === 'array') s = cur.def.element;
    else return [];
  }
  const fin = unwrap(s) as { def?: { type?: string; shape?: Record<string, unknown> } };
  return fin?.def?.type === 'object' ? Object.keys(fin.def.shape ?? {}) : [];
}

/** Turns zod issues into one message per problem, each naming the key path. */
export function formatIssues(error: z.ZodError, schema: z.ZodType): string[] {
  const out: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const where = formatPath([...issue.path, key]);
        const s = suggest(key, known);
        out.push(`${where}: unknown key${s ? `; did you mean "${s}"?` : known.length ? `; expected one of ${known.join(', ')}` : ''}`);
      }
      continue;
    }
    out.push(`${formatPath(issue.path)}: ${issue.message}`);
  }
  return out;
}

/** Validates an already-parsed config object (from TOML or tests). */
export function parseConfig(raw: unknown, source: string, env: NodeJS.ProcessEnv = process.env): { config: Config; warnings: string[] } {
  const warnings: string[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${source}: expected a table at the top level`);
  const copy = structuredClone(raw) as Record<string, unknown>;
  dropDocumentedButIgnored(copy, warnings);
  const expanded = expandEnv(copy, env, '', warnings);
  const result = ConfigSchema.safeParse(expanded);
  if (!result.success) {
    const lines = formatIssues(result.error, ConfigSchema);
    throw new ConfigError(`${source}: invalid config\n  ${lines.join('\n  ')}`);
  }
  const config = result.data;
  validateSemantics(config, source);
  return { config, warnings: warnings.map((w) => `${source}: ${w}`) };
}

/** Checks that span several keys (the schema checks one key at a time). */
function validateSemantics(config: Config, source: string): void {
  const problems: string[] = [];
  const names = new Set<string>();
  const secrets = new Set<string>();
  config.keys.forEach((k, i) => {
    if (names.has(k.name)) problems.push(`keys[${i}].name: duplicate key name "${k.name}"`);
    names.add(k.name);
    if (secrets.has(k.key)) problems.push(`keys[${i}].key: the same secret is used by two keys`);
    secrets.add(k.key);
    if (config.admin_token !== undefined && k.key === config.admin_token) problems.push(`keys[${i}].key: a virtual key cannot equal admin_token`);
  });
  for (const [alias, target] of Object.entries(config.aliases)) {
    if (alias === target) problems.push(`aliases.${alias}: an alias cannot point to itself`);
  }
  if (!/^(\[[^\]]+\]|[^:]*):\d+$/.test(config.listen)) problems.push(`listen: expected "host:port", got "${config.listen}"`);
  if (problems.length) throw new ConfigError(`${source}: invalid config\n  ${problems.join('\n  ')}`);
}

/** Reads, parses and validates a config file; relative paths inside it resolve against its folder. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ConfigError(`${abs}: cannot read config file: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    if (e instanceof TomlError) throw new ConfigError(`${abs}:${e.line}:${e.column}: invalid TOML: ${e.message.split('\n')[0]}`);
    throw new ConfigError(`${abs}: invalid TOML: ${(e as Error).message}`);
  }
  const { config, warnings } = parseConfig(raw, abs, env);
  const dir = dirname(abs);
  if (config.storage.kind === 'sqlite' && config.storage.path && !isAbsolute(config.storage.path)) {
    config.storage.path = resolve(dir, config.storage.path);
  }
  if (config.cloud_models) {
    const merged = loadModelFile(isAbsolute(config.cloud_models) ? config.cloud_models : resolve(dir, config.cloud_models));
    config.models = { ...merged, ...config.models };
  }
  return { config, path: abs, warnings };
}

/** A TOML file of `[model] context_length/pricing/vision` entries (crabllm's cloud_models format). */
export function loadModelFile(path: string): Record<string, ModelInfo> {
  let raw: unknown;
  try {
    raw = parseToml(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: cannot load model metadata: ${(e as Error).message.split('\n')[0]}`);
  }
  const out: Record<string, ModelInfo> = {};
  for (const [name, info] of Object.entries(raw as Record<string, unknown>)) {
    const r = ModelInfoSchema.safeParse(info);
    if (!r.success) throw new ConfigError(`${path}: ${name}: ${formatIssues(r.error, ModelInfoSchema).join('; ')}`);
    out[name] = r.data;
  }
  return out;
}
