import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffMs, DEFAULT_BACKOFF, isTransientStatus, nextDelayMs, parseRetryAfter, type BackoffPolicy } from './retry.js';

const NOW = Date.parse('2015-10-21T07:28:00Z');

describe('parseRetryAfter', () => {
  it('retry-after in seconds', () => {
    assert.equal(parseRetryAfter('2', undefined, NOW), 2_000);
    assert.equal(parseRetryAfter('0', undefined, NOW), 0);
    assert.equal(parseRetryAfter('120', undefined, NOW), 120_000);
    // Not in RFC 9110's grammar, but sent by some servers and accepted by the official SDKs.
    assert.equal(parseRetryAfter('1.5', undefined, NOW), 1_500);
    assert.equal(parseRetryAfter(' 3 ', undefined, NOW), 3_000);
  });

  it('retry-after-ms (OpenAI) wins over retry-after', () => {
    assert.equal(parseRetryAfter('20', '250', NOW), 250);
    assert.equal(parseRetryAfter(undefined, '0', NOW), 0);
    assert.equal(parseRetryAfter(undefined, '12.5', NOW), 12.5);
  });

  it('an unusable retry-after-ms falls back to retry-after', () => {
    assert.equal(parseRetryAfter('2', 'soon', NOW), 2_000);
    assert.equal(parseRetryAfter('2', '-5', NOW), 2_000);
    // An empty or blank header is no instruction at all, not "retry at once".
    assert.equal(parseRetryAfter('2', '', NOW), 2_000);
    assert.equal(parseRetryAfter('2', '  ', NOW), 2_000);
    assert.equal(parseRetryAfter(undefined, '', NOW), undefined);
    assert.equal(parseRetryAfter('2', '0x10', NOW), 2_000);
  });

  it('retry-after as an HTTP date, in the three formats of RFC 9110', () => {
    assert.equal(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', undefined, NOW), 5_000);
    assert.equal(parseRetryAfter('Wednesday, 21-Oct-15 07:29:00 GMT', undefined, NOW), 60_000);
    // asctime carries no zone and means GMT, whatever the local zone is.
    assert.equal(parseRetryAfter('Wed Oct 21 07:28:30 2015', undefined, NOW), 30_000);
    assert.equal(parseRetryAfter('Wed Oct  1 07:28:00 2015', undefined, NOW), 0, 'a past date means now');
    assert.equal(parseRetryAfter('Tue, 20 Oct 2015 07:28:00 GMT', undefined, NOW), 0);
  });

  it('garbage, negatives and absence give undefined', () => {
    for (const bad of ['', '  ', 'soon', 'soon 2020', 'foo 5', '-1', '1e3', '0x10', 'Infinity', 'NaN', '2015-10-21T07:28:05Z', '5 seconds']) {
      assert.equal(parseRetryAfter(bad, undefined, NOW), undefined, JSON.stringify(bad));
    }
    assert.equal(parseRetryAfter(undefined, undefined, NOW), undefined);
  });
});

describe('backoffMs', () => {
  const policy: BackoffPolicy = { baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 30_000 };

  it('doubles from baseMs, with jitter between half and the full step', () => {
    const steps = [100, 200, 400, 800];
    steps.forEach((full, i) => {
      assert.equal(backoffMs(i + 1, policy, () => 0), full / 2, `attempt ${i + 1}, lowest`);
      assert.equal(backoffMs(i + 1, policy, () => 0.999999), Math.round(full / 2 + (0.999999 * full) / 2), `attempt ${i + 1}, highest`);
      assert.equal(backoffMs(i + 1, policy, () => 0.5), Math.round(full * 0.75));
    });
  });

  it('never exceeds maxMs, however many attempts', () => {
    for (const attempt of [5, 6, 10, 50, 1_100, 5_000]) {
      const hi = backoffMs(attempt, policy, () => 0.999999);
      const lo = backoffMs(attempt, policy, () => 0);
      assert.ok(hi <= policy.maxMs && hi >= policy.maxMs / 2, `attempt ${attempt}: ${hi}`);
      assert.equal(lo, policy.maxMs / 2);
      assert.ok(Number.isFinite(hi));
    }
  });

  it('stays inside its bounds for any random value', () => {
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let attempt = 1; attempt <= 20; attempt++) {
      const full = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.baseMs * 2 ** (attempt - 1));
      for (let k = 0; k < 50; k++) {
        const ms = backoffMs(attempt, DEFAULT_BACKOFF, rand);
        assert.ok(ms >= full / 2 && ms <= full, `attempt ${attempt}: ${ms} outside [${full / 2}, ${full}]`);
      }
    }
  });
});

describe('nextDelayMs', () => {
  const policy: BackoffPolicy = { baseMs: 100, maxMs: 1_000, maxRetryAfterMs: 5_000 };

  it('honours Retry-After up to the cap, including exactly the cap and zero', () => {
    assert.equal(nextDelayMs(1, 2_500, policy, () => 0), 2_500);
    assert.equal(nextDelayMs(3, 5_000, policy, () => 0), 5_000);
    assert.equal(nextDelayMs(1, 0, policy, () => 0.9), 0);
  });

  it('a Retry-After above the cap means: do not wait, fall back (-1)', () => {
    assert.equal(nextDelayMs(1, 5_001, policy, () => 0), -1);
    assert.equal(nextDelayMs(1, 3_600_000, policy, () => 0), -1);
  });

  it('without Retry-After, the backoff', () => {
    assert.equal(nextDelayMs(1, undefined, policy, () => 0), 50);
    assert.equal(nextDelayMs(3, undefined, policy, () => 0), 200);
    assert.equal(nextDelayMs(10, undefined, policy, () => 0), 500);
  });
});

describe('isTransientStatus', () => {
  it('408, 409, 429 and 5xx are retried; other statuses are not', () => {
    for (const s of [408, 409, 429, 500, 502, 503, 504, 529]) assert.equal(isTransientStatus(s), true, String(s));
    for (const s of [200, 400, 401, 403, 404, 405, 413, 415, 422]) assert.equal(isTransientStatus(s), false, String(s));
  });
});
