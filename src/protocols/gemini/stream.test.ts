import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SSEDecoder } from '../../core/sse.js';
import type { AdapterEnv, ChatChunk, SSEEvent, StreamOutput } from '../../core/types.js';
import { readFixture, readFixtureText } from '../../testing/fixtures.js';
import type { UpstreamTarget } from '../types.js';
import { decodeToolCallSignature, TEXT_SIGNATURE_PREFIX } from './signatures.js';
import { chatStream } from './stream.js';
import type { GeminiResponse } from './wire.js';

const target: UpstreamTarget = { provider: 'g', kind: 'google', baseUrl: 'http://127.0.0.1:1', model: 'gemini-test' };

function env(): AdapterEnv {
  let n = 0;
  return { now: () => 1_700_000_000_000, newId: (p) => `${p}${++n}` };
}

/** A `.sse.txt` transcript through the real SSE decoder, optionally cut into `step`-byte pieces. */
function sseEvents(rel: string, step?: number): SSEEvent[] {
  const bytes = readFixture(rel);
  const d = new SSEDecoder();
  const out: SSEEvent[] = [];
  if (step === undefined) out.push(...d.push(bytes));
  else for (let i = 0; i < bytes.length; i += step) out.push(...d.push(bytes.subarray(i, i + step)));
  out.push(...d.end());
  return out;
}

/** A `.jsonl` transcript: each line is the data of one SSE event. */
function jsonlEvents(rel: string): SSEEvent[] {
  return readFixtureText(rel)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((data) => ({ data }));
}

function payloads(events: SSEEvent[]): GeminiResponse[] {
  return events.map((e) => JSON.parse(e.data) as GeminiResponse);
}

function translate(events: SSEEvent[]): StreamOutput[] {
  const t = chatStream(target, env());
  const out: StreamOutput[] = [];
  for (const e of events) out.push(...t.push(e));
  out.push(...t.end());
  return out;
}

function chunks(out: StreamOutput[]): ChatChunk[] {
  return out.map((o) => {
    assert.ok('chunk' in o, `unexpected error output: ${'error' in o ? o.error.message : ''}`);
    return o.chunk;
  });
}

interface Summary {
  content: string;
  reasoning: string;
  signatures: string[];
  toolCalls: Array<{ index: number; id: string; name: string; args: unknown }>;
  finishes: Array<string | null>;
  usage: ChatChunk['usage'][];
}

function summarise(cs: ChatChunk[]): Summary {
  const s: Summary = { content: '', reasoning: '', signatures: [], toolCalls: [], finishes: [], usage: [] };
  for (const c of cs) {
    if (c.usage) s.usage.push(c.usage);
    for (const ch of c.choices) {
      const d = ch.delta;
      if (typeof d.content === 'string') s.content += d.content;
      if (typeof d.reasoning_content === 'string') s.reasoning += d.reasoning_content;
      if (typeof d.thinking_signature === 'string') s.signatures.push(d.thinking_signature);
      for (const tc of d.tool_calls ?? []) {
        s.toolCalls.push({ index: tc.index, id: tc.id ?? '', name: tc.function?.name ?? '', args: JSON.parse(tc.function?.arguments ?? 'null') });
      }
      if (ch.finish_reason !== null) s.finishes.push(ch.finish_reason);
    }
  }
  return s;
}

/** Shape rules every translated stream keeps, whatever the transcript. */
function assertWellFormed(cs: ChatChunk[]): void {
  assert.ok(cs.length >= 3, 'role, finish and usage chunks at least');
  assert.deepEqual(cs[0]?.choices[0]?.delta, { role: 'assistant' }, 'role chunk first');
  const ids = new Set(cs.map((c) => c.id));
  assert.equal(ids.size, 1, 'one id for the whole stream');
  for (const c of cs) {
    for (const ch of c.choices) {
      assert.notEqual(ch.delta.content, '', 'no empty content delta');
      if (ch.finish_reason === null) assert.ok(Object.keys(ch.delta).length > 0, 'no empty delta');
    }
  }
  const finishAt = cs.findIndex((c) => c.choices.some((ch) => ch.finish_reason !== null));
  assert.equal(cs.filter((c) => c.choices.some((ch) => ch.finish_reason !== null)).length, 1, 'one finish chunk');
  const last = cs[cs.length - 1] as ChatChunk;
  assert.deepEqual(last.choices, [], 'usage chunk last, with no choices');
  assert.ok(last.usage, 'usage chunk carries usage');
  assert.equal(finishAt, cs.length - 2, 'finish chunk right before the usage chunk');
}

