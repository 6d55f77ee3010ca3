import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamDecoder } from '../../core/eventstream.js';
import { GatewayError } from '../../core/errors.js';
import type { ChatChunk, EventStreamMessage, StreamOutput } from '../../core/types.js';
import { readFixtureText } from '../../testing/fixtures.js';
import { bedrockUpstream } from './index.js';
import { frame, NOW_MS, target, testEnv, transcript } from './testkit.test.js';

function run(events: EventStreamMessage[]): StreamOutput[] {
  const t = bedrockUpstream.chatStream(target, testEnv());
  const out: StreamOutput[] = [];
  for (const e of events) out.push(...t.push(e));
  out.push(...t.end());
  return out;
}

/** Decodes a `.frames.b64` fixture fed in uneven pieces, translating as frames complete. */
function runFrames(rel: string, pieceSizes: number[]): StreamOutput[] {
  const bytes = Buffer.from(readFixtureText(rel).trim(), 'base64');
  const d = new EventStreamDecoder();
  const t = bedrockUpstream.chatStream(target, testEnv());
  const out: StreamOutput[] = [];
  let off = 0;
  let i = 0;
  while (off < bytes.length) {
    const n = pieceSizes[i++ % pieceSizes.length]!;
    for (const m of d.push(bytes.subarray(off, off + n))) out.push(...t.push(m));
    off += n;
  }
  d.end();
  out.push(...t.end());
  return out;
}

function chunks(out: StreamOutput[]): ChatChunk[] {
  return out.map((o) => {
    assert.ok('chunk' in o, `unexpected error output: ${'error' in o ? o.error.message : ''}`);
    return o.chunk;
  });
}

/** A compact label per chunk to check the event order. */
function kind(c: ChatChunk): string {
  if (c.choices.length === 0) return 'usage';
  const ch = c.choices[0]!;
  if (ch.finish_reason) return `finish:${ch.finish_reason}`;
  const d = ch.delta;
  if (d.role) return 'role';
  if (d.tool_calls) return d.tool_calls[0]!.id ? 'tool-start' : 'tool-args';
  if (d.reasoning_content !== undefined) return 'reasoning';
  if (d.thinking_signature !== undefined) return 'signature';
  if (d.content !== undefined) return 'content';
  return 'other';
}

function collapse(kinds: string[]): string[] {
  return kinds.filter((k, i) => i === 0 || k !== kinds[i - 1]);
}

const text = (cs: ChatChunk[]): string => cs.map((c) => c.choices[0]?.delta.content ?? '').join('');
const reasoning = (cs: ChatChunk[]): string => cs.map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('');

function checkTextStream(out: StreamOutput[]): void {
  const cs = chunks(out);
  assert.deepEqual(collapse(cs.map(kind)), ['role', 'content', 'finish:stop', 'usage']);
  assert.equal(cs.filter((c) => kind(c) === 'content').length, 12);
  assert.equal(text(cs), 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** r\'s in "strawberry."');
  assert.deepEqual(cs[0]!.choices[0]!.delta, { role: 'assistant', content: '' });
  const last = cs[cs.length - 1]!;
  assert.deepEqual(last.choices, []);
  assert.deepEqual(last.usage, { prompt_tokens: 22, completion_tokens: 55, total_tokens: 77, prompt_tokens_details: { cached_tokens: 0 } });
  for (const c of cs) {
    assert.equal(c.id, 'chatcmpl-1');
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.created, Math.floor(NOW_MS / 1000));
    assert.equal(c.model, target.model);
  }
}

test('text stream (transcript): role, 12 content deltas, stop, then usage from the trailing metadata', () => {
  checkTextStream(run(transcript('bedrock/converse-stream-text.jsonl')));
});

test('text stream (binary frames, decoded in uneven pieces) translates the same', () => {
  checkTextStream(runFrames('bedrock/converse-stream-text.frames.b64', [1, 7, 64, 3, 500]));
});

test('usage waits for metadata: nothing after the finish chunk until metadata arrives', () => {
  const events = transcript('bedrock/converse-stream-text.jsonl');
  const t = bedrockUpstream.chatStream(target, testEnv());
  const stopAt = events.findIndex((e) => e.eventType === 'messageStop');
  assert.equal(stopAt, events.length - 2);
  for (const e of events.slice(0, stopAt)) t.push(e);
  const atStop = chunks(t.push(events[stopAt]!));
  assert.deepEqual(atStop.map(kind), ['finish:stop']);
  const atMeta = chunks(t.push(events[stopAt + 1]!));
  assert.deepEqual(atMeta.map(kind), ['usage']);
  assert.equal(atMeta[0]!.usage!.total_tokens, 77);
  assert.deepEqual(t.end(), []);
});

