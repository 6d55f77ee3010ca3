/**
 * The open-loop schedule: request i is due at i / rate seconds after the start, whatever happened
 * to the requests before it. Latency is measured from this due time, not from when the request
 * actually left, so a stalled server (or a stalled client) shows up in the figures instead of
 * silently slowing the load down (coordinated omission).
 */
export interface Schedule {
  readonly rate: number;
  /** Requests in the whole schedule. */
  readonly total: number;
  /** Milliseconds after the start at which request `i` is due. */
  dueAt(i: number): number;
  /** How many requests are due by `elapsedMs` after the start (never more than `total`). */
  dueBy(elapsedMs: number): number;
}

export function makeSchedule(rate: number, durationS: number): Schedule {
  if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`rate must be a positive number, got ${rate}`);
  if (!(durationS > 0) || !Number.isFinite(durationS)) throw new Error(`duration must be a positive number of seconds, got ${durationS}`);
  const total = Math.floor(rate * durationS);
  const interval = 1000 / rate;
  return {
    rate,
    total,
    dueAt: (i) => i * interval,
    dueBy(elapsedMs) {
      if (elapsedMs < 0) return 0;
      // The small epsilon keeps i * interval from missing its own instant by a rounding error.
      return Math.min(total, Math.floor(elapsedMs / interval + 1e-9) + 1);
    },
  };
}

/** The rate that keeps about `concurrency` requests in flight when each lasts `holdS` seconds. */
export function rateForConcurrency(concurrency: number, holdS: number): number {
  if (!(concurrency > 0) || !(holdS > 0)) throw new Error('concurrency and hold time must be positive');
  return concurrency / holdS;
}
