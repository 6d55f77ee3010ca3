import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openAIErrorBody } from '../../core/errors.js';
import { readFixtureJson, readFixtureText } from '../../testing/fixtures.js';
import { parseDuration, upstreamError } from './errors.js';

const NOW = 1_700_000_000_000;

describe('gemini errors', () => {
  it('429 RESOURCE_EXHAUSTED with RetryInfo: transient, retry after 34.4 s, upstream object kept', () => {
    const body = readFixtureText('gemini/error-429-RESOURCE_EXHAUSTED-retryinfo.json');
    const fixture = readFixtureJson<{ error: Record<string, unknown> }>('gemini/error-429-RESOURCE_EXHAUSTED-retryinfo.json');
    const e = upstreamError(429, body, {}, NOW);
    assert.equal(e.code, 'LLMUX_ERR_UPSTREAM');
    assert.equal(e.status, 429);
    assert.equal(e.transient, true);
    assert.equal(e.retryAfterMs, 34_400);
    assert.equal(e.message, 'You exceeded your current quota, please check your plan.');
    assert.deepEqual(e.upstreamError, fixture.error);
    assert.equal(e.type, 'rate_limit_error');
    const envelope = openAIErrorBody(e).error;
    assert.equal(envelope['type'], 'rate_limit_error');
    assert.equal(envelope['status'], 'RESOURCE_EXHAUSTED');
  });

  it('RetryInfo wins over a Retry-After header; the header is used when there is no RetryInfo', () => {
    const withInfo = JSON.stringify({ error: { code: 429, message: 'm', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.5s' }] } });
    assert.equal(upstreamError(429, withInfo, { 'retry-after': '7' }, NOW).retryAfterMs, 500);
    const without = JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } });
    const e = upstreamError(503, without, { 'retry-after': ['7'] }, NOW);
    assert.equal(e.retryAfterMs, 7000);
    assert.equal(e.transient, true);
    assert.equal(e.type, 'overloaded_error');
    assert.equal(upstreamError(503, without, {}, NOW).retryAfterMs, undefined);
  });

  it('400 INVALID_ARGUMENT is not transient', () => {
    const body = JSON.stringify({ error: { code: 400, message: 'Invalid JSON payload received. Unknown name "foo"', status: 'INVALID_ARGUMENT' } });
    const e = upstreamError(400, body, {}, NOW);
    assert.equal(e.status, 400);
    assert.equal(e.transient, false);
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.upstreamError?.['status'], 'INVALID_ARGUMENT');
  });

  it('an array-wrapped error body and a non-JSON body', () => {
    const arr = upstreamError(404, JSON.stringify([{ error: { code: 404, message: 'models/x is not found', status: 'NOT_FOUND' } }]), {}, NOW);
    assert.equal(arr.message, 'models/x is not found');
    assert.equal(arr.status, 404);
    const html = upstreamError(502, '<html>Bad Gateway</html>', {}, NOW);
    assert.equal(html.status, 502);
    assert.equal(html.transient, true);
    assert.match(html.message, /Bad Gateway/);
    assert.equal(html.upstreamError, undefined);
  });

  it('durations', () => {
    assert.equal(parseDuration('21s'), 21_000);
    assert.equal(parseDuration('0.5s'), 500);
    assert.equal(parseDuration('34.4s'), 34_400);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration(3), undefined);
  });
});
