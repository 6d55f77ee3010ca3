import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anthropicErrorBody, ERRORS, GatewayError, isGatewayError, openAIErrorBody, type ErrorCode } from './errors.js';

const CODES = Object.keys(ERRORS) as ErrorCode[];

describe('GatewayError', () => {
  it('takes status, type and transient from the table for every code', () => {
    for (const code of CODES) {
      const e = new GatewayError(code, `message for ${code}`);
      assert.equal(e.code, code);
      assert.equal(e.status, ERRORS[code].status, code);
      assert.equal(e.type, ERRORS[code].type, code);
      assert.equal(e.transient, ERRORS[code].transient, code);
      assert.equal(e.param, null);
      assert.equal(e.retryAfterMs, undefined);
      assert.equal(e.message, `message for ${code}`);
      assert.equal(e.name, 'GatewayError');
      assert.ok(e instanceof Error);
      assert.ok(isGatewayError(e));
    }
  });

  it('the table: codes are LLMUX_ERR_*, statuses are errors, and only connection-level failures are transient', () => {
    for (const code of CODES) {
      assert.match(code, /^LLMUX_ERR_[A-Z_]+$/);
      assert.ok(ERRORS[code].status >= 400 && ERRORS[code].status <= 599, code);
    }
    assert.deepEqual(
      CODES.filter((c) => ERRORS[c].transient).sort(),
      ['LLMUX_ERR_CONNECT_TIMEOUT', 'LLMUX_ERR_FIRST_BYTE_TIMEOUT', 'LLMUX_ERR_IDLE_TIMEOUT', 'LLMUX_ERR_UPSTREAM_UNREACHABLE'],
    );
    assert.equal(ERRORS.LLMUX_ERR_RATE_LIMITED.status, 429);
    assert.equal(ERRORS.LLMUX_ERR_BODY_TOO_LARGE.status, 413);
    assert.equal(ERRORS.LLMUX_ERR_STORAGE.status, 503);
  });

  it('init overrides status, transient, type, param and keeps the cause', () => {
    const cause = new Error('socket hang up');
    const e = new GatewayError('LLMUX_ERR_UPSTREAM', 'upstream said no', {
      status: 503,
      transient: true,
      type: 'overloaded_error',
      param: 'messages',
      retryAfterMs: 1500,
      cause,
    });
    assert.equal(e.status, 503);
    assert.equal(e.transient, true);
    assert.equal(e.type, 'overloaded_error');
    assert.equal(e.param, 'messages');
    assert.equal(e.retryAfterMs, 1500);
    assert.equal(e.cause, cause);
    assert.equal(new GatewayError('LLMUX_ERR_INTERNAL', 'x').cause, undefined);
    assert.equal(isGatewayError(new Error('plain')), false);
    assert.equal(isGatewayError({ code: 'LLMUX_ERR_INTERNAL' }), false);
  });
});

describe('openAIErrorBody', () => {
  it('is {error:{message,type,param,code}} and nothing else', () => {
    const body = openAIErrorBody(new GatewayError('LLMUX_ERR_MODEL_NOT_FOUND', "model 'gpt-9' not found", { param: 'model' }));
    assert.deepEqual(body, {
      error: { message: "model 'gpt-9' not found", type: 'invalid_request_error', param: 'model', code: 'LLMUX_ERR_MODEL_NOT_FOUND' },
    });
    assert.deepEqual(Object.keys(body.error), ['message', 'type', 'param', 'code']);
    assert.deepEqual(JSON.parse(JSON.stringify(openAIErrorBody(new GatewayError('LLMUX_ERR_RATE_LIMITED', 'slow down')))), {
      error: { message: 'slow down', type: 'rate_limit_error', param: null, code: 'LLMUX_ERR_RATE_LIMITED' },
    });
  });

  it("keeps an upstream error object as the upstream sent it, adding ours only where it has none", () => {
    // An OpenAI 400 as OpenAI sends it: its own type, param and (null) code are kept.
    const upstream = { message: "Invalid value for 'temperature'", type: 'invalid_request_error', param: 'temperature', code: null };
    const e = new GatewayError('LLMUX_ERR_UPSTREAM', 'upstream error', { status: 400, upstreamError: upstream });
    assert.deepEqual(openAIErrorBody(e), { error: upstream });
    // A partial upstream object gets the missing fields from the gateway error.
    const partial = new GatewayError('LLMUX_ERR_UPSTREAM', 'quota exceeded', { status: 429, upstreamError: { message: 'quota exceeded', status: 'RESOURCE_EXHAUSTED' } });
    assert.deepEqual(openAIErrorBody(partial), {
      error: { message: 'quota exceeded', type: 'upstream_error', param: null, code: 'LLMUX_ERR_UPSTREAM', status: 'RESOURCE_EXHAUSTED' },
    });
  });
});

