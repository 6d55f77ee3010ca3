import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAIErrorBody, anthropicErrorBody } from '../../core/errors.js';
import { bedrockUpstream } from './index.js';
import { NOW_MS } from './testkit.test.js';

test('429 with x-amzn-errortype and {message}: status, type and message kept, transient, retry-after honoured', () => {
  const err = bedrockUpstream.error(
    429,
    '{"message":"Too many requests, please wait before trying again."}',
    {
      'x-amzn-errortype': 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      'retry-after': '3',
    },
    NOW_MS,
  );
  assert.equal(err.code, 'LLMUX_ERR_UPSTREAM');
  assert.equal(err.status, 429);
  assert.equal(err.transient, true);
  assert.equal(err.retryAfterMs, 3000);
  assert.equal(err.message, 'Too many requests, please wait before trying again.');
  assert.deepEqual(err.upstreamError, { message: 'Too many requests, please wait before trying again.', type: 'ThrottlingException' });
  assert.equal(openAIErrorBody(err).error['type'], 'ThrottlingException');
  assert.equal(anthropicErrorBody(err).error.type, 'rate_limit_error');
});

test('400 with {Message} (capitalised) and the type only in __type', () => {
  const err = bedrockUpstream.error(
    400,
    '{"__type":"com.amazon.bedrock#ValidationException","Message":"The provided model identifier is invalid."}',
    {},
    NOW_MS,
  );
  assert.equal(err.status, 400);
  assert.equal(err.transient, false);
  assert.equal(err.message, 'The provided model identifier is invalid.');
  assert.deepEqual(err.upstreamError, { message: 'The provided model identifier is invalid.', type: 'ValidationException' });
});

test('header arrays and a non-JSON body', () => {
  const err = bedrockUpstream.error(503, 'Service Unavailable', { 'x-amzn-errortype': ['ServiceUnavailableException:http://x'] }, NOW_MS);
  assert.equal(err.status, 503);
  assert.equal(err.transient, true);
  assert.equal(err.message, 'upstream answered 503: Service Unavailable');
  assert.deepEqual(err.upstreamError, { message: 'upstream answered 503: Service Unavailable', type: 'ServiceUnavailableException' });
});

test('403 access denied is not transient and has no retry delay', () => {
  const err = bedrockUpstream.error(
    403,
    '{"message":"You don\'t have access to the model with the specified model ID."}',
    { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/' },
    NOW_MS,
  );
  assert.equal(err.status, 403);
  assert.equal(err.transient, false);
  assert.equal(err.retryAfterMs, undefined);
  assert.equal(err.upstreamError!['type'], 'AccessDeniedException');
});
