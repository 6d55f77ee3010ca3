import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countTokensBody, countTokensRequest, estimateTokens } from './count-tokens.js';
import { parseAnthropicRequest } from './inbound-request.js';
import { target } from './testkit.test.js';

test('estimate: ceil(chars/4) + 4 per message + 1600 per image, over text, tool calls and tool definitions', () => {
  const req = parseAnthropicRequest({
    model: 'm',
    max_tokens: 10,
    system: 'abcd'.repeat(10), // 40 chars
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'x'.repeat(20) }, // 20
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(10_000) } },
        ],
      },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'calc', input: { a: 1 } }] }, // "calc" 4 + '{"a":1}' 7
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'yy' }] }, // 2
    ],
    tools: [{ name: 'calc', input_schema: { type: 'object' } }],
  });
  const toolChars = JSON.stringify(req.tools![0]!.function).length;
  const chars = 40 + 20 + 4 + 7 + 2 + toolChars;
  assert.equal(req.messages.length, 4);
  assert.equal(estimateTokens(req), Math.ceil(chars / 4) + 4 * 4 + 1600);
  // The image's base64 size does not count as text.
  assert.ok(estimateTokens(req) < 2000);
  assert.deepEqual(countTokensBody(42), { input_tokens: 42 });
});

test('more text, more tokens; an empty request costs nothing', () => {
  const small = estimateTokens({ model: 'm', messages: [{ role: 'user', content: 'hello' }] });
  const big = estimateTokens({ model: 'm', messages: [{ role: 'user', content: 'hello '.repeat(1000) }] });
  assert.equal(small, 2 + 4);
  assert.equal(big, 1500 + 4);
  assert.equal(estimateTokens({ model: 'm', messages: [] }), 0);
});

test('count_tokens upstream call: same headers, real model, generation-only fields removed, the rest kept', () => {
  const spec = countTokensRequest(
    {
      model: 'alias',
      max_tokens: 1024,
      stream: true,
      temperature: 0.5,
      metadata: { user_id: 'u' },
      system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'hi' }],
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      thinking: { type: 'enabled', budget_tokens: 2048 },
    },
    { ...target, apiKey: 'sk-ant-oat01-x' },
    { 'anthropic-beta': 'token-counting-2024-11-01' },
  );
  assert.equal(spec.method, 'POST');
  assert.equal(spec.url, 'https://api.anthropic.com/v1/messages/count_tokens');
  assert.equal(spec.headers['authorization'], 'Bearer sk-ant-oat01-x');
  assert.equal(spec.headers['anthropic-beta'], 'oauth-2025-04-20,token-counting-2024-11-01');
  assert.equal(spec.headers['anthropic-version'], '2023-06-01');
  assert.deepEqual(JSON.parse(String(spec.body)), {
    model: 'claude-sonnet-4-5',
    system: [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ name: 'f', input_schema: { type: 'object' } }],
    thinking: { type: 'enabled', budget_tokens: 2048 },
  });
  assert.throws(() => countTokensRequest({ model: 'm' }, target), { code: 'LLMUX_ERR_INVALID_REQUEST', param: 'messages' });
  assert.throws(() => countTokensRequest('x', target), { code: 'LLMUX_ERR_INVALID_REQUEST' });
});
