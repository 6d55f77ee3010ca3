import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../../core/errors.js';
import { parseAnthropicRequest } from './inbound-request.js';
import { buildMessagesBody } from './request.js';
import { target } from './testkit.test.js';

/** Shaped like what Claude Code sends: cached system blocks, thinking, parallel tools, errors. */
function claudeCodeRequest(): Record<string, unknown> {
  return {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 32000,
    stream: true,
    system: [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
      { type: 'text', text: '\nYou are an interactive CLI tool that helps users with software engineering tasks.', cache_control: { type: 'ephemeral' } },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>This is a reminder.</system-reminder>' },
          { type: 'text', text: 'Fix the failing test in src/sum.ts', cache_control: { type: 'ephemeral' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'I need to read the file and run the tests.', signature: 'ErUBCkYIBRgCIkBsig' },
          { type: 'redacted_thinking', data: 'EmwKAhgBEgyredacted' },
          { type: 'text', text: "I'll read the file and run the tests." },
          { type: 'tool_use', id: 'toolu_01A', name: 'Read', input: { file_path: '/repo/src/sum.ts' } },
          { type: 'tool_use', id: 'toolu_01B', name: 'Bash', input: { command: 'npm test', description: 'Run tests' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'export const sum = (a, b) => a - b;' },
          { type: 'tool_result', tool_use_id: 'toolu_01B', content: [{ type: 'text', text: '1 failing' }], is_error: true },
          { type: 'text', text: 'continue', cache_control: { type: 'ephemeral' } },
        ],
      },
    ],
    tools: [
      {
        name: 'Read',
        description: 'Reads a file from the local filesystem.',
        input_schema: {
          $schema: 'http://json-schema.org/draft-07/schema#',
          type: 'object',
          properties: { file_path: { type: 'string' } },
          required: ['file_path'],
          additionalProperties: false,
        },
      },
      {
        name: 'Bash',
        description: 'Executes a bash command.',
        input_schema: { type: 'object', properties: { command: { type: 'string' }, description: { type: 'string' } }, required: ['command'] },
        cache_control: { type: 'ephemeral' },
      },
      { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
    ],
    tool_choice: { type: 'auto' },
    metadata: { user_id: 'user_abc_account_123_session_xyz' },
    thinking: { type: 'enabled', budget_tokens: 31999 },
    temperature: 1,
    context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
  };
}

test('a Claude-Code-like request → canonical, message by message', () => {
  const req = parseAnthropicRequest(claudeCodeRequest());
  assert.equal(req.model, 'claude-sonnet-4-5-20250929');
  assert.equal(req.max_tokens, 32000);
  assert.equal(req.stream, true);
  assert.deepEqual(req.stream_options, { include_usage: true });
  assert.deepEqual(req.messages[0], {
    role: 'system',
    content: [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
      { type: 'text', text: '\nYou are an interactive CLI tool that helps users with software engineering tasks.', cache_control: { type: 'ephemeral' } },
    ],
  });
  assert.deepEqual(req.messages[1], {
    role: 'user',
    content: [
      { type: 'text', text: '<system-reminder>This is a reminder.</system-reminder>' },
      { type: 'text', text: 'Fix the failing test in src/sum.ts', cache_control: { type: 'ephemeral' } },
    ],
  });
  assert.deepEqual(req.messages[2], {
    role: 'assistant',
    content: "I'll read the file and run the tests.",
    tool_calls: [
      { id: 'toolu_01A', type: 'function', function: { name: 'Read', arguments: '{"file_path":"/repo/src/sum.ts"}' } },
      { id: 'toolu_01B', type: 'function', function: { name: 'Bash', arguments: '{"command":"npm test","description":"Run tests"}' } },
    ],
    thinking_blocks: [
      { type: 'thinking', thinking: 'I need to read the file and run the tests.', signature: 'ErUBCkYIBRgCIkBsig' },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgyredacted' },
    ],
    reasoning_content: 'I need to read the file and run the tests.',
  });
  // Tool results first, in order, then the rest of the user turn.
  assert.deepEqual(req.messages.slice(3), [
    { role: 'tool', tool_call_id: 'toolu_01A', content: 'export const sum = (a, b) => a - b;' },
    { role: 'tool', tool_call_id: 'toolu_01B', content: '1 failing', is_error: true },
    { role: 'user', content: [{ type: 'text', text: 'continue', cache_control: { type: 'ephemeral' } }] },
  ]);
  assert.deepEqual(req.tools?.map((t) => t.function.name), ['Read', 'Bash']);
  assert.deepEqual(req.tools?.[0]?.function.parameters, {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    properties: { file_path: { type: 'string' } },
    required: ['file_path'],
    additionalProperties: false,
  });
  assert.equal(req.tools?.[0]?.function.description, 'Reads a file from the local filesystem.');
  assert.deepEqual(req.tools?.[1]?.cache_control, { type: 'ephemeral' });
  assert.deepEqual(req['anthropic_server_tools'], [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }]);
  assert.equal(req.tool_choice, 'auto');
  assert.equal(req.user, 'user_abc_account_123_session_xyz');
  assert.deepEqual(req.thinking, { type: 'enabled', budget_tokens: 31999 });
  assert.equal(req.temperature, 1);
  assert.deepEqual(req['anthropic_extra'], { context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] } });
});

