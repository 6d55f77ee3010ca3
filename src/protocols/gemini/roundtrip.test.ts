/**
 * Thought signatures survive the canonical form: a Gemini response translated to OpenAI, kept
 * by the client as its next-turn history, and translated back restores each signature on the
 * same kind of part it came on.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SSEDecoder } from '../../core/sse.js';
import type { AdapterEnv, ChatMessage, SSEEvent, StreamOutput, ThinkingBlock, ToolCall } from '../../core/types.js';
import { readFixture, readFixtureJson, readFixtureText } from '../../testing/fixtures.js';
import type { UpstreamTarget } from '../types.js';
import { toGeminiRequest } from './request.js';
import { chatResponse } from './response.js';
import { SKIP_SIGNATURE_VALIDATOR, encodeToolCallId } from './signatures.js';
import { chatStream } from './stream.js';
import type { GeminiPart, GeminiResponse } from './wire.js';

const target: UpstreamTarget = { provider: 'g', kind: 'google', baseUrl: 'http://127.0.0.1:1', model: 'gemini-3-pro-preview' };

function env(): AdapterEnv {
  let n = 0;
  return { now: () => 1_700_000_000_000, newId: (p) => `${p}${++n}` };
}

/** What an OpenAI client keeps from a stream: content, tool calls and (llmux-aware) signatures. */
function assemble(out: StreamOutput[]): ChatMessage {
  let content = '';
  const calls: ToolCall[] = [];
  const blocks: ThinkingBlock[] = [];
  for (const o of out) {
    assert.ok('chunk' in o);
    for (const ch of o.chunk.choices) {
      const d = ch.delta;
      if (d.content) content += d.content;
      if (d.thinking_signature) blocks.push({ type: 'thinking', thinking: '', signature: d.thinking_signature });
      for (const tc of d.tool_calls ?? []) calls[tc.index] = { id: tc.id ?? '', type: 'function', function: { name: tc.function?.name ?? '', arguments: tc.function?.arguments ?? '' } };
    }
  }
  return { role: 'assistant', content: content || null, ...(calls.length ? { tool_calls: calls } : {}), ...(blocks.length ? { thinking_blocks: blocks } : {}) };
}

function streamOf(events: SSEEvent[]): StreamOutput[] {
  const t = chatStream(target, env());
  return [...events.flatMap((e) => t.push(e)), ...t.end()];
}

function functionCallParts(parts: GeminiPart[] | undefined): GeminiPart[] {
  return (parts ?? []).filter((p) => p.functionCall);
}

