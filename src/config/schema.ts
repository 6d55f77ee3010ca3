/**
 * The config schema: crabllm's `crabllm.toml` fields accepted as they are, plus llmux's own.
 * One schema validates files, admin API bodies and produces docs/configuration.md
 * (scripts/gen-config-docs.mjs). Durations are seconds, as in crabllm.
 */
import { z } from 'zod';

const seconds = (what: string) => z.number({ error: `expected ${what} in seconds (a number)` }).nonnegative();
const posInt = (what: string) => z.number({ error: `expected ${what} (a whole number)` }).int().positive();

export const RateLimitSchema = z.strictObject({
  requests_per_minute: posInt('requests per minute').optional(),
  tokens_per_minute: posInt('tokens per minute').optional(),
});

export const ProviderSchema = z.strictObject({
  kind: z.string().min(1).default('openai').describe('openai, anthropic, google (gemini), bedrock, azure, ollama, simulator, or any other name for an OpenAI-compatible service (needs base_url)'),
  api_key: z.string().optional().describe('Secret sent to the provider; `${VAR}` is expanded'),
  base_url: z.string().optional().describe('Override of the kind\'s default URL; a pasted endpoint suffix is removed'),
  models: z.array(z.string().min(1)).default([]).describe('Model names this provider serves'),
  weight: z.number().int().nonnegative().default(1).describe('Weighted random choice among providers of a model'),
  max_retries: z.number().int().nonnegative().default(2).describe('Extra attempts after the first, on transient failures'),
  api_version: z.string().optional().describe('Azure api-version (default 2024-10-21)'),
  timeout: seconds('timeout').default(30).describe('Time to the first byte of the response (headers), per attempt; 0 disables'),
  connect_timeout: seconds('connect_timeout').default(10).describe('Time to open the TCP/TLS connection; 0 disables'),
  idle_timeout: seconds('idle_timeout').default(60).describe('Longest silence inside a response body or stream; 0 disables'),
  total_timeout: seconds('total_timeout').default(600).describe('Whole request across every attempt on this provider; 0 disables'),
  region: z.string().optional().describe('Bedrock region'),
  access_key: z.string().optional().describe('Bedrock access key id'),
  secret_key: z.string().optional().describe('Bedrock secret access key (never returned by the API)'),
  session_token: z.string().optional().describe('Bedrock STS session token'),
  headers: z.record(z.string(), z.string()).optional().describe('Extra headers sent upstream'),
  simulator: z.record(z.string(), z.unknown()).optional().describe('Simulator settings (kind = "simulator")'),
});

export const KeySchema = z.strictObject({
  name: z.string({ error: 'expected a key name' }).min(1, 'a key name cannot be empty'),
  key: z.string({ error: 'expected the key secret' }).min(1, 'a key secret cannot be empty'),
  models: z.array(z.string()).default(['*']).describe('Models this key may use; "*" means all, "prefix*" a prefix'),
  rate_limit: RateLimitSchema.optional(),
});

export const StorageSchema = z.strictObject({
  kind: z.enum(['memory', 'sqlite', 'redis'], { error: 'expected "memory", "sqlite" or "redis"' }).default('memory'),
  path: z.string().optional().describe('SQLite file (relative to the config file) or Redis URL'),
});

export const ModelInfoSchema = z.looseObject({
  context_length: z.number().int().positive().optional(),
  pricing: z
    .looseObject({
      prompt_cost_per_million: z.number().nonnegative().optional(),
      completion_cost_per_million: z.number().nonnegative().optional(),
      cache_read_cost_per_million: z.number().nonnegative().optional(),
      cache_write_cost_per_million: z.number().nonnegative().optional(),
    })
    .optional(),
  vision: z.boolean().optional(),
});

/** crabllm's extensions, with the option names its code reads. */
export const ExtensionsSchema = z.strictObject({
  rate_limit: z
    .strictObject({ requests_per_minute: posInt('requests per minute').optional(), tokens_per_minute: posInt('tokens per minute').optional() })
    .optional(),
  usage: z.strictObject({}).optional(),
  cache: z.strictObject({ ttl_seconds: posInt('ttl_seconds').default(300) }).optional(),
  budget: z
    .strictObject({
      default_budget: z.number().positive().optional(),
      keys: z.record(z.string(), z.strictObject({ budget: z.number().nonnegative() })).optional(),
    })
    .optional(),
  logging: z.strictObject({}).optional(),
  audit: z.strictObject({}).optional(),
});

export const ConfigSchema = z.strictObject({
  listen: z.string().default('127.0.0.1:5632').describe('host:port to serve on'),
  admin_token: z.string().min(1).optional().describe('Bearer token for /v1/admin/*; also turns auth on'),
  providers: z.record(z.string(), ProviderSchema).default({}).describe('Upstream providers by name (see below)'),
  keys: z.array(KeySchema).default([]).describe('Virtual keys (see below)'),
  aliases: z.record(z.string(), z.string()).default({}).describe('alias → model (one hop)'),
  models: z.record(z.string(), ModelInfoSchema).default({}).describe('Per-model metadata: context_length, pricing, vision'),
  cloud_models: z.string().optional().describe('TOML file of model metadata to merge (config entries win)'),
  storage: StorageSchema.default({ kind: 'memory' }).describe('Where keys and providers created at run time live (see below)'),
  extensions: ExtensionsSchema.optional().describe('crabllm extension tables; accepted, not yet active (a warning says so)'),
  shutdown_timeout: seconds('shutdown_timeout').default(30).describe('Drain time after SIGINT/SIGTERM'),
  openapi: z.boolean().default(true).describe('crabllm compatibility; accepted'),
  max_body_bytes: z.number().int().positive().default(32 * 1024 * 1024).describe('Largest request body accepted (413 above)'),
  workers: z.number().int().nonnegative().optional().describe('Processes serving the port; 0 or absent = one per core'),
  log_level: z.enum(['error', 'warn', 'info', 'debug', 'trace']).default('info').describe('Log verbosity; -v and -vv override it'),
});

export type RateLimitConfig = z.infer<typeof RateLimitSchema>;
export type ProviderConfig = z.infer<typeof ProviderSchema>;
export type ProviderInput = z.input<typeof ProviderSchema>;
export type KeyConfig = z.infer<typeof KeySchema>;
export type StorageConfig = z.infer<typeof StorageSchema>;
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
export type Config = z.infer<typeof ConfigSchema>;

/**
 * Keys crabllm's documentation named that its code never read. A config carrying them loads with
 * a warning instead of an error, since they were never doing anything.
 */
export const DOCUMENTED_BUT_IGNORED: Record<string, string> = {
  pricing: 'use [models.<name>.pricing] instead',
  'extensions.logging.level': 'logging verbosity is set with -v/-vv or log_level',
  'extensions.cache.ttl': 'the option is ttl_seconds',
  'extensions.rate_limit.rpm': 'the option is requests_per_minute',
  'extensions.rate_limit.tpm': 'the option is tokens_per_minute',
  'extensions.budget.default_limit': 'the option is default_budget',
};
