/**
 * Command-line parsing. Global flags (--url, --token, --config, --json, -v, -h) are accepted
 * anywhere on the line, before or after the command (crabctl wanted them before it). Command
 * flags are checked against the command's own list once the command is known, so a flag of
 * another command is a usage error, not silently ignored.
 */
import { suggest } from '../config/load.js';
import { allCommandFlags, GLOBAL_FLAGS, type CommandSpec, type FlagKind, type FlagSpec } from './commands.js';
import { usageError, type CliFailure } from './failure.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  config?: string;
  json: boolean;
  /** 0 quiet, 1 for -v, 2 for -vv. */
  verbose: number;
  help: boolean;
}

export interface ParsedLine {
  globals: GlobalOptions;
  /** Words that are not flags: the command path and its arguments. */
  positionals: string[];
  /** Command flags as given, raw, in order; a switch is recorded as "". */
  flags: Map<string, string[]>;
  /**
   * Flags no command knows, reported once the command is known so the hint can point at its
   * help (see unknownFlagError).
   */
  unknown: string[];
}

export type FlagValue = string | string[] | number | boolean;

const globalByName = new Map(GLOBAL_FLAGS.map((f) => [f.name, f]));

export function parseLine(argv: readonly string[]): ParsedLine {
  const globals: GlobalOptions = { json: false, verbose: 0, help: false };
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const commandFlags = allCommandFlags();
  const seenGlobals = new Set<string>();
  const unknown: string[] = [];

  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (tok === '-h') {
      globals.help = true;
      continue;
    }
    if (/^-v+$/.test(tok)) {
      globals.verbose += tok.length - 1;
      continue;
    }
    if (!tok.startsWith('-') || tok === '-') {
      positionals.push(tok);
      continue;
    }
    if (!tok.startsWith('--')) {
      unknown.push(tok);
      continue;
    }

    const eq = tok.indexOf('=');
    const name = eq === -1 ? tok.slice(2) : tok.slice(2, eq);
    const inline = eq === -1 ? undefined : tok.slice(eq + 1);
    const spec: FlagSpec | undefined = globalByName.get(name) ?? commandFlags.get(name);
    if (!spec || name === 'v') {
      unknown.push(`--${name}`);
      continue;
    }

    let value = '';
    if (spec.kind === 'switch') {
      if (inline !== undefined) throw usageError(`--${name} takes no value`);
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw usageError(`--${name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
      value = next;
      i++;
    }

    if (globalByName.has(name)) {
      if (seenGlobals.has(name) && spec.kind !== 'switch') throw usageError(`--${name} is given twice`);
      seenGlobals.add(name);
      if (name === 'url') globals.url = value;
      else if (name === 'token') globals.token = value;
      else if (name === 'config') globals.config = value;
      else if (name === 'json') globals.json = true;
      else if (name === 'help') globals.help = true;
      continue;
    }
    const list = flags.get(name);
    if (list) list.push(value);
    else flags.set(name, [value]);
  }
  return { globals, positionals, flags, unknown };
}

/** The usage error for the first unknown flag, suggesting a near name among those that apply. */
export function unknownFlagError(flag: string, cmd: CommandSpec | undefined): CliFailure {
  const topic = cmd ? `${cmd.group} ${cmd.action}` : '';
  const names = [...GLOBAL_FLAGS.filter((f) => f.name !== 'v'), ...(cmd ? cmd.flags : allCommandFlags().values())].map((f) => f.name);
  const s = flag.startsWith('--') ? suggest(flag.slice(2), names) : undefined;
  return usageError(`unknown flag ${flag}${s ? `; did you mean --${s}?` : ''}`, topic);
}

/**
 * Checks the raw flags against one command and converts their values. Keys of the result are
 * flag names without dashes.
 */
export function readFlags(cmd: CommandSpec, raw: ReadonlyMap<string, readonly string[]>): Map<string, FlagValue> {
  const topic = `${cmd.group} ${cmd.action}`;
  const out = new Map<string, FlagValue>();
  for (const [name, values] of raw) {
    const spec = cmd.flags.find((f) => f.name === name);
    if (!spec) {
      const s = suggest(name, cmd.flags.map((f) => f.name));
      throw usageError(
        `'llmux ${topic}' has no flag --${name}${s ? `; did you mean --${s}?` : cmd.flags.length === 0 ? ' (it takes no flags)' : ''}`,
        topic,
      );
    }
    if (spec.kind === 'repeat') {
      out.set(name, values.map((v) => nonEmpty(spec, v, topic)));
      continue;
    }
    if (values.length > 1 && spec.kind !== 'switch') throw usageError(`--${name} is given twice`, topic);
    out.set(name, convert(spec, values[0]!, topic));
  }
  return out;
}

function convert(spec: FlagSpec, raw: string, topic: string): FlagValue {
  switch (spec.kind) {
    case 'switch':
      return true;
    case 'list':
      return parseList(spec.name, raw, topic);
    case 'count':
    case 'positive':
    case 'seconds':
      return parseNumber(spec.name, spec.kind, raw, topic);
    case 'string':
    case 'repeat':
      return nonEmpty(spec, raw, topic);
  }
}

function nonEmpty(spec: FlagSpec, raw: string, topic: string): string {
  if (raw === '') {
    const hint = spec.field && topic.endsWith('update') ? `; to remove a field use --clear ${spec.field}` : '';
    throw usageError(`--${spec.name} needs a non-empty value${hint}`, topic);
  }
  return raw;
}

/** `a, b,,c` → ["a","b","c"]; a list with no names is an error (crabllm's admin API rejects it). */
export function parseList(name: string, raw: string, topic = ''): string[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (items.length === 0) throw usageError(`--${name} needs at least one name, e.g. --${name} gpt-4o,gpt-4o-mini`, topic);
  return items;
}

const KIND_TEXT: Record<'count' | 'positive' | 'seconds', string> = {
  count: 'a whole number (0 or more)',
  positive: 'a whole number (1 or more)',
  seconds: 'a number of seconds (0 or more)',
};

export function parseNumber(name: string, kind: Extract<FlagKind, 'count' | 'positive' | 'seconds'>, raw: string, topic = ''): number {
  const pattern = kind === 'seconds' ? /^\d+(\.\d+)?$/ : /^\d+$/;
  const n = Number(raw);
  const ok = pattern.test(raw.trim()) && Number.isFinite(n) && (kind === 'seconds' || Number.isSafeInteger(n)) && (kind !== 'positive' || n >= 1);
  if (!ok) throw usageError(`--${name} expects ${KIND_TEXT[kind]}, got '${raw}'`, topic);
  return n;
}
