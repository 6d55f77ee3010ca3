/**
 * Token usage between Anthropic's and the canonical (OpenAI) shape.
 *
 * Anthropic's `input_tokens` excludes cached input: the prompt's full size is input +
 * cache_creation + cache_read. The canonical `prompt_tokens` is that full size, with the cache
 * parts broken out in `prompt_tokens_details` (cache reads as `cached_tokens`, cache writes as
 * `cache_creation_tokens`, since they are priced differently). The reverse takes them out again.
 */
import type { Usage } from '../../core/types.js';
import type { WireUsage } from './wire.js';

/** Running totals of one message's usage, merged from message_start and message_delta. */
export interface UsageTotals {
  input: number;
  output: number;
  cacheCreation: number;
  cacheRead: number;
  thinking?: number;
  /** Whether any usage field was seen at all. */
  seen: boolean;
}

export function emptyTotals(): UsageTotals {
  return { input: 0, output: 0, cacheCreation: 0, cacheRead: 0, seen: false };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Merges a usage object into the totals. Anthropic's counters are cumulative whole-message
 * values, so a later event overwrites (never adds), and a field it omits or nulls keeps the
 * earlier value: message_delta's input_tokens, when present, wins over message_start's.
 */
export function mergeUsage(t: UsageTotals, u: WireUsage | null | undefined): void {
  if (!u || typeof u !== 'object') return;
  const input = num(u.input_tokens);
  const output = num(u.output_tokens);
  const creation = num(u.cache_creation_input_tokens);
  const read = num(u.cache_read_input_tokens);
  const thinking = num(u.output_tokens_details?.thinking_tokens);
  if (input !== undefined) t.input = input;
  if (output !== undefined) t.output = output;
  if (creation !== undefined) t.cacheCreation = creation;
  if (read !== undefined) t.cacheRead = read;
  if (thinking !== undefined) t.thinking = thinking;
  if ([input, output, creation, read].some((x) => x !== undefined)) t.seen = true;
}

export function totalsToUsage(t: UsageTotals): Usage {
  const prompt = t.input + t.cacheCreation + t.cacheRead;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: t.output,
    total_tokens: prompt + t.output,
    prompt_tokens_details: { cached_tokens: t.cacheRead, cache_creation_tokens: t.cacheCreation },
  };
  if (t.thinking !== undefined) usage.completion_tokens_details = { reasoning_tokens: t.thinking };
  return usage;
}

export function wireUsageToCanonical(u: WireUsage | null | undefined): Usage {
  const t = emptyTotals();
  mergeUsage(t, u);
  return totalsToUsage(t);
}

/** Canonical usage → Anthropic's fields (input excludes cache reads and writes; never negative). */
export function canonicalToWireUsage(u: Usage | null | undefined): {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
} {
  const cached = num(u?.prompt_tokens_details?.cached_tokens) ?? 0;
  const creation = num(u?.prompt_tokens_details?.cache_creation_tokens) ?? 0;
  const prompt = num(u?.prompt_tokens) ?? 0;
  return {
    input_tokens: Math.max(0, prompt - cached - creation),
    output_tokens: num(u?.completion_tokens) ?? 0,
    cache_creation_input_tokens: creation,
    cache_read_input_tokens: cached,
  };
}
