/**
 * A request's cancellation: a bare EventEmitter, far cheaper to create and to listen to than an
 * AbortController (EventTarget), about 4 µs per request less on the hot path. The upstream call's
 * dispatch handler (upstream.ts) listens to it and aborts undici's request.
 */
import { EventEmitter } from 'node:events';

/** Why a request was cancelled: the client left, a deadline passed, or the process is stopping. */
export type AbortReason = 'client' | 'total-timeout' | 'shutdown';

export class RequestAbort extends EventEmitter {
  aborted = false;
  reason: AbortReason | undefined = undefined;

  /** Fires 'abort' once; later calls keep the first reason. */
  abort(reason: AbortReason): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.emit('abort');
  }
}
