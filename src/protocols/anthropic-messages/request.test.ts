import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatCompletion, ChatRequest } from '../../core/types.js';
import { readFixtureJson } from '../../testing/fixtures.js';
import { anthropicChatRequest, buildMessagesBody, toolInputFromArguments } from './request.js';
import { target } from './testkit.test.js';
import type { WireRequest } from './wire.js';

function body(req: Omit<ChatRequest, 'model'>, stream = false): WireRequest {
  return buildMessagesBody({ model: 'alias', ...req } as ChatRequest, target, stream);
}

test('URL, method, version and key headers; the body is JSON with the real model name', () => {
  const spec = anthropicChatRequest({ model: 'my-alias', messages: [{ role: 'user', content: 'hi' }] }, target, { stream: true, clientHeaders: {} });
  assert.equal(spec.method, 'POST');
  assert.equal(spec.url, 'https://api.anthropic.com/v1/messages');
  assert.deepEqual(spec.headers, {
    'content-type': 'application/json',
    'anthropic-version': '2023-06-01',
    'x-api-key': 'sk-ant-api03-test',
  });
  const b = JSON.parse(String(spec.body)) as WireRequest;
  assert.equal(b.model, 'claude-sonnet-4-5');
  assert.equal(b.stream, true);
  assert.equal(b.max_tokens, 4096);
  assert.deepEqual(b.messages, [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
});

test('OAuth tokens use Bearer + the oauth beta; client and config betas are merged and de-duplicated', () => {
  const spec = anthropicChatRequest(
    { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
    { ...target, apiKey: 'sk-ant-oat01-abc', headers: { 'anthropic-beta': 'files-api-2025-04-14', 'X-Team': 'blue' } },
    { stream: false, clientHeaders: { 'anthropic-beta': 'interleaved-thinking-2025-05-14, files-api-2025-04-14', 'x-api-key': 'client-key' } },
  );
  assert.equal(spec.headers['authorization'], 'Bearer sk-ant-oat01-abc');
  assert.equal(spec.headers['x-api-key'], undefined, 'the client key is never forwarded');
  assert.equal(spec.headers['anthropic-beta'], 'oauth-2025-04-20,files-api-2025-04-14,interleaved-thinking-2025-05-14');
  assert.equal(spec.headers['x-team'], 'blue');
  const arr = anthropicChatRequest({ model: 'm', messages: [] }, target, {
    stream: false,
    clientHeaders: { 'Anthropic-Beta': ['a-1', 'b-2,a-1'] },
  });
  assert.equal(arr.headers['anthropic-beta'], 'a-1,b-2');
});

test('system and developer messages → system text blocks, in order, keeping cache_control', () => {
  const b = body({
    messages: [
      { role: 'system', content: 'You are terse.' },
      {
        role: 'system',
        content: [
          { type: 'text', text: 'Project rules…' },
          { type: 'text', text: 'Big cached context', cache_control: { type: 'ephemeral' } },
        ],
      },
      { role: 'user', content: 'hi' },
      { role: 'developer', content: 'Answer in French.', cache_control: { type: 'ephemeral', ttl: '1h' } },
    ],
  });
  assert.deepEqual(b.system, [
    { type: 'text', text: 'You are terse.' },
    { type: 'text', text: 'Project rules…' },
    { type: 'text', text: 'Big cached context', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'Answer in French.', cache_control: { type: 'ephemeral', ttl: '1h' } },
  ]);
  assert.deepEqual(b.messages, [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
});

test('user images: data URLs → base64 source, http(s) → url source, cache_control kept; PDFs → document', () => {
  const b = body({
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'high' }, cache_control: { type: 'ephemeral' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'spec.pdf' } },
          { type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } },
        ],
      },
    ],
  });
  assert.deepEqual(b.messages[0]?.content, [
    { type: 'text', text: 'What is in these?' },
    { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
    { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' }, cache_control: { type: 'ephemeral' } },
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'spec.pdf' },
  ]);
});

test('tools: $ref schemas inlined, descriptions, strict and cache_control kept', () => {
  const b = body({
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
            properties: { address: { $ref: '#/$defs/Address' }, name: { type: 'string' } },
            required: ['name'],
            $defs: { Address: { type: 'object', properties: { city: { type: 'string' } } } },
          },
        },
        cache_control: { type: 'ephemeral' },
      },
      { type: 'function', function: { name: 'now' } },
    ],
  });
  assert.deepEqual(b.tools, [
    {
      name: 'create_user',
      description: 'Create a user',
      strict: true,
      cache_control: { type: 'ephemeral' },
      input_schema: {
        type: 'object',
        properties: { address: { type: 'object', properties: { city: { type: 'string' } } }, name: { type: 'string' } },
        required: ['name'],
      },
    },
    { name: 'now', input_schema: { type: 'object', properties: {} } },
  ]);
});

