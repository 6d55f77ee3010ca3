/**
 * The data-plane HTTP server: node:http with a Map of fixed routes (no framework on /v1/*),
 * an `x-request-id` on every response, one access-log line per request, and a drain on shutdown.
 * Other planes (the admin API) are mounted under a path prefix by the app.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { GatewayError } from '../core/errors.js';
import { inboundProtocol, openaiInbound, type InboundProtocol } from '../protocols/index.js';
import { RequestAbort } from './abort.js';
import { chatHandler } from './chat.js';
import { countTokensHandler } from './count-tokens.js';
import { endpointHandler } from './endpoints.js';
import { sendError, sendJson, type RequestCtx } from './http.js';
import { modelHandler, modelsHandler } from './models.js';
import type { GatewayState } from './state.js';
import { transcriptionsHandler } from './transcriptions.js';

type Handler = (ctx: RequestCtx) => Promise<void> | void;

/** A plane mounted under a prefix (e.g. `/v1/admin/`); it answers the whole request itself. */
export interface Mount {
  prefix: string;
  handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> | void;
}

export interface AccessLog {
  id: string;
  method: string;
  route: string;
  status: number;
  latency_ms: number;
  model?: string;
  provider?: string;
  key?: string;
  attempts?: number;
  prompt_tokens?: number;
  completion_tokens?: number;
  cached_tokens?: number;
  error?: string;
}

