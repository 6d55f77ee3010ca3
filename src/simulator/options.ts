/**
 * Simulator settings: the zod schema (snake_case keys, so a TOML `[providers.X.simulator]` table
 * validates as it is), the defaults, and the resolved form the server works from.
 */
import { z } from 'zod';
import { DEMO_SIMULATOR } from './demo.js';

const rate = (what: string) =>
  z.number({ error: `expected ${what} as a number from 0 to 1` }).min(0, `${what} must be at least 0`).max(1, `${what} must be at most 1`);
const ms = (what: string) => z.number({ error: `expected ${what} in milliseconds` }).int(`${what} must be a whole number of milliseconds`).nonnegative().max(3_600_000);
const count = (what: string) => z.number({ error: `expected ${what} (a whole number)` }).int(`${what} must be a whole number`);

export const SimulatorUsageSchema = z.strictObject({
  prompt_tokens: count('prompt_tokens').nonnegative().optional(),
  completion_tokens: count('completion_tokens').nonnegative().optional(),
  /** Tokens counted per embeddings input (crabllm's mock: 5). */
  embedding_tokens: count('embedding_tokens').nonnegative().optional(),
});

export const SimulatorOptionsSchema = z.strictObject({
  /** Which wire protocol the gateway should speak to this simulator; the server answers all of them. */
  protocol: z.enum(['openai', 'anthropic', 'gemini', 'google', 'bedrock'], { error: 'expected "openai", "anthropic", "gemini" or "bedrock"' }).optional(),
  ttfb_ms: ms('ttfb_ms').optional(),
  chunks: count('chunks').min(1, 'chunks must be at least 1').max(100_000).optional(),
  chunk_interval_ms: ms('chunk_interval_ms').optional(),
  content: z.string({ error: 'expected content as a string' }).optional(),
  response_bytes: count('response_bytes').nonnegative().max(16 * 1024 * 1024).optional(),
  usage: SimulatorUsageSchema.optional(),
  embedding_dims: count('embedding_dims').min(1).max(65_536).optional(),
  error_rate: rate('error_rate').optional(),
  error_statuses: z
    .array(count('an error status').min(400, 'error statuses must be 400-599').max(599, 'error statuses must be 400-599'))
    .min(1, 'error_statuses cannot be empty')
    .optional(),
  retry_after_s: count('retry_after_s').nonnegative().optional(),
  reset_rate: rate('reset_rate').optional(),
  drop_rate: rate('drop_rate').optional(),
  drop_after_chunks: count('drop_after_chunks').nonnegative().optional(),
  malformed_rate: rate('malformed_rate').optional(),
  slow_read_ms: ms('slow_read_ms').optional(),
  seed: count('seed').optional(),
  models: z.array(z.string().min(1)).optional(),
  /** A fixed model name for chat responses; without it, the request's model is echoed. */
  model: z.string().min(1).optional(),
  /** "demo": start from DEMO_SIMULATOR's settings (the keys given here still win). */
  preset: z.literal('demo', { error: 'the only preset is "demo"' }).optional(),
});

export interface SimulatorUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  embedding_tokens?: number;
}

