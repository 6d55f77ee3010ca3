/** What a command handler gets, and helpers for reading admin API answers defensively. */
import type { FlagValue } from './args.js';
import type { AdminClient } from './client.js';
import { CliFailure, EXIT } from './failure.js';
import type { CliIO } from './io.js';

export interface CommandContext {
  client: AdminClient;
  io: CliIO;
  /** --json: print the server's JSON instead of tables. */
  json: boolean;
  /** Positional arguments after the command (e.g. the name). */
  args: readonly string[];
  flags: ReadonlyMap<string, FlagValue>;
}

export type Item = Record<string, unknown>;

/** A JSON object answer, or a REFUSED failure naming what was expected. */
export function asItem(json: unknown, what: string): Item {
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) return json as Item;
  throw new CliFailure(EXIT.REFUSED, `unexpected answer: expected ${what} as a JSON object`);
}

/** A list answer: a bare array (crabllm's shape) or `{data: [...]}`. */
export function asItems(json: unknown, what: string): Item[] {
  const arr = Array.isArray(json) ? json : (json as { data?: unknown } | null)?.data;
  if (Array.isArray(arr) && arr.every((x) => x !== null && typeof x === 'object')) return arr as Item[];
  throw new CliFailure(EXIT.REFUSED, `unexpected answer: expected a list of ${what}`);
}

/** The rate limit's two numbers, from `rate_limit: {requests_per_minute?, tokens_per_minute?}`. */
export function rateLimitOf(item: Item): { rpm?: number; tpm?: number } {
  const rl = item.rate_limit;
  if (rl === null || typeof rl !== 'object') return {};
  const { requests_per_minute: rpm, tokens_per_minute: tpm } = rl as Record<string, unknown>;
  const out: { rpm?: number; tpm?: number } = {};
  if (typeof rpm === 'number') out.rpm = rpm;
  if (typeof tpm === 'number') out.tpm = tpm;
  return out;
}
