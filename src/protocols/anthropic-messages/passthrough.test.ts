import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFixture } from '../../testing/fixtures.js';
import { anthropicPassthrough, passthroughBody } from './passthrough.js';
import { target } from './testkit.test.js';

test('passthrough: only model is rewritten in the raw body; headers as for translated calls', () => {
  const raw = Buffer.from('{"model": "alias", "max_tokens": 1e3, "messages": [{"role":"user","content":"h\\u00e9"}], "x_new": true}');
  const parsed = JSON.parse(raw.toString()) as Record<string, unknown>;
  const out = passthroughBody(raw, parsed, 'claude-sonnet-4-5');
  assert.equal(out.toString(), '{"model": "claude-sonnet-4-5", "max_tokens": 1e3, "messages": [{"role":"user","content":"h\\u00e9"}], "x_new": true}');
  assert.equal(passthroughBody(raw, parsed, 'alias'), raw, 'untouched when the name is already right');
  const spec = anthropicPassthrough.request(raw, parsed, target, { stream: true, clientHeaders: { 'anthropic-beta': 'x-1' } });
  assert.equal(spec.url, 'https://api.anthropic.com/v1/messages');
  assert.equal(spec.headers['x-api-key'], 'sk-ant-api03-test');
  assert.equal(spec.headers['anthropic-beta'], 'x-1');
});

test('passthrough stream tap: every frame kept, usage read from raw frames', () => {
  const bytes = readFixture('anthropic/docs-stream-tool_use-input_json_delta.sse.txt');
  const frames = bytes.toString('utf8').split('\n\n').filter((f) => f.trim() !== '').map((f) => Buffer.from(`${f}\n\n`));
  const target = { provider: 'a', kind: 'anthropic', baseUrl: 'http://x', model: 'm' };
  const tap = anthropicPassthrough.streamTap({}, target);
  assert.ok(frames.every((f) => tap.frame(f) === f), 'frames pass unchanged');
  assert.equal(tap.usage()?.prompt_tokens, 472);
  assert.equal(tap.usage()?.completion_tokens, 89);
  const body = readFixture('anthropic/messages-nonstream-text.json');
  const out = anthropicPassthrough.response(body, target);
  assert.equal(out.body, body, 'the body is returned as is');
  assert.equal(out.usage?.prompt_tokens, 12);
  assert.equal(out.usage?.completion_tokens, 29);
});