function expectedUsage(last: GeminiResponse): { prompt: number; completion: number; total: number; reasoning: number } {
  const u = last.usageMetadata ?? {};
  return {
    prompt: u.promptTokenCount ?? 0,
    completion: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
    total: u.totalTokenCount ?? 0,
    reasoning: u.thoughtsTokenCount ?? 0,
  };
}

function assertUsage(usage: ChatChunk['usage'], e: ReturnType<typeof expectedUsage>): void {
  assert.ok(usage);
  assert.equal(usage.prompt_tokens, e.prompt);
  assert.equal(usage.completion_tokens, e.completion);
  assert.equal(usage.total_tokens, e.total);
  assert.equal(usage.completion_tokens_details?.reasoning_tokens, e.reasoning);
  assert.equal(usage.prompt_tokens + usage.completion_tokens, usage.total_tokens, 'usage adds up');
}

function texts(ps: GeminiResponse[]): string {
  return ps.map((p) => (p.candidates?.[0]?.content?.parts ?? []).map((x) => x.text ?? '').join('')).join('');
}

describe('gemini stream: recorded transcripts', () => {
  it('functionCall.jsonl: one whole tool call, STOP in the next event still means tool_calls', () => {
    const events = jsonlEvents('gemini/streamGenerateContent-functionCall.jsonl');
    const ps = payloads(events);
    const cs = chunks(translate(events));
    assertWellFormed(cs);
    const s = summarise(cs);
    assert.equal(s.content, '');
    assert.equal(s.toolCalls.length, 1);
    const [tc] = s.toolCalls;
    const fc = ps[0]?.candidates?.[0]?.content?.parts?.[0];
    assert.equal(tc?.index, 0);
    assert.equal(tc?.name, 'weather');
    assert.deepEqual(tc?.args, { location: 'San Francisco' });
    assert.match(tc?.id ?? '', /^call_\d+__ts__[A-Za-z0-9_-]+$/);
    assert.equal(decodeToolCallSignature(tc?.id), fc?.thoughtSignature);
    assert.deepEqual(s.finishes, ['tool_calls']);
    assertUsage(s.usage[0], expectedUsage(ps[ps.length - 1] as GeminiResponse));
    assert.equal(s.usage[0]?.completion_tokens, 15 + 45);
    assert.equal(cs[0]?.id, 'b36LacjwM668nsEP2tbsgQQ', 'id from responseId');
    assert.equal(cs[0]?.model, 'gemini-3-pro-preview', 'model from modelVersion');
  });

  it('text-thoughtSignature.jsonl: empty last text part gives a signature, not an empty delta; usage is the last event', () => {
    const events = jsonlEvents('gemini/streamGenerateContent-text-thoughtSignature.jsonl');
    const ps = payloads(events);
    const cs = chunks(translate(events));
    assertWellFormed(cs);
    const s = summarise(cs);
    assert.equal(s.content, texts(ps));
    assert.equal(s.content, 'There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    const sig = ps[2]?.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature;
    assert.deepEqual(s.signatures, [TEXT_SIGNATURE_PREFIX + sig]);
    assert.deepEqual(s.finishes, ['stop']);
    const last = expectedUsage(ps[2] as GeminiResponse);
    assertUsage(s.usage[0], last);
    assert.equal(s.usage.length, 1);
    const summed = ps.reduce((a, p) => a + (p.usageMetadata?.promptTokenCount ?? 0), 0);
    assert.notEqual(s.usage[0]?.prompt_tokens, summed, 'not summed across events');
  });

  it('sse-raw-text (CRLF): one event with text, STOP and usage', () => {
    const events = sseEvents('gemini/streamGenerateContent-sse-raw-text.sse.txt');
    assert.equal(events.length, 1);
    const ps = payloads(events);
    const s = summarise(chunks(translate(events)));
    assert.equal(s.content, '1, 2, 3');
    assert.deepEqual(s.finishes, ['stop']);
    assertUsage(s.usage[0], expectedUsage(ps[0] as GeminiResponse));
    assert.equal(s.usage[0]?.completion_tokens, 7 + 23);
  });

  it('sse-raw-functionCall (CRLF): function call, signature and STOP in one event', () => {
    const events = sseEvents('gemini/streamGenerateContent-sse-raw-functionCall.sse.txt');
    const ps = payloads(events);
    const cs = chunks(translate(events));
    assertWellFormed(cs);
    const s = summarise(cs);
    assert.equal(s.toolCalls.length, 1);
    assert.equal(s.toolCalls[0]?.name, 'getWeather');
    assert.deepEqual(s.toolCalls[0]?.args, { location: 'Tokyo' });
    assert.equal(decodeToolCallSignature(s.toolCalls[0]?.id), ps[0]?.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature);
    assert.deepEqual(s.finishes, ['tool_calls']);
    const finish = cs.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish?.choices[0]?.['native_finish_reason'], 'STOP');
    assertUsage(s.usage[0], expectedUsage(ps[0] as GeminiResponse));
  });

  it('sse-raw-after-functionResponse: text concatenated, cumulative usage kept from the last event (15, not 4+15)', () => {
    const events = sseEvents('gemini/streamGenerateContent-sse-raw-after-functionResponse.sse.txt');
    assert.equal(events.length, 2);
    const ps = payloads(events);
    const cs = chunks(translate(events));
    assertWellFormed(cs);
    const s = summarise(cs);
    assert.equal(s.content, '今日の東京の天気は曇りで、気温は22度です。\n');
    assert.deepEqual(s.finishes, ['stop']);
    assertUsage(s.usage[0], expectedUsage(ps[1] as GeminiResponse));
    assert.equal(s.usage[0]?.completion_tokens, 15);
    assert.equal(s.usage[0]?.prompt_tokens, 138);
  });

  it('sse-raw-multi-event: finish only once, after all the text; usage from the last event', () => {
    const events = sseEvents('gemini/streamGenerateContent-sse-raw-multi-event.trimmed.sse.txt');
    assert.equal(events.length, 5);
    const ps = payloads(events);
    const cs = chunks(translate(events));
    assertWellFormed(cs);
    const s = summarise(cs);
    assert.equal(s.content, texts(ps));
    assert.ok(s.content.endsWith(', hold functionality, sound, high scores, etc.'));
    const contentChunks = cs.filter((c) => typeof c.choices[0]?.delta.content === 'string');
    assert.equal(contentChunks.length, 5, 'one content delta per event');
    assert.deepEqual(s.finishes, ['stop']);
    assertUsage(s.usage[0], expectedUsage(ps[4] as GeminiResponse));
    assert.equal(s.usage[0]?.completion_tokens, 5947 + 2042);
  });

  it('gives the same chunks whatever the byte boundaries of the CRLF stream', () => {
    for (const rel of ['gemini/streamGenerateContent-sse-raw-functionCall.sse.txt', 'gemini/streamGenerateContent-sse-raw-text.sse.txt']) {
      const whole = chunks(translate(sseEvents(rel)));
      for (const step of [1, 2, 3, 7, 64]) {
        assert.deepEqual(chunks(translate(sseEvents(rel, step))), whole, `${rel} in ${step}-byte pieces`);
      }
    }
  });
});

