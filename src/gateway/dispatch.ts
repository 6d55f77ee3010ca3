/**
 * Retry and fallback. Deployments are tried in attempt order; each gets up to 1 + max_retries
 * attempts. What happens after a failure, before any byte reached the client:
 *
 * | failure                                                        | same provider | next provider |
 * |----------------------------------------------------------------|---------------|---------------|
 * | connection error, connect/first-byte/idle timeout              | retry         | yes           |
 * | upstream 408, 409, 429, 5xx                                    | retry         | yes           |
 * | Retry-After longer than the cap (30 s)                         | no            | yes           |
 * | upstream 401, 403, 404 (this provider's key or model is wrong) | no            | yes           |
 * | provider kind not supported                                    | no            | yes           |
 * | total_timeout of the provider                                  | no            | yes           |
 * | other upstream 4xx (the request itself is wrong)               | no            | no            |
 * | bad request found while translating                            | no            | no            |
 *
 * Once a byte has reached the client nothing is retried: a failure becomes one final in-band error.
 */
import { GatewayError } from '../core/errors.js';
import { DEFAULT_BACKOFF, nextDelayMs } from '../core/retry.js';
import type { HttpRequestSpec } from '../protocols/index.js';
import { clientAborted, toGatewayError, type RequestCtx } from './http.js';
import type { Deployment } from './registry.js';
import { RequestAbort, type AbortReason } from './abort.js';
import { callUpstream, type UpstreamResponse } from './upstream.js';

/** Builds one attempt's request for a deployment; may throw a GatewayError (bad request). */
export type BuildFn = (dep: Deployment) => HttpRequestSpec | Promise<HttpRequestSpec>;

/**
 * Consumes a successful response. Throwing before the response to the client has started counts
 * as a failed attempt (retried like the others); after that, consume handles errors itself.
 */
export type ConsumeFn = (dep: Deployment, res: UpstreamResponse, signal: RequestAbort) => Promise<void>;

const FALLBACK_ONLY_STATUSES = new Set([401, 403, 404]);

/**
 * One deadline per provider: total_timeout across its attempts and its streamed response. It
 * aborts the request's own RequestAbort (one per request, not one per provider); dispatch gives
 * the request a fresh one before moving on to the next provider. The context rides as the
 * timer's argument, so arming it allocates no closure.
 */
function armDeadline(ctx: RequestCtx, totalMs: number): NodeJS.Timeout | undefined {
  if (totalMs <= 0) return undefined;
  const timer = setTimeout(totalTimeout, totalMs, ctx);
  timer.unref();
  return timer;
}

function totalTimeout(ctx: RequestCtx): void {
  ctx.abort.abort('total-timeout' satisfies AbortReason);
}

/** After a provider's deadline fired, the next provider starts with a live signal again. */
function renewSignal(ctx: RequestCtx): void {
  if (ctx.abort.reason === 'total-timeout') ctx.abort = new RequestAbort();
}

function sleep(ms: number, signal: RequestAbort): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.off('abort', done);
      resolve();
    }
    signal.once('abort', done);
  });
}

export interface DispatchDeps {
  rand: () => number;
}

/**
 * Runs the request against the deployments until one succeeds; throws the last error when none
 * does (or a non-retryable error at once). Returns quietly if the client went away.
 */
export async function dispatch(ctx: RequestCtx, order: readonly Deployment[], build: BuildFn, consume: ConsumeFn, deps: DispatchDeps): Promise<void> {
  let last: GatewayError | undefined;
  for (const dep of order) {
    ctx.provider = dep.provider;
    renewSignal(ctx);
    const deadline = armDeadline(ctx, dep.timeouts.totalMs);
    try {
      for (let attempt = 0; attempt <= dep.maxRetries; attempt++) {
        ctx.attempts++;
        let err: GatewayError;
        try {
          // Most builds are synchronous; awaiting one would still cost a promise and a tick.
          const built = build(dep);
          const spec = built instanceof Promise ? await built : built;
          const res = await callUpstream(dep, spec, ctx.abort);
          if (res.statusCode >= 400) {
            const text = await res.body.text().catch(() => '');
            throw dep.adapter.error(res.statusCode, text, res.headers, Date.now());
          }
          await consume(dep, res, ctx.abort);
          return;
        } catch (e) {
          if (clientAborted(ctx)) return;
          if (ctx.res.headersSent) throw e; // consume failed after starting: nothing more to try
          err = toGatewayError(e);
        }
        last = err;
        if (err.code === 'LLMUX_ERR_TOTAL_TIMEOUT' || err.code === 'LLMUX_ERR_UNSUPPORTED') break;
        if (err.code === 'LLMUX_ERR_UPSTREAM' && FALLBACK_ONLY_STATUSES.has(err.status)) break;
        if (!err.transient) throw err;
        if (attempt === dep.maxRetries) break;
        const delay = nextDelayMs(attempt + 1, err.retryAfterMs, DEFAULT_BACKOFF, deps.rand);
        if (delay < 0) break;
        await sleep(delay, ctx.abort);
        if (ctx.abort.aborted) {
          if (clientAborted(ctx)) return;
          last = new GatewayError('LLMUX_ERR_TOTAL_TIMEOUT', `provider '${dep.provider}' did not finish within total_timeout (${dep.timeouts.totalMs / 1000}s)`);
          break;
        }
      }
    } finally {
      if (deadline) clearTimeout(deadline);
    }
  }
  throw last ?? new GatewayError('LLMUX_ERR_INTERNAL', 'no provider could be tried');
}
