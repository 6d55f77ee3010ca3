/**
 * In-process storage: a Map of value + expiry. The default when no [storage] is configured; its
 * state is lost on restart and not shared between worker processes. Counters are kept as
 * decimal strings, like the other backends, so `get` and `list` read them the same way.
 */
import { storageError } from './errors.js';
import { compareKeys } from './keys.js';
import type { SetOptions, Storage } from './types.js';
import { checkIncrement, parseCounter, ttlOf } from './validate.js';

interface Entry {
  value: string;
  /** ms epoch; 0 = forever. */
  expiresAt: number;
}

export interface MemoryStorageOptions {
  /** How often expired entries are swept out (they are also dropped when read). Default 60 s. */
  sweepIntervalMs?: number;
}

export class MemoryStorage implements Storage {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(opts: MemoryStorageOptions = {}) {
    this.sweeper = setInterval(() => this.sweep(Date.now()), opts.sweepIntervalMs ?? 60_000);
    // The sweep only frees memory; it must not keep a finished process alive.
    this.sweeper.unref();
  }

  /** Number of entries held, expired ones included until swept (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Drops every expired entry; returns how many. */
  sweep(now: number): number {
    let n = 0;
    for (const [key, e] of this.entries) {
      if (e.expiresAt !== 0 && e.expiresAt <= now) {
        this.entries.delete(key);
        n++;
      }
    }
    return n;
  }

  async get(key: string): Promise<string | undefined> {
    this.checkOpen('get');
    return this.live(key, Date.now())?.value;
  }

  async set(key: string, value: string, opts?: SetOptions): Promise<void> {
    this.checkOpen('set');
    const ttl = ttlOf(opts);
    this.entries.set(key, { value, expiresAt: ttl === 0 ? 0 : Date.now() + ttl });
  }

  async incr(key: string, by: number, opts?: SetOptions): Promise<number> {
    this.checkOpen('incr');
    checkIncrement(by);
    const ttl = ttlOf(opts);
    const now = Date.now();
    const e = this.live(key, now);
    if (!e) {
      this.entries.set(key, { value: String(by), expiresAt: ttl === 0 ? 0 : now + ttl });
      return by;
    }
    const current = parseCounter(e.value);
    if (current === undefined) throw storageError('memory', 'incr', `the value of "${key}" is not an integer`);
    const next = current + by;
    if (!Number.isSafeInteger(next)) throw storageError('memory', 'incr', `the counter "${key}" would overflow`);
    e.value = String(next);
    return next;
  }

  async list(prefix: string): Promise<Array<[string, string]>> {
    this.checkOpen('list');
    const now = Date.now();
    const out: Array<[string, string]> = [];
    for (const [key, e] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      if (e.expiresAt !== 0 && e.expiresAt <= now) {
        this.entries.delete(key);
        continue;
      }
      out.push([key, e.value]);
    }
    return out.sort((a, b) => compareKeys(a[0], b[0]));
  }

  async delete(key: string): Promise<boolean> {
    this.checkOpen('delete');
    const existed = this.live(key, Date.now()) !== undefined;
    this.entries.delete(key);
    return existed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweeper);
    this.entries.clear();
  }

  /** The entry if present and not expired; an expired one is removed on the way. */
  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt !== 0 && e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private checkOpen(op: string): void {
    if (this.closed) throw storageError('memory', op, 'the storage is closed');
  }
}
