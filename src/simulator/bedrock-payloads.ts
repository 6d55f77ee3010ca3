/**
 * Bedrock Converse wire bodies. ConverseStream is binary AWS event-stream, framed with the
 * official Smithy codec so the CRCs are right. Event order follows the recorded stream
 * (test/fixtures/bedrock/converse-stream-text.jsonl): messageStart, contentBlockDelta ×chunks (no
 * contentBlockStart for text), contentBlockStop, messageStop, then metadata with the usage: AFTER
 * messageStop. Payloads carry the random-length "p" padding field real Bedrock adds.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { ResolvedOptions } from './options.js';
import { replyText, streamPieces, truncateJson } from './openai-payloads.js';
import { middleTick, prepareBody, prepareStream, type PreparedBody, type PreparedStream } from './prepared.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

export const EVENTSTREAM_HEADERS = { 'content-type': 'application/vnd.amazon.eventstream' } as const;

const PAD = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Bedrock pads payloads so their length does not reveal the text; any length will do here. */
function pad(i: number): string {
  return PAD.slice(0, 1 + ((i * 7) % PAD.length));
}

export function eventFrame(eventType: string, payload: string): Buffer {
  const bytes = codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(payload),
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function exceptionFrame(exceptionType: string, message: string): Buffer {
  const bytes = codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: exceptionType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function converseBody(o: ResolvedOptions): PreparedBody {
  const body = {
    metrics: { latencyMs: 0 },
    output: { message: { content: [{ text: replyText(o) }], role: 'assistant' } },
    stopReason: 'end_turn',
    usage: { inputTokens: o.promptTokens, outputTokens: o.completionTokens, totalTokens: o.promptTokens + o.completionTokens },
  };
  return prepareBody(200, JSON.stringify(body));
}

export function converseStream(o: ResolvedOptions): PreparedStream {
  const n = o.chunks;
  const pieces = streamPieces(o, n);
  const start = eventFrame('messageStart', JSON.stringify({ p: pad(0), role: 'assistant' }));
  const tail = Buffer.concat([
    eventFrame('contentBlockStop', JSON.stringify({ contentBlockIndex: 0, p: pad(n + 1) })),
    eventFrame('messageStop', JSON.stringify({ p: pad(n + 2), stopReason: 'end_turn' })),
    eventFrame(
      'metadata',
      JSON.stringify({
        metrics: { latencyMs: 0 },
        p: pad(n + 3),
        usage: { inputTokens: o.promptTokens, outputTokens: o.completionTokens, totalTokens: o.promptTokens + o.completionTokens },
      }),
    ),
  ]);
  const deltas = pieces.map((text, i) => JSON.stringify({ contentBlockIndex: 0, delta: { text }, p: pad(i + 1) }));
  const tick = (i: number, payload: string) =>
    Buffer.concat([i === 0 ? start : Buffer.alloc(0), eventFrame('contentBlockDelta', payload), i === n - 1 ? tail : Buffer.alloc(0)]);
  const bad = middleTick(n);
  return prepareStream(EVENTSTREAM_HEADERS, deltas.map((d, i) => tick(i, d)), bad, tick(bad, truncateJson(deltas[bad]!)));
}
