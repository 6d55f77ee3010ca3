import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fixturePath, readFixture } from '../../testing/fixtures.js';
import { anthropicChatStream } from './stream.js';
import { SSEDecoder } from '../../core/sse.js';
import { assertOpenAIOrder, fixtureEvents, NOW_MS, summarize, target, testEnv, translate } from './testkit.test.js';

const CREATED = Math.floor(NOW_MS / 1000);

function inputJsonFragments(rel: string): string[] {
  return fixtureEvents(rel)
    .map((e) => JSON.parse(e.data) as { type: string; delta?: { type?: string; partial_json?: string } })
    .filter((p) => p.type === 'content_block_delta' && p.delta?.type === 'input_json_delta')
    .map((p) => p.delta?.partial_json ?? '')
    .filter((f) => f !== '');
}

test('transcripts: each .jsonl line is one event named by its type, and .sse.txt names match payloads', () => {
  const files = readdirSync(fixturePath('anthropic')).filter((f) => f.endsWith('.jsonl') || f.endsWith('.sse.txt'));
  assert.equal(files.length, 10);
  for (const f of files) {
    const events = fixtureEvents(`anthropic/${f}`);
    assert.ok(events.length > 0, f);
    for (const e of events) assert.equal(e.event, (JSON.parse(e.data) as { type: string }).type, f);
  }
});

test('docs-stream-basic: role first, text deltas, ping ignored, end_turn → stop, usage 25/15 last', () => {
  const s = summarize(translate(fixtureEvents('anthropic/docs-stream-basic.sse.txt')));
  assertOpenAIOrder(s);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(
    s.chunks.filter((c) => c.choices[0]?.delta.content !== undefined).map((c) => c.choices[0]?.delta.content),
    ['Hello', '!'],
  );
  assert.equal(s.chunks.length, 5, 'role, Hello, !, finish, usage: the ping added nothing');
  assert.deepEqual(s.finishes, ['stop']);
  const last = s.chunks.at(-1)!;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, {
    prompt_tokens: 25,
    completion_tokens: 15,
    total_tokens: 40,
    prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: 0 },
  });
  for (const c of s.chunks) {
    assert.equal(c.id, 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY');
    assert.equal(c.model, 'claude-opus-4-1-20250805');
    assert.equal(c.created, CREATED);
  }
});

test('docs-stream-basic re-chunked at every byte decodes to the same outputs', () => {
  const bytes = readFixture('anthropic/docs-stream-basic.sse.txt');
  const dec = new SSEDecoder();
  const t = anthropicChatStream(target, testEnv());
  const outs = [];
  for (let i = 0; i < bytes.length; i++) for (const e of dec.push(bytes.subarray(i, i + 1))) outs.push(...t.push(e));
  for (const e of dec.end()) outs.push(...t.push(e));
  outs.push(...t.end());
  assert.deepEqual(outs, translate(fixtureEvents('anthropic/docs-stream-basic.sse.txt')));
});

test('docs-stream-error-overloaded: one error output (529, upstream object kept, not transient), then silence', () => {
  const t = anthropicChatStream(target, testEnv());
  const events = fixtureEvents('anthropic/docs-stream-error-overloaded.sse.txt');
  const outs = events.flatMap((e) => t.push(e));
  assert.equal(outs.length, 1);
  const o = outs[0]!;
  assert.ok('error' in o);
  assert.equal(o.error.code, 'LLMUX_ERR_UPSTREAM');
  assert.equal(o.error.status, 529);
  assert.equal(o.error.message, 'Overloaded');
  assert.equal(o.error.transient, false);
  assert.deepEqual(o.error.upstreamError, { type: 'overloaded_error', message: 'Overloaded' });
  assert.deepEqual(t.end(), []);
  assert.deepEqual(t.push(fixtureEvents('anthropic/docs-stream-basic.sse.txt')[0]!), []);
});