describe('gemini stream: shapes not in the transcripts', () => {
  const ev = (o: unknown): SSEEvent => ({ data: JSON.stringify(o) });

  it('thought parts go to reasoning_content, never content, and their signature follows them', () => {
    const cs = chunks(
      translate([
        ev({ candidates: [{ content: { parts: [{ text: 'Let me count', thought: true }] } }] }),
        ev({ candidates: [{ content: { parts: [{ text: ' the rs.', thought: true, thoughtSignature: 'QUJD' }, { text: 'Three.' }] }, finishReason: 'STOP' }] }),
      ]),
    );
    const s = summarise(cs);
    assert.equal(s.reasoning, 'Let me count the rs.');
    assert.equal(s.content, 'Three.');
    assert.deepEqual(s.signatures, ['gemini-thought:QUJD']);
    const order = cs.map((c) => Object.keys(c.choices[0]?.delta ?? {})[0]).filter(Boolean);
    assert.deepEqual(order.slice(0, 5), ['role', 'reasoning_content', 'reasoning_content', 'thinking_signature', 'content']);
  });

  it('parallel function calls get distinct ids and increasing indices', () => {
    const s = summarise(
      chunks(
        translate([
          ev({ candidates: [{ content: { parts: [{ functionCall: { name: 'a', args: { x: 1 } }, thoughtSignature: 'c2ln' }, { functionCall: { name: 'b' } }] } }] }),
          ev({ candidates: [{ content: { parts: [{ text: '' }] }, finishReason: 'STOP' }] }),
        ]),
      ),
    );
    assert.deepEqual(
      s.toolCalls.map((t) => [t.index, t.name, t.args]),
      [
        [0, 'a', { x: 1 }],
        [1, 'b', {}],
      ],
    );
    assert.notEqual(s.toolCalls[0]?.id, s.toolCalls[1]?.id);
    assert.equal(decodeToolCallSignature(s.toolCalls[0]?.id), 'c2ln');
    assert.equal(decodeToolCallSignature(s.toolCalls[1]?.id), undefined);
    assert.deepEqual(s.finishes, ['tool_calls']);
  });

  it('a blocked prompt (no candidates) ends with content_filter', () => {
    const cs = chunks(translate([ev({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 } })]));
    assertWellFormed(cs);
    const s = summarise(cs);
    assert.deepEqual(s.finishes, ['content_filter']);
    assert.equal(s.content, '');
    assert.equal(s.usage[0]?.prompt_tokens, 9);
    assert.equal(s.usage[0]?.completion_tokens, 0);
  });

  it('MAX_TOKENS is length and SAFETY is content_filter', () => {
    const one = (reason: string) =>
      summarise(chunks(translate([ev({ candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: reason }] })]))).finishes;
    assert.deepEqual(one('MAX_TOKENS'), ['length']);
    assert.deepEqual(one('SAFETY'), ['content_filter']);
    assert.deepEqual(one('MALFORMED_FUNCTION_CALL'), ['stop']);
  });

  it('an error event ends the stream with that error and nothing after it', () => {
    const t = chatStream(target, env());
    const first = t.push(ev({ candidates: [{ content: { parts: [{ text: 'Hel' }] } }] }));
    assert.equal(first.length, 2);
    const err = t.push(ev({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } }));
    assert.equal(err.length, 1);
    const e = err[0];
    assert.ok(e && 'error' in e);
    assert.equal(e.error.status, 503);
    assert.equal(e.error.message, 'The model is overloaded.');
    assert.equal(e.error.upstreamError?.['status'], 'UNAVAILABLE');
    assert.deepEqual(t.push(ev({ candidates: [{ content: { parts: [{ text: 'lo' }] }, finishReason: 'STOP' }] })), []);
    assert.deepEqual(t.end(), []);
  });

  it('a stream cut before any finish reason ends with an error after the usage seen so far', () => {
    const out = translate([ev({ candidates: [{ content: { parts: [{ text: 'Hel' }] } }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 } })]);
    const last = out[out.length - 1];
    assert.ok(last && 'error' in last);
    assert.equal(last.error.code, 'LLMUX_ERR_UPSTREAM_PROTOCOL');
    const usage = out[out.length - 2];
    assert.ok(usage && 'chunk' in usage);
    assert.equal(usage.chunk.usage?.total_tokens, 4);
    assert.ok(!out.some((o) => 'chunk' in o && o.chunk.choices.some((c) => c.finish_reason !== null)), 'no finish chunk');
  });

  it('a non-JSON event is a protocol error', () => {
    const t = chatStream(target, env());
    const out = t.push({ data: '{"candidates": [' });
    assert.equal(out.length, 1);
    assert.ok(out[0] && 'error' in out[0] && out[0].error.code === 'LLMUX_ERR_UPSTREAM_PROTOCOL');
  });
});
