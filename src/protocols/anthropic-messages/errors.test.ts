import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anthropicErrorBody, openAIErrorBody } from '../../core/errors.js';
import { anthropicUpstreamError, streamEventError } from './errors.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

test('an Anthropic error envelope keeps status, message and the error object', () => {
  const e = anthropicUpstreamError(
    400,
    '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"},"request_id":"req_1"}',
    {},
    NOW,
  );
  assert.equal(e.code, 'LLMUX_ERR_UPSTREAM');
  assert.equal(e.status, 400);
  assert.equal(e.message, 'max_tokens: Field required');
  assert.equal(e.transient, false);
  assert.deepEqual(e.upstreamError, { type: 'invalid_request_error', message: 'max_tokens: Field required' });
  assert.deepEqual(anthropicErrorBody(e), { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
  assert.equal(openAIErrorBody(e).error['type'], 'invalid_request_error');
});

test('429 and 529 are transient and honour retry-after (seconds, any header case)', () => {
  const r = anthropicUpstreamError(429, '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}', { 'Retry-After': '7' }, NOW);
  assert.equal(r.transient, true);
  assert.equal(r.retryAfterMs, 7000);
  assert.equal(r.status, 429);
  const o = anthropicUpstreamError(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', { 'retry-after': ['2'] }, NOW);
  assert.equal(o.transient, true);
  assert.equal(o.retryAfterMs, 2000);
  assert.equal(anthropicErrorBody(o).error.type, 'overloaded_error');
  assert.equal(anthropicUpstreamError(401, '{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}', {}, NOW).transient, false);
});

test('a non-JSON body becomes the message, cut at 1 KB', () => {
  const html = `<html>${'x'.repeat(5000)}</html>`;
  const e = anthropicUpstreamError(502, html, {}, NOW);
  assert.equal(e.status, 502);
  assert.equal(e.transient, true);
  assert.equal(e.upstreamError, undefined);
  assert.equal(e.message, `${html.slice(0, 1024)}…`);
  assert.equal(anthropicUpstreamError(503, 'upstream connect error', {}, NOW).message, 'upstream connect error');
  assert.equal(anthropicUpstreamError(500, '', {}, NOW).message, 'upstream answered HTTP 500');
});

test('an in-stream error event maps its type to a status and is never transient', () => {
  const e = streamEventError({ type: 'error', error: { type: 'rate_limit_error', message: 'too many' } });
  assert.equal(e.status, 429);
  assert.equal(e.transient, false);
  assert.equal(e.message, 'too many');
  assert.equal(streamEventError({ type: 'error', error: { type: 'api_error', message: 'boom' } }).status, 500);
  assert.equal(streamEventError({ type: 'error' }).message, 'upstream stream error');
});