test('an error after content: the content chunks, then the error, and no finish or usage', () => {
  const basic = fixtureEvents('anthropic/docs-stream-basic.sse.txt');
  const err = fixtureEvents('anthropic/docs-stream-error-overloaded.sse.txt');
  const s = summarize(translate([...basic.slice(0, 4), ...err, ...basic.slice(4)]));
  assert.equal(s.content, 'Hello');
  assert.deepEqual(s.finishes, []);
  assert.equal(s.errors.length, 1);
  assert.equal(s.errors[0]?.status, 529);
  assert.ok(s.chunks.every((c) => c.usage === undefined));
});

test('a stream cut before message_delta ends with an error, not a clean finish', () => {
  const basic = fixtureEvents('anthropic/docs-stream-basic.sse.txt');
  const s = summarize(translate(basic.slice(0, 5)));
  assert.equal(s.content, 'Hello!');
  assert.deepEqual(s.finishes, []);
  assert.equal(s.errors.length, 1);
  assert.equal(s.errors[0]?.code, 'LLMUX_ERR_UPSTREAM_PROTOCOL');
});

test('docs-stream-thinking: thinking → reasoning_content only, signature carried, no usage reported → no usage chunk', () => {
  const s = summarize(translate(fixtureEvents('anthropic/docs-stream-thinking.sse.txt')));
  assertOpenAIOrder(s);
  assert.equal(s.content, '27 * 453 = 12,231');
  assert.equal(
    s.reasoning,
    'Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3\n3. 27 * 400 = 10,800\n4. 27 * 50 = 1,350\n5. 27 * 3 = 81\n6. 10,800 + 1,350 + 81 = 12,231',
  );
  assert.equal(s.signature, 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...');
  assert.deepEqual(s.finishes, ['stop']);
  assert.ok(s.chunks.every((c) => c.usage === undefined));
  // Reasoning strictly before text, never mixed into it.
  const lastReasoning = s.chunks.findLastIndex((c) => c.choices[0]?.delta.reasoning_content !== undefined);
  const firstText = s.chunks.findIndex((c) => c.choices[0]?.delta.content !== undefined);
  assert.ok(lastReasoning < firstText);
});

test('docs-stream-tool_use: text, then tool_calls[0] with id/name and arguments "", fragments in order, tool_calls finish', () => {
  const rel = 'anthropic/docs-stream-tool_use-input_json_delta.sse.txt';
  const s = summarize(translate(fixtureEvents(rel)));
  assertOpenAIOrder(s);
  assert.equal(s.content, "Okay, let's check the weather for San Francisco, CA:");
  assert.equal(s.tools.length, 1);
  const start = s.chunks.find((c) => c.choices[0]?.delta.tool_calls?.[0]?.id !== undefined);
  assert.deepEqual(start?.choices[0]?.delta.tool_calls, [
    { index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } },
  ]);
  const fragments = inputJsonFragments(rel);
  assert.equal(fragments.length, 8);
  assert.deepEqual(s.tools[0]?.fragments, fragments);
  assert.deepEqual(JSON.parse(s.tools[0]!.args), { location: 'San Francisco, CA', unit: 'fahrenheit' });
  assert.deepEqual(s.finishes, ['tool_calls']);
  assert.equal(s.chunks.at(-1)?.usage?.prompt_tokens, 472);
  assert.equal(s.chunks.at(-1)?.usage?.completion_tokens, 89);
});