export interface GatewayServerOptions {
  mounts?: Mount[];
  /** Called once per finished request; must not throw or block (the logger buffers). */
  onLog?: (line: AccessLog) => void;
  /** Whether onLog would write a line for this status; when false the line is not even built. */
  logs?: (status: number) => boolean;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Request ids are shaped like UUIDs (v4): the first 20 hex digits are drawn once per process and
 * the last 12 count requests from a random start, so no random draw is made per request.
 */
const ID_HEAD = (() => {
  const h = randomBytes(10).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) & 3]}${h.slice(17, 20)}-`;
})();
const HALF = 2 ** 24;

/**
 * A counter of 48 bits kept as two 24-bit halves: V8 formats a small integer on its fast path,
 * while a 48-bit number goes through the double-to-radix path (about 0.3 µs per request).
 * The high half's digits are joined to the head once per 16.7 million ids.
 */
export function requestIdCounter(head: string, start: number): () => string {
  let hi = Math.floor(start / HALF) % HALF;
  let lo = start % HALF;
  let prefix = head + hi.toString(16).padStart(6, '0');
  return () => {
    const id = prefix + lo.toString(16).padStart(6, '0');
    if (++lo === HALF) {
      lo = 0;
      hi = hi + 1 === HALF ? 0 : hi + 1;
      prefix = head + hi.toString(16).padStart(6, '0');
    }
    return id;
  };
}

export const newRequestId: () => string = requestIdCounter(ID_HEAD, Math.floor(Math.random() * HALF * HALF));

export interface GatewayServer {
  server: Server;
  /** Requests being answered right now. */
  inFlight(): number;
  /** Stops accepting, lets requests in flight finish for up to `ms`, then cuts the rest. */
  drain(ms: number): Promise<void>;
}

/** How long an idle client connection is kept open (advertised in `Keep-Alive: timeout=`). */
export const KEEP_ALIVE_MS = 65_000;

export function createGatewayServer(state: GatewayState, opts: GatewayServerOptions = {}): GatewayServer {
  const routes = new Map<string, Handler>();
  const anthropic = inboundProtocol('anthropic-messages');
  routes.set('POST /v1/chat/completions', chatHandler(state, openaiInbound));
  if (anthropic) {
    routes.set('POST /v1/messages', chatHandler(state, anthropic));
    routes.set('POST /v1/messages/count_tokens', countTokensHandler(state, anthropic));
  }
  routes.set('POST /v1/completions', endpointHandler(state, 'completions', 'legacy completions'));
  routes.set('POST /v1/embeddings', endpointHandler(state, 'embeddings', 'embeddings'));
  routes.set('POST /v1/images/generations', endpointHandler(state, 'images/generations', 'image generation'));
  routes.set('POST /v1/audio/speech', endpointHandler(state, 'audio/speech', 'speech'));
  routes.set('POST /v1/audio/transcriptions', transcriptionsHandler(state));
  routes.set('GET /v1/models', modelsHandler(state));
  routes.set('GET /health', (ctx) => sendJson(ctx, 200, { status: 'ok' }));
  // path → method → handler: a lookup by two strings already in hand, no key built per request.
  const byPath = new Map<string, Map<string, Handler>>();
  for (const [k, h] of routes) {
    const [method, path] = k.split(' ') as [string, string];
    const m = byPath.get(path) ?? new Map<string, Handler>();
    m.set(method, h);
    byPath.set(path, m);
  }
  const mounts = opts.mounts ?? [];
  const onLog = opts.onLog;
  const logs = opts.logs;
  let inFlight = 0;
  let draining = false;

  const server = createServer({ noDelay: true, keepAlive: true, requestTimeout: 0 }, (req, res) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : newRequestId();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);

    for (const m of mounts) {
      if (path.startsWith(m.prefix)) {
        // Mounted planes write their own heads; the id goes in first.
        res.setHeader('x-request-id', id);
        void Promise.resolve(m.handle(req, res, id)).catch((e: unknown) => {
          if (!res.headersSent) sendJson({ id, res }, 500, { error: { message: `internal error: ${(e as Error).message}`, type: 'server_error', param: null, code: 'LLMUX_ERR_INTERNAL' } });
        });
        return;
      }
    }

    const ctx: RequestCtx = { id, start: performance.now(), route: path, req, res, key: null, abort: new RequestAbort(), attempts: 0 };
    inFlight++;
    res.on('close', () => {
      inFlight--;
      if (!res.writableFinished) ctx.abort.abort('client');
      if (onLog && path !== '/health' && (!logs || logs(res.statusCode))) onLog(accessLine(ctx, req.method ?? ''));
    });

    if (draining) {
      res.setHeader('connection', 'close');
      return sendError(ctx, new GatewayError('LLMUX_ERR_SHUTTING_DOWN', 'llmux is shutting down; retry on another instance'), inboundFor(path));
    }
    const methods = byPath.get(path);
    let handler = methods?.get(req.method ?? '');
    if (!handler && req.method === 'GET' && path.startsWith('/v1/models/') && path.length > 11) {
      handler = modelHandler(state, decodeURIComponent(path.slice(11)));
    }
    if (!handler) {
      const allowed = methods && [...methods.keys()];
      const err = allowed
        ? new GatewayError('LLMUX_ERR_METHOD_NOT_ALLOWED', `method ${req.method} is not allowed on ${path}; use ${allowed.join(', ')}`)
        : new GatewayError('LLMUX_ERR_NOT_FOUND', `no route for ${req.method} ${path}`);
      if (allowed) res.setHeader('allow', allowed.join(', '));
      req.resume();
      return sendError(ctx, err, inboundFor(path));
    }
    void Promise.resolve(handler(ctx)).catch((e: unknown) => sendError(ctx, e, inboundFor(path)));
  });
  // Slow-loris protection without cutting long streams: only the request headers are timed.
  server.headersTimeout = 30_000;
  // An idle keep-alive connection is kept longer than the clients and load balancers in front keep
  // theirs (60 s is the common default): when the server closes first, a request sent on the
  // closing socket fails with "other side closed" / a 502. Node's default is 5 s.
  server.keepAliveTimeout = KEEP_ALIVE_MS;

  function inboundFor(path: string): InboundProtocol {
    return anthropic && path.startsWith('/v1/messages') ? anthropic : openaiInbound;
  }

  return {
    server,
    inFlight: () => inFlight,
    async drain(ms: number): Promise<void> {
      draining = true;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      const deadline = Date.now() + ms;
      while (inFlight > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        server.closeIdleConnections();
      }
      server.closeAllConnections();
      await closed;
    },
  };
}

function accessLine(ctx: RequestCtx, method: string): AccessLog {
  const line: AccessLog = {
    id: ctx.id,
    method,
    route: ctx.route,
    status: ctx.res.statusCode,
    latency_ms: Math.round((performance.now() - ctx.start) * 100) / 100,
  };
  if (ctx.model !== undefined) line.model = ctx.model;
  if (ctx.provider !== undefined) line.provider = ctx.provider;
  if (ctx.key) line.key = ctx.key.name;
  if (ctx.attempts > 1) line.attempts = ctx.attempts;
  if (ctx.usage) {
    line.prompt_tokens = ctx.usage.prompt_tokens;
    line.completion_tokens = ctx.usage.completion_tokens;
    const cached = ctx.usage.prompt_tokens_details?.cached_tokens;
    if (cached) line.cached_tokens = cached;
  }
  if (ctx.error !== undefined) line.error = ctx.error;
  return line;
}