test('tool_choice: auto, required → any, named → tool, none → none; parallel_tool_calls false → disable_parallel_tool_use', () => {
  const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
  const tc = (extra: Partial<ChatRequest>) => body({ messages: [{ role: 'user', content: 'x' }], tools, ...extra }).tool_choice;
  assert.deepEqual(tc({ tool_choice: 'auto' }), { type: 'auto' });
  assert.deepEqual(tc({ tool_choice: 'required' }), { type: 'any' });
  assert.deepEqual(tc({ tool_choice: { type: 'function', function: { name: 'f' } } }), { type: 'tool', name: 'f' });
  assert.deepEqual(tc({ tool_choice: 'none' }), { type: 'none' });
  assert.equal(tc({}), undefined);
  assert.deepEqual(tc({ parallel_tool_calls: false }), { type: 'auto', disable_parallel_tool_use: true });
  assert.deepEqual(tc({ tool_choice: 'required', parallel_tool_calls: false }), { type: 'any', disable_parallel_tool_use: true });
  assert.deepEqual(tc({ tool_choice: 'none', parallel_tool_calls: false }), { type: 'none' });
  // No tools: no tool_choice at all (Anthropic rejects one without tools).
  assert.equal(body({ messages: [{ role: 'user', content: 'x' }], tool_choice: 'auto' }).tool_choice, undefined);
});

test('an OpenAI tool-call turn (recorded) and parallel results → tool_use blocks and ONE user message of tool_results', () => {
  const recorded = readFixtureJson<ChatCompletion>('openai/chat-nonstream-tool_calls.json');
  const first = recorded.choices[0]!.message.tool_calls![0]!;
  const b = body({
    messages: [
      { role: 'user', content: 'Weather in Shanghai and Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [first, { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: first.id, content: '22°C, cloudy' },
      { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '18°C' }, { type: 'text', text: 'rain' }], is_error: false },
      { role: 'user', content: 'And tomorrow?' },
    ],
  });
  assert.deepEqual(b.messages, [
    { role: 'user', content: [{ type: 'text', text: 'Weather in Shanghai and Paris?' }] },
    {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'call_qOfTGgDrItLORNfC6VwUbyLL', name: 'get_weather', input: { location: 'Shanghai' } },
        { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { location: 'Paris' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_qOfTGgDrItLORNfC6VwUbyLL', content: '22°C, cloudy' },
        { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '18°C' }, { type: 'text', text: 'rain' }] },
        { type: 'text', text: 'And tomorrow?' },
      ],
    },
  ]);
});

test('tool_result blocks move before other blocks of the same user turn; is_error kept; ids sanitised the same way', () => {
  const b = body({
    messages: [
      { role: 'assistant', content: 'calling', tool_calls: [{ id: 'functions.get:0', type: 'function', function: { name: 'get', arguments: '' } }] },
      { role: 'user', content: 'meanwhile…' },
      { role: 'tool', tool_call_id: 'functions.get:0', content: 'failed', is_error: true },
    ],
  });
  assert.deepEqual(b.messages, [
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'calling' },
        { type: 'tool_use', id: 'functions_get_0', name: 'get', input: {} },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'functions_get_0', content: 'failed', is_error: true },
        { type: 'text', text: 'meanwhile…' },
      ],
    },
  ]);
});

test('tool arguments that are not a JSON object are kept raw under _raw_arguments; empty → {}', () => {
  assert.deepEqual(toolInputFromArguments('{"a":1}'), { a: 1 });
  assert.deepEqual(toolInputFromArguments(''), {});
  assert.deepEqual(toolInputFromArguments('  '), {});
  assert.deepEqual(toolInputFromArguments('{"a":'), { _raw_arguments: '{"a":' });
  assert.deepEqual(toolInputFromArguments('[1,2]'), { _raw_arguments: '[1,2]' });
});

test('thinking round-trip: signed thinking and redacted thinking come FIRST; unsigned reasoning is dropped', () => {
  const b = body({
    messages: [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: 'Let me check.',
        reasoning_content: 'I should call the tool.',
        thinking_blocks: [
          { type: 'thinking', thinking: 'I should call the tool.', signature: 'EqQBCgIYAhIM' },
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3p' },
        ],
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'calc', arguments: '{"x":2}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '4' },
      { role: 'assistant', content: 'It is 4.', reasoning_content: 'from a provider without signatures' },
      { role: 'user', content: 'again' },
      { role: 'assistant', content: 'ok', reasoning_content: 'streamed thoughts', thinking_signature: 'SIG' },
    ],
  });
  assert.deepEqual(b.messages[1], {
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'I should call the tool.', signature: 'EqQBCgIYAhIM' },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3p' },
      { type: 'text', text: 'Let me check.' },
      { type: 'tool_use', id: 'toolu_1', name: 'calc', input: { x: 2 } },
    ],
  });
  assert.deepEqual(b.messages[3], { role: 'assistant', content: [{ type: 'text', text: 'It is 4.' }] });
  assert.deepEqual(b.messages[5], {
    role: 'assistant',
    content: [
      { type: 'thinking', thinking: 'streamed thoughts', signature: 'SIG' },
      { type: 'text', text: 'ok' },
    ],
  });
});

