/**
 * The benchmark's request bodies, following crabllm's bench.py (chat, stream, embeddings,
 * large-context, tools), plus the long-stream concurrency case and the translation path
 * (an OpenAI client in front of an Anthropic upstream).
 */

export type ScenarioName = 'chat' | 'stream' | 'embeddings' | 'large-context' | 'tools' | 'long-stream' | 'anthropic-chat' | 'anthropic-stream';

export const SCENARIO_NAMES: readonly ScenarioName[] = ['chat', 'stream', 'embeddings', 'large-context', 'tools', 'long-stream', 'anthropic-chat', 'anthropic-stream'];

/** One request as some client sends it. */
export interface RequestShape {
  path: string;
  body: string;
  /** Text the end of a good body contains; undefined = any 2xx body is good. */
  endMarker?: string;
}

export interface Scenario {
  name: ScenarioName;
  what: string;
  /** Which simulator answers: the default one, or the one whose chunks are spaced out. */
  upstream: 'default' | 'long';
  /** The upstream's wire protocol (what direct and floor legs speak). */
  protocol: 'openai' | 'anthropic';
  stream: boolean;
  /** What a gateway receives: always an OpenAI request. */
  gateway: RequestShape;
  /** What the direct and floor legs send: the same request in the upstream's protocol. */
  upstreamRequest: RequestShape;
  /** A fixed load instead of the rate list (the concurrency scenario). */
  fixed?: { rate: number; label: string };
}

const hi = [{ role: 'user', content: 'hi' }];

/** 50 user messages, about 7.8 KB of JSON (crabllm's large-context body). */
export function largeContextMessages(): Array<{ role: string; content: string }> {
  const msgs: Array<{ role: string; content: string }> = [];
  for (let i = 0; i < 50; i++) {
    msgs.push({ role: 'user', content: `Message ${String(i).padStart(2, '0')}: ${'The quick brown fox jumps over the lazy dog. '.repeat(3).slice(0, 114)}` });
  }
  return msgs;
}

/** Ten function definitions, about 2.5 KB (crabllm's tools body). */
export function toolDefinitions(): Array<{ type: 'function'; function: { name: string; description: string; parameters: object } }> {
  const out: Array<{ type: 'function'; function: { name: string; description: string; parameters: object } }> = [];
  for (let i = 0; i < 10; i++) {
    out.push({
      type: 'function',
      function: {
        name: `tool_${i}`,
        description: `Benchmark tool number ${i} that looks something up.`,
        parameters: {
          type: 'object',
          properties: { query: { type: 'string', description: 'What to look up' }, limit: { type: 'integer' } },
          required: ['query'],
        },
      },
    });
  }
  return out;
}

/** The simulator's long streams: 20 chunks 150 ms apart, so each stream lasts about 2.9 s. */
export const LONG_STREAM_INTERVAL_MS = 150;
export const LONG_STREAM_SECONDS = (19 * LONG_STREAM_INTERVAL_MS) / 1000;
export const LONG_STREAM_CONCURRENCY = 1000;

const openai = (path: string, body: object, stream: boolean): RequestShape =>
  stream ? { path, body: JSON.stringify(body), endMarker: '[DONE]' } : { path, body: JSON.stringify(body) };

export function scenario(name: ScenarioName): Scenario {
  const same = (what: string, body: object, stream: boolean, path = '/v1/chat/completions'): Scenario => {
    const r = openai(path, body, stream);
    return { name, what, upstream: 'default', protocol: 'openai', stream, gateway: r, upstreamRequest: r };
  };
  switch (name) {
    case 'chat':
      return same('chat completion, ~273-byte answer', { model: 'bench-chat', messages: hi }, false);
    case 'stream':
      return same('chat stream, 20 chunks (~3 KB)', { model: 'bench-chat', messages: hi, stream: true }, true);
    case 'embeddings':
      return same('embeddings, 1536 floats (~6.3 KB answer)', { model: 'bench-embed', input: 'benchmark text' }, false, '/v1/embeddings');
    case 'large-context':
      return same('chat with 50 messages (~7.8 KB body)', { model: 'bench-chat', messages: largeContextMessages() }, false);
    case 'tools':
      return same('chat with 10 function definitions (~2.5 KB body)', { model: 'bench-chat', messages: hi, tools: toolDefinitions() }, false);
    case 'long-stream': {
      const r = openai('/v1/chat/completions', { model: 'bench-slow', messages: hi, stream: true }, true);
      const rate = Math.round(LONG_STREAM_CONCURRENCY / LONG_STREAM_SECONDS);
      return {
        name,
        what: `${LONG_STREAM_CONCURRENCY} concurrent streams, 20 chunks ${LONG_STREAM_INTERVAL_MS} ms apart (~${LONG_STREAM_SECONDS.toFixed(1)} s each)`,
        upstream: 'long',
        protocol: 'openai',
        stream: true,
        gateway: r,
        upstreamRequest: r,
        fixed: { rate, label: `${LONG_STREAM_CONCURRENCY} streams` },
      };
    }
    case 'anthropic-chat':
    case 'anthropic-stream': {
      const stream = name === 'anthropic-stream';
      const gateway = openai('/v1/chat/completions', { model: 'bench-claude', messages: hi, ...(stream ? { stream: true } : {}) }, stream);
      const native = { model: 'bench-claude', max_tokens: 256, messages: hi, ...(stream ? { stream: true } : {}) };
      return {
        name,
        what: `translation: OpenAI ${stream ? 'stream' : 'chat'} request → Anthropic Messages upstream`,
        upstream: 'default',
        protocol: 'anthropic',
        stream,
        gateway,
        upstreamRequest: stream ? { path: '/v1/messages', body: JSON.stringify(native), endMarker: 'message_stop' } : { path: '/v1/messages', body: JSON.stringify(native) },
      };
    }
  }
}