test('Anthropic → canonical → Anthropic keeps the conversation (what an Anthropic upstream receives)', () => {
  const original = claudeCodeRequest();
  const back = buildMessagesBody(parseAnthropicRequest(original), target, true);
  assert.deepEqual(back.system, original['system']);
  const msgs = original['messages'] as Array<{ content: unknown[] }>;
  assert.deepEqual(back.messages[0], msgs[0]);
  assert.deepEqual(back.messages[1], msgs[1], 'thinking, redacted thinking, text and tool_use in Anthropic order');
  assert.deepEqual(back.messages[2], {
    role: 'user',
    content: [
      { type: 'tool_result', tool_use_id: 'toolu_01A', content: 'export const sum = (a, b) => a - b;' },
      { type: 'tool_result', tool_use_id: 'toolu_01B', content: '1 failing', is_error: true },
      { type: 'text', text: 'continue', cache_control: { type: 'ephemeral' } },
    ],
  });
  assert.deepEqual(back.tools?.[2], { type: 'web_search_20250305', name: 'web_search', max_uses: 5 });
  assert.deepEqual(back.thinking, { type: 'enabled', budget_tokens: 31999 });
  assert.equal(back.temperature, undefined, 'dropped: thinking forbids a temperature');
  assert.deepEqual(back.metadata, { user_id: 'user_abc_account_123_session_xyz' });
  assert.deepEqual(back['context_management'], { edits: [{ type: 'clear_tool_uses_20250919' }] });
  assert.equal(back.max_tokens, 32000);
});

test('images, documents and images inside tool results', () => {
  const req = parseAnthropicRequest({
    model: 'm',
    max_tokens: 10,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_s', content: [{ type: 'text', text: 'screenshot:' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } }] },
          { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'spec.pdf' },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain words' } },
          { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' }, citations: { enabled: true } },
        ],
      },
    ],
  });
  assert.deepEqual(req.messages[0], {
    role: 'tool',
    tool_call_id: 'toolu_s',
    content: [
      { type: 'text', text: 'screenshot:' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
    ],
  });
  assert.deepEqual(req.messages[1], {
    role: 'user',
    content: [
      { type: 'image_url', image_url: { url: 'https://example.com/a.png' } },
      { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'spec.pdf' } },
      { type: 'file', file: { file_data: `data:text/plain;base64,${Buffer.from('plain words').toString('base64')}` } },
      { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' }, citations: { enabled: true } },
    ],
  });
  // And back to Anthropic: the same blocks again.
  const back = buildMessagesBody(req, target, false);
  assert.deepEqual(back.messages[0]?.content.slice(1), [
    { type: 'image', source: { type: 'url', url: 'https://example.com/a.png' } },
    { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'spec.pdf' },
    { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'plain words' } },
    { type: 'document', source: { type: 'url', url: 'https://example.com/b.pdf' }, citations: { enabled: true } },
  ]);
});

test('string content, tool_choice variants, stop_sequences, top_p/top_k, output_config, system role in messages', () => {
  const req = parseAnthropicRequest({
    model: 'm',
    max_tokens: 256,
    system: 'Be brief.',
    messages: [
      { role: 'user', content: 'Hello' },
      { role: 'system', content: 'Mid-conversation instruction.' },
      { role: 'assistant', content: 'Hi' },
    ],
    tools: [{ name: 'f', input_schema: { type: 'object' } }],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
    stop_sequences: ['###'],
    top_p: 0.9,
    top_k: 20,
    output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } } } } },
  });
  assert.deepEqual(req.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Hello' },
    { role: 'system', content: 'Mid-conversation instruction.' },
    { role: 'assistant', content: 'Hi' },
  ]);
  assert.equal(req.tool_choice, 'required');
  assert.equal(req.parallel_tool_calls, false);
  assert.deepEqual(req.stop, ['###']);
  assert.equal(req.top_p, 0.9);
  assert.equal(req.top_k, 20);
  assert.equal(req.stream, undefined);
  assert.deepEqual(req.response_format, {
    type: 'json_schema',
    json_schema: { name: 'output', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true },
  });
  const choice = (tc: unknown) => parseAnthropicRequest({ model: 'm', max_tokens: 1, messages: [], tool_choice: tc }).tool_choice;
  assert.equal(choice({ type: 'auto' }), 'auto');
  assert.equal(choice({ type: 'none' }), 'none');
  assert.deepEqual(choice({ type: 'tool', name: 'f' }), { type: 'function', function: { name: 'f' } });
});

test('validation: clear invalid_request errors naming the parameter', () => {
  const cases: Array<[unknown, string | null]> = [
    ['not an object', null],
    [{ max_tokens: 1, messages: [] }, 'model'],
    [{ model: 'm', max_tokens: 1 }, 'messages'],
    [{ model: 'm', messages: [] }, 'max_tokens'],
    [{ model: 'm', messages: [], max_tokens: '100' }, 'max_tokens'],
    [{ model: 'm', max_tokens: 1, messages: [{ role: 'robot', content: 'x' }] }, 'messages.0.role'],
    [{ model: 'm', max_tokens: 1, messages: [{ role: 'user' }] }, 'messages.0.content'],
    [{ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] }, 'messages.0.content.0.text'],
    [{ model: 'm', max_tokens: 1, messages: [], tool_choice: { type: 'maybe' } }, 'tool_choice.type'],
    [{ model: 'm', max_tokens: 1, messages: [], tools: [{ description: 'no name' }] }, 'tools.0.name'],
    [{ model: 'm', max_tokens: 1, messages: [], stop_sequences: 'x' }, 'stop_sequences'],
    [{ model: 'm', max_tokens: 1, messages: [], temperature: 'hot' }, 'temperature'],
  ];
  for (const [b, param] of cases) {
    assert.throws(
      () => parseAnthropicRequest(b),
      (e: unknown) => e instanceof GatewayError && e.code === 'LLMUX_ERR_INVALID_REQUEST' && e.status === 400 && e.param === param,
      JSON.stringify(b),
    );
  }
});
