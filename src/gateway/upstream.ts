/**
 * One upstream HTTP call through a deployment's undici Agent, with its timeouts, and the mapping
 * of transport failures to gateway errors (which decide retry and fallback).
 */
import type { Dispatcher } from 'undici';
import { GatewayError } from '../core/errors.js';
import type { RequestAbort } from './abort.js';
import type { Deployment } from './registry.js';

/** What is sent; an adapter's HttpRequestSpec is one as it stands (no copy per attempt). */
export interface UpstreamCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/**
 * Not an async function, and undici's callback form: one promise per call instead of three
 * (undici's own, an async wrapper's and its await), on the path every request takes.
 */
export function callUpstream(dep: Deployment, call: UpstreamCall, signal: RequestAbort): Promise<Dispatcher.ResponseData> {
  // Splitting the URL by hand avoids a WHATWG URL parse per request.
  const schemeEnd = call.url.indexOf('://') + 3;
  const pathStart = call.url.indexOf('/', schemeEnd);
  const origin = pathStart === -1 ? call.url : call.url.slice(0, pathStart);
  const path = pathStart === -1 ? '/' : call.url.slice(pathStart);
  const opts: Dispatcher.RequestOptions = {
    origin,
    path,
    method: call.method,
    headers: call.headers,
    body: call.body as Dispatcher.DispatchOptions['body'],
    signal: signal as unknown as Dispatcher.RequestOptions['signal'],
    headersTimeout: dep.timeouts.firstByteMs,
    bodyTimeout: dep.timeouts.idleMs,
  };
  // With a callback undici never throws: a bad option or a failed dispatch comes back through it.
  return new Promise((resolve, reject) => {
    dep.dispatcher.request(opts, (err, data) => (err ? reject(transportError(err, dep, signal)) : resolve(data)));
  });
}

/** Maps an undici/socket failure to a GatewayError naming the provider. */
export function transportError(e: unknown, dep: Deployment, signal?: RequestAbort): GatewayError {
  if (e instanceof GatewayError) return e;
  const err = e as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  const p = `provider '${dep.provider}'`;
  if (signal?.aborted) {
    const reason = signal.reason;
    if (reason === 'total-timeout') return new GatewayError('LLMUX_ERR_TOTAL_TIMEOUT', `${p} did not finish within total_timeout (${dep.timeouts.totalMs / 1000}s)`);
    if (reason === 'shutdown') return new GatewayError('LLMUX_ERR_SHUTTING_DOWN', 'llmux is shutting down');
    return new GatewayError('LLMUX_ERR_INTERNAL', 'client closed the request', { status: 499 });
  }
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new GatewayError('LLMUX_ERR_CONNECT_TIMEOUT', `${p}: connecting timed out after ${dep.timeouts.connectMs / 1000}s`);
    case 'UND_ERR_HEADERS_TIMEOUT':
      return new GatewayError('LLMUX_ERR_FIRST_BYTE_TIMEOUT', `${p}: no response within timeout (${dep.timeouts.firstByteMs / 1000}s)`);
    case 'UND_ERR_BODY_TIMEOUT':
      return new GatewayError('LLMUX_ERR_IDLE_TIMEOUT', `${p}: the response went silent for idle_timeout (${dep.timeouts.idleMs / 1000}s)`);
    default:
      return new GatewayError('LLMUX_ERR_UPSTREAM_UNREACHABLE', `${p} is unreachable: ${code ? `${code} ` : ''}${err.cause?.message ?? err.message ?? String(e)}`, { cause: e });
  }
}

/**
 * Reads a whole upstream body, mapping a failure mid-body (idle timeout, reset) like a call
 * failure. Events rather than `for await`: the async iterator costs a promise per chunk.
 */
export function readAll(dep: Deployment, body: Dispatcher.ResponseData['body'], signal: RequestAbort): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    body.on('data', (c: Buffer) => {
      parts.push(c);
      size += c.length;
    });
    // `on`, not `once`: each fires at most once, and `once` allocates a wrapper per listener.
    body.on('end', () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size)));
    body.on('error', (e) => reject(transportError(e, dep, signal)));
  });
}
