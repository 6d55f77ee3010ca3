/**
 * Bedrock errors to GatewayErrors. An HTTP error answers JSON `{message}` (or `{Message}`) with
 * the error's name in the `x-amzn-errortype` header (`ThrottlingException:http://internal…`);
 * a ConverseStream error after the 200 arrives as an event-stream frame with
 * `:message-type: exception` and `:exception-type: throttlingException`, whose status we infer
 * from the name (the codes AWS documents for each exception).
 */
import { GatewayError } from '../../core/errors.js';
import { isTransientStatus, parseRetryAfter } from '../../core/retry.js';
import type { HeaderBag } from '../types.js';

/** HTTP statuses of the Bedrock runtime exceptions, keyed by lower-cased name. */
const EXCEPTION_STATUS: Record<string, number> = {
  validationexception: 400,
  servicequotaexceededexception: 400,
  accessdeniedexception: 403,
  unrecognizedclientexception: 403,
  resourcenotfoundexception: 404,
  modeltimeoutexception: 408,
  conflictexception: 409,
  modelerrorexception: 424,
  modelstreamerrorexception: 424,
  throttlingexception: 429,
  modelnotreadyexception: 429,
  internalserverexception: 500,
  serviceunavailableexception: 503,
};

/** The status for an exception name (any case); unknown names are a 500 from the upstream. */
export function exceptionStatus(type: string): number {
  return EXCEPTION_STATUS[type.toLowerCase()] ?? 500;
}

function header(h: HeaderBag, name: string): string | undefined {
  const v = h[name] ?? h[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** `ThrottlingException:http://internal.amazon.com/coral/…` → `ThrottlingException`. */
function errorTypeFrom(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  const name = raw.split(':')[0]?.trim();
  return name ? name : undefined;
}

function messageOf(obj: Record<string, unknown>): string | undefined {
  for (const k of ['message', 'Message', 'errorMessage']) {
    const v = obj[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

export function upstreamError(status: number, body: string, headers: HeaderBag, nowMs: number): GatewayError {
  let parsed: Record<string, unknown> | undefined;
  try {
    const v: unknown = JSON.parse(body);
    if (v && typeof v === 'object' && !Array.isArray(v)) parsed = v as Record<string, unknown>;
  } catch {
    parsed = undefined;
  }
  // The header is authoritative; `__type` is where the AWS JSON protocols put the same name.
  const type =
    errorTypeFrom(header(headers, 'x-amzn-errortype')) ??
    (typeof parsed?.['__type'] === 'string' ? errorTypeFrom((parsed['__type'] as string).split('#').pop()) : undefined);
  let message = parsed ? messageOf(parsed) : undefined;
  if (message === undefined) {
    const text = body.trim();
    message = text && !parsed ? `upstream answered ${status}: ${text.length > 1024 ? `${text.slice(0, 1024)}…` : text}` : `upstream answered ${status}`;
  }
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), header(headers, 'retry-after-ms'), nowMs);
  const upstream: Record<string, unknown> = { message };
  if (type !== undefined) upstream['type'] = type;
  return new GatewayError('LLMUX_ERR_UPSTREAM', message, {
    status: status >= 400 && status <= 599 ? status : 502,
    transient: isTransientStatus(status),
    upstreamError: upstream,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

/** A ConverseStream exception (or transport error) frame to the one final stream error. */
export function streamException(eventType: string, payload: unknown): GatewayError {
  const obj = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {};
  const type = eventType || 'unknownException';
  const message = messageOf(obj) ?? (typeof payload === 'string' && payload !== '' ? payload : `upstream stream failed: ${type}`);
  const status = exceptionStatus(type);
  return new GatewayError('LLMUX_ERR_UPSTREAM', message, {
    status,
    transient: isTransientStatus(status),
    upstreamError: { message, type },
  });
}
