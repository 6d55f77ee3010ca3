import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from './rng.js';
import { padToBytes, splitIntoPieces } from './text.js';

test('splitIntoPieces groups words evenly and loses nothing', () => {
  assert.deepEqual(splitIntoPieces('word word word ', 3), ['word ', 'word ', 'word ']);
  assert.deepEqual(splitIntoPieces('a b c d e f', 3), ['a b ', 'c d ', 'e f']);
  const text = 'The quick brown fox jumps over the lazy dog.';
  for (const n of [1, 2, 5, 9, 12, 40]) {
    const pieces = splitIntoPieces(text, n);
    assert.equal(pieces.length, n);
    assert.equal(pieces.join(''), text);
  }
});

test('splitIntoPieces splits the longest word when there are more pieces than words', () => {
  assert.deepEqual(splitIntoPieces('hi wonderful', 3), ['hi ', 'wonde', 'rful']);
  assert.deepEqual(splitIntoPieces('ab', 4), ['a', 'b', '', '']);
  assert.deepEqual(splitIntoPieces('', 2), ['', '']);
  // Multi-byte characters are never cut in half.
  assert.equal(splitIntoPieces('héllo wörld 日本語', 8).join(''), 'héllo wörld 日本語');
});

test('padToBytes repeats the text to about the size asked, never cutting a character', () => {
  assert.equal(padToBytes('abc', undefined), 'abc');
  assert.equal(padToBytes('long enough', 4), 'long enough');
  const p = padToBytes('This is a benchmark response.', 1000);
  assert.equal(Buffer.byteLength(p), 1000);
  assert.ok(p.startsWith('This is a benchmark response. This is'));
  const m = padToBytes('日本', 100);
  assert.ok(Buffer.byteLength(m) <= 100 && Buffer.byteLength(m) > 94);
  assert.doesNotThrow(() => Buffer.from(m).toString('utf8'));
  assert.ok(!m.includes('\uFFFD'));
});

test('mulberry32 is deterministic per seed and uniform enough', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const sa = Array.from({ length: 5 }, a);
  assert.deepEqual(sa, Array.from({ length: 5 }, b));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, c));
  const r = mulberry32(7);
  let below = 0;
  for (let i = 0; i < 10_000; i++) {
    const v = r();
    assert.ok(v >= 0 && v < 1);
    if (v < 0.5) below++;
  }
  assert.ok(below > 4_700 && below < 5_300, `half of 10000 draws below 0.5, got ${below}`);
});
