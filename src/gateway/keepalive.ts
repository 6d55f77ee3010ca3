/**
 * Keep-alive frames for silent streams. One timer per process sweeps every open stream, instead
 * of one timer per stream armed, refreshed on each write and cleared at the end: on short streams
 * (most of them) that timer bookkeeping cost more than the rest of the pump. A stream marks
 * `wrote` on each write; a stream silent for `silenceMs` (to within a third of it) gets a frame.
 */
import type { ServerResponse } from 'node:http';

export interface KeepAliveEntry {
  /** Set by the pump on every write; the sweep clears it. */
  wrote: boolean;
  /** Sweeps in a row that found the stream silent. */
  idle: number;
  readonly res: ServerResponse;
  readonly frame: string;
}

const TICKS = 3;

export class KeepAliveSweeper {
  private readonly streams = new Set<KeepAliveEntry>();
  private timer: NodeJS.Timeout | undefined;
  private readonly tickMs: number;

  constructor(silenceMs: number) {
    this.tickMs = Math.max(1, Math.floor(silenceMs / TICKS));
  }

  add(res: ServerResponse, frame: string): KeepAliveEntry {
    const e: KeepAliveEntry = { wrote: true, idle: 0, res, frame };
    this.streams.add(e);
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.tickMs);
      this.timer.unref();
    }
    return e;
  }

  /**
   * The timer is left running when the last stream goes: on a busy gateway streams come and go
   * by the thousand per second, and stopping and starting the interval for each cost more than
   * the sweep. The next sweep that finds no stream stops it (it is unref'd meanwhile).
   */
  remove(e: KeepAliveEntry): void {
    this.streams.delete(e);
  }

  /** Whether the sweep timer is running (for tests). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  /** Streams being watched (for tests and shutdown). */
  get size(): number {
    return this.streams.size;
  }

  private sweep(): void {
    for (const e of this.streams) {
      if (e.res.writableEnded || e.res.destroyed) {
        this.streams.delete(e);
        continue;
      }
      if (e.wrote) {
        e.wrote = false;
        e.idle = 0;
      } else if (++e.idle >= TICKS) {
        e.idle = 0;
        e.res.write(e.frame);
      }
    }
    if (this.streams.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