test('messages-stream-input_json_delta: "" + large fragment + "}" concatenate to valid JSON; text stays content', () => {
  const rel = 'anthropic/messages-stream-input_json_delta.jsonl';
  const s = summarize(translate(fixtureEvents(rel)));
  assertOpenAIOrder(s);
  assert.equal(s.content, "I'll invoke the JSON response tool.");
  assert.equal(s.tools[0]?.id, 'toolu_01KFbKqPYSuAKujiL6mTfzYA');
  assert.equal(s.tools[0]?.name, 'json');
  assert.deepEqual(s.tools[0]?.fragments, inputJsonFragments(rel));
  assert.deepEqual(JSON.parse(s.tools[0]!.args), { elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] });
  assert.deepEqual(s.finishes, ['tool_calls']);
  const u = s.chunks.at(-1)?.usage;
  assert.equal(u?.prompt_tokens, 849);
  assert.equal(u?.completion_tokens, 47);
  assert.equal(u?.total_tokens, 896);
});

test('messages-stream-message_delta-input_tokens: message_delta input (61) wins over message_start (43)', () => {
  const s = summarize(translate(fixtureEvents('anthropic/messages-stream-message_delta-input_tokens.jsonl')));
  assertOpenAIOrder(s);
  assert.equal(s.content, 'pong');
  const u = s.chunks.at(-1)?.usage;
  assert.equal(u?.prompt_tokens, 61);
  assert.equal(u?.completion_tokens, 2);
  assert.equal(u?.total_tokens, 63);
  assert.equal(s.chunks[0]?.id, 'msg_3196a1cc08de4d76b85b8f5777c0d42b');
});

test('messages-stream-refusal-no-content: role chunk, content_filter finish, usage; no content', () => {
  const s = summarize(translate(fixtureEvents('anthropic/messages-stream-refusal-no-content.jsonl')));
  assertOpenAIOrder(s);
  assert.equal(s.chunks.length, 3);
  assert.equal(s.content, '');
  assert.deepEqual(s.finishes, ['content_filter']);
  assert.equal(s.chunks[2]?.usage?.prompt_tokens, 18);
  assert.equal(s.chunks[2]?.usage?.completion_tokens, 5);
});

