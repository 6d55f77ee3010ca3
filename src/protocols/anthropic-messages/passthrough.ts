/**
 * Byte passthrough for Anthropic clients talking to an Anthropic upstream. The body goes up
 * untouched but for `model` (alias resolved); Anthropic streams always carry usage, so nothing
 * is injected and no frame is hidden. Only message_start and message_delta frames are decoded,
 * for usage.
 */
import { findUsage, splice, topLevelRanges } from '../../core/json-bytes.js';
import { SSEDecoder } from '../../core/sse.js';
import type { Usage } from '../../core/types.js';
import type { ChatRequestOptions, HttpRequestSpec, Passthrough, PassthroughTap, UpstreamTarget } from '../types.js';
import { anthropicHeaders, messagesUrl } from './request.js';
import { createUsageTap, usageFromMessage } from './usage-tap.js';
import { wireUsageToCanonical } from './usage.js';
import type { WireUsage } from './wire.js';

export function passthroughBody(raw: Buffer, parsed: Record<string, unknown>, model: string): Buffer {
  if (parsed['model'] === model) return raw;
  const m = topLevelRanges(raw, ['model']).get('model');
  return m ? splice(raw, [{ start: m.start, end: m.end, text: JSON.stringify(model) }]) : raw;
}

const MESSAGE_START = Buffer.from('message_start');
const MESSAGE_DELTA = Buffer.from('message_delta');
const USAGE_MARKS: readonly Buffer[] = [MESSAGE_START, MESSAGE_DELTA];

export function anthropicStreamTap(): PassthroughTap {
  const tap = createUsageTap();
  return {
    marks: USAGE_MARKS,
    frame(f: Buffer): Buffer {
      if (f.indexOf(MESSAGE_START) === -1 && f.indexOf(MESSAGE_DELTA) === -1) return f;
      const dec = new SSEDecoder();
      for (const ev of [...dec.push(f), ...dec.end()]) tap.push(ev);
      return f;
    },
    usage: () => tap.usage(),
  };
}

export function responseUsage(body: Buffer): Usage | undefined {
  // The top-level usage is the last "usage" object of a message; check its shape before trusting it.
  const u = findUsage(body);
  if (u && typeof u['output_tokens'] === 'number') return wireUsageToCanonical(u as WireUsage);
  try {
    return usageFromMessage(JSON.parse(body.toString('utf8')));
  } catch {
    return undefined;
  }
}

export const anthropicPassthrough: Passthrough = {
  request(raw: Buffer, parsed: Record<string, unknown>, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec {
    return {
      method: 'POST',
      url: messagesUrl(target),
      headers: anthropicHeaders(target, opts.clientHeaders),
      body: passthroughBody(raw, parsed, target.model),
    };
  },
  streamTap: () => anthropicStreamTap(),
  response: (body) => ({ body, usage: responseUsage(body) }),
};
