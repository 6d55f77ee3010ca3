/**
 * One upstream HTTP call through a deployment's undici Agent, with its timeouts, and the mapping
 * of transport failures to gateway errors (which decide retry and fallback).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../core/errors.js';
import type { RequestAbort } from './abort.js';
import type { Deployment } from './registry.js';
import { UpstreamBody } from './upstream-body.js';

/** What is sent; an adapter's HttpRequestSpec is one as it stands (no copy per attempt). */
export interface UpstreamCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Uint8Array | AsyncIterable<Uint8Array>;
}

/** An upstream answer: status, headers, and the body to read once. */
export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: UpstreamBody;
}

/**
 * One call through undici's dispatch API, resolved at the response head. Not an async function:
 * one promise per call, on the path every request takes. The body is an UpstreamBody rather
 * than undici's `request()` stream (upstream-body.ts says why).
 */
export function callUpstream(dep: Deployment, call: UpstreamCall, signal: RequestAbort): Promise<UpstreamResponse> {
  // Splitting the URL by hand avoids a WHATWG URL parse per request.
  const schemeEnd = call.url.indexOf('://') + 3;
  const pathStart = call.url.indexOf('/', schemeEnd);
  const opts: Dispatcher.DispatchOptions = {
    origin: pathStart === -1 ? call.url : call.url.slice(0, pathStart),
    path: pathStart === -1 ? '/' : call.url.slice(pathStart),
    method: call.method,
    headers: call.headers,
    body: call.body as Dispatcher.DispatchOptions['body'],
    headersTimeout: dep.timeouts.firstByteMs,
    bodyTimeout: dep.timeouts.idleMs,
  };
  return new Promise((resolve, reject) => {
    const handler = new CallHandler(dep, signal, resolve, reject);
    try {
      dep.dispatcher.dispatch(opts, handler);
    } catch (e) {
      // A bad option is thrown by dispatch itself rather than reported to the handler.
      handler.onResponseError(undefined, e as Error);
    }
  });
}

/** undici's side of one call: resolves at the head, then feeds the body. */
class CallHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private body: UpstreamBody | undefined;
  private done = false;
  private readonly onAbort = (): void => {
    // Before the request has a connection, onRequestStart sees `signal.aborted` instead.
    this.controller?.abort(new Error('request aborted'));
  };

  constructor(
    private readonly dep: Deployment,
    private readonly signal: RequestAbort,
    private readonly resolve: (r: UpstreamResponse) => void,
    private readonly reject: (e: GatewayError) => void,
  ) {
    signal.on('abort', this.onAbort);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.signal.aborted) controller.abort(new Error('request aborted'));
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (statusCode < 200) return; // 1xx: the real head follows
    this.body = new UpstreamBody(controller);
    this.resolve({ statusCode, headers, body: this.body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.body?.push(chunk);
  }

  onResponseEnd(): void {
    this.finish();
    this.body?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, e: Error): void {
    this.finish();
    if (this.body) this.body.fail(e);
    else this.reject(transportError(e, this.dep, this.signal));
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.signal.off('abort', this.onAbort);
  }
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
export function readAll(dep: Deployment, body: UpstreamBody, signal: RequestAbort): Promise<Buffer> {
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