describe('anthropicErrorBody', () => {
  it('is {type:"error",error:{type,message}}, typed by status as Anthropic does', () => {
    const cases: Array<[ErrorCode, string]> = [
      ['LLMUX_ERR_INVALID_JSON', 'invalid_request_error'],
      ['LLMUX_ERR_INVALID_KEY', 'authentication_error'],
      ['LLMUX_ERR_MODEL_FORBIDDEN', 'permission_error'],
      ['LLMUX_ERR_NOT_FOUND', 'not_found_error'],
      ['LLMUX_ERR_BODY_TOO_LARGE', 'request_too_large'],
      ['LLMUX_ERR_RATE_LIMITED', 'rate_limit_error'],
      ['LLMUX_ERR_BUDGET_EXCEEDED', 'rate_limit_error'],
      ['LLMUX_ERR_INTERNAL', 'api_error'],
      ['LLMUX_ERR_UPSTREAM_UNREACHABLE', 'api_error'],
      ['LLMUX_ERR_SHUTTING_DOWN', 'overloaded_error'],
      ['LLMUX_ERR_FIRST_BYTE_TIMEOUT', 'timeout_error'],
      // No Anthropic type for these statuses: 5xx → api_error, 4xx → invalid_request_error.
      ['LLMUX_ERR_UNSUPPORTED', 'api_error'],
      ['LLMUX_ERR_METHOD_NOT_ALLOWED', 'invalid_request_error'],
      ['LLMUX_ERR_UNSUPPORTED_MEDIA', 'invalid_request_error'],
    ];
    for (const [code, type] of cases) {
      const body = anthropicErrorBody(new GatewayError(code, `m ${code}`));
      assert.deepEqual(body, { type: 'error', error: { type, message: `m ${code}` } }, code);
      assert.deepEqual(Object.keys(body.error), ['type', 'message']);
    }
    // An upstream 529 (Anthropic's overload status) keeps its meaning.
    assert.equal(anthropicErrorBody(new GatewayError('LLMUX_ERR_UPSTREAM', 'Overloaded', { status: 529 })).error.type, 'overloaded_error');
    assert.equal(anthropicErrorBody(new GatewayError('LLMUX_ERR_UPSTREAM', 'x', { status: 402 })).error.type, 'billing_error');
  });

  it("uses the upstream's type when it is an Anthropic type, else the status", () => {
    const anthropicUpstream = new GatewayError('LLMUX_ERR_UPSTREAM', 'Overloaded', {
      status: 500,
      upstreamError: { type: 'overloaded_error', message: 'Overloaded' },
    });
    assert.deepEqual(anthropicErrorBody(anthropicUpstream), { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    // OpenAI's "insufficient_quota"-style types are not Anthropic's: the status decides.
    const foreign = new GatewayError('LLMUX_ERR_UPSTREAM', 'You exceeded your current quota', {
      status: 429,
      upstreamError: { type: 'insufficient_quota', message: 'You exceeded your current quota' },
    });
    assert.deepEqual(anthropicErrorBody(foreign), { type: 'error', error: { type: 'rate_limit_error', message: 'You exceeded your current quota' } });
  });
});