test('consecutive same-role messages merge; empty messages vanish; message cache_control marks the last block', () => {
  const b = body({
    messages: [
      { role: 'user', content: 'one' },
      { role: 'user', content: '' },
      { role: 'user', content: [{ type: 'text', text: 'two' }], cache_control: { type: 'ephemeral' } },
      { role: 'assistant', content: 'a' },
      { role: 'assistant', content: 'b' },
    ],
  });
  assert.deepEqual(b.messages, [
    { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two', cache_control: { type: 'ephemeral' } }] },
    { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
  ]);
});

test('reasoning_effort → thinking budget, max_tokens raised above it, temperature/top_k dropped, top_p kept only ≥ 0.95', () => {
  const m = [{ role: 'user', content: 'x' }];
  const high = body({ messages: m, reasoning_effort: 'high', temperature: 0.2, top_p: 0.5, top_k: 5 });
  assert.deepEqual(high.thinking, { type: 'enabled', budget_tokens: 16384 });
  assert.equal(high.max_tokens, 16384 + 4096);
  assert.equal(high.temperature, undefined);
  assert.equal(high.top_p, undefined);
  assert.equal(high.top_k, undefined);
  const low = body({ messages: m, reasoning_effort: 'low', max_tokens: 8000, top_p: 0.97 });
  assert.deepEqual(low.thinking, { type: 'enabled', budget_tokens: 1024 });
  assert.equal(low.max_tokens, 8000, 'a max_tokens above the budget is kept');
  assert.equal(low.top_p, 0.97);
  assert.deepEqual(body({ messages: m, reasoning_effort: 'medium' }).thinking, { type: 'enabled', budget_tokens: 4096 });
  assert.equal(body({ messages: m, reasoning_effort: 'medium' }).max_tokens, 8192);
  const minimal = body({ messages: m, reasoning_effort: 'minimal', temperature: 0.3 });
  assert.equal(minimal.thinking, undefined);
  assert.equal(minimal.temperature, 0.3);
  // An explicit thinking config passes as is and wins over reasoning_effort.
  const explicit = body({ messages: m, thinking: { type: 'enabled', budget_tokens: 2000 }, reasoning_effort: 'high', max_tokens: 1000 });
  assert.deepEqual(explicit.thinking, { type: 'enabled', budget_tokens: 2000 });
  assert.equal(explicit.max_tokens, 6096);
});

test('sampling, stop, user, max_completion_tokens, response_format and dropped fields', () => {
  const b = body({
    messages: [{ role: 'user', content: 'x' }],
    max_tokens: 100,
    max_completion_tokens: 200,
    temperature: 0.7,
    top_p: 0.9,
    top_k: 40,
    stop: 'END',
    user: 'user-42',
    n: 3,
    seed: 7,
    response_format: { type: 'json_schema', json_schema: { name: 'r', schema: { type: 'object', properties: { a: { type: 'number' } } } } },
  });
  assert.equal(b.max_tokens, 200);
  assert.equal(b.temperature, 0.7);
  assert.equal(b.top_p, 0.9);
  assert.equal(b.top_k, 40);
  assert.deepEqual(b.stop_sequences, ['END']);
  assert.deepEqual(b.metadata, { user_id: 'user-42' });
  assert.deepEqual(b.output_config, { format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'number' } } } } });
  assert.equal(b['n'], undefined);
  assert.equal(b['seed'], undefined);
  assert.equal(b.stream, undefined);
  assert.deepEqual(body({ messages: [], stop: ['a', '', 'b'] }).stop_sequences, ['a', 'b']);
  assert.equal(body({ messages: [], response_format: { type: 'json_object' } }).output_config, undefined);
});

test('Anthropic-only fields kept by the inbound (server tools, unknown fields, tool extras, native blocks) go back', () => {
  const b = body({
    messages: [
      { role: 'user', content: [{ type: 'search_result', source: 'https://x', title: 'X', content: [{ type: 'text', text: 'x' }] }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Searching.' },
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [] },
          { type: 'text', text: 'Found nothing.' },
        ],
      },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } }, anthropic_extra: { defer_loading: true } }],
    anthropic_server_tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }],
    anthropic_extra: { container: 'cntr_1', context_management: { edits: [] } },
  });
  assert.deepEqual(b.tools, [
    { defer_loading: true, name: 'f', input_schema: { type: 'object' } },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
  ]);
  assert.equal(b['container'], 'cntr_1');
  assert.deepEqual(b['context_management'], { edits: [] });
  assert.equal(b['anthropic_extra'], undefined);
  assert.deepEqual(b.messages[0]?.content, [{ type: 'search_result', source: 'https://x', title: 'X', content: [{ type: 'text', text: 'x' }] }]);
  assert.deepEqual(
    (b.messages[1]?.content as Array<{ type: string }>).map((x) => x.type),
    ['text', 'server_tool_use', 'web_search_tool_result', 'text'],
  );
});
