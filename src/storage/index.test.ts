import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isGatewayError } from '../core/errors.js';
import { MemoryStorage, openStorage } from './index.js';
import { SqliteStorage } from './sqlite.js';
import { RedisStorage } from './redis.js';
import { freePort, startRedis } from './spawn-redis.js';

const dir = mkdtempSync(join(tmpdir(), 'llmux-open-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('openStorage', () => {
  it('memory', async () => {
    const s = await openStorage({ kind: 'memory' }, { defaultSqlitePath: join(dir, 'unused.db') });
    assert.ok(s instanceof MemoryStorage);
    await s.close();
    assert.equal(existsSync(join(dir, 'unused.db')), false);
  });

  it('sqlite at the configured path, else at the default path', async () => {
    const configured = join(dir, 'cfg', 'state.db');
    const fallback = join(dir, 'default', 'llmux.db');
    const a = await openStorage({ kind: 'sqlite', path: configured }, { defaultSqlitePath: fallback });
    assert.ok(a instanceof SqliteStorage);
    assert.equal(a.path, configured);
    await a.set('k', 'v');
    await a.close();
    assert.equal(existsSync(configured), true);
    assert.equal(existsSync(fallback), false);
    const b = await openStorage({ kind: 'sqlite' }, { defaultSqlitePath: fallback });
    assert.ok(b instanceof SqliteStorage);
    assert.equal(b.path, fallback);
    await b.close();
    assert.equal(existsSync(fallback), true);
  });

  it('redis at the configured URL', { timeout: 15_000 }, async () => {
    const server = await startRedis();
    try {
      const s = await openStorage({ kind: 'redis', path: server.url }, { defaultSqlitePath: join(dir, 'x.db') });
      assert.ok(s instanceof RedisStorage);
      await s.set('k', 'v');
      assert.equal(await s.get('k'), 'v');
      await s.close();
    } finally {
      await server.kill();
    }
  });

  it('redis that cannot be reached fails the open with a storage error', { timeout: 10_000 }, async () => {
    const port = await freePort();
    await assert.rejects(
      openStorage({ kind: 'redis' }, { defaultSqlitePath: join(dir, 'x.db'), defaultRedisUrl: `redis://127.0.0.1:${port}` }),
      (e: unknown) => isGatewayError(e) && e.code === 'LLMUX_ERR_STORAGE' && e.message.includes(`127.0.0.1:${port}`),
    );
  });
});
