/**
 * Streaming a response to the client: never buffered, backpressure honoured (a full socket
 * pauses the upstream), keep-alive comments on long silences, and a failure after the first byte
 * becomes one final in-band error event in the client's protocol, then the stream ends.
 */
import type { ServerResponse } from 'node:http';
import { SSEDecoder, SSEFrameSplitter, tapEachFrame, tapMarkedFrames } from '../core/sse.js';
import type { EventStreamMessage, SSEEvent } from '../core/types.js';
import type { PassthroughTap, StreamEncoder, StreamTranslator } from '../protocols/index.js';
import type { RequestAbort } from './abort.js';
import { clientAborted, type RequestCtx, type Responder } from './http.js';
import type { KeepAliveSweeper } from './keepalive.js';
import type { Deployment } from './registry.js';
import { transportError, type UpstreamResponse } from './upstream.js';

// No `connection` header: set by hand it stops Node from advertising `Keep-Alive: timeout=`, and a
// client that keeps an idle socket longer than the server then sends on a closing connection.
/** The head of an SSE response, with the request's id (see http.ts on why it is not set earlier). */
export function sseHead(ctx: Responder): Record<string, string> {
  return {
    'x-request-id': ctx.id,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  };
}

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
  upstream: UpstreamResponse,
  tap: PassthroughTap,
  encoder: StreamEncoder,
  signal: RequestAbort,
  keepAlive: KeepAliveSweeper,
): Promise<void> {
  const { res } = ctx;
  const body = upstream.body;
  res.writeHead(200, sseHead(ctx));
  const ka = keepAlive.add(res, encoder.keepAlive());
  const splitter = new SSEFrameSplitter();
  const marks = tap.marks;
  const visit = (f: Buffer): Buffer | null => tap.frame(f);
  const resume = (): void => {
    body.resume();
  };
  // Listeners with `on`: 'end' and 'error' fire at most once, and `once` costs a wrapper each.
  return new Promise<void>((resolve) => {
    body.on('data', (chunk: Buffer) => {
      // Whole frames only (the chunk itself when it ends on a frame end: no copy); a tap with
      // marks sees only the frames that hold one.
      const run = splitter.run(chunk);
      if (!run) return;
      const out = marks ? tapMarkedFrames(run, marks, visit) : tapEachFrame(run, visit);
      if (!out) return;
      ka.wrote = true;
      if (!res.write(out)) {
        body.pause();
        res.once('drain', resume);
      }
    });
    body.on('end', () => {
      keepAlive.remove(ka);
      const rest = splitter.end();
      const last = rest && tap.frame(rest);
      if (last) res.write(last);
      ctx.usage = tap.usage();
      res.end();
      resolve();
    });
    body.on('error', (e: Error) => {
      keepAlive.remove(ka);
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
  upstream: UpstreamResponse,
  decoder: FrameDecoder<SSEEvent | EventStreamMessage>,
  translator: StreamTranslator,
  encoder: StreamEncoder,
  signal: RequestAbort,
  keepAlive: KeepAliveSweeper,
): Promise<void> {
  const { res } = ctx;
  const body = upstream.body;
  res.writeHead(200, sseHead(ctx));
  const ka = keepAlive.add(res, encoder.keepAlive());
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
      keepAlive.remove(ka);
      res.off('drain', resume);
      res.end(final);
      resolve();
    };
    const fail = (e: unknown): void => {
      if (done) return;
      done = true;
      keepAlive.remove(ka);
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
        ka.wrote = true;
        const ok = res.write(text);
        text = '';
        if (!ok) {
          body.pause();
          res.once('drain', resume);
        }
      }
    });
    body.on('end', () => {
      try {
        let ok = true;
        for (const ev of decoder.end()) if (ok) ok = take(translator.push(ev));
        if (ok) ok = take(translator.end());
        finish(ok ? text + encoder.end() : text);
      } catch (e) {
        fail(e);
      }
    });
    body.on('error', fail);
  });
}

function failMidStream(ctx: RequestCtx, dep: Deployment, e: unknown, encoder: StreamEncoder, signal: RequestAbort): void {
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
