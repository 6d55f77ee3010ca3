import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFixture, readFixtureJson } from '../../testing/fixtures.js';
import { anthropicPassthrough, passthroughBody } from './passthrough.js';
import { carriesUsage, createUsageTap, usageFromEvents, usageFromMessage } from './usage-tap.js';
import { fixtureEvents, target } from './testkit.test.js';

test('usage from whole streams: message_start input + message_delta output; message_delta input wins', () => {
  const basic = usageFromEvents(fixtureEvents('anthropic/docs-stream-basic.sse.txt'));
  assert.equal(basic?.prompt_tokens, 25);
  assert.equal(basic?.completion_tokens, 15);
  const md = usageFromEvents(fixtureEvents('anthropic/messages-stream-message_delta-input_tokens.jsonl'));
  assert.deepEqual(md, { prompt_tokens: 61, completion_tokens: 2, total_tokens: 63, prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 } });
  assert.equal(usageFromEvents(fixtureEvents('anthropic/docs-stream-thinking.sse.txt')), undefined, 'no usage reported');
});

test('the tap takes parsed payloads too, and only looks at the two usage events', () => {
  const tap = createUsageTap();
  tap.push({ type: 'message_start', message: { usage: { input_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20, output_tokens: 1 } } });
  tap.push({ type: 'content_block_delta', usage: { output_tokens: 999 } });
  tap.push({ event: 'message_delta', data: 'not json' });
  tap.push({ type: 'message_delta', usage: { output_tokens: 12 } });
  assert.deepEqual(tap.usage(), {
    prompt_tokens: 125,
    completion_tokens: 12,
    total_tokens: 137,
    prompt_tokens_details: { cached_tokens: 100, cache_creation_tokens: 20 },
  });
  assert.equal(carriesUsage('message_start'), true);
  assert.equal(carriesUsage('message_delta'), true);
  assert.equal(carriesUsage('content_block_delta'), false);
  assert.equal(carriesUsage(undefined), false);
});

test('usage of a non-streaming message body', () => {
  const u = usageFromMessage(readFixtureJson('anthropic/messages-nonstream-tool_use.json'));
  assert.equal(u?.prompt_tokens, 1151);
  assert.equal(u?.completion_tokens, 87);
  assert.equal(usageFromMessage({ content: [] }), undefined);
});

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
  const tap = anthropicPassthrough.streamTap({});
  assert.ok(frames.every((f) => tap.frame(f)));
  assert.equal(tap.usage()?.prompt_tokens, 472);
  assert.equal(tap.usage()?.completion_tokens, 89);
  const body = readFixture('anthropic/messages-nonstream-text.json');
  assert.equal(anthropicPassthrough.responseUsage(body)?.prompt_tokens, 12);
  assert.equal(anthropicPassthrough.responseUsage(body)?.completion_tokens, 29);
});
