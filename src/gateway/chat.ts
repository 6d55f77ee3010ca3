/**
 * Chat routes (`/v1/chat/completions`, `/v1/messages`), one handler for every client protocol.
 * When the chosen provider speaks the client's protocol the bytes pass through untouched (model
 * rewritten for aliases); otherwise client → canonical → provider and back.
 */
import { GatewayError } from '../core/errors.js';
import type { AdapterEnv, ChatRequest } from '../core/types.js';
import { clientWantsUsage, type InboundProtocol, type Passthrough } from '../protocols/index.js';
import { modelAllowed } from '../services/keys.js';
import { authenticate } from './auth.js';
import { dispatch, type BuildFn, type ConsumeFn } from './dispatch.js';
import { clientAborted, parseJsonObject, readBody, sendBytes, sendError, sendJson, type RequestCtx } from './http.js';
import { attemptOrder, type Deployment, type Resolved } from './registry.js';
import { pumpPassthrough, pumpTranslated, type DecoderFactory } from './stream.js';
import type { GatewayState } from './state.js';
import { readAll } from './upstream.js';

function passthroughOf(dep: Deployment, inbound: InboundProtocol): Passthrough | undefined {
  return dep.protocol === inbound.protocol ? dep.adapter.passthrough : undefined;
}

/** The requested model: a non-empty string, else a 400 naming the field. */
export function requireModel(parsed: Record<string, unknown>): string {
  const m = parsed['model'];
  if (typeof m !== 'string' || m === '') {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'you must provide a model parameter (a non-empty string)', { param: 'model' });
  }
  return m;
}

/** Alias resolution and the key's model ACL; 403 before 404, so a key cannot probe for models. */
export function resolveModel(state: GatewayState, ctx: RequestCtx, requested: string): Resolved {
  const table = state.table();
  const resolved = table.resolve(requested);
  if (ctx.key && !modelAllowed(ctx.key.models, requested) && !(resolved && modelAllowed(ctx.key.models, resolved.model))) {
    throw new GatewayError('LLMUX_ERR_MODEL_FORBIDDEN', `the key '${ctx.key.name}' is not allowed to use model '${requested}'`, { param: 'model' });
  }
  if (!resolved) throw new GatewayError('LLMUX_ERR_MODEL_NOT_FOUND', `model '${requested}' not found`, { param: 'model' });
  ctx.model = resolved.model;
  return resolved;
}

export interface JsonRequest {
  raw: Buffer;
  parsed: Record<string, unknown>;
  /** The model name the client sent (an alias stays an alias). */
  requested: string;
  resolved: Resolved;
}

/** What every JSON route does first: authenticate, read and parse the body, resolve the model. */
export async function readJsonRequest(state: GatewayState, ctx: RequestCtx): Promise<JsonRequest> {
  ctx.key = authenticate(ctx.req, state.keys, state.adminTokenSet());
  return jsonRequest(state, ctx, await readBody(ctx.req, state.maxBodyBytes()));
}

/** The body read: parse it and resolve the model (the caller has authenticated). */
export function jsonRequest(state: GatewayState, ctx: RequestCtx, raw: Buffer): JsonRequest {
  const parsed = parseJsonObject(raw);
  const requested = requireModel(parsed);
  return { raw, parsed, requested, resolved: resolveModel(state, ctx, requested) };
}

export function chatHandler(state: GatewayState, inbound: InboundProtocol): (ctx: RequestCtx) => Promise<void> {
  const env: AdapterEnv = state.env;
  return async (ctx) => {
    try {
      // readJsonRequest's steps inline: one async frame and one await fewer on every chat request.
      ctx.key = authenticate(ctx.req, state.keys, state.adminTokenSet());
      const { raw, parsed, requested, resolved } = jsonRequest(state, ctx, await readBody(ctx.req, state.maxBodyBytes()));
      const stream = parsed['stream'] === true;
      const includeUsage = clientWantsUsage(parsed);
      const clientHeaders = ctx.req.headers;
      let canonical: ChatRequest | undefined;

      const build: BuildFn = (dep) => {
        const pt = passthroughOf(dep, inbound);
        if (pt) return pt.request(raw, parsed, dep.target, { stream, clientHeaders });
        canonical ??= inbound.parseRequest(parsed);
        const spec = dep.adapter.chatRequest(canonical, dep.target, { stream, clientHeaders });
        return dep.adapter.sign ? dep.adapter.sign(spec, dep.target, new Date()) : spec;
      };

      const consume: ConsumeFn = async (dep, up, signal) => {
        const pt = passthroughOf(dep, inbound);
        if (!stream) {
          const body = await readAll(dep, up.body, signal);
          if (pt) {
            const out = pt.response(body, dep.target);
            ctx.usage = out.usage;
            sendBytes(ctx, 200, 'application/json', out.body);
            return;
          }
          let json: unknown;
          try {
            json = JSON.parse(body.toString('utf8'));
          } catch {
            throw new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', `provider '${dep.provider}' answered with a body that is not JSON`);
          }
          const completion = dep.adapter.chatResponse(json, dep.target, env);
          ctx.usage = completion.usage;
          sendJson(ctx, 200, inbound.renderResponse(completion, requested, env));
          return;
        }
        const encoder = inbound.streamEncoder(requested, env, { includeUsage });
        if (pt) return pumpPassthrough(ctx, dep, up, pt.streamTap(parsed, dep.target), encoder, signal, state.keepAlive);
        const makeDecoder: DecoderFactory | undefined = state.decoders[dep.adapter.framing];
        if (!makeDecoder) throw new GatewayError('LLMUX_ERR_UNSUPPORTED', `no decoder for ${dep.adapter.framing} streams`);
        return pumpTranslated(ctx, dep, up, makeDecoder(), dep.adapter.chatStream(dep.target, env), encoder, signal, state.keepAlive);
      };

      await dispatch(ctx, attemptOrder(resolved.deployments, state.rand), build, consume, state);
    } catch (e) {
      if (!clientAborted(ctx)) sendError(ctx, e, inbound);
    }
  };
}
