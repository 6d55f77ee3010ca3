/**
 * Streaming a response to the client: never buffered, backpressure honoured (a full socket
 * pauses the upstream), keep-alive comments on long silences, and a failure after the first byte
 * becomes one final in-band error event in the client's protocol, then the stream ends.
 */
import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { SSEDecoder, SSEFrameSplitter } from '../core/sse.js';
import type { EventStreamMessage, SSEEvent } from '../core/types.js';
import type { PassthroughTap, StreamEncoder, StreamTranslator } from '../protocols/index.js';
import { clientAborted, type RequestCtx } from './http.js';
import type { Deployment } from './registry.js';
import { transportError } from './upstream.js';

const KEEPALIVE_MS = 15_000;

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/** Writes; when the socket is full, resolves once it drains (or the client leaves). */
export function write(res: ServerResponse, data: string | Buffer): Promise<void> | undefined {
  if (res.write(data)) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Sends a keep-alive frame after KEEPALIVE_MS without a write. */
function keepAlive(res: ServerResponse, frame: string): { touch(): void; stop(): void } {
  const t = setTimeout(function tick() {
    if (!res.writableEnded && !res.destroyed) {
      res.write(frame);
      t.refresh();
    }
  }, KEEPALIVE_MS);
  t.unref();
  return { touch: () => t.refresh(), stop: () => clearTimeout(t) };
}

/** A frame decoder for the upstream's framing. */
export interface FrameDecoder<E> {
  push(bytes: Uint8Array): E[];
  end(): E[];
}

export type DecoderFactory = () => FrameDecoder<SSEEvent | EventStreamMessage>;

/**
 * Same-protocol stream: upstream SSE frames forwarded byte for byte, usage tapped on the way.
 * Driven by events rather than `for await` (a promise per chunk is measurable on the hot path);
 * a full client socket pauses the upstream body until it drains.
 */
export function pumpPassthrough(
  ctx: RequestCtx,
  dep: Deployment,
  upstream: Dispatcher.ResponseData,
  tap: PassthroughTap,
  encoder: StreamEncoder,
  signal: AbortSignal,
): Promise<void> {
  const { res } = ctx;
  const body = upstream.body;
  res.writeHead(200, SSE_HEADERS);
  const ka = keepAlive(res, encoder.keepAlive());
  const splitter = new SSEFrameSplitter();
  const resume = (): void => {
    body.resume();
  };
  return new Promise<void>((resolve) => {
    body.on('data', (chunk: Buffer) => {
      const whole = splitter.pendingLength === 0;
      const frames = splitter.push(chunk);
      if (frames.length === 0) return;
      // One tap.frame() call per frame; copy the list only when the tap hides or rewrites a frame.
      let kept: Buffer[] | null = null;
      for (let i = 0; i < frames.length; i++) {
        const f = frames[i]!;
        const out = tap.frame(f);
        if (out !== f) kept ??= frames.slice(0, i);
        if (kept && out) kept.push(out);
      }
      const list = kept ?? frames;
      if (list.length === 0) return;
      ka.touch();
      // When every frame is kept as is and the chunk held whole frames only, the chunk itself is
      // what goes out: no copy.
      const out = !kept && whole && splitter.pendingLength === 0 ? chunk : list.length === 1 ? list[0]! : Buffer.concat(list);
      if (!res.write(out)) {
        body.pause();
        res.once('drain', resume);
      }
    });
    body.once('end', () => {
      ka.stop();
      const rest = splitter.end();
      const last = rest && tap.frame(rest);
      if (last) res.write(last);
      ctx.usage = tap.usage();
      res.end();
      resolve();
    });
    body.once('error', (e: Error) => {
      ka.stop();
      res.off('drain', resume);
      ctx.usage = tap.usage();
      failMidStream(ctx, dep, e, encoder, signal);
      resolve();
    });
  });
}

/**
 * Translated stream: upstream frames → canonical chunks → the client's protocol. Event-driven
 * like the passthrough pump; a decoder or translator failure becomes the final in-band error.
 */
export function pumpTranslated(
  ctx: RequestCtx,
  dep: Deployment,
  upstream: Dispatcher.ResponseData,
  decoder: FrameDecoder<SSEEvent | EventStreamMessage>,
  translator: StreamTranslator,
  encoder: StreamEncoder,
  signal: AbortSignal,
): Promise<void> {
  const { res } = ctx;
  const body = upstream.body;
  res.writeHead(200, SSE_HEADERS);
  const ka = keepAlive(res, encoder.keepAlive());
  let text = '';
  let done = false;
  /** Appends the outputs' SSE; false once an error output ended the stream. */
  const take = (outs: ReturnType<StreamTranslator['push']>): boolean => {
    for (const o of outs) {
      if ('error' in o) {
        ctx.error = o.error.message;
        text += encoder.error(o.error);
        return false;
      }
      if (o.chunk.usage) ctx.usage = o.chunk.usage;
      text += encoder.push(o.chunk);
    }
    return true;
  };
  const resume = (): void => {
    body.resume();
  };
  return new Promise<void>((resolve) => {
    const finish = (final: string): void => {
      if (done) return;
      done = true;
      ka.stop();
      res.off('drain', resume);
      res.end(final);
      resolve();
    };
    const fail = (e: unknown): void => {
      if (done) return;
      done = true;
      ka.stop();
      res.off('drain', resume);
      if (text && !res.destroyed) res.write(text);
      failMidStream(ctx, dep, e, encoder, signal);
      resolve();
    };
    body.on('data', (chunk: Buffer) => {
      if (done) return;
      try {
        for (const ev of decoder.push(chunk)) {
          if (!take(translator.push(ev))) {
            body.destroy();
            return finish(text);
          }
        }
      } catch (e) {
        body.destroy();
        return fail(e);
      }
      if (text) {
        ka.touch();
        const ok = res.write(text);
        text = '';
        if (!ok) {
          body.pause();
          res.once('drain', resume);
        }
      }
    });
    body.once('end', () => {
      try {
        let ok = true;
        for (const ev of decoder.end()) if (ok) ok = take(translator.push(ev));
        if (ok) ok = take(translator.end());
        finish(ok ? text + encoder.end() : text);
      } catch (e) {
        fail(e);
      }
    });
    body.once('error', fail);
  });
}

function failMidStream(ctx: RequestCtx, dep: Deployment, e: unknown, encoder: StreamEncoder, signal: AbortSignal): void {
  const { res } = ctx;
  if (clientAborted(ctx) || res.destroyed) {
    ctx.error = 'client closed the stream';
    return;
  }
  const err = transportError(e, dep, signal);
  ctx.error = err.message;
  res.end(encoder.error(err));
}

export function sseDecoder(): FrameDecoder<SSEEvent> {
  return new SSEDecoder();
}
