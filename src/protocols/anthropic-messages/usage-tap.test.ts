import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFixtureJson } from '../../testing/fixtures.js';
import { carriesUsage, createUsageTap, usageFromEvents, usageFromMessage } from './usage-tap.js';
import { fixtureEvents } from './testkit.test.js';

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
