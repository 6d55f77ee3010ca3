import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../core/errors.js';
import type { ChatCompletion } from '../../core/types.js';
import { readFixtureJson } from '../../testing/fixtures.js';
import { anthropicInbound } from './index.js';
import { renderAnthropicResponse } from './inbound-response.js';
import { anthropicChatResponse } from './response.js';
import { target, testEnv } from './testkit.test.js';

function completion(message: ChatCompletion['choices'][number]['message'], finish: string | null, extra: Record<string, unknown> = {}): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-x',
    choices: [{ index: 0, message, finish_reason: finish, ...extra }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

test('openai/chat-nonstream-text → end_turn, usage 16/363, a msg_ id, the requested model', () => {
  const c = readFixtureJson<ChatCompletion>('openai/chat-nonstream-text.json');
  const r = renderAnthropicResponse(c, 'claude-alias', testEnv());
  assert.equal(r.id, 'msg_gen1');
  assert.equal(r.type, 'message');
  assert.equal(r.role, 'assistant');
  assert.equal(r.model, 'claude-alias');
  assert.equal(r.content.length, 1);
  assert.equal(r.content[0]?.type, 'text');
  assert.equal(r.content[0]?.['text'], c.choices[0]?.message.content);
  assert.ok(String(r.content[0]?.['text']).startsWith('**Holiday Name:** Galaxy Day'));
  assert.equal(r.stop_reason, 'end_turn');
  assert.equal(r.stop_sequence, null);
  assert.deepEqual(r.usage, { input_tokens: 16, output_tokens: 363, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
});

test('openai/chat-nonstream-tool_calls → a tool_use block with parsed input, stop_reason tool_use', () => {
  const r = renderAnthropicResponse(readFixtureJson<ChatCompletion>('openai/chat-nonstream-tool_calls.json'), 'm', testEnv());
  assert.deepEqual(r.content, [{ type: 'tool_use', id: 'call_qOfTGgDrItLORNfC6VwUbyLL', name: 'get_weather', input: { location: 'Shanghai' } }]);
  assert.equal(r.stop_reason, 'tool_use');
  assert.equal(r.usage.input_tokens, 91);
  assert.equal(r.usage.output_tokens, 14);
});

test('Anthropic message → canonical → Anthropic message gives back the content, stop reason, id and usage', () => {
  for (const rel of [
    'anthropic/messages-nonstream-text.json',
    'anthropic/messages-nonstream-tool_use.json',
    'anthropic/messages-nonstream-text-and-tool_use-empty-input.json',
  ]) {
    const original = readFixtureJson<{ id: string; content: unknown[]; stop_reason: string; usage: Record<string, number> }>(rel);
    const r = renderAnthropicResponse(anthropicChatResponse(original, target, testEnv()), 'alias', testEnv());
    assert.equal(r.id, original.id, rel);
    assert.deepEqual(r.content, original.content, rel);
    assert.equal(r.stop_reason, original.stop_reason, rel);
    assert.equal(r.usage.input_tokens, original.usage['input_tokens'], rel);
    assert.equal(r.usage.output_tokens, original.usage['output_tokens'], rel);
  }
});

test('thinking blocks first with signatures, then text, then tools; cache usage taken out of input_tokens', () => {
  const c = completion(
    {
      role: 'assistant',
      content: 'Done.',
      reasoning_content: 'hmm',
      thinking_blocks: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'opaque' },
      ],
      tool_calls: [{ id: 'toolu_9', type: 'function', function: { name: 'f', arguments: '{"a":[1,2]}' } }],
    },
    'tool_calls',
  );
  c.usage = { prompt_tokens: 1110, completion_tokens: 7, total_tokens: 1117, prompt_tokens_details: { cached_tokens: 1000, cache_creation_tokens: 100 } };
  const r = renderAnthropicResponse(c, 'm', testEnv());
  assert.deepEqual(r.content, [
    { type: 'thinking', thinking: 'hmm', signature: 'sig' },
    { type: 'redacted_thinking', data: 'opaque' },
    { type: 'text', text: 'Done.' },
    { type: 'tool_use', id: 'toolu_9', name: 'f', input: { a: [1, 2] } },
  ]);
  assert.deepEqual(r.usage, { input_tokens: 10, output_tokens: 7, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 });
});

test('stop reasons: stop_sequence when known, max_tokens, refusal, and tool_use whenever tools were called', () => {
  const text = { role: 'assistant' as const, content: 'x' };
  const call = { role: 'assistant' as const, content: null, tool_calls: [{ id: 'c1', type: 'function' as const, function: { name: 'f', arguments: 'not json' } }] };
  const seq = renderAnthropicResponse(completion(text, 'stop', { stop_sequence: '###' }), 'm', testEnv());
  assert.equal(seq.stop_reason, 'stop_sequence');
  assert.equal(seq.stop_sequence, '###');
  assert.equal(renderAnthropicResponse(completion(text, 'length'), 'm', testEnv()).stop_reason, 'max_tokens');
  assert.equal(renderAnthropicResponse(completion(text, 'content_filter'), 'm', testEnv()).stop_reason, 'refusal');
  const stopWithTools = renderAnthropicResponse(completion(call, 'stop'), 'm', testEnv());
  assert.equal(stopWithTools.stop_reason, 'tool_use');
  assert.deepEqual(stopWithTools.content, [{ type: 'tool_use', id: 'c1', name: 'f', input: {} }], 'unparseable arguments → {}');
  const refusal = renderAnthropicResponse(completion({ role: 'assistant', content: null, refusal: "I can't help with that." }, 'stop'), 'm', testEnv());
  assert.deepEqual(refusal.content, [{ type: 'text', text: "I can't help with that." }]);
  assert.equal(refusal.stop_reason, 'refusal');
});

test('renderError: Anthropic envelope and the error status', () => {
  const r = anthropicInbound.renderError(new GatewayError('LLMUX_ERR_RATE_LIMITED', 'slow down'));
  assert.equal(r.status, 429);
  assert.deepEqual(r.body, { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } });
  const up = anthropicInbound.renderError(
    new GatewayError('LLMUX_ERR_UPSTREAM', 'Overloaded', { status: 529, upstreamError: { type: 'overloaded_error', message: 'Overloaded' } }),
  );
  assert.equal(up.status, 529);
  assert.deepEqual(up.body, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
});