function checkReasoningStream(out: StreamOutput[], events: EventStreamMessage[]): void {
  const cs = chunks(out);
  assert.deepEqual(collapse(cs.map(kind)), ['role', 'reasoning', 'signature', 'content', 'finish:stop', 'usage']);
  assert.equal(
    reasoning(cs),
    'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8, and 9.\n\nSo there are 3 r\'s.',
  );
  // The empty reasoning delta in the transcript yields no chunk.
  assert.equal(cs.filter((c) => kind(c) === 'reasoning').length, 10);
  const sigEvent = events.find((e) => {
    const d = (e.payload as { delta?: { reasoningContent?: { signature?: string } } }).delta;
    return d?.reasoningContent?.signature !== undefined;
  });
  const expectedSig = (sigEvent!.payload as { delta: { reasoningContent: { signature: string } } }).delta.reasoningContent.signature;
  assert.ok(expectedSig.startsWith('Ep0CCkgICxABGAIqQ'));
  assert.deepEqual(
    cs.filter((c) => kind(c) === 'signature').map((c) => c.choices[0]!.delta.thinking_signature),
    [expectedSig],
  );
  assert.equal(text(cs), 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y');
  assert.ok(!text(cs).includes('positions'), 'reasoning never leaks into content');
  assert.deepEqual(cs[cs.length - 1]!.usage, {
    prompt_tokens: 51,
    completion_tokens: 94,
    total_tokens: 145,
    prompt_tokens_details: { cached_tokens: 0 },
  });
}

test('reasoning stream: reasoning deltas, the signature, then text, stop and usage 51/94', () => {
  const events = transcript('bedrock/converse-stream-reasoning.jsonl');
  checkReasoningStream(run(events), events);
  checkReasoningStream(runFrames('bedrock/converse-stream-reasoning.frames.b64', [13, 2, 257]), events);
});

function checkMultiTool(out: StreamOutput[]): void {
  const cs = chunks(out);
  // No messageStart in this transcript: the role chunk still comes first. Its metadata comes
  // BEFORE messageStop, yet the usage chunk still follows the finish chunk.
  assert.deepEqual(collapse(cs.map(kind)), [
    'role',
    'content',
    'tool-start',
    'tool-args',
    'tool-start',
    'tool-args',
    'finish:tool_calls',
    'usage',
  ]);
  assert.equal(text(cs), '2 + 2 equals 4. Now let me check the weather for you.');
  const calls = new Map<number, { id?: string; name?: string; args: string }>();
  for (const c of cs) {
    for (const tc of c.choices[0]?.delta.tool_calls ?? []) {
      const cur = calls.get(tc.index) ?? { args: '' };
      if (tc.id) cur.id = tc.id;
      if (tc.function?.name) cur.name = tc.function.name;
      cur.args += tc.function?.arguments ?? '';
      calls.set(tc.index, cur);
      if (tc.id) assert.equal(tc.type, 'function');
    }
  }
  assert.deepEqual([...calls.keys()], [0, 1]);
  assert.equal(calls.get(0)!.id, 'weather-tool-1');
  assert.equal(calls.get(0)!.name, 'weather');
  assert.deepEqual(JSON.parse(calls.get(0)!.args), { location: 'San Francisco' });
  assert.equal(calls.get(1)!.id, 'weather-tool-2');
  assert.equal(calls.get(1)!.name, 'weather');
  assert.deepEqual(JSON.parse(calls.get(1)!.args), { location: 'London' });
  // The first tool's input arrived in two fragments, kept in order.
  const firstArgs = cs
    .filter((c) => kind(c) === 'tool-args' && c.choices[0]!.delta.tool_calls![0]!.index === 0)
    .map((c) => c.choices[0]!.delta.tool_calls![0]!.function!.arguments);
  assert.deepEqual(firstArgs, ['{"location":', '"San Francisco"}']);
  assert.deepEqual(cs[cs.length - 1]!.usage, {
    prompt_tokens: 500,
    completion_tokens: 100,
    total_tokens: 600,
    prompt_tokens_details: { cached_tokens: 0 },
  });
}

test('multi-tool stream: tool blocks 1 and 2 become tool_calls 0 and 1 with their own arguments', () => {
  checkMultiTool(run(transcript('bedrock/converse-stream-multi-tool-handwritten.jsonl')));
  checkMultiTool(runFrames('bedrock/converse-stream-multi-tool.frames.b64', [5, 111]));
});

test('a tool call whose input never streams ends with arguments {}', () => {
  const ev = (eventType: string, payload: unknown): EventStreamMessage => ({ messageType: 'event', eventType, payload });
  const cs = chunks(
    run([
      ev('messageStart', { role: 'assistant' }),
      ev('contentBlockStart', { contentBlockIndex: 0, start: { toolUse: { toolUseId: 'tooluse_abc', name: 'get_time' } } }),
      ev('contentBlockStop', { contentBlockIndex: 0 }),
      ev('messageStop', { stopReason: 'tool_use' }),
    ]),
  );
  const args = cs.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).map((tc) => tc.function?.arguments ?? '').join('');
  assert.deepEqual(JSON.parse(args), {});
  assert.equal(cs[cs.length - 1]!.choices[0]!.finish_reason, 'tool_calls');
});

