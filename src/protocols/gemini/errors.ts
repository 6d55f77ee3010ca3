/**
 * Gemini errors (google.rpc.Status: `{error:{code,message,status,details}}`) → GatewayError with
 * the upstream's HTTP status and error object. The wait before a retry comes from the
 * `google.rpc.RetryInfo` detail (`retryDelay: "34.4s"`), else from a Retry-After header.
 */
import { GatewayError } from '../../core/errors.js';
import { isTransientStatus, parseRetryAfter } from '../../core/retry.js';
import type { HeaderBag } from '../types.js';
import type { GeminiErrorObject } from './wire.js';

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function header(h: HeaderBag, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** A protobuf Duration in JSON form ("21s", "0.5s") in milliseconds. */
export function parseDuration(d: unknown): number | undefined {
  if (typeof d !== 'string') return undefined;
  const m = /^(\d+(?:\.\d+)?)s$/.exec(d.trim());
  return m ? Math.round(Number(m[1]) * 1000) : undefined;
}

function retryDelayMs(err: GeminiErrorObject): number | undefined {
  if (!Array.isArray(err.details)) return undefined;
  for (const d of err.details) {
    if (isObj(d) && d['@type'] === RETRY_INFO) return parseDuration(d['retryDelay']);
  }
  return undefined;
}

/** OpenAI error types by status, so OpenAI-shaped clients see a familiar `type`. */
function errorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 429:
      return 'rate_limit_error';
    case 503:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The error object inside a body: `{error:{…}}`, or the `[{error:{…}}]` array some endpoints send. */
function errorObject(parsed: unknown): GeminiErrorObject | undefined {
  const top = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!isObj(top)) return undefined;
  const e = top['error'];
  if (isObj(e)) return e as GeminiErrorObject;
  if (typeof e === 'string') return { message: e };
  return undefined;
}

/** A GatewayError from a Gemini error object (also used for an error event inside a stream). */
export function geminiError(status: number, err: GeminiErrorObject, retryAfterMs?: number): GatewayError {
  const code = status >= 400 && status <= 599 ? status : typeof err.code === 'number' && err.code >= 400 && err.code <= 599 ? err.code : 502;
  const wait = retryDelayMs(err) ?? retryAfterMs;
  return new GatewayError('LLMUX_ERR_UPSTREAM', typeof err.message === 'string' && err.message !== '' ? err.message : `upstream answered ${code}`, {
    status: code,
    type: errorType(code),
    transient: isTransientStatus(code),
    upstreamError: err,
    ...(wait !== undefined ? { retryAfterMs: wait } : {}),
  });
}

export function upstreamError(status: number, body: string, headers: HeaderBag, nowMs: number): GatewayError {
  const headerWait = parseRetryAfter(header(headers, 'retry-after'), undefined, nowMs);
  let obj: GeminiErrorObject | undefined;
  try {
    obj = errorObject(JSON.parse(body));
  } catch {
    obj = undefined;
  }
  if (obj) return geminiError(status, obj, headerWait);
  const code = status >= 400 && status <= 599 ? status : 502;
  const text = body.trim();
  const message = text ? `upstream answered ${status}: ${text.length > 1024 ? `${text.slice(0, 1024)}…` : text}` : `upstream answered ${status}`;
  return new GatewayError('LLMUX_ERR_UPSTREAM', message, {
    status: code,
    type: errorType(code),
    transient: isTransientStatus(code),
    ...(headerWait !== undefined ? { retryAfterMs: headerWait } : {}),
  });
}
