/**
 * OpenAI wire bodies. The defaults are crabllm's mock byte for byte (its serde output: no
 * `finish_reason` key on chunks that have none, embeddings written as `0.0`), so llmux's benchmark
 * baseline is the same as crabllm's.
 */
import { encodeSSE, SSE_DONE } from '../core/sse.js';
import { silentMp3, TINY_PNG_B64 } from './media.js';
import type { ResolvedOptions } from './options.js';
import { DEFAULT_CONTENT, DEFAULT_STREAM_WORD } from './options.js';
import { middleTick, prepareBody, prepareStream, SSE_HEADERS, type PreparedBody, type PreparedStream } from './prepared.js';
import { padToBytes, splitIntoPieces } from './text.js';

/** The embeddings model reported when the request names none (crabllm's mock: always this). */
export const EMBED_MODEL = 'bench-embed';

/** Half of an event's JSON: what a malformed chunk carries. */
export function truncateJson(json: string): string {
  return json.slice(0, Math.floor(json.length / 2));
}

/** The reply text of a non-stream response. */
export function replyText(o: ResolvedOptions): string {
  return padToBytes(o.content ?? DEFAULT_CONTENT, o.responseBytes);
}

/** The reply text of a stream, cut into `pieces` deltas. */
export function streamPieces(o: ResolvedOptions, pieces: number): string[] {
  const text = padToBytes(o.content ?? DEFAULT_STREAM_WORD.repeat(pieces), o.responseBytes);
  return splitIntoPieces(text, pieces);
}

function usage(o: ResolvedOptions): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  return { prompt_tokens: o.promptTokens, completion_tokens: o.completionTokens, total_tokens: o.promptTokens + o.completionTokens };
}

export function chatBody(o: ResolvedOptions): PreparedBody {
  const body = {
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 0,
    model: o.model,
    choices: [{ index: 0, message: { role: 'assistant', content: replyText(o) }, finish_reason: 'stop' }],
    usage: usage(o),
  };
  return prepareBody(200, JSON.stringify(body));
}

/**
 * `chunks` chat.completion.chunk events: role on the first, "word " (or a piece of `content`) on
 * all but the last, an empty delta with finish_reason stop on the last; then, when asked, the
 * usage chunk with `choices: []`; then `[DONE]`.
 */
export function chatStream(o: ResolvedOptions, includeUsage: boolean): PreparedStream {
  const n = o.chunks;
  const pieces = streamPieces(o, n - 1);
  const chunk = (choice: Record<string, unknown>) =>
    JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: o.model, choices: [choice] });
  const jsons: string[] = [];
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const delta: Record<string, string> = {};
    if (i === 0) delta['role'] = 'assistant';
    if (!last) delta['content'] = pieces[i]!;
    jsons.push(chunk(last ? { index: 0, delta, finish_reason: 'stop' } : { index: 0, delta }));
  }
  const tail =
    (includeUsage
      ? encodeSSE(JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: o.model, choices: [], usage: usage(o) }))
      : '') + SSE_DONE;
  const ticks = jsons.map((j, i) => encodeSSE(j) + (i === n - 1 ? tail : ''));
  const bad = middleTick(n);
  return prepareStream(SSE_HEADERS, ticks, bad, encodeSSE(truncateJson(jsons[bad]!)) + (bad === n - 1 ? tail : ''));
}

export function completionBody(o: ResolvedOptions): PreparedBody {
  const body = {
    id: 'cmpl-bench',
    object: 'text_completion',
    created: 0,
    model: o.model,
    choices: [{ text: replyText(o), index: 0, logprobs: null, finish_reason: 'stop' }],
    usage: usage(o),
  };
  return prepareBody(200, JSON.stringify(body));
}

/** The legacy text_completion stream, shaped like the chat stream. */
export function completionStream(o: ResolvedOptions, includeUsage: boolean): PreparedStream {
  const n = o.chunks;
  const pieces = streamPieces(o, n - 1);
  const chunk = (choices: unknown[], extra?: Record<string, unknown>) =>
    JSON.stringify({ id: 'cmpl-bench', object: 'text_completion', created: 0, model: o.model, choices, ...extra });
  const jsons: string[] = [];
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    jsons.push(chunk([{ text: last ? '' : pieces[i]!, index: 0, logprobs: null, finish_reason: last ? 'stop' : null }]));
  }
  const tail = (includeUsage ? encodeSSE(chunk([], { usage: usage(o) })) : '') + SSE_DONE;
  const ticks = jsons.map((j, i) => encodeSSE(j) + (i === n - 1 ? tail : ''));
  const bad = middleTick(n);
  return prepareStream(SSE_HEADERS, ticks, bad, encodeSSE(truncateJson(jsons[bad]!)) + (bad === n - 1 ? tail : ''));
}

/**
 * Embedding bodies by (inputs, dimensions, format). Only the crabllm default is prepared at
 * startup; other shapes are built from cached vector literals.
 */
export class EmbeddingBodies {
  readonly default: PreparedBody;
  private readonly vectors = new Map<string, string>();

  constructor(
    private readonly o: ResolvedOptions,
    private readonly model: string,
  ) {
    this.default = prepareBody(200, this.build(1, o.embeddingDims, 'float'));
  }

  build(inputs: number, dims: number, format: 'float' | 'base64'): string {
    const vec = this.vector(dims, format);
    const items: string[] = [];
    for (let i = 0; i < inputs; i++) items.push(`{"object":"embedding","index":${i},"embedding":${vec}}`);
    const tokens = this.o.embeddingTokens * inputs;
    return `{"object":"list","data":[${items.join(',')}],"model":${JSON.stringify(this.model)},"usage":{"prompt_tokens":${tokens},"total_tokens":${tokens}}}`;
  }

  /** A zero vector: `[0.0,…]` as crabllm writes it, or base64 of little-endian float32 zeros. */
  private vector(dims: number, format: 'float' | 'base64'): string {
    const key = `${format}:${dims}`;
    let v = this.vectors.get(key);
    if (v === undefined) {
      v = format === 'base64' ? `"${Buffer.alloc(dims * 4).toString('base64')}"` : `[${'0.0,'.repeat(dims - 1)}0.0]`;
      if (this.vectors.size >= 32) this.vectors.clear(); // dims come from clients: keep the cache bounded
      this.vectors.set(key, v);
    }
    return v;
  }
}

export function imagesBody(n: number, format: 'b64_json' | 'url'): string {
  const item = format === 'url' ? `{"url":"data:image/png;base64,${TINY_PNG_B64}"}` : `{"b64_json":"${TINY_PNG_B64}"}`;
  return `{"created":0,"data":[${new Array<string>(n).fill(item).join(',')}]}`;
}

export function speechBody(): PreparedBody {
  return prepareBody(200, silentMp3(), undefined, 'audio/mpeg');
}

export function transcriptionBody(o: ResolvedOptions): PreparedBody {
  return prepareBody(200, JSON.stringify({ text: replyText(o) }));
}

export function modelsBody(o: ResolvedOptions): PreparedBody {
  return prepareBody(200, JSON.stringify({ object: 'list', data: o.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'mock' })) }));
}
