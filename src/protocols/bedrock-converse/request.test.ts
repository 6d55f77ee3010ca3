import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../core/errors.js';
import type { ChatRequest } from '../../core/types.js';
import type { UpstreamTarget } from '../types.js';
import { bedrockUpstream } from './index.js';
import { DEFAULT_OUTPUT_ROOM, REASONING_BUDGETS, toConverse } from './request.js';
import { target } from './testkit.test.js';

const PNG_B64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

function body(req: ChatRequest, stream = false, t: UpstreamTarget = target): Record<string, unknown> {
  const spec = bedrockUpstream.chatRequest(req, t, { stream, clientHeaders: {} });
  return JSON.parse(spec.body as string) as Record<string, unknown>;
}

function rejects(req: ChatRequest, param: string, message: RegExp): void {
  assert.throws(
    () => toConverse(req),
    (e: unknown) => e instanceof GatewayError && e.status === 400 && e.code === 'LLMUX_ERR_INVALID_REQUEST' && e.param === param && message.test(e.message),
  );
}

test('URL, method and headers: converse vs converse-stream, model id encoded, configured headers kept', () => {
  const t: UpstreamTarget = { ...target, headers: { 'x-extra': 'yes' } };
  const req: ChatRequest = { model: 'alias', messages: [{ role: 'user', content: 'hi' }] };
  const plain = bedrockUpstream.chatRequest(req, t, { stream: false, clientHeaders: {} });
  assert.equal(plain.method, 'POST');
  assert.equal(plain.url, 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse');
  assert.equal(plain.headers['content-type'], 'application/json');
  assert.equal(plain.headers['accept'], 'application/json');
  assert.equal(plain.headers['x-extra'], 'yes');
  assert.equal(plain.headers['authorization'], undefined, 'access keys sign later; no bearer');
  const streamed = bedrockUpstream.chatRequest(req, t, { stream: true, clientHeaders: {} });
  assert.equal(streamed.url, 'https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream');
  assert.equal(streamed.headers['accept'], 'application/vnd.amazon.eventstream');
  // The model id is in the path only, never in the body; `stream` is the URL's business too.
  const b = JSON.parse(streamed.body as string) as Record<string, unknown>;
  assert.deepEqual(Object.keys(b), ['messages']);
  assert.throws(
    () => bedrockUpstream.chatRequest(req, { ...target, region: undefined }, { stream: false, clientHeaders: {} }),
    (e: unknown) => e instanceof GatewayError && /neither a region nor a base_url/.test(e.message),
  );
});

test('system and developer messages → system blocks, with cachePoints after cache_control', () => {
  const b = body({
    model: 'm',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }, { type: 'text', text: 'Rule 2.' }] },
      { role: 'developer', content: 'Dev note.', cache_control: { type: 'ephemeral' } },
      { role: 'user', content: 'Hi' },
    ],
  });
  assert.deepEqual(b['system'], [
    { text: 'You are terse.' },
    { cachePoint: { type: 'default' } },
    { text: 'Rule 2.' },
    { text: 'Dev note.' },
    { cachePoint: { type: 'default' } },
  ]);
  assert.deepEqual(b['messages'], [{ role: 'user', content: [{ text: 'Hi' }] }]);
});