export interface SimulatorOptions {
  protocol?: 'openai' | 'anthropic' | 'gemini' | 'google' | 'bedrock';
  /** Delay before the response headers (every route but the model lists). Default 0. */
  ttfb_ms?: number;
  /** Stream chunk count. Default 20. */
  chunks?: number;
  /** Delay between stream chunks, not before the first. Default 0. */
  chunk_interval_ms?: number;
  /** Reply text. Default: "This is a benchmark response." (non-stream), "word " per chunk (stream). */
  content?: string;
  /** Pads the reply text to about this many bytes. */
  response_bytes?: number;
  usage?: SimulatorUsage;
  /** Embedding length when the request names no `dimensions`. Default 1536. */
  embedding_dims?: number;
  /** Share of requests answered with an error status (0-1). */
  error_rate?: number;
  /** Statuses the injected errors use, picked at random. Default [500]. */
  error_statuses?: number[];
  /** The `retry-after` a 429 carries, in seconds. Default 1. */
  retry_after_s?: number;
  /** Share of requests whose socket is reset instead of answered. */
  reset_rate?: number;
  /** Share of responses cut off after `drop_after_chunks` chunks. */
  drop_rate?: number;
  /** Chunks written before a drop. Default: half of `chunks`. */
  drop_after_chunks?: number;
  /** Share of responses with one chunk that is not valid JSON. */
  malformed_rate?: number;
  /** Pause after each chunk of the request body, so the client meets backpressure. */
  slow_read_ms?: number;
  /** Seed for the random choices (mulberry32); without one, Math.random. */
  seed?: number;
  /** Listed by /models. Default (also when empty) bench-chat, bench-embed. */
  models?: string[];
  /**
   * A fixed model name for chat, completion, message and Gemini responses. Without it the
   * request's model is echoed, as real providers do (bench-chat when the request names none).
   */
  model?: string;
  /** "demo": start from DEMO_SIMULATOR's settings; the keys given alongside still win. */
  preset?: 'demo';
}

// The interface is what callers read; this line keeps it and the schema from drifting apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Out = z.output<typeof SimulatorOptionsSchema>;
const schemaMatchesInterface: Same<Out, SimulatorOptions> & Same<keyof Out, keyof SimulatorOptions> = true;
void schemaMatchesInterface;

/** Every setting with its default filled in. */
export interface ResolvedOptions {
  ttfbMs: number;
  chunks: number;
  chunkIntervalMs: number;
  content: string | undefined;
  responseBytes: number | undefined;
  promptTokens: number;
  completionTokens: number;
  embeddingTokens: number;
  embeddingDims: number;
  errorRate: number;
  errorStatuses: readonly number[];
  retryAfterS: number;
  resetRate: number;
  dropRate: number;
  dropAfterChunks: number;
  malformedRate: number;
  slowReadMs: number;
  seed: number | undefined;
  models: readonly string[];
  /** The model name in responses: the fixed one, or the fallback when echoing. */
  model: string;
  /** True when `model` was configured: responses never echo the request's model. */
  fixedModel: boolean;
}

export const DEFAULT_CONTENT = 'This is a benchmark response.';
export const DEFAULT_STREAM_WORD = 'word ';

/** Validates settings (from code, TOML or argv); throws an Error naming each bad key. */
export function parseSimulatorOptions(input: unknown): SimulatorOptions {
  const r = SimulatorOptionsSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(simulator)';
    return `${path}: ${i.message}`;
  });
  throw new Error(`invalid simulator settings:\n  ${lines.join('\n  ')}`);
}

export function resolveOptions(given: SimulatorOptions): ResolvedOptions {
  const o: SimulatorOptions = given.preset === 'demo' ? { ...DEMO_SIMULATOR, ...given, usage: { ...DEMO_SIMULATOR.usage, ...given.usage } } : given;
  const chunks = o.chunks ?? 20;
  return {
    ttfbMs: o.ttfb_ms ?? 0,
    chunks,
    chunkIntervalMs: o.chunk_interval_ms ?? 0,
    content: o.content,
    responseBytes: o.response_bytes,
    promptTokens: o.usage?.prompt_tokens ?? 10,
    completionTokens: o.usage?.completion_tokens ?? 20,
    embeddingTokens: o.usage?.embedding_tokens ?? 5,
    embeddingDims: o.embedding_dims ?? 1536,
    errorRate: o.error_rate ?? 0,
    errorStatuses: o.error_statuses ?? [500],
    retryAfterS: o.retry_after_s ?? 1,
    resetRate: o.reset_rate ?? 0,
    dropRate: o.drop_rate ?? 0,
    dropAfterChunks: o.drop_after_chunks ?? Math.floor(chunks / 2),
    malformedRate: o.malformed_rate ?? 0,
    slowReadMs: o.slow_read_ms ?? 0,
    seed: o.seed,
    models: o.models && o.models.length > 0 ? o.models : ['bench-chat', 'bench-embed'],
    model: o.model ?? 'bench-chat',
    fixedModel: o.model !== undefined,
  };
}
