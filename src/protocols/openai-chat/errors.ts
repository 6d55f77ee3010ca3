/** An OpenAI-compatible error response to a GatewayError keeping the upstream's status and object. */
import { GatewayError } from '../../core/errors.js';
import { isTransientStatus, parseRetryAfter } from '../../core/retry.js';
import type { HeaderBag } from '../types.js';

export function header(h: HeaderBag, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function upstreamError(status: number, body: string, headers: HeaderBag, nowMs: number): GatewayError {
  const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), header(headers, 'retry-after-ms'), nowMs);
  let obj: Record<string, unknown> | undefined;
  let message = `upstream answered ${status}`;
  try {
    const parsed: unknown = JSON.parse(body);
    if (parsed && typeof parsed === 'object') {
      const err = (parsed as Record<string, unknown>)['error'];
      if (err && typeof err === 'object' && !Array.isArray(err)) obj = err as Record<string, unknown>;
      else if (typeof err === 'string') obj = { message: err };
      else obj = parsed as Record<string, unknown>;
      if (typeof obj['message'] === 'string') message = obj['message'];
    }
  } catch {
    const text = body.trim();
    if (text) message = `upstream answered ${status}: ${text.length > 1024 ? `${text.slice(0, 1024)}…` : text}`;
  }
  return new GatewayError('LLMUX_ERR_UPSTREAM', message, {
    status: status >= 400 && status <= 599 ? status : 502,
    transient: isTransientStatus(status),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(obj ? { upstreamError: obj } : {}),
  });
}
