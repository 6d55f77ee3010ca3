/**
 * `GET /v1/models` and `GET /v1/models/{id}`: the models (and aliases) the caller's key may use,
 * in OpenAI's shape, or Anthropic's for Anthropic clients (an `anthropic-version` header, or
 * `x-api-key` without a Bearer token, as Anthropic's SDK sends).
 */
import { GatewayError } from '../core/errors.js';
import { openaiInbound } from '../protocols/index.js';
import { modelAllowed } from '../services/keys.js';
import { authenticate } from './auth.js';
import { sendError, sendJson, type RequestCtx } from './http.js';
import type { GatewayState } from './state.js';

function wantsAnthropicShape(ctx: RequestCtx): boolean {
  const h = ctx.req.headers;
  return h['anthropic-version'] !== undefined || (h['x-api-key'] !== undefined && h['authorization'] === undefined);
}

function visibleModels(state: GatewayState, ctx: RequestCtx): string[] {
  const names = state.table().modelNames();
  const key = ctx.key;
  return key ? names.filter((n) => modelAllowed(key.models, n) || modelAllowed(key.models, state.table().aliases.get(n) ?? n)) : names;
}

function openaiEntry(state: GatewayState, id: string): Record<string, unknown> {
  const table = state.table();
  const real = table.aliases.get(id) ?? id;
  const info = table.models[real];
  return {
    id,
    object: 'model',
    created: 0,
    owned_by: 'llmux',
    ...(info?.context_length !== undefined ? { context_length: info.context_length } : {}),
    ...(info?.pricing ? { pricing: info.pricing } : {}),
    ...(info?.vision !== undefined ? { vision: info.vision } : {}),
  };
}

function anthropicEntry(id: string): Record<string, unknown> {
  return { type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' };
}

export function modelsHandler(state: GatewayState): (ctx: RequestCtx) => Promise<void> {
  return async (ctx) => {
    try {
      ctx.key = authenticate(ctx.req, state.keys, state.adminTokenSet());
      const ids = visibleModels(state, ctx);
      if (wantsAnthropicShape(ctx)) {
        sendJson(ctx, 200, { data: ids.map(anthropicEntry), has_more: false, first_id: ids[0] ?? null, last_id: ids[ids.length - 1] ?? null });
      } else {
        sendJson(ctx, 200, { object: 'list', data: ids.map((id) => openaiEntry(state, id)) });
      }
    } catch (e) {
      sendError(ctx, e, openaiInbound);
    }
  };
}

export function modelHandler(state: GatewayState, id: string): (ctx: RequestCtx) => Promise<void> {
  return async (ctx) => {
    try {
      ctx.key = authenticate(ctx.req, state.keys, state.adminTokenSet());
      if (!visibleModels(state, ctx).includes(id)) {
        throw new GatewayError('LLMUX_ERR_MODEL_NOT_FOUND', `model '${id}' not found`, { param: 'model' });
      }
      sendJson(ctx, 200, wantsAnthropicShape(ctx) ? anthropicEntry(id) : openaiEntry(state, id));
    } catch (e) {
      sendError(ctx, e, openaiInbound);
    }
  };
}
