/**
 * Anthropic Messages wire bodies, shaped like the recorded API traffic in
 * test/fixtures/anthropic: compact JSON, `event:` lines equal to the payload's type, a ping after
 * content_block_start, usage split between message_start (input) and message_delta (output).
 */
import { encodeSSE } from '../core/sse.js';
import type { ResolvedOptions } from './options.js';
import { replyText, streamPieces, truncateJson } from './openai-payloads.js';
import { middleTick, prepareBody, prepareStream, SSE_HEADERS, type PreparedBody, type PreparedStream } from './prepared.js';

const MESSAGE_ID = 'msg_bench';

function ev(type: string, payload: Record<string, unknown>): string {
  return encodeSSE(JSON.stringify({ type, ...payload }), type);
}

export function messageBody(o: ResolvedOptions): PreparedBody {
  const body = {
    id: MESSAGE_ID,
    type: 'message',
    role: 'assistant',
    model: o.model,
    content: [{ type: 'text', text: replyText(o) }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: o.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: o.completionTokens },
  };
  return prepareBody(200, JSON.stringify(body));
}

/** message_start, content_block_start, ping, text_delta × chunks, content_block_stop, message_delta, message_stop. */
export function messageStream(o: ResolvedOptions): PreparedStream {
  const n = o.chunks;
  const pieces = streamPieces(o, n);
  const head =
    ev('message_start', {
      message: {
        id: MESSAGE_ID,
        type: 'message',
        role: 'assistant',
        model: o.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: o.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
      },
    }) +
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
    ev('ping', {});
  const tail =
    ev('content_block_stop', { index: 0 }) +
    ev('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: o.promptTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: o.completionTokens },
    }) +
    ev('message_stop', {});
  const deltas = pieces.map((text) => JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }));
  const frame = (i: number, json: string) => (i === 0 ? head : '') + encodeSSE(json, 'content_block_delta') + (i === n - 1 ? tail : '');
  const ticks = deltas.map((d, i) => frame(i, d));
  const bad = middleTick(n);
  return prepareStream(SSE_HEADERS, ticks, bad, frame(bad, truncateJson(deltas[bad]!)));
}

export function countTokensBody(o: ResolvedOptions): PreparedBody {
  return prepareBody(200, JSON.stringify({ input_tokens: o.promptTokens }));
}

/** GET /v1/models as Anthropic answers it (asked with an `anthropic-version` header). */
export function anthropicModelsBody(o: ResolvedOptions): PreparedBody {
  const data = o.models.map((id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' }));
  return prepareBody(200, JSON.stringify({ data, has_more: false, first_id: o.models[0] ?? null, last_id: o.models[o.models.length - 1] ?? null }));
}
