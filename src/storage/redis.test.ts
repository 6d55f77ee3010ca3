import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { isGatewayError } from '../core/errors.js';
import { runStorageContract } from './contract.js';
import { globEscape, RedisStorage } from './redis.js';
import { freePort, startRedis, type RedisServer } from './spawn-redis.js';

let server: RedisServer | undefined;
before(async () => {
  server = await startRedis();
});
after(async () => {
  await server?.kill();
});

function url(): string {
  if (!server) throw new Error('redis-server did not start (see the before hook)');
  return server.url;
}

let n = 0;
// Each storage gets its own key prefix on the shared server, so every case starts empty.
runStorageContract('redis', () => RedisStorage.connect(url(), { keyPrefix: `t${++n}:` }));

/** Fails instead of hanging when a promise neither resolves nor rejects in time. */
async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

describe('redis storage', () => {
  it('stores under the key prefix (default llmux:), with PX TTLs and counters as plain integers', { timeout: 10_000 }, async () => {
    const s = await RedisStorage.connect(url());
    const raw = new Redis(url());
    try {
      assert.equal(s.keyPrefix, 'llmux:');
      await s.set('key:alice', 'h1');
      await s.set('cache:x', 'v', { ttlMs: 30_000 });
      await s.incr('rl:alice:1', 3, { ttlMs: 60_000 });
      assert.equal(await raw.get('llmux:key:alice'), 'h1');
      assert.equal(await raw.get('key:alice'), null);
      const pttl = await raw.pttl('llmux:cache:x');
      assert.ok(pttl > 25_000 && pttl <= 30_000, `pttl ${pttl}`);
      assert.equal(await raw.pttl('llmux:key:alice'), -1, 'no TTL means no expiry');
      assert.equal(await raw.type('llmux:rl:alice:1'), 'string');
      assert.equal(await raw.get('llmux:rl:alice:1'), '3');
      const cttl = await raw.pttl('llmux:rl:alice:1');
      assert.ok(cttl > 55_000 && cttl <= 60_000, `counter pttl ${cttl}`);
      // Keys outside the prefix are invisible to list, even when they match the rest.
      await raw.set('other:key:bob', 'x');
      assert.deepEqual(await s.list('key:'), [['key:alice', 'h1']]);
      await raw.del('llmux:key:alice', 'llmux:cache:x', 'llmux:rl:alice:1', 'other:key:bob');
    } finally {
      raw.disconnect();
      await s.close();
    }
  });

  it('list pages through SCAN: 2500 keys come back complete and sorted', { timeout: 20_000 }, async () => {
    const s = await RedisStorage.connect(url(), { keyPrefix: 'scan:' });
    try {
      const keys = Array.from({ length: 2500 }, (_, i) => `many:${String(i).padStart(5, '0')}`);
      await Promise.all(keys.map((k, i) => s.set(k, String(i))));
      await s.set('manyx', 'not under many:');
      const listed = await s.list('many:');
      assert.equal(listed.length, 2500);
      assert.deepEqual(
        listed.map(([k]) => k),
        keys,
      );
      assert.equal(listed[1234]?.[1], '1234');
    } finally {
      await s.close();
    }
  });

  it('globEscape neutralises SCAN MATCH metacharacters', () => {
    assert.equal(globEscape('a*b?c[d]e\\f'), 'a\\*b\\?c\\[d\\]e\\\\f');
    assert.equal(globEscape('plain:key'), 'plain:key');
  });

  it('connecting to a port with no Redis rejects quickly with a storage error', { timeout: 10_000 }, async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(
      within(5_000, RedisStorage.connect(`redis://:secret-pw@127.0.0.1:${port}`)),
      (e: unknown) => {
        assert.ok(isGatewayError(e) && e.code === 'LLMUX_ERR_STORAGE', String(e));
        assert.match(e.message, /^redis storage: connect failed: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/?: .*ECONNREFUSED/);
        assert.ok(!e.message.includes('secret-pw'), 'the password must not appear in messages');
        return true;
      },
    );
    assert.ok(Date.now() - started < 5_000);
  });

  it('when Redis dies, calls reject within 2 s with a clear error, and work again once it is back', { timeout: 30_000 }, async () => {
    const own = await startRedis();
    const errors: Error[] = [];
    const s = await RedisStorage.connect(own.url, { onError: (e) => errors.push(e), maxReconnectDelayMs: 200 });
    try {
      await s.set('alive', 'yes');
      assert.equal(await s.get('alive'), 'yes');
      await own.kill();

      // A call in flight or issued right after the kill, and one issued a little later.
      for (const wait of [0, 300]) {
        await sleep(wait);
        const started = Date.now();
        await assert.rejects(within(2_000, s.get('alive')), (e: unknown) => {
          assert.ok(isGatewayError(e), `expected a storage error, got ${String(e)}`);
          assert.equal(e.code, 'LLMUX_ERR_STORAGE');
          assert.equal(e.status, 503);
          assert.match(e.message, /^redis storage: get failed: Redis is not connected \(/);
          return true;
        });
        assert.ok(Date.now() - started < 2_000);
      }
      await assert.rejects(within(2_000, s.incr('n', 1)), /redis storage: incr failed: Redis is not connected/);
      await assert.rejects(within(2_000, s.list('')), /redis storage: list failed: Redis is not connected/);
      assert.ok(errors.some((e) => /ECONNREFUSED|ECONNRESET|Connection is closed/.test(e.message)), 'onError heard about the outage');

      // The same port again: the client reconnects by itself (the data is gone: no persistence).
      const again = await startRedis(own.port);
      try {
        const deadline = Date.now() + 10_000;
        let value: string | undefined | Error = new Error('never tried');
        while (Date.now() < deadline) {
          try {
            await s.set('alive', 'again');
            value = await s.get('alive');
            break;
          } catch (e) {
            value = e as Error;
            await sleep(50);
          }
        }
        assert.equal(value, 'again');
      } finally {
        await again.kill();
      }
    } finally {
      await within(5_000, s.close());
    }
  });

  it('a server that stops answering (SIGSTOP) makes calls time out instead of hanging', { timeout: 20_000 }, async () => {
    const own = await startRedis();
    const s = await RedisStorage.connect(own.url, { commandTimeoutMs: 500 });
    try {
      await s.set('k', 'v');
      own.child.kill('SIGSTOP');
      const started = Date.now();
      await assert.rejects(within(2_000, s.get('k')), /redis storage: get failed: .*timed out/i);
      assert.ok(Date.now() - started < 2_000);
    } finally {
      own.child.kill('SIGCONT');
      await within(5_000, s.close());
      await own.kill();
    }
  });
});
