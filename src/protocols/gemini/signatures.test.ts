import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixtureJsonl } from '../../testing/fixtures.js';
import { decodeToolCallSignature, encodeToolCallId, markSignature, unmarkSignature } from './signatures.js';
import type { GeminiResponse } from './wire.js';

describe('gemini signature encoding', () => {
  it('a recorded signature survives the tool call id, which stays within [A-Za-z0-9_-]', () => {
    const first = readFixtureJsonl<GeminiResponse>('gemini/streamGenerateContent-functionCall.jsonl')[0];
    const sig = first?.candidates?.[0]?.content?.parts?.[0]?.thoughtSignature as string;
    assert.match(sig, /[+/=]/, 'the recorded signature uses the characters that need encoding');
    const id = encodeToolCallId('call_abc', sig);
    assert.match(id, /^call_abc__ts__[A-Za-z0-9_-]+$/);
    assert.equal(decodeToolCallSignature(id), sig);
  });

  it('ids without a signature are left alone', () => {
    assert.equal(encodeToolCallId('call_1', undefined), 'call_1');
    assert.equal(decodeToolCallSignature('call_1'), undefined);
    assert.equal(decodeToolCallSignature('toolu_01A09q90qw90lq917835lq9'), undefined);
    assert.equal(decodeToolCallSignature(undefined), undefined);
  });

  it('unpadded signatures of every length come back padded to whole base64 groups', () => {
    for (const sig of ['QQ==', 'QUI=', 'QUJD', 'QUJDRA==']) assert.equal(decodeToolCallSignature(encodeToolCallId('c', sig)), sig);
  });

  it('thinking-block signatures are marked with where they came from', () => {
    assert.deepEqual(unmarkSignature(markSignature('abc', 'text')), { signature: 'abc', source: 'text' });
    assert.deepEqual(unmarkSignature(markSignature('abc', 'thought')), { signature: 'abc', source: 'thought' });
    assert.equal(unmarkSignature('abc'), undefined);
    assert.equal(unmarkSignature('gemini-text:'), undefined);
  });
});
