/**
 * SQLite storage (better-sqlite3): the embedded default for persistent state. One table; WAL so
 * readers never block the writer; a busy timeout because every worker process opens the same
 * file. better-sqlite3 is synchronous, so each call is one statement that finishes before the
 * next starts in this process; across processes, SQLite's file locks serialise the writers.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage, storageError } from './errors.js';
import { prefixUpperBound } from './keys.js';
import type { SetOptions, Storage } from './types.js';
import { checkIncrement, ttlOf } from './validate.js';

export interface SqliteStorageOptions {
  /** How long a writer waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** How often expired rows are deleted (reads already ignore them). Default 60 s. */
  purgeIntervalMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS kv_expires_at ON kv(expires_at) WHERE expires_at IS NOT NULL;
`;

/** Live = no expiry, or expiry in the future; @now is the caller's clock in ms. */
const LIVE = '(expires_at IS NULL OR expires_at > @now)';

/**
 * One atomic statement: insert at @by, or add @by to a live integer, or restart an expired row
 * at @by with a fresh expiry. The WHERE leaves a live non-integer row untouched, so RETURNING
 * yields no row and the caller reports it. "Integer" is checked by a CAST round trip, which
 * accepts exactly the canonical decimal form (as Redis's INCRBY does).
 */
const INCR = `
INSERT INTO kv (key, value, expires_at) VALUES (@key, @by, @expires)
ON CONFLICT (key) DO UPDATE SET
  value = CASE WHEN kv.expires_at IS NOT NULL AND kv.expires_at <= @now THEN excluded.value
               ELSE CAST(CAST(kv.value AS INTEGER) + CAST(excluded.value AS INTEGER) AS TEXT) END,
  expires_at = CASE WHEN kv.expires_at IS NOT NULL AND kv.expires_at <= @now THEN excluded.expires_at
                    ELSE kv.expires_at END
WHERE (kv.expires_at IS NOT NULL AND kv.expires_at <= @now)
   OR CAST(CAST(kv.value AS INTEGER) AS TEXT) = kv.value
RETURNING value`;

interface Row {
  key: string;
  value: string;
}

export class SqliteStorage implements Storage {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly stmts: ReturnType<typeof prepare>;
  private readonly purger: NodeJS.Timeout;
  private closed = false;

  constructor(path: string, opts: SqliteStorageOptions = {}) {
    this.path = path;
    try {
      if (path !== ':memory:' && path !== '') createPrivateFile(path);
      this.db = new Database(path);
      // busy_timeout first: switching to WAL itself needs a lock another worker may hold.
      this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
      this.db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL is durable across application crashes, and avoids an fsync per commit.
      this.db.pragma('synchronous = NORMAL');
      this.db.exec(SCHEMA);
      this.stmts = prepare(this.db);
    } catch (e) {
      throw storageError('sqlite', 'open', `${path}: ${errorMessage(e)}`, e);
    }
    this.purger = setInterval(() => {
      try {
        this.purge();
      } catch {
        // A busy file or a closed handle: the next round retries, and reads ignore expired rows anyway.
      }
    }, opts.purgeIntervalMs ?? 60_000);
    this.purger.unref();
  }

  /** Deletes expired rows; returns how many. */
  purge(now: number = Date.now()): number {
    return this.stmts.purge.run({ now }).changes;
  }

  async get(key: string): Promise<string | undefined> {
    return this.run('get', () => this.stmts.get.get({ key, now: Date.now() })?.value);
  }

  async set(key: string, value: string, opts?: SetOptions): Promise<void> {
    const ttl = ttlOf(opts);
    this.run('set', () => {
      const now = Date.now();
      this.stmts.set.run({ key, value, expires: ttl === 0 ? null : now + ttl });
    });
  }

  async incr(key: string, by: number, opts?: SetOptions): Promise<number> {
    checkIncrement(by);
    const ttl = ttlOf(opts);
    const row = this.run('incr', () => {
      const now = Date.now();
      return this.stmts.incr.get({ key, by: String(by), expires: ttl === 0 ? null : now + ttl, now });
    });
    if (!row) throw storageError('sqlite', 'incr', `the value of "${key}" is not an integer`);
    const n = Number(row.value);
    // Past 2^53 SQLite keeps counting in 64 bits (or switches to REAL) but JS cannot represent it.
    if (!Number.isSafeInteger(n)) throw storageError('sqlite', 'incr', `the counter "${key}" overflowed`);
    return n;
  }

  async list(prefix: string): Promise<Array<[string, string]>> {
    const rows = this.run('list', () => {
      const now = Date.now();
      const hi = prefixUpperBound(prefix);
      return hi === undefined ? this.stmts.listFrom.all({ lo: prefix, now }) : this.stmts.listRange.all({ lo: prefix, hi, now });
    });
    // ORDER BY key compares UTF-8 bytes (BINARY collation): code point order, as keys.ts wants.
    return rows.map((r): [string, string] => [r.key, r.value]);
  }

  async delete(key: string): Promise<boolean> {
    const row = this.run('delete', () => this.stmts.delete.get({ key, now: Date.now() }));
    return row !== undefined && row.live === 1;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.purger);
    this.db.close();
  }

  private run<T>(op: string, fn: () => T): T {
    if (this.closed) throw storageError('sqlite', op, 'the storage is closed');
    try {
      return fn();
    } catch (e) {
      throw storageError('sqlite', op, errorMessage(e), e);
    }
  }
}

function prepare(db: Database.Database) {
  return {
    get: db.prepare<{ key: string; now: number }, { value: string }>(`SELECT value FROM kv WHERE key = @key AND ${LIVE}`),
    set: db.prepare<{ key: string; value: string; expires: number | null }>(
      `INSERT INTO kv (key, value, expires_at) VALUES (@key, @value, @expires)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`,
    ),
    incr: db.prepare<{ key: string; by: string; expires: number | null; now: number }, { value: string }>(INCR),
    listFrom: db.prepare<{ lo: string; now: number }, Row>(`SELECT key, value FROM kv WHERE key >= @lo AND ${LIVE} ORDER BY key`),
    listRange: db.prepare<{ lo: string; hi: string; now: number }, Row>(
      `SELECT key, value FROM kv WHERE key >= @lo AND key < @hi AND ${LIVE} ORDER BY key`,
    ),
    delete: db.prepare<{ key: string; now: number }, { live: number }>(`DELETE FROM kv WHERE key = @key RETURNING ${LIVE} AS live`),
    purge: db.prepare<{ now: number }>('DELETE FROM kv WHERE expires_at <= @now'),
  };
}

/**
 * Creates the database file (and its folders) readable by the owner only, since it holds
 * hashed keys and usage; SQLite gives its -wal and -shm files the same mode. An existing file
 * keeps the mode its owner chose.
 */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
}
