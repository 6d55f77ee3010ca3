/**
 * Token counting for a client protocol that has it (`/v1/messages/count_tokens`): the provider's
 * own count when the chosen provider speaks the client's protocol and can count, otherwise the
 * protocol's documented estimate, marked with `x-llmux-token-count: estimate`.
 */
import { GatewayError } from '../core/errors.js';
import type { InboundProtocol } from '../protocols/index.js';
import { readJsonRequest } from './chat.js';
import { clientAborted, sendBytes, sendError, sendJson, type RequestCtx } from './http.js';
import { attemptOrder } from './registry.js';
import type { GatewayState } from './state.js';
import { callUpstream, readAll } from './upstream.js';

export function countTokensHandler(state: GatewayState, inbound: InboundProtocol): (ctx: RequestCtx) => Promise<void> {
  return async (ctx) => {
    try {
      const counting = inbound.countTokens;
      if (!counting) throw new GatewayError('LLMUX_ERR_UNSUPPORTED', 'token counting is not available for this protocol');
      const { parsed, resolved } = await readJsonRequest(state, ctx);
      const dep = attemptOrder(resolved.deployments, state.rand)[0]!;
      ctx.provider = dep.provider;
      if (dep.protocol === inbound.protocol && dep.adapter.countTokens) {
        ctx.attempts = 1;
        const spec = dep.adapter.countTokens(parsed, dep.target, ctx.req.headers);
        const up = await callUpstream(dep, spec, ctx.abort);
        const body = await readAll(dep, up.body, ctx.abort);
        if (up.statusCode >= 400) throw dep.adapter.error(up.statusCode, body.toString('utf8'), up.headers, Date.now());
        return sendBytes(ctx, 200, 'application/json', body);
      }
      // Counting bodies carry no max_tokens; the request parser wants one.
      const req = inbound.parseRequest({ max_tokens: 1, ...parsed });
      sendJson(ctx, 200, counting.render(counting.estimate(req)), { 'x-llmux-token-count': 'estimate' });
    } catch (e) {
      if (!clientAborted(ctx)) sendError(ctx, e, inbound);
    }
  };
}