function errorOf(out: StreamOutput[]): GatewayError {
  const last = out[out.length - 1]!;
  assert.ok('error' in last, 'the stream must end with an error');
  return last.error;
}

test('an exception frame mid-stream (throttlingException) is one final 429 error, not a quiet end', () => {
  const bytes = Buffer.from(readFixtureText('bedrock/converse-stream-text.frames.b64').trim(), 'base64');
  const d = new EventStreamDecoder();
  const events = d.push(bytes).slice(0, 5);
  const exception = frame(
    { ':message-type': 'exception', ':exception-type': 'throttlingException', ':content-type': 'application/json' },
    '{"message":"Too many requests, please wait before trying again."}',
  );
  events.push(...new EventStreamDecoder().push(exception));
  const t = bedrockUpstream.chatStream(target, testEnv());
  const out: StreamOutput[] = [];
  for (const e of events) out.push(...t.push(e));
  assert.deepEqual(out.slice(0, -1).map((o) => ('chunk' in o ? kind(o.chunk) : 'error')), ['role', 'content', 'content', 'content', 'content']);
  const err = errorOf(out);
  assert.equal(err.code, 'LLMUX_ERR_UPSTREAM');
  assert.equal(err.status, 429);
  assert.equal(err.transient, true);
  assert.equal(err.message, 'Too many requests, please wait before trying again.');
  assert.deepEqual(err.upstreamError, { message: 'Too many requests, please wait before trying again.', type: 'throttlingException' });
  // Nothing after the error: later events and end() add no output.
  assert.deepEqual(t.push({ messageType: 'event', eventType: 'messageStop', payload: { stopReason: 'end_turn' } }), []);
  assert.deepEqual(t.end(), []);
});

test('exception frames map to the documented statuses', () => {
  const cases: Array<[string, number, boolean]> = [
    ['validationException', 400, false],
    ['throttlingException', 429, true],
    ['serviceUnavailableException', 503, true],
    ['internalServerException', 500, true],
    ['modelStreamErrorException', 424, false],
  ];
  for (const [type, status, transient] of cases) {
    const out = run([{ messageType: 'exception', eventType: type, payload: { message: `m-${type}` } }]);
    assert.equal(out.length, 1, type);
    const err = errorOf(out);
    assert.equal(err.status, status, type);
    assert.equal(err.transient, transient, type);
    assert.deepEqual(err.upstreamError, { message: `m-${type}`, type }, type);
  }
});

test('a stream that ends before messageStop is an error (after any usage it reported)', () => {
  const events = transcript('bedrock/converse-stream-text.jsonl').slice(0, 4);
  const out = run(events);
  const err = errorOf(out);
  assert.equal(err.code, 'LLMUX_ERR_UPSTREAM_PROTOCOL');
  assert.match(err.message, /ended before messageStop/);

  const withUsage = run([
    { messageType: 'event', eventType: 'metadata', payload: { usage: { inputTokens: 9, outputTokens: 2, totalTokens: 11 } } },
  ]);
  assert.equal(withUsage.length, 2);
  const usage = chunks(withUsage.slice(0, 1))[0]!;
  assert.equal(usage.usage!.total_tokens, 11);
  assert.equal(errorOf(withUsage).code, 'LLMUX_ERR_UPSTREAM_PROTOCOL');
});
