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

/** A non-negative decimal number: what both headers carry (fractions as the official SDKs accept). */
const DECIMAL = /^\s*(\d+(?:\.\d+)?)\s*$/;

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)';
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)';
const TIME = '\\d{2}:\\d{2}:\\d{2}';
/** RFC 9110 §5.6.7: IMF-fixdate, the obsolete RFC 850 form, and asctime (which means GMT). */
const IMF_FIXDATE = new RegExp(`^${DAY}, \\d{2} ${MONTH} \\d{4} ${TIME} GMT$`);
const RFC850 = new RegExp(`^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \\d{2}-${MONTH}-\\d{2} ${TIME} GMT$`);
const ASCTIME = new RegExp(`^${DAY} ${MONTH} [ \\d]\\d ${TIME} \\d{4}$`);

/**
 * Parses `retry-after-ms` (OpenAI's, milliseconds) or `retry-after` (seconds or an HTTP date).
 * Returns undefined when absent or unparseable. Only the header grammars are accepted: Number()
 * would read "" as 0 (retry at once) and Date.parse() reads text like "soon 2020" as a date.
 */
export function parseRetryAfter(
  retryAfter: string | undefined,
  retryAfterMs: string | undefined,
  nowMs: number,
): number | undefined {
  const ms = retryAfterMs === undefined ? null : DECIMAL.exec(retryAfterMs);
  if (ms) return Number(ms[1]);
  if (retryAfter === undefined) return undefined;
  const secs = DECIMAL.exec(retryAfter);
  if (secs) return Number(secs[1]) * 1000;
  const text = retryAfter.trim();
  let date = NaN;
  if (IMF_FIXDATE.test(text) || RFC850.test(text)) date = Date.parse(text);
  // Date.parse would read a zone-less date in the local zone.
  else if (ASCTIME.test(text)) date = Date.parse(`${text} GMT`);
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
