/**
 * The contract every storage backend passes (memory.test.ts, sqlite.test.ts, redis.test.ts call
 * it). Services and extensions rely on exactly these behaviours and nothing else, so a backend
 * that passes can replace another.
 *
 * `make` must return a fresh, empty storage each time (a new file, a new key prefix, …).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isGatewayError } from '../core/errors.js';
import type { Storage } from './types.js';

/** Every case is bounded: a hung backend fails the test instead of stalling the run. */
const CASE = { timeout: 15_000 };

async function using(make: () => Promise<Storage>, fn: (s: Storage) => Promise<void>): Promise<void> {
  const s = await make();
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

function isStorageError(e: unknown): boolean {
  return isGatewayError(e) && e.code === 'LLMUX_ERR_STORAGE' && e.status === 503;
}

export function runStorageContract(name: string, make: () => Promise<Storage>): void {
  describe(`${name} storage contract`, () => {
    it('get returns undefined for a missing key, set stores, set overwrites', CASE, () =>
      using(make, async (s) => {
        assert.equal(await s.get('k:missing'), undefined);
        await s.set('k:a', 'one');
        assert.equal(await s.get('k:a'), 'one');
        await s.set('k:a', 'two');
        assert.equal(await s.get('k:a'), 'two');
        await s.set('k:empty', '');
        assert.equal(await s.get('k:empty'), '', 'an empty string is a value, not an absence');
        assert.deepEqual(await s.list('k:'), [
          ['k:a', 'two'],
          ['k:empty', ''],
        ]);
      }),
    );

    it('a value with a TTL disappears after it; ttlMs 0 means forever', CASE, () =>
      using(make, async (s) => {
        await s.set('ttl:short', 'v', { ttlMs: 60 });
        await s.set('ttl:zero', 'kept', { ttlMs: 0 });
        await s.set('ttl:none', 'kept');
        assert.equal(await s.get('ttl:short'), 'v');
        await sleep(120);
        assert.equal(await s.get('ttl:short'), undefined);
        assert.equal(await s.get('ttl:zero'), 'kept');
        assert.equal(await s.get('ttl:none'), 'kept');
      }),
    );

    it('a negative or non-finite TTL is refused before anything is written', CASE, () =>
      using(make, async (s) => {
        for (const ttlMs of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
          await assert.rejects(s.set('ttl:bad', 'v', { ttlMs }), RangeError);
          await assert.rejects(s.incr('ttl:badc', 1, { ttlMs }), RangeError);
        }
        assert.equal(await s.get('ttl:bad'), undefined);
        assert.equal(await s.get('ttl:badc'), undefined);
        // A fractional TTL is accepted (Redis's PX takes only whole ms) and still expires.
        await s.set('ttl:frac', 'v', { ttlMs: 50.5 });
        assert.equal(await s.get('ttl:frac'), 'v');
        await sleep(100);
        assert.equal(await s.get('ttl:frac'), undefined);
      }),
    );

    it('set replaces the TTL: a key set with a TTL then without one lives on', CASE, () =>
      using(make, async (s) => {
        await s.set('ttl:reset', 'a', { ttlMs: 50 });
        await s.set('ttl:reset', 'b');
        await s.set('ttl:later', 'a');
        await s.set('ttl:later', 'b', { ttlMs: 50 });
        await sleep(100);
        assert.equal(await s.get('ttl:reset'), 'b');
        assert.equal(await s.get('ttl:later'), undefined);
      }),
    );

    it('incr creates the counter at `by`, adds, and reads back as a decimal string', CASE, () =>
      using(make, async (s) => {
        assert.equal(await s.incr('c:a', 5), 5);
        assert.equal(await s.incr('c:a', -7), -2);
        assert.equal(await s.incr('c:a', 10), 8);
        assert.equal(await s.get('c:a'), '8');
        assert.equal(await s.incr('c:zero', 0), 0);
        assert.equal(await s.get('c:zero'), '0', 'incr by 0 still creates the counter');
        assert.equal(await s.incr('c:neg', -3), -3);
        assert.equal(await s.get('c:neg'), '-3');
        await s.set('c:preset', '41');
        assert.equal(await s.incr('c:preset', 1), 42);
        await s.set('c:negative', '-10');
        assert.equal(await s.incr('c:negative', 4), -6);
        assert.equal(await s.incr('c:big', 2 ** 40), 2 ** 40);
        assert.equal(await s.incr('c:big', 2 ** 40), 2 ** 41);
      }),
    );

    it('incr is atomic: 200 concurrent calls return 1..200, each exactly once', CASE, () =>
      using(make, async (s) => {
        const results = await Promise.all(Array.from({ length: 200 }, () => s.incr('c:race', 1)));
        const sorted = [...results].sort((a, b) => a - b);
        assert.deepEqual(sorted, Array.from({ length: 200 }, (_, i) => i + 1));
        assert.equal(await s.get('c:race'), '200');
        // Mixed steps: the final value is the exact sum whatever the interleaving.
        const steps = Array.from({ length: 200 }, (_, i) => (i % 3) + 1);
        await Promise.all(steps.map((by) => s.incr('c:mixed', by)));
        assert.equal(await s.get('c:mixed'), String(steps.reduce((a, b) => a + b, 0)));
      }),
    );

    it('incr sets the TTL at creation and does not extend it', CASE, () =>
      using(make, async (s) => {
        assert.equal(await s.incr('c:window', 1, { ttlMs: 120 }), 1);
        await sleep(60);
        // Still inside the first 120 ms: counts on, and must not push the expiry back.
        assert.equal(await s.incr('c:window', 1, { ttlMs: 120 }), 2);
        await sleep(80);
        // 140 ms after creation (but only 80 after the second incr): gone if the TTL was kept.
        assert.equal(await s.get('c:window'), undefined, 'the second incr extended the TTL');
        assert.equal(await s.incr('c:window', 3, { ttlMs: 120 }), 3, 'an expired counter restarts at `by`');
      }),
    );

    it('incr with a TTL does not add one to an existing counter that has none', CASE, () =>
      using(make, async (s) => {
        assert.equal(await s.incr('c:forever', 1), 1);
        assert.equal(await s.incr('c:forever', 1, { ttlMs: 40 }), 2);
        await sleep(90);
        assert.equal(await s.get('c:forever'), '2');
      }),
    );

    it('incr on a value that is not an integer rejects and leaves the value alone', CASE, () =>
      using(make, async (s) => {
        for (const bad of ['abc', '4.5', '', ' 7', '7 ', '1e3', '0x10', '007', '+5', '-0']) {
          await s.set('c:bad', bad);
          await assert.rejects(s.incr('c:bad', 1), (e: unknown) => {
            assert.ok(isStorageError(e), `expected a storage error for ${JSON.stringify(bad)}, got ${String(e)}`);
            return true;
          });
          assert.equal(await s.get('c:bad'), bad);
        }
        await assert.rejects(s.incr('c:arg', 1.5), RangeError);
        await assert.rejects(s.incr('c:arg', Number.NaN), RangeError);
        assert.equal(await s.get('c:arg'), undefined);
      }),
    );

    it('an expired non-integer value does not block a new counter', CASE, () =>
      using(make, async (s) => {
        await s.set('c:stale', 'not a number', { ttlMs: 40 });
        await sleep(90);
        assert.equal(await s.incr('c:stale', 2, { ttlMs: 5_000 }), 2);
        assert.equal(await s.get('c:stale'), '2');
      }),
    );

    it('list returns live entries under the prefix only, sorted by key', CASE, () =>
      using(make, async (s) => {
        await s.set('l:b', '2');
        await s.set('l:a', '1');
        await s.set('l:c:nested', '3');
        await s.set('l:', 'the prefix itself');
        await s.set('l:gone', 'x', { ttlMs: 40 });
        await s.incr('l:counter', 7);
        await s.set('lx:a', 'other prefix');
        await s.set('l', 'shorter than the prefix');
        await s.set('a:l:b', 'prefix in the middle');
        await sleep(90);
        assert.deepEqual(await s.list('l:'), [
          ['l:', 'the prefix itself'],
          ['l:a', '1'],
          ['l:b', '2'],
          ['l:c:nested', '3'],
          ['l:counter', '7'],
        ]);
        assert.deepEqual(await s.list('nothing:'), []);
        const all = await s.list('');
        assert.deepEqual(
          all.map(([k]) => k),
          ['a:l:b', 'l', 'l:', 'l:a', 'l:b', 'l:c:nested', 'l:counter', 'lx:a'],
        );
      }),
    );

    it('list treats the prefix literally (no glob or LIKE wildcards)', CASE, () =>
      using(make, async (s) => {
        for (const k of ['w:ab', 'w:a_', 'w:a%', 'w:a*', 'w:a?', 'w:a[b]', 'w:a\\', 'w:a\\x']) await s.set(k, k);
        assert.deepEqual(await s.list('w:a_'), [['w:a_', 'w:a_']]);
        assert.deepEqual(await s.list('w:a%'), [['w:a%', 'w:a%']]);
        assert.deepEqual(await s.list('w:a*'), [['w:a*', 'w:a*']]);
        assert.deepEqual(await s.list('w:a?'), [['w:a?', 'w:a?']]);
        assert.deepEqual(await s.list('w:a['), [['w:a[b]', 'w:a[b]']]);
        assert.deepEqual(await s.list('w:a\\'), [
          ['w:a\\', 'w:a\\'],
          ['w:a\\x', 'w:a\\x'],
        ]);
      }),
    );

    it('list sorts by Unicode code point and takes unicode prefixes', CASE, () =>
      using(make, async (s) => {
        // UTF-16 order would put the emoji (D83D…) before U+FF5E; code point order puts it last.
        const keys = ['u:\u{1F600}', 'u:\uFF5E', 'u:é', 'u:z', 'u:Z', 'u:\u{1F600}a', 'u:\u{1F601}'];
        for (const k of keys) await s.set(k, `v${k}`);
        assert.deepEqual(
          (await s.list('u:')).map(([k]) => k),
          ['u:Z', 'u:z', 'u:é', 'u:\uFF5E', 'u:\u{1F600}', 'u:\u{1F600}a', 'u:\u{1F601}'],
        );
        assert.deepEqual(await s.list('u:\u{1F600}'), [
          ['u:\u{1F600}', 'vu:\u{1F600}'],
          ['u:\u{1F600}a', 'vu:\u{1F600}a'],
        ]);
      }),
    );

    it('delete says whether a live key existed', CASE, () =>
      using(make, async (s) => {
        await s.set('d:a', '1');
        await s.incr('d:counter', 1);
        await s.set('d:short', '1', { ttlMs: 40 });
        assert.equal(await s.delete('d:a'), true);
        assert.equal(await s.get('d:a'), undefined);
        assert.equal(await s.delete('d:a'), false);
        assert.equal(await s.delete('d:never'), false);
        assert.equal(await s.delete('d:counter'), true);
        assert.equal(await s.incr('d:counter', 1), 1, 'a deleted counter restarts');
        await sleep(90);
        assert.equal(await s.delete('d:short'), false, 'an expired key did not exist');
        assert.deepEqual(await s.list('d:'), [['d:counter', '1']]);
      }),
    );

    it('values keep unicode, newlines, control characters and 1 MB sizes', CASE, () =>
      using(make, async (s) => {
        const values = {
          'v:unicode': 'naïve café — “quotes” ’ 日本語 한국어 العربية 😀👩‍👩‍👧',
          'v:newlines': 'line 1\nline 2\r\nline 3\rline 4\n\n',
          'v:controls': 'tab\there\u0001\u001f\u007f',
          'v:json': JSON.stringify({ a: [1, 'two', { three: null }], s: 'x"y\\z' }),
          'v:large': 'a'.repeat(1024 * 1024 - 12) + '’😀\n end',
        };
        for (const [k, v] of Object.entries(values)) await s.set(k, v);
        for (const [k, v] of Object.entries(values)) {
          const got = await s.get(k);
          assert.equal(got?.length, v.length, k);
          assert.equal(got, v, k);
        }
        const listed = await s.list('v:');
        assert.equal(listed.length, 5);
        assert.equal(listed.find(([k]) => k === 'v:large')?.[1], values['v:large']);
      }),
    );

    it("keys may hold ':', spaces and unicode", CASE, () =>
      using(make, async (s) => {
        const keys = ['a:b:c:d', 'ключ:日本:😀', 'sp ace:tab\t:x', ':leading', 'trailing:', '::'];
        for (const [i, k] of keys.entries()) await s.set(k, String(i));
        for (const [i, k] of keys.entries()) assert.equal(await s.get(k), String(i), k);
        assert.deepEqual(await s.list('ключ:'), [['ключ:日本:😀', '1']]);
        assert.equal(await s.incr('ключ:日本:count', 2), 2);
        assert.equal(await s.delete('ключ:日本:😀'), true);
        assert.deepEqual(await s.list('ключ:'), [['ключ:日本:count', '2']]);
      }),
    );

    it('close is idempotent, and a closed storage rejects calls', CASE, async () => {
      const s = await make();
      await s.set('x:a', '1');
      await s.close();
      await s.close();
      await Promise.all([s.close(), s.close()]);
      await assert.rejects(s.get('x:a'), (e: unknown) => {
        assert.ok(isStorageError(e), `expected a storage error, got ${String(e)}`);
        return true;
      });
    });
  });
}
