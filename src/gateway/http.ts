/**
 * Request-scoped plumbing shared by every route: the context, reading a body under the size
 * limit, and writing JSON and errors in the client's protocol.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, isGatewayError } from '../core/errors.js';
import type { Usage } from '../core/types.js';
import type { InboundProtocol } from '../protocols/index.js';
import type { KeyRecord } from '../services/keys.js';
import type { RequestAbort } from './abort.js';

export interface RequestCtx {
  id: string;
  /** performance.now() at arrival. */
  start: number;
  route: string;
  req: IncomingMessage;
  res: ServerResponse;
  key: KeyRecord | null;
  model?: string;
  provider?: string;
  usage?: Usage;
  error?: string;
  /** Aborts every upstream call of this request; fired when the client goes away. */
  abort: RequestAbort;
  /** Attempts made upstream (1 = no retry). */
  attempts: number;
}

export function clientAborted(ctx: RequestCtx): boolean {
  return ctx.abort.reason === 'client';
}

/** Reads the request body; 413 beyond `limit` (checked against content-length first). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    req.resume();
    return Promise.reject(tooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        parts.length = 0;
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      parts.push(chunk);
    });
    // `on`, not `once`: each fires at most once here, and `once` allocates a wrapper per listener.
    req.on('end', () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)));
    req.on('error', (e) => reject(new GatewayError('LLMUX_ERR_INVALID_REQUEST', `reading the request body failed: ${e.message}`)));
  });
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('LLMUX_ERR_BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes (max_body_bytes)`);
}

/** Parses a JSON object body, with a 400 that names the problem. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) throw new GatewayError('LLMUX_ERR_INVALID_JSON', 'the request body is empty; expected a JSON object');
  let v: unknown;
  try {
    v = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new GatewayError('LLMUX_ERR_INVALID_JSON', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new GatewayError('LLMUX_ERR_INVALID_JSON', `the request body must be a JSON object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`);
  }
  return v as Record<string, unknown>;
}

/*
 * Every data-plane response head is written in one writeHead call that carries x-request-id.
 * A header set earlier with setHeader would send each head down node's slower merge path (a
 * [name, value] pair allocated per header), on every request.
 */

/** Where a response goes and the id its head carries. */
export type Responder = Pick<RequestCtx, 'id' | 'res'>;

export function sendJson(ctx: Responder, status: number, body: unknown, extra?: Record<string, string>): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const head = { 'x-request-id': ctx.id, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
  ctx.res.writeHead(status, extra ? { ...head, ...extra } : head);
  ctx.res.end(text);
}

export function sendBytes(ctx: Responder, status: number, contentType: string, body: Buffer): void {
  ctx.res.writeHead(status, { 'x-request-id': ctx.id, 'content-type': contentType, 'content-length': body.length });
  ctx.res.end(body);
}

/** Starts a streamed response whose length is not known (audio, or anything but SSE). */
export function startBody(ctx: Responder, contentType: string): void {
  ctx.res.writeHead(200, { 'x-request-id': ctx.id, 'content-type': contentType });
}

/** Answers an error in the client's protocol, unless the response has already started. */
export function sendError(ctx: RequestCtx, e: unknown, inbound: InboundProtocol): void {
  const err = toGatewayError(e);
  ctx.error = err.message;
  const { res } = ctx;
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.end();
    return;
  }
  const { status, body } = inbound.renderError(err);
  const extra: Record<string, string> = {};
  if (err.retryAfterMs !== undefined && status === 429) extra['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfterMs / 1000)));
  sendJson(ctx, status, body, extra);
}

export function toGatewayError(e: unknown): GatewayError {
  if (isGatewayError(e)) return e;
  return new GatewayError('LLMUX_ERR_INTERNAL', `internal error: ${(e as Error)?.message ?? String(e)}`, { cause: e });
}

/** A header's first value. */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