test('messages-stream-text-ping: pings ignored, cached_tokens 0, 30 completion tokens', () => {
  const s = summarize(translate(fixtureEvents('anthropic/messages-stream-text-ping.jsonl')));
  assertOpenAIOrder(s);
  assert.equal(s.content, "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
  assert.equal(s.chunks.length, 1 + 6 + 1 + 1);
  const u = s.chunks.at(-1)?.usage;
  assert.equal(u?.prompt_tokens, 12);
  assert.equal(u?.completion_tokens, 30);
  assert.equal(u?.prompt_tokens_details?.cached_tokens, 0);
  assert.equal(u?.prompt_tokens_details?.cache_creation_tokens, 0);
});

test('messages-stream-text-then-tool_use-empty-input: the only fragment is "" → arguments end as "{}"', () => {
  const s = summarize(translate(fixtureEvents('anthropic/messages-stream-text-then-tool_use-empty-input.jsonl')));
  assertOpenAIOrder(s);
  assert.equal(s.content, "I'll update the issue list for you.");
  assert.equal(s.tools.length, 1);
  assert.equal(s.tools[0]?.id, 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP');
  assert.equal(s.tools[0]?.name, 'updateIssueList');
  assert.equal(s.tools[0]?.args, '{}');
  assert.deepEqual(JSON.parse(s.tools[0]!.args), {});
  assert.deepEqual(s.finishes, ['tool_calls']);
  assert.equal(s.chunks.at(-1)?.usage?.prompt_tokens, 565);
  assert.equal(s.chunks.at(-1)?.usage?.completion_tokens, 48);
});

test('messages-stream-thinking-signature: text is the only content, reasoning separate, empty thinking delta dropped', () => {
  const rel = 'anthropic/messages-stream-thinking-signature.jsonl';
  const s = summarize(translate(fixtureEvents(rel)));
  assertOpenAIOrder(s);
  assert.equal(s.content, '925 ÷ 5 = 185');
  assert.equal(s.reasoning, 'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185');
  const sig = fixtureEvents(rel)
    .map((e) => JSON.parse(e.data) as { delta?: { type?: string; signature?: string } })
    .find((p) => p.delta?.type === 'signature_delta')?.delta?.signature;
  assert.ok(sig?.startsWith('EvQBCkYICxgCKkAxhD4NUKFzudtZ6NzbZdEiBACIScTzqjPViM596iWLZIk4EFKYYBj3B6Ptl3b0dcQv'));
  assert.equal(s.signature, sig);
  assert.equal(s.chunks.filter((c) => c.choices[0]?.delta.reasoning_content !== undefined).length, 9, '10 thinking deltas, one empty');
  assert.deepEqual(s.finishes, ['stop']);
  assert.equal(s.chunks.at(-1)?.usage?.prompt_tokens, 69);
  assert.equal(s.chunks.at(-1)?.usage?.completion_tokens, 53);
});

test('tool indices count tool blocks only, from 0, across several tools', () => {
  const events = [
    { type: 'message_start', message: { id: 'msg_x', model: 'm', usage: { input_tokens: 5, cache_read_input_tokens: 3, cache_creation_input_tokens: 2, output_tokens: 1 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hi' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'a', input: {} } },
    { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } },
    { type: 'content_block_stop', index: 1 },
    { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'b', input: {} } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"y":' } },
    { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '2}' } },
    { type: 'content_block_stop', index: 2 },
    { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 9 } },
    { type: 'message_stop' },
  ].map((p) => ({ event: p.type, data: JSON.stringify(p) }));
  const s = summarize(translate(events));
  assertOpenAIOrder(s);
  assert.deepEqual(
    s.tools.map((t) => [t.id, t.name, JSON.parse(t.args)]),
    [
      ['toolu_a', 'a', { x: 1 }],
      ['toolu_b', 'b', { y: 2 }],
    ],
  );
  assert.deepEqual(s.chunks.at(-1)?.usage, {
    prompt_tokens: 10,
    completion_tokens: 9,
    total_tokens: 19,
    prompt_tokens_details: { cached_tokens: 3, cache_creation_tokens: 2 },
  });
});

test('stop_sequence, max_tokens and pause_turn map to stop (with the sequence kept), length and stop', () => {
  const run = (delta: Record<string, unknown>) => {
    const events = [
      { type: 'message_start', message: { id: 'msg_s', model: 'm', usage: { input_tokens: 1, output_tokens: 1 } } },
      { type: 'message_delta', delta, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ].map((p) => ({ event: p.type, data: JSON.stringify(p) }));
    return summarize(translate(events)).chunks.find((c) => c.choices[0]?.finish_reason != null)?.choices[0];
  };
  const seq = run({ stop_reason: 'stop_sequence', stop_sequence: '###' });
  assert.equal(seq?.finish_reason, 'stop');
  assert.equal(seq?.['stop_sequence'], '###');
  assert.equal(run({ stop_reason: 'max_tokens' })?.finish_reason, 'length');
  assert.equal(run({ stop_reason: 'pause_turn' })?.finish_reason, 'stop');
});

test('an event whose data is not JSON is a protocol error', () => {
  const outs = translate([{ event: 'message_start', data: '{not json' }]);
  assert.equal(outs.length, 1);
  assert.ok('error' in outs[0]!);
  assert.equal((outs[0] as { error: { code: string } }).error.code, 'LLMUX_ERR_UPSTREAM_PROTOCOL');
});

test('parsed payloads (a Bedrock InvokeModel chunk) go through the same translator', () => {
  const t = anthropicChatStream(target, testEnv());
  const payloads = fixtureEvents('anthropic/messages-stream-text-ping.jsonl').map((e) => JSON.parse(e.data) as unknown);
  const outs = [
    ...payloads.flatMap((p) => t.push({ messageType: 'event', eventType: 'chunk', payload: p })),
    ...t.end(),
  ];
  assert.deepEqual(outs, translate(fixtureEvents('anthropic/messages-stream-text-ping.jsonl')));
});
