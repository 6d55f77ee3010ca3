/**
 * `POST /v1/audio/transcriptions`: a multipart upload streamed through to the provider. Only the
 * bytes up to the end of the `model` field are held (to route, and to rewrite an alias); the rest
 * of the upload, usually the audio file, flows upstream as it arrives. Because the upload cannot
 * be replayed, it gets one attempt on the first provider chosen: no retry or fallback.
 */
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../core/errors.js';
import { authHeaders, endpointUrl, openaiInbound } from '../protocols/index.js';
import { authenticate } from './auth.js';
import { resolveModel } from './chat.js';
import { openaiDeployments, headerString } from './endpoints.js';
import { clientAborted, sendBytes, sendError, toGatewayError, type RequestCtx } from './http.js';
import { attemptOrder } from './registry.js';
import type { GatewayState } from './state.js';
import { callUpstream, readAll } from './upstream.js';

interface ModelField {
  /** Bytes read so far (everything up to at least the end of the model value). */
  head: Buffer;
  model: string;
  /** Byte range of the model value inside `head`. */
  start: number;
  end: number;
  rest: AsyncIterator<Buffer>;
}

function boundaryOf(req: IncomingMessage): string {
  const ct = req.headers['content-type'] ?? '';
  const m = /^multipart\/form-data\s*;.*boundary=(?:"([^"]+)"|([^;]+))/i.exec(ct);
  if (!m) throw new GatewayError('LLMUX_ERR_UNSUPPORTED_MEDIA', 'expected a multipart/form-data body with a boundary');
  return (m[1] ?? m[2]!).trim();
}

/** Reads parts until the `model` field's value is complete. */
async function readUntilModel(req: IncomingMessage, boundary: string, limit: number): Promise<ModelField> {
  const it = (req as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const marker = Buffer.from('name="model"');
  const delim = Buffer.from(`\r\n--${boundary}`);
  let head = Buffer.alloc(0);
  for (;;) {
    const at = head.indexOf(marker);
    if (at !== -1) {
      const valueStart = head.indexOf('\r\n\r\n', at);
      if (valueStart !== -1) {
        const end = head.indexOf(delim, valueStart + 4);
        if (end !== -1) {
          const start = valueStart + 4;
          return { head, model: head.subarray(start, end).toString('utf8').trim(), start, end, rest: it };
        }
      }
    }
    const next = await it.next();
    if (next.done) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', "missing 'model' field in the multipart form", { param: 'model' });
    head = Buffer.concat([head, next.value]);
    if (head.length > limit) throw new GatewayError('LLMUX_ERR_BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes (max_body_bytes)`);
  }
}

export function transcriptionsHandler(state: GatewayState): (ctx: RequestCtx) => Promise<void> {
  return async (ctx) => {
    try {
      ctx.key = authenticate(ctx.req, state.keys, state.adminTokenSet());
      const limit = state.maxBodyBytes();
      const declared = Number(ctx.req.headers['content-length'] ?? NaN);
      if (declared > limit) throw new GatewayError('LLMUX_ERR_BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes (max_body_bytes)`);
      const boundary = boundaryOf(ctx.req);
      const field = await readUntilModel(ctx.req, boundary, limit);
      const resolved = resolveModel(state, ctx, field.model);
      const [dep] = attemptOrder(openaiDeployments(resolved.deployments, field.model, 'audio transcription'), state.rand);
      ctx.provider = dep!.provider;
      ctx.attempts = 1;
      const head =
        dep!.target.model === field.model
          ? field.head
          : Buffer.concat([field.head.subarray(0, field.start), Buffer.from(dep!.target.model), field.head.subarray(field.end)]);
      let sent = head.length;
      async function* body(): AsyncGenerator<Buffer> {
        yield head;
        for (;;) {
          const n = await field.rest.next();
          if (n.done) return;
          sent += n.value.length;
          if (sent > limit + (head.length - field.head.length)) throw new GatewayError('LLMUX_ERR_BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes (max_body_bytes)`);
          yield n.value;
        }
      }
      const headers: Record<string, string> = { 'content-type': ctx.req.headers['content-type']!, ...authHeaders(dep!.target) };
      if (Number.isFinite(declared)) headers['content-length'] = String(declared + head.length - field.head.length);
      const up = await callUpstream(dep!, { url: endpointUrl(dep!.target, 'audio/transcriptions'), method: 'POST', headers, body: body() }, ctx.abort);
      const text = await readAll(dep!, up.body, ctx.abort);
      if (up.statusCode >= 400) throw dep!.adapter.error(up.statusCode, text.toString('utf8'), up.headers, Date.now());
      sendBytes(ctx, up.statusCode, headerString(up.headers['content-type']) ?? 'application/json', text);
    } catch (e) {
      if (!clientAborted(ctx)) sendError(ctx, toGatewayError(e), openaiInbound);
    }
  };
}
