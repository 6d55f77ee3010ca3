/**
 * The OpenAI endpoints besides chat: legacy completions, embeddings, image generation and
 * speech. They pass through to OpenAI-compatible providers only (with `model` rewritten for
 * aliases, every other field untouched), with the same retry and fallback as chat.
 */
import { GatewayError } from '../core/errors.js';
import { endpointRequest, openaiInbound, openaiStreamTap, type OpenAIEndpoint } from '../protocols/index.js';
import { readJsonRequest } from './chat.js';
import { dispatch } from './dispatch.js';
import { clientAborted, sendBytes, sendError, startBody, type RequestCtx } from './http.js';
import { attemptOrder, type Deployment } from './registry.js';
import type { GatewayState } from './state.js';
import { pumpPassthrough } from './stream.js';
import { readAll, type UpstreamResponse } from './upstream.js';
import { findUsage } from '../core/json-bytes.js';
import type { Usage } from '../core/types.js';

/** Deployments that can serve an OpenAI endpoint (the OpenAI-compatible ones), or a clear error. */
export function openaiDeployments(deps: readonly Deployment[], model: string, what: string): Deployment[] {
  const ok = deps.filter((d) => d.protocol === 'openai-chat');
  if (ok.length === 0) {
    const kinds = [...new Set(deps.map((d) => d.kind))].join(', ');
    throw new GatewayError('LLMUX_ERR_UNSUPPORTED', `model '${model}' is served by provider kind ${kinds}, which llmux cannot use for ${what}`, { status: 400 });
  }
  return ok;
}

export function endpointHandler(state: GatewayState, endpoint: OpenAIEndpoint, what: string): (ctx: RequestCtx) => Promise<void> {
  return async (ctx) => {
    try {
      const { raw, parsed, requested, resolved } = await readJsonRequest(state, ctx);
      const deps = openaiDeployments(resolved.deployments, requested, what);
      const stream = endpoint === 'completions' && parsed['stream'] === true;
      await dispatch(
        ctx,
        attemptOrder(deps, state.rand),
        (dep) => endpointRequest(endpoint, raw, parsed, dep.target, stream),
        async (dep, up, signal) => {
          if (stream) {
            const encoder = openaiInbound.streamEncoder(requested, state.env, { includeUsage: false });
            return pumpPassthrough(ctx, dep, up, openaiStreamTap(parsed, dep.target), encoder, signal, state.keepAlive);
          }
          const contentType = headerString(up.headers['content-type']) ?? 'application/json';
          if (endpoint === 'audio/speech') return pipeBinary(ctx, dep, up, contentType.startsWith('application/json') ? 'audio/mpeg' : contentType);
          const body = await readAll(dep, up.body, signal);
          if (endpoint === 'embeddings' || endpoint === 'completions') ctx.usage = findUsage(body) as Usage | undefined;
          sendBytes(ctx, up.statusCode, contentType, body);
        },
        state,
      );
    } catch (e) {
      if (!clientAborted(ctx)) sendError(ctx, e, openaiInbound);
    }
  };
}

export function headerString(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Streams a binary body (audio) to the client as it arrives, honouring backpressure. */
function pipeBinary(ctx: RequestCtx, dep: Deployment, up: UpstreamResponse, contentType: string): Promise<void> {
  const { res } = ctx;
  const body = up.body;
  startBody(ctx, contentType);
  const resume = (): void => body.resume();
  return new Promise<void>((resolve) => {
    body.on('data', (chunk) => {
      if (!res.write(chunk)) {
        body.pause();
        res.once('drain', resume);
      }
    });
    body.on('end', () => {
      res.end();
      resolve();
    });
    body.on('error', () => {
      // The status is out; all that is left is to cut the response short so the client sees it.
      res.off('drain', resume);
      ctx.error = `provider '${dep.provider}' failed while sending audio`;
      res.destroy();
      resolve();
    });
  });
}
