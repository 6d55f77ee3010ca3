import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.js';
import { readFixtureJson } from '../../testing/fixtures.js';
import { bedrockUpstream } from './index.js';
import { finishReason, toUsage } from './response.js';
import { NOW_MS, target, testEnv } from './testkit.test.js';

test('converse-nonstream-text.json → content, stop, usage 22/57/79 with cached 0', () => {
  const body = readFixtureJson('bedrock/converse-nonstream-text.json');
  const c = bedrockUpstream.chatResponse(body, target, testEnv());
  assert.equal(c.object, 'chat.completion');
  assert.equal(c.id, 'chatcmpl-1');
  assert.equal(c.created, Math.floor(NOW_MS / 1000));
  assert.equal(c.model, target.model);
  assert.equal(c.choices.length, 1);
  const ch = c.choices[0]!;
  assert.equal(ch.message.role, 'assistant');
  assert.equal(
    ch.message.content,
    'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."',
  );
  assert.equal(ch.message.tool_calls, undefined);
  assert.equal(ch.finish_reason, 'stop');
  assert.deepEqual(c.usage, { prompt_tokens: 22, completion_tokens: 57, total_tokens: 79, prompt_tokens_details: { cached_tokens: 0 } });
});

test('converse-nonstream-tool_use.json → tool_calls with the toolUseId and JSON arguments, content null', () => {
  const body = readFixtureJson('bedrock/converse-nonstream-tool_use.json');
  const c = bedrockUpstream.chatResponse(body, target, testEnv());
  const ch = c.choices[0]!;
  assert.equal(ch.message.content, null);
  assert.equal(ch.finish_reason, 'tool_calls');
  assert.equal(ch.message.tool_calls!.length, 1);
  const tc = ch.message.tool_calls![0]!;
  assert.equal(tc.id, 'tool-use-id');
  assert.equal(tc.type, 'function');
  assert.equal(tc.function.name, 'bash');
  assert.equal(typeof tc.function.arguments, 'string');
  assert.deepEqual(JSON.parse(tc.function.arguments), { command: 'ls -l' });
  assert.deepEqual(c.usage, { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30, prompt_tokens_details: { cached_tokens: 0 } });
});

test('reasoning blocks become reasoning_content and signed thinking_blocks; text stays content', () => {
  const body = {
    output: {
      message: {
        role: 'assistant',
        content: [
          { reasoningContent: { reasoningText: { text: 'think 1. ', signature: 'sig-A' } } },
          { reasoningContent: { redactedContent: 'cmVkYWN0ZWQ=' } },
          { text: 'Answer' },
          { toolUse: { toolUseId: 'tooluse_1', name: 'lookup', input: { q: ['a', { b: 1 }] } } },
        ],
      },
    },
    stopReason: 'tool_use',
    usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
  };
  const m = bedrockUpstream.chatResponse(body, target, testEnv()).choices[0]!.message;
  assert.equal(m.content, 'Answer');
  assert.equal(m.reasoning_content, 'think 1. ');
  assert.deepEqual(m.thinking_blocks, [
    { type: 'thinking', thinking: 'think 1. ', signature: 'sig-A' },
    { type: 'redacted_thinking', data: 'cmVkYWN0ZWQ=' },
  ]);
  assert.deepEqual(JSON.parse(m.tool_calls![0]!.function.arguments), { q: ['a', { b: 1 }] });
});

test('usage: cache reads and writes are added to prompt_tokens and reported apart; total adds up', () => {
  const u = toUsage({ inputTokens: 10, outputTokens: 5, totalTokens: 1515, cacheReadInputTokens: 1000, cacheWriteInputTokens: 500 });
  assert.deepEqual(u, {
    prompt_tokens: 1510,
    completion_tokens: 5,
    total_tokens: 1515,
    prompt_tokens_details: { cached_tokens: 1000, cache_creation_tokens: 500 },
  });
  assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
});

test('stop reasons map to OpenAI finish reasons; unknown ones pass through', () => {
  const cases: Array<[string, string]> = [
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['some_future_reason', 'some_future_reason'],
  ];
  for (const [bedrock, openai] of cases) assert.equal(finishReason(bedrock), openai, bedrock);
});

test('a body without output.message.content is an upstream protocol error', () => {
  for (const body of [null, {}, { output: {} }, { output: { message: { content: 'x' } } }]) {
    assert.throws(
      () => bedrockUpstream.chatResponse(body, target, testEnv()),
      (e: unknown) => e instanceof GatewayError && e.code === 'LLMUX_ERR_UPSTREAM_PROTOCOL',
    );
  }
});
