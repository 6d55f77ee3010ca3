/**
 * Anthropic error responses → GatewayError. The upstream's status and its parsed `error` object
 * are kept, so a client sees what Anthropic said (in its own protocol's envelope), and retry
 * decisions use the real status and Retry-After.
 */
import { GatewayError } from '../../core/errors.js';
import { isTransientStatus, parseRetryAfter } from '../../core/retry.js';
import type { HeaderBag } from '../types.js';
import { isObject } from './wire.js';

const MAX_TEXT = 1024;

/** Case-insensitive header read; a repeated header gives its first value. */
export function headerValue(h: HeaderBag, name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(h)) {
    if (k.toLowerCase() !== want) continue;
    return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** The HTTP status Anthropic uses for each error type (used for in-stream `error` events). */
const STATUS_BY_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

export function statusForErrorType(type: string | undefined): number {
  return (type !== undefined ? STATUS_BY_TYPE[type] : undefined) ?? 500;
}

function truncate(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}

export function anthropicUpstreamError(status: number, body: string, headers: HeaderBag, nowMs: number): GatewayError {
  const retryAfterMs = parseRetryAfter(headerValue(headers, 'retry-after'), headerValue(headers, 'retry-after-ms'), nowMs);
  let upstreamError: Record<string, unknown> | undefined;
  let message: string | undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    if (isObject(parsed)) {
      const err = parsed['error'];
      // Anthropic's envelope is {type:"error",error:{type,message}}; proxies in front of it
      // sometimes answer {error:"text"} or a bare object, which are kept as well as they fit.
      if (isObject(err)) upstreamError = err;
      else if (typeof err === 'string') upstreamError = { message: err };
      else upstreamError = parsed;
      if (typeof upstreamError['message'] === 'string') message = upstreamError['message'];
    }
  } catch {
    // Not JSON (an HTML page from a proxy, a plain-text 502): the text is the message.
  }
  if (message === undefined) {
    const text = body.trim();
    message = text && !upstreamError ? truncate(text) : `upstream answered HTTP ${status}`;
  }
  return new GatewayError('LLMUX_ERR_UPSTREAM', message, {
    status: status >= 400 && status <= 599 ? status : 502,
    transient: isTransientStatus(status),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(upstreamError ? { upstreamError } : {}),
  });
}

/**
 * An `error` event inside a stream that already answered 200. The first byte has reached the
 * client by then, so the error is never transient: it ends the stream, it is not retried.
 */
export function streamEventError(payload: unknown): GatewayError {
  const err = isObject(payload) && isObject(payload['error']) ? payload['error'] : undefined;
  const type = typeof err?.['type'] === 'string' ? err['type'] : undefined;
  const message = typeof err?.['message'] === 'string' ? err['message'] : 'upstream stream error';
  return new GatewayError('LLMUX_ERR_UPSTREAM', message, {
    status: statusForErrorType(type),
    transient: false,
    ...(err ? { upstreamError: err } : {}),
  });
}
