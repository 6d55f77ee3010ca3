/**
 * `llmux simulate` flags: each simulator option as a kebab-case flag, plus crabllm-bench's short
 * flags (-p -c -d -e) so its command lines keep working.
 */
import type { SimulatorListenOptions } from './server.js';
import { parseSimulatorOptions, type SimulatorOptions } from './options.js';

export const SIMULATE_USAGE = `usage: llmux simulate [--port N] [--host ADDR] [options]

Serves the simulated LLM provider (OpenAI, Anthropic, Gemini and Bedrock wire formats) on one port.

  --port, -p N              port (default 9999; 0 picks a free one)
  --host ADDR               address to listen on (default 127.0.0.1)
  --demo                    the friendly demo reply, streamed at reading pace
  --chunks, -c N            stream chunks (default 20)
  --ttfb-ms N               delay before the response headers (default 0)
  --chunk-interval-ms N     delay between stream chunks (default 0)
  --delay, -d N             crabllm-bench's --delay: sets both of the above
  --content TEXT            the reply text
  --response-bytes N        pad the reply text to about N bytes
  --prompt-tokens N         usage: prompt tokens (default 10)
  --completion-tokens N     usage: completion tokens (default 20)
  --embedding-tokens N      usage: tokens per embeddings input (default 5)
  --embedding-dims N        embedding length (default 1536)
  --model NAME              fixed model name in responses (default: echo the request's)
  --models A,B              the /models list (default bench-chat,bench-embed)
  --error-rate, -e X        share of requests answered with an error (0-1)
  --error-statuses A,B      statuses of those errors (default 500)
  --retry-after-s N         retry-after on a 429 (default 1)
  --reset-rate X            share of requests whose connection is reset
  --drop-rate X             share of responses cut off mid-way
  --drop-after-chunks N     chunks sent before a cut (default: half)
  --malformed-rate X        share of responses with one chunk that is not JSON
  --slow-read-ms N          pause after each chunk of the request body
  --seed N                  seed for the random choices (repeatable runs)`;

export type SimulateArgs = { options: SimulatorOptions & SimulatorListenOptions } | { error: string } | { help: string };

type Kind = 'int' | 'number' | 'string' | 'ints' | 'strings';

const FLAGS: Record<string, { key: string; kind: Kind }> = {
  '--port': { key: 'port', kind: 'int' },
  '-p': { key: 'port', kind: 'int' },
  '--host': { key: 'host', kind: 'string' },
  '--chunks': { key: 'chunks', kind: 'int' },
  '-c': { key: 'chunks', kind: 'int' },
  '--ttfb-ms': { key: 'ttfb_ms', kind: 'int' },
  '--chunk-interval-ms': { key: 'chunk_interval_ms', kind: 'int' },
  '--delay': { key: 'delay', kind: 'int' },
  '-d': { key: 'delay', kind: 'int' },
  '--content': { key: 'content', kind: 'string' },
  '--response-bytes': { key: 'response_bytes', kind: 'int' },
  '--prompt-tokens': { key: 'usage.prompt_tokens', kind: 'int' },
  '--completion-tokens': { key: 'usage.completion_tokens', kind: 'int' },
  '--embedding-tokens': { key: 'usage.embedding_tokens', kind: 'int' },
  '--embedding-dims': { key: 'embedding_dims', kind: 'int' },
  '--model': { key: 'model', kind: 'string' },
  '--models': { key: 'models', kind: 'strings' },
  '--error-rate': { key: 'error_rate', kind: 'number' },
  '-e': { key: 'error_rate', kind: 'number' },
  '--error-statuses': { key: 'error_statuses', kind: 'ints' },
  '--retry-after-s': { key: 'retry_after_s', kind: 'int' },
  '--reset-rate': { key: 'reset_rate', kind: 'number' },
  '--drop-rate': { key: 'drop_rate', kind: 'number' },
  '--drop-after-chunks': { key: 'drop_after_chunks', kind: 'int' },
  '--malformed-rate': { key: 'malformed_rate', kind: 'number' },
  '--slow-read-ms': { key: 'slow_read_ms', kind: 'int' },
  '--seed': { key: 'seed', kind: 'int' },
};

function convert(flag: string, kind: Kind, raw: string): number | string | number[] | string[] | Error {
  const num = (s: string): number | Error => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) return new Error(`${flag}: expected a number, got "${s}"`);
    if ((kind === 'int' || kind === 'ints') && !Number.isInteger(n)) return new Error(`${flag}: expected a whole number, got "${s}"`);
    return n;
  };
  switch (kind) {
    case 'string':
      return raw;
    case 'strings':
      return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'ints': {
      const out: number[] = [];
      for (const part of raw.split(',')) {
        const n = num(part);
        if (n instanceof Error) return n;
        out.push(n);
      }
      return out;
    }
    default:
      return num(raw);
  }
}

/** Parses `llmux simulate` arguments into options, a usage error, or the help text. */
export function parseSimulateArgs(argv: string[]): SimulateArgs {
  const raw: Record<string, unknown> = {};
  const usage: Record<string, number> = {};
  let port: number | undefined;
  let host: string | undefined;
  let demo = false;
  let delay: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return { help: SIMULATE_USAGE };
    if (arg === '--demo') {
      demo = true;
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const spec = FLAGS[name];
    if (!spec) return { error: `unknown option "${name}"\n\n${SIMULATE_USAGE}` };
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) return { error: `${name} needs a value` };
    const v = convert(name, spec.kind, value);
    if (v instanceof Error) return { error: v.message };
    if (spec.key === 'port') port = v as number;
    else if (spec.key === 'host') host = v as string;
    else if (spec.key === 'delay') delay = v as number;
    else if (spec.key.startsWith('usage.')) usage[spec.key.slice(6)] = v as number;
    else raw[spec.key] = v;
  }
  if (port !== undefined && (port < 0 || port > 65_535)) return { error: `--port: expected 0-65535, got ${port}` };
  // crabllm-bench's --delay paused before a non-stream answer and between chunks.
  if (delay !== undefined) {
    raw['ttfb_ms'] ??= delay;
    raw['chunk_interval_ms'] ??= delay;
  }
  if (Object.keys(usage).length > 0) raw['usage'] = usage;
  if (demo) raw['preset'] = 'demo';
  let options: SimulatorOptions;
  try {
    options = parseSimulatorOptions(raw);
  } catch (e) {
    return { error: (e as Error).message };
  }
  return { options: { ...options, port: port ?? 9999, host: host ?? '127.0.0.1' } };
}
