/**
 * Retry policy: which failures are retried, and how long to wait. One function decides, so
 * dispatch, docs and tests agree.
 *
 * Retried (on the same provider, up to its max_retries) and then fallen back from: connection
 * errors, connect/first-byte/idle timeouts, and upstream 408, 409 (lock timeout), 429 and 5xx.
 * Never retried nor fallen back from: other 4xx (the request itself is wrong and would fail
 * anywhere), the whole-request deadline, and anything after the first byte reached the client.
 */

/** Statuses worth another attempt. 409 is retried by OpenAI's SDK too (lock contention). */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface BackoffPolicy {
  /** First wait, in ms. */
  baseMs: number;
  /** No computed wait exceeds this. */
  maxMs: number;
  /** A Retry-After longer than this is not honoured: the attempt fails over instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 8_000, maxRetryAfterMs: 30_000 };

/**
 * Wait before retry number `attempt` (1-based). Exponential with jitter in [half, full], so that
 * clients retrying together spread out. `rand` is injected to keep this pure.
 */
export function backoffMs(attempt: number, policy: BackoffPolicy, rand: () => number): number {
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + (rand() * full) / 2);
}

/**
 * Parses `retry-after-ms` (OpenAI's, milliseconds) or `retry-after` (seconds or an HTTP date).
 * Returns undefined when absent or unparseable.
 */
export function parseRetryAfter(
  retryAfter: string | undefined,
  retryAfterMs: string | undefined,
  nowMs: number,
): number | undefined {
  if (retryAfterMs !== undefined) {
    const ms = Number(retryAfterMs);
    if (Number.isFinite(ms) && ms >= 0) return ms;
  }
  if (retryAfter === undefined || retryAfter === '') return undefined;
  const secs = Number(retryAfter);
  if (Number.isFinite(secs)) return secs >= 0 ? secs * 1000 : undefined;
  const date = Date.parse(retryAfter);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before the next attempt: the upstream's Retry-After when given (if within the cap),
 * else the backoff. Returns -1 when the upstream asks for longer than the cap, meaning: do not
 * wait here, fall back to the next provider.
 */
export function nextDelayMs(
  attempt: number,
  retryAfter: number | undefined,
  policy: BackoffPolicy,
  rand: () => number,
): number {
  if (retryAfter !== undefined) return retryAfter <= policy.maxRetryAfterMs ? retryAfter : -1;
  return backoffMs(attempt, policy, rand);
}
