import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdapterEnv } from '../../core/types.js';
import { isGatewayError } from '../../core/errors.js';
import { readFixtureJson } from '../../testing/fixtures.js';
import type { UpstreamTarget } from '../types.js';
import { chatResponse, finishReason, geminiUsage } from './response.js';
import { decodeToolCallSignature, TEXT_SIGNATURE_PREFIX } from './signatures.js';
import type { GeminiResponse } from './wire.js';

const target: UpstreamTarget = { provider: 'g', kind: 'google', baseUrl: 'http://127.0.0.1:1', model: 'gemini-test' };

function env(): AdapterEnv {
  let n = 0;
  return { now: () => 1_700_000_123_456, newId: (p) => `${p}${++n}` };
}

describe('gemini response: recorded bodies', () => {
  it('generateContent-text.json: content, signature kept, usage counts thoughts and adds up to 281', () => {
    const body = readFixtureJson<GeminiResponse>('gemini/generateContent-text.json');
    const part = body.candidates?.[0]?.content?.parts?.[0];
    const c = chatResponse(body, target, env());
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.id, 'Un6LacrVMcjUxs0PmJfWoQc');
    assert.equal(c.model, 'gemini-3-pro-preview');
    assert.equal(c.created, 1_700_000_123);
    assert.equal(c.choices.length, 1);
    const m = c.choices[0]?.message;
    assert.equal(m?.content, part?.text);
    assert.equal(m?.tool_calls, undefined);
    assert.equal(m?.reasoning_content, undefined, 'no thought parts, no reasoning text');
    assert.deepEqual(m?.thinking_blocks, [{ type: 'thinking', thinking: '', signature: TEXT_SIGNATURE_PREFIX + part?.thoughtSignature }]);
    assert.equal(c.choices[0]?.finish_reason, 'stop');
    assert.deepEqual(c.usage, {
      prompt_tokens: 9,
      completion_tokens: 28 + 244,
      total_tokens: 281,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 244 },
    });
    assert.equal((c.usage?.prompt_tokens ?? 0) + (c.usage?.completion_tokens ?? 0), body.usageMetadata?.totalTokenCount);
  });

  it('generateContent-functionCall.json: tool call with synthesized id carrying the signature; STOP → tool_calls', () => {
    const body = readFixtureJson<GeminiResponse>('gemini/generateContent-functionCall.json');
    const part = body.candidates?.[0]?.content?.parts?.[0];
    const c = chatResponse(body, target, env());
    const m = c.choices[0]?.message;
    assert.equal(m?.content, null);
    assert.equal(m?.tool_calls?.length, 1);
    const tc = m?.tool_calls?.[0];
    assert.equal(tc?.type, 'function');
    assert.equal(tc?.function.name, 'weather');
    assert.deepEqual(JSON.parse(tc?.function.arguments ?? ''), { location: 'San Francisco' });
    assert.match(tc?.id ?? '', /^call_1__ts__[A-Za-z0-9_-]+$/);
    assert.equal(decodeToolCallSignature(tc?.id), part?.thoughtSignature);
    assert.equal(c.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(c.choices[0]?.['native_finish_reason'], 'STOP');
    assert.equal(c.usage?.prompt_tokens, 29);
    assert.equal(c.usage?.completion_tokens, 15 + 893);
    assert.equal(c.usage?.total_tokens, 937);
    assert.equal(c.usage?.completion_tokens_details?.reasoning_tokens, 893);
  });
});

describe('gemini response: other shapes', () => {
  it('thought parts become reasoning_content and a signed thinking block; text stays content', () => {
    const c = chatResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { text: 'Counting', thought: true },
                { text: ' letters.', thought: true, thoughtSignature: 'VEhPVUdIVA==' },
                { text: 'Three.' },
              ],
            },
            finishReason: 'STOP',
          },
        ],
      },
      target,
      env(),
    );
    const m = c.choices[0]?.message;
    assert.equal(m?.content, 'Three.');
    assert.equal(m?.reasoning_content, 'Counting letters.');
    assert.deepEqual(m?.thinking_blocks, [{ type: 'thinking', thinking: 'Counting letters.', signature: 'gemini-thought:VEhPVUdIVA==' }]);
    assert.equal(c.id, 'chatcmpl-1', 'no responseId: a fresh id');
    assert.equal(c.model, 'gemini-test', 'no modelVersion: the target model');
    assert.equal(c.usage, undefined);
  });

  it('one choice per candidate (candidateCount)', () => {
    const c = chatResponse(
      {
        candidates: [
          { index: 0, content: { parts: [{ text: 'A' }] }, finishReason: 'STOP' },
          { index: 1, content: { parts: [{ text: 'B' }] }, finishReason: 'MAX_TOKENS' },
        ],
      },
      target,
      env(),
    );
    assert.deepEqual(
      c.choices.map((ch) => [ch.index, ch.message.content, ch.finish_reason]),
      [
        [0, 'A', 'stop'],
        [1, 'B', 'length'],
      ],
    );
  });

  it('a blocked prompt (no candidates) is content_filter with empty content', () => {
    const c = chatResponse(
      { promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 }, responseId: 'r1' },
      target,
      env(),
    );
    assert.equal(c.choices.length, 1);
    assert.equal(c.choices[0]?.finish_reason, 'content_filter');
    assert.equal(c.choices[0]?.message.content, '');
    assert.equal(c.choices[0]?.['native_finish_reason'], 'PROHIBITED_CONTENT');
    assert.equal(c.usage?.prompt_tokens, 9);
    assert.equal(c.usage?.completion_tokens, 0);
  });

  it('a body that is not an object is a protocol error', () => {
    assert.throws(() => chatResponse('nope', target, env()), (e) => isGatewayError(e) && e.code === 'LLMUX_ERR_UPSTREAM_PROTOCOL');
  });

  it('finish reasons', () => {
    assert.equal(finishReason('STOP', false), 'stop');
    assert.equal(finishReason('STOP', true), 'tool_calls');
    assert.equal(finishReason('MAX_TOKENS', true), 'length');
    for (const r of ['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']) assert.equal(finishReason(r, false), 'content_filter', r);
    assert.equal(finishReason('MALFORMED_FUNCTION_CALL', false), 'stop');
    assert.equal(finishReason(undefined, false), 'stop');
  });

  it('usage: cached, tool-use prompt and audio tokens', () => {
    const u = geminiUsage({
      promptTokenCount: 100,
      cachedContentTokenCount: 60,
      toolUsePromptTokenCount: 20,
      candidatesTokenCount: 10,
      thoughtsTokenCount: 5,
      totalTokenCount: 135,
      promptTokensDetails: [
        { modality: 'TEXT', tokenCount: 80 },
        { modality: 'AUDIO', tokenCount: 20 },
      ],
    });
    assert.equal(u.prompt_tokens, 120);
    assert.equal(u.completion_tokens, 15);
    assert.equal(u.total_tokens, 135);
    assert.equal(u.prompt_tokens + u.completion_tokens, u.total_tokens);
    assert.equal(u.prompt_tokens_details?.cached_tokens, 60);
    assert.equal(u.prompt_tokens_details?.audio_tokens, 20);
    assert.equal(u.completion_tokens_details?.reasoning_tokens, 5);
  });
});
