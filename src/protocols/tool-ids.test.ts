import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fitToolId, isForeignSignature } from './tool-ids.js';

it('keeps ids that fit, maps the others to a stable short id', () => {
  assert.equal(fitToolId('toolu_01T1x1fJ34qAmk2tNTrN7Up6', 64), 'toolu_01T1x1fJ34qAmk2tNTrN7Up6');
  const long = `call_0__ts__${'A'.repeat(1500)}`;
  const a = fitToolId(long, 64);
  assert.ok(a.length <= 64 && /^[A-Za-z0-9_-]+$/.test(a));
  assert.equal(fitToolId(long, 64), a, 'stable: a call and its result pair up');
  assert.notEqual(fitToolId(`${long}B`, 64), a);
  assert.match(fitToolId('functions.get:0', 64), /^call_[A-Za-z0-9_-]+$/);
});

it('recognises signatures only Gemini can verify', () => {
  assert.equal(isForeignSignature('gemini-thought:abc'), true);
  assert.equal(isForeignSignature('EqQBCkgIARABGAIiQL'), false);
});
