import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentile, Samples, summarize } from './percentiles.js';

test('nearest-rank percentiles of 1..100 are the rank itself', () => {
  const xs = Float64Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(xs, 50), 50);
  assert.equal(percentile(xs, 90), 90);
  assert.equal(percentile(xs, 99), 99);
  assert.equal(percentile(xs, 99.9), 100);
  assert.equal(percentile(xs, 0), 1);
  assert.equal(percentile(xs, 100), 100);
});

test('percentiles of a small set round the rank up, never interpolate', () => {
  const xs = [0.4, 1.2, 7.5];
  assert.equal(percentile(xs, 50), 1.2); // rank ceil(1.5) = 2
  assert.equal(percentile(xs, 34), 1.2); // rank ceil(1.02) = 2
  assert.equal(percentile(xs, 33), 0.4); // rank ceil(0.99) = 1
  assert.equal(percentile(xs, 99), 7.5);
  assert.equal(percentile([5], 99), 5);
});

test('an empty set has no percentiles', () => {
  assert.ok(Number.isNaN(percentile([], 50)));
  const s = summarize(new Float64Array(0));
  assert.equal(s.count, 0);
  assert.ok(Number.isNaN(s.p99) && Number.isNaN(s.mean));
});

test('Samples grows past its capacity and sorts numerically', () => {
  const s = new Samples(16);
  const values = [10, 9, 100, 2, 33];
  for (let i = 0; i < 40; i++) s.push(values[i % values.length]! + i * 0.001);
  assert.equal(s.length, 40);
  const sorted = s.sorted();
  assert.equal(sorted.length, 40);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i - 1]! <= sorted[i]!);
  // Numeric, not lexicographic: 9.x before 10.x before 100.x.
  assert.ok(sorted[0]! >= 2 && sorted[0]! < 3);
  assert.ok(sorted[39]! >= 100);
});

test('summarize reports count, mean, extremes and percentiles', () => {
  const s = new Samples();
  for (const v of [3, 1, 2, 4, 10]) s.push(v);
  const sum = summarize(s.sorted());
  assert.deepEqual(sum, { count: 5, min: 1, mean: 4, p50: 3, p90: 10, p99: 10, max: 10 });
});
