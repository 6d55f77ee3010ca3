/**
 * Argument checks and counter parsing shared by the backends, so that they accept and reject
 * exactly the same inputs.
 */
import type { SetOptions } from './types.js';

/** The TTL in whole ms, or 0 for forever. Fractions round up so a TTL never shortens. */
export function ttlOf(opts: SetOptions | undefined): number {
  const ttl = opts?.ttlMs;
  if (ttl === undefined || ttl === 0) return 0;
  if (!Number.isFinite(ttl) || ttl < 0) throw new RangeError(`ttlMs must be a non-negative number of ms, got ${ttl}`);
  return Math.ceil(ttl);
}

export function checkIncrement(by: number): void {
  if (!Number.isSafeInteger(by)) throw new RangeError(`incr: by must be a safe integer, got ${by}`);
}

/**
 * Canonical decimal integers only (no sign on zero, no leading zeros, no spaces), which is what
 * Redis's INCRBY accepts and what SQLite's CAST round-trip check accepts.
 */
const INTEGER = /^(?:0|-?[1-9][0-9]*)$/;

/** The counter's value, or undefined when the stored string is not an integer. */
export function parseCounter(value: string): number | undefined {
  if (!INTEGER.test(value)) return undefined;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : undefined;
}
