import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runStorageContract } from './contract.js';
import { MemoryStorage } from './memory.js';

runStorageContract('memory', async () => new MemoryStorage());

it('memory: the periodic sweep removes expired entries nobody reads', { timeout: 5_000 }, async () => {
  const s = new MemoryStorage({ sweepIntervalMs: 20 });
  try {
    await s.set('a', '1', { ttlMs: 10 });
    await s.set('b', '2');
    const size = (): number => s.size;
    assert.equal(size(), 2);
    // Bounded wait for the timer: it must run within a few periods.
    const deadline = Date.now() + 2_000;
    while (size() !== 1 && Date.now() < deadline) await sleep(10);
    assert.equal(size(), 1, 'the sweep did not run');
    assert.equal(await s.get('b'), '2');
  } finally {
    await s.close();
  }
});

it('memory: sweep(now) drops exactly the entries expired at that time', async () => {
  const s = new MemoryStorage();
  try {
    const t0 = Date.now();
    await s.set('short', 'x', { ttlMs: 1_000 });
    await s.set('long', 'x', { ttlMs: 60_000 });
    await s.set('forever', 'x');
    assert.equal(s.sweep(t0), 0);
    assert.equal(s.sweep(t0 + 10_000), 1);
    assert.equal(s.sweep(t0 + 120_000), 1);
    assert.equal(s.size, 1);
  } finally {
    await s.close();
  }
});
