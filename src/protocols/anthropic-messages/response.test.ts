import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFixtureJson } from '../../testing/fixtures.js';
import { anthropicChatResponse, finishReason } from './response.js';
import { NOW_MS, target, testEnv } from './testkit.test.js';

test('messages-nonstream-text: content, stop, usage 12/29, id and model from the message, created from env', () => {
  const c = anthropicChatResponse(readFixtureJson('anthropic/messages-nonstream-text.json'), target, testEnv());
  assert.equal(c.object, 'chat.completion');
  assert.equal(c.id, 'msg_01VdEjxAP5ahtHKrrRdNBteQ');
  assert.equal(c.model, 'claude-sonnet-4-5-20250929');
  assert.equal(c.created, Math.floor(NOW_MS / 1000));
  assert.equal(c.choices.length, 1);
  assert.equal(
    c.choices[0]?.message.content,
    "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?",
  );
  assert.equal(c.choices[0]?.message.tool_calls, undefined);
  assert.equal(c.choices[0]?.finish_reason, 'stop');
  assert.deepEqual(c.usage, {
    prompt_tokens: 12,
    completion_tokens: 29,
    total_tokens: 41,
    prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
  });
});

test('messages-nonstream-text-and-tool_use-empty-input: text + tool call with arguments "{}"', () => {
  const c = anthropicChatResponse(readFixtureJson('anthropic/messages-nonstream-text-and-tool_use-empty-input.json'), target, testEnv());
  const m = c.choices[0]!.message;
  assert.ok(typeof m.content === 'string' && m.content.startsWith('<thinking>\nThe updateIssueList tool was provided'));
  assert.ok(m.content.endsWith('Okay, I will update the current issue list:'));
  assert.deepEqual(m.tool_calls, [
    { id: 'toolu_01LRmxn9vGM1d2DZSDBowdZ1', type: 'function', function: { name: 'updateIssueList', arguments: '{}' } },
  ]);
  assert.equal(c.choices[0]?.finish_reason, 'tool_calls');
  assert.equal(c.usage?.prompt_tokens, 602);
  assert.equal(c.usage?.completion_tokens, 93);
});

test('messages-nonstream-tool_use: only a tool call → content null, arguments = JSON of the nested input', () => {
  const body = readFixtureJson<{ content: Array<{ input: unknown }> }>('anthropic/messages-nonstream-tool_use.json');
  const c = anthropicChatResponse(body, target, testEnv());
  const m = c.choices[0]!.message;
  assert.equal(m.content, null);
  assert.equal(m.tool_calls?.length, 1);
  const tc = m.tool_calls![0]!;
  assert.equal(tc.id, 'toolu_01Q9ExVZnzZj7E2QQYHYtNUa');
  assert.equal(tc.function.name, 'json');
  assert.equal(tc.function.arguments, JSON.stringify(body.content[0]!.input));
  const args = JSON.parse(tc.function.arguments) as { elements: unknown[] };
  assert.equal(args.elements.length, 4);
  assert.deepEqual(args.elements[3], { location: 'Berlin', temperature: -9, condition: 'snowy' });
  assert.equal(c.choices[0]?.finish_reason, 'tool_calls');
  assert.equal(c.usage?.prompt_tokens, 1151);
  assert.equal(c.usage?.completion_tokens, 87);
});

test('thinking and redacted thinking → reasoning_content + thinking_blocks with signatures; cache usage split out', () => {
  const c = anthropicChatResponse(
    {
      id: 'msg_t',
      type: 'message',
      role: 'assistant',
      model: 'claude-x',
      content: [
        { type: 'thinking', thinking: 'step one. ', signature: 'sig1' },
        { type: 'redacted_thinking', data: 'opaque' },
        { type: 'thinking', thinking: 'step two.', signature: 'sig2' },
        { type: 'text', text: 'Answer', citations: null },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
        { type: 'text', text: ' continued' },
      ],
      stop_reason: 'stop_sequence',
      stop_sequence: 'END',
      usage: { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 7, output_tokens_details: { thinking_tokens: 4 } },
    },
    target,
    testEnv(),
  );
  const m = c.choices[0]!.message;
  assert.equal(m.content, 'Answer continued');
  assert.equal(m.reasoning_content, 'step one. step two.');
  assert.deepEqual(m.thinking_blocks, [
    { type: 'thinking', thinking: 'step one. ', signature: 'sig1' },
    { type: 'redacted_thinking', data: 'opaque' },
    { type: 'thinking', thinking: 'step two.', signature: 'sig2' },
  ]);
  assert.equal(m.tool_calls, undefined, 'server tool use is not a client tool call');
  assert.equal(c.choices[0]?.finish_reason, 'stop');
  assert.equal(c.choices[0]?.['stop_sequence'], 'END');
  assert.deepEqual(c.usage, {
    prompt_tokens: 1110,
    completion_tokens: 7,
    total_tokens: 1117,
    prompt_tokens_details: { cached_tokens: 1000, cache_creation_tokens: 100 },
    completion_tokens_details: { reasoning_tokens: 4 },
  });
});

test('stop reasons', () => {
  assert.equal(finishReason('end_turn'), 'stop');
  assert.equal(finishReason('stop_sequence'), 'stop');
  assert.equal(finishReason('max_tokens'), 'length');
  assert.equal(finishReason('model_context_window_exceeded'), 'length');
  assert.equal(finishReason('tool_use'), 'tool_calls');
  assert.equal(finishReason('refusal'), 'content_filter');
  assert.equal(finishReason('pause_turn'), 'stop');
  assert.equal(finishReason('something_new'), 'something_new');
  assert.equal(finishReason(null), null);
});

test('a body that is not a message is a protocol error', () => {
  assert.throws(() => anthropicChatResponse({ hello: 1 }, target, testEnv()), { code: 'LLMUX_ERR_UPSTREAM_PROTOCOL' });
  assert.throws(() => anthropicChatResponse('text', target, testEnv()), { code: 'LLMUX_ERR_UPSTREAM_PROTOCOL' });
});
