/**
 * Redis storage (ioredis), for several llmux hosts sharing state. Keys are namespaced with a
 * prefix (default `llmux:`) so one Redis can serve other applications too.
 *
 * When Redis is down, calls fail fast instead of queueing: the offline queue is off, commands
 * in flight when the connection drops are rejected at once, and every command has a timeout
 * (for a server that accepts but does not answer). The client keeps reconnecting in the
 * background, so calls succeed again as soon as Redis is back.
 */
import { Redis } from 'ioredis';
import { errorMessage, storageError } from './errors.js';
import { compareKeys } from './keys.js';
import type { SetOptions, Storage } from './types.js';
import { checkIncrement, ttlOf } from './validate.js';

export interface RedisStorageOptions {
  /** Prepended to every key. Default `llmux:`. */
  keyPrefix?: string;
  /** Longest wait for a TCP connection. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Longest wait for one command's reply. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** Longest wait between reconnection attempts. Default 1000 ms. */
  maxReconnectDelayMs?: number;
  /** Told about connection errors (the client reconnects by itself). Never given the URL. */
  onError?: (err: Error) => void;
}

/**
 * INCRBY, then PEXPIRE only if the key did not exist before: the TTL is set when the counter is
 * created and never extended. Run as one script, so no other client sees the key without TTL.
 * INCRBY fails (and the script with it) on a value that is not an integer.
 */
const INCR_SCRIPT = `
local existed = redis.call('EXISTS', KEYS[1])
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and ARGV[2] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`;

interface WithIncr {
  llmuxIncr(key: string, by: string, ttlMs: string): Promise<number>;
}

const SCAN_COUNT = 1000;
const MGET_BATCH = 500;

export class RedisStorage implements Storage {
  readonly keyPrefix: string;
  private readonly client: Redis;
  private lastError: Error | undefined;
  private closing: Promise<void> | undefined;

  private constructor(client: Redis, keyPrefix: string) {
    this.client = client;
    this.keyPrefix = keyPrefix;
  }

  /** Connects and waits until Redis answers; rejects (within the connect timeout) if it cannot. */
  static async connect(url: string, opts: RedisStorageOptions = {}): Promise<RedisStorage> {
    const maxDelay = opts.maxReconnectDelayMs ?? 1000;
    const client = new Redis(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: opts.connectTimeoutMs ?? 2000,
      commandTimeout: opts.commandTimeoutMs ?? 2000,
      retryStrategy: (times) => Math.min(times * 100, maxDelay),
    });
    client.defineCommand('llmuxIncr', { numberOfKeys: 1, lua: INCR_SCRIPT });
    const storage = new RedisStorage(client, opts.keyPrefix ?? 'llmux:');
    client.on('error', (err: Error) => {
      storage.lastError = err;
      opts.onError?.(err);
    });
    try {
      await client.connect();
    } catch (e) {
      // connect() rejects with a bare "Connection is closed."; the error event said why.
      const reason = storage.lastError?.message ?? errorMessage(e);
      client.disconnect();
      throw storageError('redis', 'connect', `cannot reach Redis at ${redactUrl(url)}: ${reason}`, e);
    }
    return storage;
  }

  async get(key: string): Promise<string | undefined> {
    const v = await this.run('get', () => this.client.get(this.keyPrefix + key));
    return v ?? undefined;
  }

  async set(key: string, value: string, opts?: SetOptions): Promise<void> {
    const ttl = ttlOf(opts);
    const k = this.keyPrefix + key;
    await this.run('set', () => (ttl === 0 ? this.client.set(k, value) : this.client.set(k, value, 'PX', ttl)));
  }

  async incr(key: string, by: number, opts?: SetOptions): Promise<number> {
    checkIncrement(by);
    const ttl = ttlOf(opts);
    const client = this.client as unknown as WithIncr;
    const n = await this.run('incr', () => client.llmuxIncr(this.keyPrefix + key, String(by), String(ttl)));
    return Number(n);
  }

  async list(prefix: string): Promise<Array<[string, string]>> {
    const pattern = globEscape(this.keyPrefix + prefix) + '*';
    const keys = await this.run('list', async () => {
      const seen = new Set<string>();
      let cursor = '0';
      // SCAN may return a key twice; the Set keeps one.
      do {
        const [next, batch] = await this.client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        for (const k of batch) seen.add(k);
        cursor = next;
      } while (cursor !== '0');
      return [...seen];
    });
    const out: Array<[string, string]> = [];
    for (let i = 0; i < keys.length; i += MGET_BATCH) {
      const batch = keys.slice(i, i + MGET_BATCH);
      const values = await this.run('list', () => this.client.mget(batch));
      batch.forEach((k, j) => {
        const v = values[j];
        // null: expired or deleted between SCAN and MGET.
        if (v !== null && v !== undefined) out.push([k.slice(this.keyPrefix.length), v]);
      });
    }
    return out.sort((a, b) => compareKeys(a[0], b[0]));
  }

  async delete(key: string): Promise<boolean> {
    const n = await this.run('delete', () => this.client.del(this.keyPrefix + key));
    return n > 0;
  }

  /** Closes the connection and stops reconnecting; later calls reject. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.client.status === 'ready') {
        try {
          await this.client.quit();
          return;
        } catch {
          // fall through to a hard disconnect
        }
      }
      this.client.disconnect();
    })();
    return this.closing;
  }

  private async run<T>(op: string, fn: () => Promise<T>): Promise<T> {
    if (this.closing) throw storageError('redis', op, 'the storage is closed');
    try {
      return await fn();
    } catch (e) {
      throw storageError('redis', op, this.describe(e), e);
    }
  }

  /** ioredis's own messages for a lost connection do not say so; this one does. */
  private describe(e: unknown): string {
    const status = this.client.status;
    if (status !== 'ready') {
      const last = this.lastError ? `; last error: ${this.lastError.message}` : '';
      return `Redis is not connected (${status}${last})`;
    }
    return errorMessage(e);
  }
}

/** Escapes glob metacharacters so a prefix matches only itself in SCAN MATCH. */
export function globEscape(s: string): string {
  return s.replace(/[\\*?[\]]/g, '\\$&');
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}
