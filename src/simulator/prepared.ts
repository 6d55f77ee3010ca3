/**
 * Responses serialised once at startup. The simulator is the benchmark's baseline, so a request
 * only picks one of these and writes its bytes; nothing constant is serialised per request.
 */
import type { OutgoingHttpHeaders } from 'node:http';

/** A whole-body response, with the truncated twin sent when a malformed reply is injected. */
export interface PreparedBody {
  readonly kind: 'body';
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
  /** The same response cut in half: 200 with a body that is not valid JSON. */
  readonly malformed: Buffer;
}

/**
 * A stream as ticks: one tick per chunk, written `chunk_interval_ms` apart. A tick may hold more
 * than one event (Anthropic's first tick is message_start, content_block_start, ping and the first
 * delta), so `chunks` counts content chunks in every protocol.
 */
export interface PreparedStream {
  readonly kind: 'stream';
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly ticks: readonly Buffer[];
  /** All ticks joined, written in one go when there is no interval. */
  readonly whole: Buffer;
  /** The ticks with one content event replaced by one that is not valid JSON. */
  readonly malformedTicks: readonly Buffer[];
  readonly malformedWhole: Buffer;
}

export type Prepared = PreparedBody | PreparedStream;

export function jsonHeaders(body: Buffer, contentType = 'application/json', extra?: OutgoingHttpHeaders): OutgoingHttpHeaders {
  return { 'content-type': contentType, 'content-length': String(body.length), ...extra };
}

export function prepareBody(status: number, body: string | Buffer, headers?: OutgoingHttpHeaders, contentType?: string): PreparedBody {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  return {
    kind: 'body',
    status,
    headers: jsonHeaders(buf, contentType, headers),
    body: buf,
    malformed: buf.subarray(0, Math.floor(buf.length / 2)),
  };
}

export const SSE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/**
 * Builds a stream from its ticks (already framed text or bytes). `malformedAt` is the tick whose
 * content event `malformedTick` replaces.
 */
export function prepareStream(
  headers: OutgoingHttpHeaders,
  ticks: readonly (string | Buffer)[],
  malformedAt: number,
  malformedTick: string | Buffer,
  status = 200,
): PreparedStream {
  const bufs = ticks.map((t) => (typeof t === 'string' ? Buffer.from(t) : t));
  const bad = bufs.slice();
  bad[malformedAt] = typeof malformedTick === 'string' ? Buffer.from(malformedTick) : malformedTick;
  return {
    kind: 'stream',
    status,
    headers,
    ticks: bufs,
    whole: Buffer.concat(bufs),
    malformedTicks: bad,
    malformedWhole: Buffer.concat(bad),
  };
}

/** The tick a malformed event replaces: the middle of the stream, never the first tick. */
export function middleTick(ticks: number): number {
  return ticks <= 1 ? 0 : Math.max(1, Math.floor(ticks / 2));
}
