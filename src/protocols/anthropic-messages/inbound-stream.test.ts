import assert from 'node:assert/strict';
import { test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { GatewayError } from '../../core/errors.js';
import type { ChatChunk, SSEEvent, StreamOutput } from '../../core/types.js';
import { readFixture, readFixtureText } from '../../testing/fixtures.js';
import { createAnthropicStreamEncoder } from './inbound-stream.js';
import { anthropicInbound } from './index.js';
import { decodeSSE, fixtureEvents, summarize, testEnv, translate } from './testkit.test.js';

/** An OpenAI SSE transcript as canonical chunks ([DONE] left out). */
function openaiChunks(rel: string): ChatChunk[] {
  return decodeSSE(readFixture(rel))
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data) as ChatChunk);
}

function encode(chunks: ChatChunk[], model = 'claude-alias'): string {
  const enc = createAnthropicStreamEncoder(model, testEnv());
  return chunks.map((c) => enc.push(c)).join('') + enc.end();
}

function parsed(sse: string): Array<{ event: string | undefined; data: Record<string, unknown> }> {
  return decodeSSE(sse).map((e) => ({ event: e.event, data: JSON.parse(e.data) as Record<string, unknown> }));
}

/** Every frame is exactly `event: <type>\ndata: <json>\n\n`, as in Anthropic's documented streams. */
function assertFraming(sse: string): void {
  const frames = sse.split('\n\n');
  assert.equal(frames.pop(), '', 'ends with a blank line');
  for (const f of frames) {
    const m = /^event: ([a-z_]+)\ndata: (\{.*\})$/s.exec(f);
    assert.ok(m, `frame shape: ${JSON.stringify(f)}`);
    assert.equal((JSON.parse(m[2]!) as { type: string }).type, m[1]);
  }
}