describe('gemini thought signature round trip', () => {
  it('non-stream function call: the signature comes back on the same functionCall part', () => {
    const body = readFixtureJson<GeminiResponse>('gemini/generateContent-functionCall.json');
    const recorded = body.candidates?.[0]?.content?.parts?.[0];
    const assistant = chatResponse(body, target, env()).choices[0]?.message as ChatMessage;
    const id = assistant.tool_calls?.[0]?.id as string;
    const next = toGeminiRequest(
      {
        model: 'x',
        messages: [{ role: 'user', content: 'Weather in San Francisco?' }, assistant, { role: 'tool', tool_call_id: id, content: '{"temperature":18}' }],
      },
      target.model,
    );
    assert.equal(next.contents.length, 3);
    assert.deepEqual(next.contents[1], {
      role: 'model',
      parts: [{ functionCall: { name: 'weather', args: { location: 'San Francisco' } }, thoughtSignature: recorded?.thoughtSignature }],
    });
    assert.deepEqual(next.contents[2], { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { temperature: 18 } } }] });
  });

  it('stream function call (CRLF transcript): the signature comes back; the rest equals the recorded next request', () => {
    const d = new SSEDecoder();
    const events = [...d.push(readFixture('gemini/streamGenerateContent-sse-raw-functionCall.sse.txt')), ...d.end()];
    const sig = (JSON.parse(events[0]?.data ?? '') as GeminiResponse).candidates?.[0]?.content?.parts?.[0]?.thoughtSignature;
    const assistant = assemble(streamOf(events));
    const id = assistant.tool_calls?.[0]?.id as string;
    const next = toGeminiRequest(
      {
        model: 'x',
        messages: [
          { role: 'user', content: '今日の東京の天気を教えて' },
          assistant,
          { role: 'tool', tool_call_id: id, content: '{"location":"Tokyo","unit":"celsius","temperature":22,"condition":"Cloudy"}' },
        ],
      },
      'gemini-2.5-flash',
    );
    const calls = functionCallParts(next.contents[1]?.parts);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.thoughtSignature, sig);
    // The recorded second-turn request (which dropped the signature) otherwise matches ours.
    const recorded = JSON.parse(readFixtureText('gemini/streamGenerateContent-sse-raw-after-functionResponse.request.json')) as {
      contents: Array<{ parts: Array<Record<string, { name: string }>> }>;
    };
    assert.equal(calls[0]?.functionCall?.name, recorded.contents[1]?.parts[0]?.['function_call']?.name);
    assert.equal(next.contents[2]?.parts[0]?.functionResponse?.name, recorded.contents[2]?.parts[0]?.['function_response']?.name);
  });

  it('non-stream text part signature: restored on the text part of the model turn', () => {
    const body = readFixtureJson<GeminiResponse>('gemini/generateContent-text.json');
    const recorded = body.candidates?.[0]?.content?.parts?.[0];
    const assistant = chatResponse(body, target, env()).choices[0]?.message as ChatMessage;
    const next = toGeminiRequest({ model: 'x', messages: [{ role: 'user', content: 'How many rs?' }, assistant, { role: 'user', content: 'Sure?' }] }, target.model);
    assert.deepEqual(next.contents[1], { role: 'model', parts: [{ text: recorded?.text, thoughtSignature: recorded?.thoughtSignature }] });
  });

  it('stream text signature on the trailing empty part: restored on the text of the model turn', () => {
    const events = readFixtureText('gemini/streamGenerateContent-text-thoughtSignature.jsonl')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((data) => ({ data }));
    const sig = (JSON.parse(events[2]?.data ?? '') as GeminiResponse).candidates?.[0]?.content?.parts?.[0]?.thoughtSignature;
    const assistant = assemble(streamOf(events));
    const next = toGeminiRequest({ model: 'x', messages: [{ role: 'user', content: 'How many rs?' }, assistant, { role: 'user', content: 'Sure?' }] }, target.model);
    const parts = next.contents[1]?.parts ?? [];
    assert.equal(parts.length, 1);
    assert.equal(parts[0]?.text, assistant.content);
    assert.equal(parts[0]?.thoughtSignature, sig);
  });

  it('signed thought parts come back as thought parts with their text', () => {
    const assistant = chatResponse(
      { candidates: [{ content: { parts: [{ text: 'Think.', thought: true, thoughtSignature: 'VA==' }, { text: 'Answer.' }] }, finishReason: 'STOP' }] },
      target,
      env(),
    ).choices[0]?.message as ChatMessage;
    const next = toGeminiRequest({ model: 'x', messages: [{ role: 'user', content: 'q' }, assistant] }, target.model);
    assert.deepEqual(next.contents[1]?.parts, [{ text: 'Think.', thought: true, thoughtSignature: 'VA==' }, { text: 'Answer.' }]);
  });

  it("another provider's thinking signature is not sent to Gemini", () => {
    const next = toGeminiRequest(
      {
        model: 'x',
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'a', thinking_blocks: [{ type: 'thinking', thinking: 'hmm', signature: 'EqQBCkgIARABGAIiQL' }, { type: 'redacted_thinking', data: 'xyz' }] },
        ],
      },
      target.model,
    );
    assert.deepEqual(next.contents[1]?.parts, [{ text: 'a' }]);
  });

  it('Gemini 3: a function call with no signature gets the documented skip value; older models get none', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'toolu_01', type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'toolu_02', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_01', content: 'ok' },
      { role: 'tool', tool_call_id: 'toolu_02', content: 'ok' },
    ];
    const g3 = functionCallParts(toGeminiRequest({ model: 'x', messages }, 'gemini-3-pro-preview').contents[1]?.parts);
    assert.deepEqual(
      g3.map((p) => p.thoughtSignature),
      [SKIP_SIGNATURE_VALIDATOR, undefined],
    );
    const g25 = functionCallParts(toGeminiRequest({ model: 'x', messages }, 'gemini-2.5-flash').contents[1]?.parts);
    assert.deepEqual(
      g25.map((p) => p.thoughtSignature),
      [undefined, undefined],
    );
  });

  it('parallel calls: only the first carries a signature, and no skip value is added', () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: encodeToolCallId('call_1', 'AB+/cd=='), type: 'function', function: { name: 'f', arguments: '{}' } },
          { id: 'call_2', type: 'function', function: { name: 'g', arguments: '{}' } },
        ],
      },
    ];
    const parts = functionCallParts(toGeminiRequest({ model: 'x', messages }, 'gemini-3-pro-preview').contents[1]?.parts);
    assert.deepEqual(
      parts.map((p) => p.thoughtSignature),
      ['AB+/cd==', undefined],
    );
  });

  it("crabllm's tool call ids (call_<i>__thought__<sig>) are decoded too", () => {
    const messages: ChatMessage[] = [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_0__thought__Zm9v+/==', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
    ];
    const parts = functionCallParts(toGeminiRequest({ model: 'x', messages }, 'gemini-2.5-flash').contents[1]?.parts);
    assert.deepEqual(parts, [{ functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'Zm9v+/==' }]);
  });
});
