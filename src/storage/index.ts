/**
 * Opens the configured storage backend. The settings type is structural (the config layer's
 * StorageConfig fits it) because storage may import only core.
 */
import { MemoryStorage } from './memory.js';
import type { Storage } from './types.js';

export type { SetOptions, Storage } from './types.js';
export { MemoryStorage } from './memory.js';
export type { SqliteStorage } from './sqlite.js';
export type { RedisStorage } from './redis.js';

export interface StorageSettings {
  kind: 'memory' | 'sqlite' | 'redis';
  /** SQLite file or Redis URL. */
  path?: string | undefined;
}

export interface OpenStorageOptions {
  /** The SQLite file used when `path` is absent. */
  defaultSqlitePath: string;
  /** The Redis URL used when `path` is absent. Default redis://127.0.0.1:6379, as crabllm. */
  defaultRedisUrl?: string;
  /** Connection errors of a Redis backend, for the log (the client reconnects by itself). */
  onError?: (err: Error) => void;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export async function openStorage(cfg: StorageSettings, opts: OpenStorageOptions): Promise<Storage> {
  switch (cfg.kind) {
    case 'memory':
      return new MemoryStorage();
    case 'sqlite': {
      // better-sqlite3 (and its native addon) and ioredis are loaded only by configs that use them:
      // a gateway on memory storage does not carry them in its heap and RSS.
      const { SqliteStorage } = await import('./sqlite.js');
      return new SqliteStorage(cfg.path || opts.defaultSqlitePath);
    }
    case 'redis': {
      const { RedisStorage } = await import('./redis.js');
      return RedisStorage.connect(cfg.path || opts.defaultRedisUrl || DEFAULT_REDIS_URL, opts.onError ? { onError: opts.onError } : {});
    }
  }
}
