/**
 * The one storage interface. Backends (memory, SQLite, Redis) hold no business logic and all
 * pass the same contract suite (storage/contract.ts). Keys are strings; by convention the part
 * before the first ':' is a namespace owned by one service or extension (e.g. `key:`, `prv:`).
 */

export interface SetOptions {
  /** Time to live in ms; absent or 0 means forever. */
  ttlMs?: number;
}

export interface Storage {
  /** The value, or undefined if absent or expired. Counters read as their decimal string. */
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, opts?: SetOptions): Promise<void>;
  /**
   * Atomically adds `by` to an integer counter, creating it at `by` if absent or expired, and
   * returns the new value. The TTL is set when the counter is created and not extended after.
   */
  incr(key: string, by: number, opts?: SetOptions): Promise<number>;
  /** Every live entry whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<Array<[string, string]>>;
  /** Removes the key; returns whether it existed. */
  delete(key: string): Promise<boolean>;
  close(): Promise<void>;
}