/** Runs the Anthropic SDK's own stream accumulation over our bytes (no network: a local fetch). */
async function sdkFinalMessage(sse: string): Promise<Anthropic.Message> {
  const client = new Anthropic({
    apiKey: 'test-key',
    maxRetries: 0,
    fetch: async () => new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.messages.stream({ model: 'claude-alias', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
}

test('openai/chat-stream-tool_calls-raw → exact Anthropic event order, tool_use block, fragments in order, usage 53/17', () => {
  const chunks = openaiChunks('openai/chat-stream-tool_calls-raw.sse.txt');
  const sse = encode(chunks);
  assertFraming(sse);
  const evs = parsed(sse);
  const fragments = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls?.map((t) => t.function?.arguments ?? '') ?? []).filter((a) => a !== '');
  assert.deepEqual(fragments, ['{"', 'value', '":"', 'Spark', 'le', ' Day', '"}']);
  assert.deepEqual(
    evs.map((e) => e.event),
    ['message_start', 'content_block_start', ...fragments.map(() => 'content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop'],
  );
  const start = evs[0]!.data['message'] as Record<string, unknown>;
  assert.match(String(start['id']), /^msg_/);
  assert.equal(start['model'], 'claude-alias');
  assert.deepEqual(start['content'], []);
  assert.deepEqual(evs[1]!.data, {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'tool_use', id: 'call_O17Uplv4lJvD6DVdIvFFeRMw', name: 'test-tool', input: {} },
  });
  assert.deepEqual(
    evs.slice(2, 2 + fragments.length).map((e) => e.data),
    fragments.map((f) => ({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: f } })),
  );
  assert.deepEqual(evs.at(-2)!.data, {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { input_tokens: 53, output_tokens: 17, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  });
});

test('…and the produced SSE read back by the Anthropic upstream translator gives the same tool call and usage', () => {
  const s = summarize(translate(decodeSSE(encode(openaiChunks('openai/chat-stream-tool_calls-raw.sse.txt')))));
  assert.deepEqual(s.errors, []);
  assert.equal(s.tools.length, 1);
  assert.equal(s.tools[0]?.id, 'call_O17Uplv4lJvD6DVdIvFFeRMw');
  assert.equal(s.tools[0]?.name, 'test-tool');
  assert.deepEqual(JSON.parse(s.tools[0]!.args), { value: 'Sparkle Day' });
  assert.deepEqual(s.finishes, ['tool_calls']);
  assert.equal(s.chunks.at(-1)?.usage?.prompt_tokens, 53);
  assert.equal(s.chunks.at(-1)?.usage?.completion_tokens, 17);
});

test('openai/chat-stream-include_usage-raw → one text block, end_turn, usage 17/10; message_delta waits for usage', () => {
  const chunks = openaiChunks('openai/chat-stream-include_usage-raw.sse.txt');
  const texts = chunks.map((c) => c.choices[0]?.delta.content).filter((t): t is string => typeof t === 'string' && t !== '');
  const enc = createAnthropicStreamEncoder('claude-alias', testEnv());
  const finishAt = chunks.findIndex((c) => c.choices[0]?.finish_reason != null);
  const before = chunks.slice(0, finishAt + 1).map((c) => enc.push(c)).join('');
  assert.ok(!before.includes('message_delta'), 'held until the usage chunk');
  assert.ok(before.endsWith('event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n'));
  const rest = chunks.slice(finishAt + 1).map((c) => enc.push(c)).join('') + enc.end();
  const sse = before + rest;
  assertFraming(sse);
  const evs = parsed(sse);
  assert.deepEqual(
    evs.map((e) => e.event),
    ['message_start', 'content_block_start', ...texts.map(() => 'content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop'],
  );
  assert.deepEqual(evs[1]!.data, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  assert.deepEqual(evs.at(-2)!.data, {
    type: 'message_delta',
    delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { input_tokens: 17, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  });
  const back = summarize(translate(decodeSSE(sse)));
  assert.equal(back.content, '{"city":"San Francisco","units":"c"}');
  assert.equal(back.content, texts.join(''));
  assert.equal(back.chunks.at(-1)?.usage?.prompt_tokens, 17);
  assert.equal(back.chunks.at(-1)?.usage?.completion_tokens, 10);
});

test('Anthropic docs stream → canonical → Anthropic again: same events (pings aside), same text and usage', () => {
  const original = fixtureEvents('anthropic/docs-stream-basic.sse.txt');
  const chunks = translate(original).flatMap((o: StreamOutput) => ('chunk' in o ? [o.chunk] : []));
  const sse = encode(chunks, 'claude-opus-4-1-20250805');
  assertFraming(sse);
  const evs = parsed(sse);
  assert.deepEqual(
    evs.map((e) => e.event),
    original.map((e: SSEEvent) => e.event).filter((n) => n !== 'ping'),
  );
  assert.equal((evs[0]!.data['message'] as { id: string }).id, 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY');
  const texts = evs.filter((e) => e.event === 'content_block_delta').map((e) => (e.data['delta'] as { text: string }).text);
  assert.deepEqual(texts, ['Hello', '!']);
  const md = evs.find((e) => e.event === 'message_delta')!.data;
  assert.deepEqual(md['delta'], { stop_reason: 'end_turn', stop_sequence: null });
  assert.equal((md['usage'] as { input_tokens: number }).input_tokens, 25);
  assert.equal((md['usage'] as { output_tokens: number }).output_tokens, 15);
});

test('thinking stream: thinking block (thinking_delta then signature_delta) closes before the text block', () => {
  const chunks = translate(fixtureEvents('anthropic/messages-stream-thinking-signature.jsonl')).flatMap((o) => ('chunk' in o ? [o.chunk] : []));
  const evs = parsed(encode(chunks));
  const starts = evs.filter((e) => e.event === 'content_block_start').map((e) => e.data);
  assert.deepEqual(starts, [
    { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
    { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
  ]);
  const kinds = evs.filter((e) => e.event === 'content_block_delta').map((e) => (e.data['delta'] as { type: string }).type);
  assert.deepEqual(kinds, [...Array(9).fill('thinking_delta'), 'signature_delta', 'text_delta', 'text_delta', 'text_delta']);
  const stopAt = evs.findIndex((e) => e.event === 'content_block_stop');
  const textStartAt = evs.findIndex((e) => e.event === 'content_block_start' && e.data['index'] === 1);
  assert.ok(stopAt < textStartAt, 'blocks never overlap');
});

test('ollama parallel tool calls (whole call per chunk, content "" repeated) → two tool_use blocks, one input_json_delta each', () => {
  const chunks = openaiChunks('ollama/openai-compat-chat-stream-parallel-tool_calls.sse.txt');
  const evs = parsed(encode(chunks));
  assert.deepEqual(
    evs.map((e) => e.event),
    [
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ],
  );
  assert.deepEqual(evs[1]!.data['content_block'], { type: 'tool_use', id: 'call_wteop8bt', name: 'run_command', input: {} });
  assert.deepEqual(evs[2]!.data['delta'], { type: 'input_json_delta', partial_json: '{"command":"ls"}' });
  assert.deepEqual(evs[4]!.data, { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_rk2xye1l', name: 'run_command', input: {} } });
  assert.deepEqual(evs[5]!.data['delta'], { type: 'input_json_delta', partial_json: '{"command":"ls -l"}' });
  // No usage chunk ever came: end() sends message_delta with what is known.
  assert.deepEqual(evs[7]!.data, { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 0 } });
});

test('openai refusal stream → text block of the refusal and stop_reason refusal', () => {
  const chunks = openaiChunks('openai/chat-stream-refusal-logprobs-raw.sse.txt');
  const refusal = chunks.map((c) => c.choices[0]?.delta.refusal ?? '').join('');
  const evs = parsed(encode(chunks));
  const text = evs.filter((e) => e.event === 'content_block_delta').map((e) => (e.data['delta'] as { text: string }).text).join('');
  assert.equal(text, refusal);
  assert.ok(refusal.startsWith("I'm very sorry, but I can't assist with"));
  assert.equal((evs.find((e) => e.event === 'message_delta')!.data['delta'] as { stop_reason: string }).stop_reason, 'refusal');
});

test('text deltas are the exact frames JSON.stringify gives, escapes and non-ASCII included, in a later block too', () => {
  const texts = ['plain', 'quote " backslash \\ newline \n tab \t', 'nul \u0000 emoji 🦀 lone \ud800 ’', 'x'.repeat(3000)];
  const chunk = (delta: Record<string, unknown>): ChatChunk =>
    ({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] }) as ChatChunk;
  // A thinking block first, so the text block is index 1.
  const sse = encode([chunk({ reasoning_content: 'hmm' }), ...texts.map((t) => chunk({ content: t })), chunk({ refusal: 'no' })]);
  assertFraming(sse);
  for (const text of [...texts, 'no']) {
    const want = `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text } })}\n\n`;
    assert.ok(sse.includes(want), `frame for ${JSON.stringify(text.slice(0, 40))}`);
  }
});

test('error(), keepAlive(), and end() on an empty stream', () => {
  const enc = anthropicInbound.streamEncoder('m', testEnv(), { includeUsage: false });
  assert.equal(enc.keepAlive(), 'event: ping\ndata: {"type":"ping"}\n\n');
  const err = enc.error(new GatewayError('LLMUX_ERR_UPSTREAM', 'Overloaded', { status: 529, upstreamError: { type: 'overloaded_error', message: 'Overloaded' } }));
  assert.equal(err, `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`);
  assert.equal(enc.end(), '', 'nothing after the error');
  const empty = parsed(createAnthropicStreamEncoder('m', testEnv()).end());
  assert.deepEqual(empty.map((e) => e.event), ['message_start', 'message_delta', 'message_stop']);
  assert.equal((empty[1]!.data['delta'] as { stop_reason: string }).stop_reason, 'end_turn');
});

test('the Anthropic SDK accumulates our tool-call stream into the right message', async () => {
  const msg = await sdkFinalMessage(encode(openaiChunks('openai/chat-stream-tool_calls-raw.sse.txt')));
  assert.equal(msg.role, 'assistant');
  assert.equal(msg.model, 'claude-alias');
  assert.equal(msg.stop_reason, 'tool_use');
  assert.equal(msg.content.length, 1);
  const block = msg.content[0]!;
  assert.equal(block.type, 'tool_use');
  if (block.type === 'tool_use') {
    assert.equal(block.id, 'call_O17Uplv4lJvD6DVdIvFFeRMw');
    assert.equal(block.name, 'test-tool');
    assert.deepEqual(block.input, { value: 'Sparkle Day' });
  }
  assert.equal(msg.usage.input_tokens, 53);
  assert.equal(msg.usage.output_tokens, 17);
});

test('the Anthropic SDK accumulates text, thinking with signature, and usage', async () => {
  const thinking = translate(fixtureEvents('anthropic/messages-stream-thinking-signature.jsonl')).flatMap((o) => ('chunk' in o ? [o.chunk] : []));
  const msg = await sdkFinalMessage(encode(thinking));
  assert.deepEqual(msg.content.map((b) => b.type), ['thinking', 'text']);
  const [t, x] = msg.content;
  if (t?.type === 'thinking') {
    assert.equal(t.thinking, 'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185');
    assert.match(t.signature, /^EvQBCkYICxgCKkAxhD4NUKFzudtZ6NzbZdEiBACIScTzqjPViM596iWLZIk4EFKYYBj3B6Ptl3b0dcQv/);
  }
  if (x?.type === 'text') assert.equal(x.text, '925 ÷ 5 = 185');
  assert.equal(msg.stop_reason, 'end_turn');
  assert.equal(msg.usage.input_tokens, 69);
  assert.equal(msg.usage.output_tokens, 53);

  const text = await sdkFinalMessage(encode(openaiChunks('openai/chat-stream-include_usage-raw.sse.txt')));
  assert.equal(text.content[0]?.type === 'text' ? text.content[0].text : undefined, '{"city":"San Francisco","units":"c"}');
  assert.equal(text.usage.input_tokens, 17);
  assert.equal(text.usage.output_tokens, 10);
});

test('the Anthropic SDK sees our in-band error event as an error, as with the documented overloaded stream', async () => {
  const enc = createAnthropicStreamEncoder('m', testEnv());
  const chunks = openaiChunks('openai/chat-stream-include_usage-raw.sse.txt');
  const sse =
    enc.push(chunks[0]!) +
    enc.push(chunks[1]!) +
    enc.error(new GatewayError('LLMUX_ERR_UPSTREAM', 'Overloaded', { status: 529, upstreamError: { type: 'overloaded_error', message: 'Overloaded' } }));
  assert.ok(sse.endsWith(readFixtureText('anthropic/docs-stream-error-overloaded.sse.txt').replace('"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}', '"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}')));
  await assert.rejects(sdkFinalMessage(sse), (e: unknown) => e instanceof Anthropic.APIError && /Overloaded/.test(e.message));
});
