import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { runStorageContract } from './contract.js';
import { SqliteStorage } from './sqlite.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'llmux-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `db-${++n}.sqlite`);

runStorageContract('sqlite', async () => new SqliteStorage(freshPath()));

describe('sqlite storage', () => {
  it('creates parent folders and a 0600 database file, and SQLite keeps that mode for the WAL', async () => {
    const path = join(dir, 'nested', 'deeper', 'llmux.db');
    const s = new SqliteStorage(path);
    try {
      await s.set('key:abc', 'hash');
      assert.equal(statSync(path).mode & 0o777, 0o600);
      assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
      assert.equal(statSync(dirname(path)).isDirectory(), true);
    } finally {
      await s.close();
    }
  });

  it('leaves the mode of an existing file alone', async () => {
    const path = freshPath();
    writeFileSync(path, '');
    chmodSync(path, 0o640);
    const s = new SqliteStorage(path);
    await s.close();
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  it('uses WAL, a busy timeout, and the one kv table', async () => {
    const path = freshPath();
    const s = new SqliteStorage(path, { busyTimeoutMs: 1234 });
    await s.set('a', '1', { ttlMs: 60_000 });
    await s.set('b', '2');
    await s.close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      const cols = db.prepare('SELECT name, type, "notnull", pk FROM pragma_table_info(?)').all('kv');
      assert.deepEqual(cols, [
        { name: 'key', type: 'TEXT', notnull: 0, pk: 1 },
        { name: 'value', type: 'TEXT', notnull: 1, pk: 0 },
        { name: 'expires_at', type: 'INTEGER', notnull: 0, pk: 0 },
      ]);
      const rows = db.prepare('SELECT key, value, expires_at FROM kv ORDER BY key').all() as Array<{ key: string; value: string; expires_at: number | null }>;
      assert.equal(rows.length, 2);
      assert.equal(rows[0]?.key, 'a');
      assert.ok(rows[0]!.expires_at! > Date.now() + 50_000 && rows[0]!.expires_at! <= Date.now() + 60_000, 'expires_at is a ms epoch');
      assert.deepEqual(rows[1], { key: 'b', value: '2', expires_at: null });
    } finally {
      db.close();
    }
    // busy_timeout is per connection: check it on a live instance.
    const live = new SqliteStorage(path, { busyTimeoutMs: 1234 });
    try {
      const db2 = (live as unknown as { db: Database.Database }).db;
      assert.equal(db2.pragma('busy_timeout', { simple: true }), 1234);
    } finally {
      await live.close();
    }
  });

  it('purge deletes expired rows, including from the periodic timer', { timeout: 5_000 }, async () => {
    const path = freshPath();
    const s = new SqliteStorage(path, { purgeIntervalMs: 20 });
    const count = (): number => {
      const db = new Database(path, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM kv').get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    try {
      await s.set('gone', 'x', { ttlMs: 10 });
      await s.set('kept', 'x');
      await s.set('later', 'x', { ttlMs: 60_000 });
      assert.equal(count(), 3);
      const deadline = Date.now() + 2_000;
      while (count() !== 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(count(), 2, 'the purge timer did not remove the expired row');
      assert.equal(s.purge(Date.now() + 120_000), 1);
      assert.equal(count(), 1);
    } finally {
      await s.close();
    }
  });

  it('two instances on one file see each other and count exactly together', { timeout: 10_000 }, async () => {
    const path = freshPath();
    const a = new SqliteStorage(path);
    const b = new SqliteStorage(path);
    try {
      await a.set('shared:k', 'from a');
      assert.equal(await b.get('shared:k'), 'from a');
      assert.equal(await b.delete('shared:k'), true);
      assert.equal(await a.get('shared:k'), undefined);
      const calls = Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? a : b).incr('shared:n', 1, { ttlMs: 60_000 }));
      const got = (await Promise.all(calls)).sort((x, y) => x - y);
      assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i + 1));
      assert.equal(await a.get('shared:n'), '200');
      assert.deepEqual(await b.list('shared:'), [['shared:n', '200']]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('worker processes incrementing one file concurrently each get distinct values, none lost', { timeout: 60_000 }, async () => {
    const path = freshPath();
    const moduleUrl = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'sqlite.js')).href;
    const perWorker = 500;
    const workers = 4;
    // Each worker waits for a common start time so that their writes overlap.
    const startAt = Date.now() + 700;
    const script = `
      import { SqliteStorage } from ${JSON.stringify(moduleUrl)};
      const s = new SqliteStorage(${JSON.stringify(path)});
      while (Date.now() < ${startAt}) await new Promise((r) => setTimeout(r, 5));
      const got = [];
      for (let i = 0; i < ${perWorker}; i++) got.push(await s.incr('hits', 1));
      await s.close();
      process.stdout.write(JSON.stringify(got));
    `;
    const outputs = await Promise.all(
      Array.from({ length: workers }, () => run(process.execPath, ['--input-type=module', '-e', script], { timeout: 50_000 })),
    );
    const all = outputs.flatMap((o) => JSON.parse(o.stdout) as number[]).sort((x, y) => x - y);
    assert.deepEqual(all, Array.from({ length: workers * perWorker }, (_, i) => i + 1));
    const s = new SqliteStorage(path);
    try {
      assert.equal(await s.get('hits'), String(workers * perWorker));
    } finally {
      await s.close();
    }
  });

  it('a file that is not a database fails to open with a storage error naming the file', () => {
    const path = freshPath();
    writeFileSync(path, 'this is not sqlite, just text that is long enough to have a header '.repeat(20));
    assert.throws(
      () => new SqliteStorage(path),
      (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /^sqlite storage: open failed: /);
        assert.ok(e.message.includes(path));
        return true;
      },
    );
  });
});