test('user parts: text, data-URL image (format from the MIME type), s3 image, cache_control → cachePoint', () => {
  const b = body({
    model: 'm',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_B64}` }, cache_control: { type: 'ephemeral' } },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
          { type: 'image_url', image_url: { url: 's3://bucket/photos/cat.webp' } },
          { type: 'text', text: '' },
        ],
      },
    ],
  });
  assert.deepEqual(b['messages'], [
    {
      role: 'user',
      content: [
        { text: 'What is in these?' },
        { image: { format: 'png', source: { bytes: PNG_B64 } } },
        { cachePoint: { type: 'default' } },
        { image: { format: 'jpeg', source: { bytes: '/9j/4AAQ' } } },
        { image: { format: 'webp', source: { s3Location: { uri: 's3://bucket/photos/cat.webp' } } } },
      ],
    },
  ]);
});

test('http image URLs, unsupported image types and audio parts are rejected with a 400 naming the part', () => {
  rejects(
    { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] },
    'messages[0].content[0]',
    /cannot fetch image URLs/,
  );
  rejects(
    { model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: 'data:image/bmp;base64,Qk0=' } }] }] },
    'messages[1].content[1]',
    /image\/bmp/,
  );
  rejects(
    { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] },
    'messages[0].content[0]',
    /input_audio/,
  );
});

test('file parts with inline data become document blocks with a sanitised name; file ids are rejected', () => {
  const b = body({
    model: 'm',
    messages: [
      { role: 'user', content: [{ type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0x', filename: 'Q3 report_final.v2.pdf' } }, { type: 'text', text: 'Summarise' }] },
    ],
  });
  assert.deepEqual((b['messages'] as Array<{ content: unknown[] }>)[0]!.content[0], {
    document: { format: 'pdf', name: 'Q3 report-final-v2', source: { bytes: 'JVBERi0x' } },
  });
  rejects({ model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-abc' } }] }] }, 'messages[0].content[0]', /file_data/);
});

test('assistant turn: signed thinking first, then text, then toolUse with the parsed arguments', () => {
  const b = body({
    model: 'm',
    messages: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking both.',
        reasoning_content: 'I should call the tool twice.',
        thinking_blocks: [
          { type: 'thinking', thinking: 'I should call the tool twice.', signature: 'EqQBCgIYAhIM' },
          { type: 'redacted_thinking', data: 'c2VjcmV0' },
        ],
        tool_calls: [
          { id: 'tooluse_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris","days":[1,2]}' } },
          { id: 'tooluse_2', type: 'function', function: { name: 'weather', arguments: '' } },
        ],
      },
    ],
    tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  });
  assert.deepEqual((b['messages'] as unknown[])[1], {
    role: 'assistant',
    content: [
      { reasoningContent: { reasoningText: { text: 'I should call the tool twice.', signature: 'EqQBCgIYAhIM' } } },
      { reasoningContent: { redactedContent: 'c2VjcmV0' } },
      { text: 'Checking both.' },
      { toolUse: { toolUseId: 'tooluse_1', name: 'weather', input: { city: 'Paris', days: [1, 2] } } },
      { toolUse: { toolUseId: 'tooluse_2', name: 'weather', input: {} } },
    ],
  });
});

test('tool results: consecutive tool messages and the next user message merge into one user turn, in order', () => {
  const b = body({
    model: 'm',
    messages: [
      { role: 'user', content: 'Weather?' },
      { role: 'user', content: 'In Paris and Rome.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 't1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
          { id: 't2', type: 'function', function: { name: 'weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 't1', content: '18C, cloudy' },
      { role: 'tool', tool_call_id: 't2', content: [{ type: 'text', text: '24C' }, { type: 'json', json: { uv: 7 } }] },
      { role: 'user', content: 'Thanks, and tomorrow?' },
    ],
    tools: [{ type: 'function', function: { name: 'weather' } }],
  });
  assert.deepEqual(b['messages'], [
    { role: 'user', content: [{ text: 'Weather?' }, { text: 'In Paris and Rome.' }] },
    {
      role: 'assistant',
      content: [
        { toolUse: { toolUseId: 't1', name: 'weather', input: { city: 'Paris' } } },
        { toolUse: { toolUseId: 't2', name: 'weather', input: { city: 'Rome' } } },
      ],
    },
    {
      role: 'user',
      content: [
        { toolResult: { toolUseId: 't1', content: [{ text: '18C, cloudy' }] } },
        { toolResult: { toolUseId: 't2', content: [{ text: '24C' }, { json: { uv: 7 } }] } },
        { text: 'Thanks, and tomorrow?' },
      ],
    },
  ]);
  rejects({ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /tool_call_id/);
  rejects(
    { model: 'm', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '{"x":' } }] }] },
    'messages[0].tool_calls[0].function.arguments',
    /valid JSON/,
  );
});

test('empty messages are dropped (Converse rejects blank text); unknown roles are rejected', () => {
  const b = body({
    model: 'm',
    messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'b' },
    ],
  });
  assert.deepEqual(b['messages'], [{ role: 'user', content: [{ text: 'a' }, { text: 'b' }] }]);
  // Unsigned reasoning (reasoning_content without thinking_blocks) cannot be replayed: dropped.
  const unsigned = body({
    model: 'm',
    messages: [
      { role: 'user', content: 'a' },
      { role: 'assistant', content: 'answer', reasoning_content: 'private thoughts' },
    ],
  });
  assert.deepEqual((unsigned['messages'] as unknown[])[1], { role: 'assistant', content: [{ text: 'answer' }] });
  rejects({ model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role', /function/);
});

test('inferenceConfig: max_completion_tokens over max_tokens, temperature, top_p, stop as a list', () => {
  const b = body({
    model: 'm',
    messages: [{ role: 'user', content: 'x' }],
    max_tokens: 100,
    max_completion_tokens: 200,
    temperature: 0,
    top_p: 0.9,
    stop: 'END',
  });
  assert.deepEqual(b['inferenceConfig'], { maxTokens: 200, temperature: 0, topP: 0.9, stopSequences: ['END'] });
  const b2 = body({ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 50, stop: ['a', 'b'], temperature: null });
  assert.deepEqual(b2['inferenceConfig'], { maxTokens: 50, stopSequences: ['a', 'b'] });
});

test('tools → toolSpec with an object schema ($defs inlined), description, strict, and a cachePoint after a cached tool', () => {
  const b = body({
    model: 'm',
    messages: [{ role: 'user', content: 'x' }],
    tools: [
      {
        type: 'function',
        function: {
          name: 'create_user',
          description: 'Create a user',
          strict: true,
          parameters: {
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { address: { $ref: '#/$defs/Address' } },
            $defs: { Address: { type: 'object', properties: { city: { type: 'string' } } } },
          },
        },
        cache_control: { type: 'ephemeral' },
      },
      { type: 'function', function: { name: 'ping' } },
    ],
  });
  assert.deepEqual(b['toolConfig'], {
    tools: [
      {
        toolSpec: {
          name: 'create_user',
          description: 'Create a user',
          strict: true,
          inputSchema: { json: { type: 'object', properties: { address: { type: 'object', properties: { city: { type: 'string' } } } } } },
        },
      },
      { cachePoint: { type: 'default' } },
      { toolSpec: { name: 'ping', inputSchema: { json: { type: 'object', properties: {} } } } },
    ],
  });
});

test('tool_choice: auto → {auto}, required → {any}, named → {tool}, none → no toolConfig', () => {
  const base: ChatRequest = { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f' } }] };
  const choice = (tc: ChatRequest['tool_choice']): unknown => (body({ ...base, tool_choice: tc })['toolConfig'] as { toolChoice?: unknown } | undefined)?.toolChoice;
  assert.deepEqual(choice('auto'), { auto: {} });
  assert.deepEqual(choice('required'), { any: {} });
  assert.deepEqual(choice({ type: 'function', function: { name: 'f' } }), { tool: { name: 'f' } });
  assert.equal(choice(undefined), undefined);
  assert.equal(body({ ...base })['toolConfig'] !== undefined, true);
  assert.equal(body({ ...base, tool_choice: 'none' })['toolConfig'], undefined);
});

test('history with tool blocks always carries a toolConfig (Converse requires it), without a toolChoice', () => {
  const history: ChatRequest['messages'] = [
    { role: 'user', content: 'time?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 't', type: 'function', function: { name: 'clock', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 't', content: '12:00' },
  ];
  const withNone = body({ model: 'm', messages: history, tools: [{ type: 'function', function: { name: 'clock' } }], tool_choice: 'none' });
  assert.deepEqual(withNone['toolConfig'], { tools: [{ toolSpec: { name: 'clock', inputSchema: { json: { type: 'object', properties: {} } } } }] });
  const noTools = body({ model: 'm', messages: history });
  assert.deepEqual(noTools['toolConfig'], {
    tools: [{ toolSpec: { name: 'clock', description: 'clock (declared from the conversation history)', inputSchema: { json: { type: 'object' } } } }],
  });
});

test('reasoning_effort → additionalModelRequestFields.thinking with the budget, maxTokens made room for it', () => {
  const r = (extra: Partial<ChatRequest>): Record<string, unknown> => body({ model: 'm', messages: [{ role: 'user', content: 'x' }], ...extra });
  const high = r({ reasoning_effort: 'high' });
  assert.deepEqual(high['additionalModelRequestFields'], { thinking: { type: 'enabled', budget_tokens: REASONING_BUDGETS['high'] } });
  assert.deepEqual(high['inferenceConfig'], { maxTokens: REASONING_BUDGETS['high']! + DEFAULT_OUTPUT_ROOM });
  const lowSmallMax = r({ reasoning_effort: 'low', max_tokens: 500 });
  assert.deepEqual(lowSmallMax['inferenceConfig'], { maxTokens: 1024 + 500 });
  const roomy = r({ reasoning_effort: 'medium', max_tokens: 10000 });
  assert.deepEqual(roomy['inferenceConfig'], { maxTokens: 10000 });
  // Explicit Anthropic-style thinking wins over reasoning_effort; top_k rides along.
  const explicit = r({ reasoning_effort: 'high', thinking: { type: 'enabled', budget_tokens: 3000 }, max_tokens: 8000, top_k: 40 });
  assert.deepEqual(explicit['additionalModelRequestFields'], { thinking: { type: 'enabled', budget_tokens: 3000 }, top_k: 40 });
  assert.deepEqual(explicit['inferenceConfig'], { maxTokens: 8000 });
  assert.equal(r({ thinking: { type: 'disabled' } })['additionalModelRequestFields'], undefined);
  assert.equal(r({ reasoning_effort: 'none' })['additionalModelRequestFields'], undefined);
});

test('response_format json_schema → outputConfig.textFormat; json_object and OpenAI-only fields are dropped', () => {
  const b = body({
    model: 'm',
    messages: [{ role: 'user', content: 'x' }],
    response_format: { type: 'json_schema', json_schema: { name: 'person', schema: { type: 'object', properties: { age: { type: 'integer' } } } } },
    seed: 7,
    user: 'u-1',
    parallel_tool_calls: false,
    stream_options: { include_usage: true },
    logprobs: true,
    presence_penalty: 0.5,
    metadata: { user_id: 'x' },
  });
  assert.deepEqual(b['outputConfig'], {
    textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: '{"type":"object","properties":{"age":{"type":"integer"}}}', name: 'person' } } },
  });
  assert.deepEqual(Object.keys(b).sort(), ['messages', 'outputConfig']);
  const jsonObject = body({ model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } });
  assert.deepEqual(Object.keys(jsonObject), ['messages']);
  rejects({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }, 'n', /n > 1/);
});

test('Converse-native fields from the client pass through; its additionalModelRequestFields merge over ours', () => {
  const b = body({
    model: 'm',
    messages: [{ role: 'user', content: 'x' }],
    reasoning_effort: 'low',
    guardrailConfig: { guardrailIdentifier: 'gr-1', guardrailVersion: '1' },
    performanceConfig: { latency: 'optimized' },
    additionalModelRequestFields: { anthropic_beta: ['interleaved-thinking-2025-05-14'] },
  });
  assert.deepEqual(b['guardrailConfig'], { guardrailIdentifier: 'gr-1', guardrailVersion: '1' });
  assert.deepEqual(b['performanceConfig'], { latency: 'optimized' });
  assert.deepEqual(b['additionalModelRequestFields'], {
    thinking: { type: 'enabled', budget_tokens: 1024 },
    anthropic_beta: ['interleaved-thinking-2025-05-14'],
  });
});
