/**
 * Every backend failure surfaces as one gateway error code (LLMUX_ERR_STORAGE, 503), so callers
 * handle a dead Redis, a locked SQLite file and a corrupt counter the same way, and the message
 * says which backend and which operation failed.
 */
import { GatewayError } from '../core/errors.js';

export type StorageBackend = 'memory' | 'sqlite' | 'redis';

export function storageError(backend: StorageBackend, op: string, reason: string, cause?: unknown): GatewayError {
  return new GatewayError('LLMUX_ERR_STORAGE', `${backend} storage: ${op} failed: ${reason}`, cause === undefined ? {} : { cause });
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
