/**
 * Byte passthrough for OpenAI-compatible clients and upstreams. The body is forwarded untouched
 * except `model` (alias resolved) and, for streams, `stream_options.include_usage`, which the
 * gateway always asks for so that no token goes uncounted; when the client did not ask for it,
 * the usage-only chunk is hidden from the client.
 */
import { findUsage, insertTopLevel, splice, topLevelRanges } from '../../core/json-bytes.js';
import type { Usage } from '../../core/types.js';
import type { ChatRequestOptions, HttpRequestSpec, Passthrough, PassthroughTap, UpstreamTarget } from '../types.js';
import { authHeaders, endpointUrl, type OpenAIEndpoint } from './request.js';

export function clientWantsUsage(parsed: Record<string, unknown>): boolean {
  const so = parsed['stream_options'];
  return so !== null && typeof so === 'object' && (so as Record<string, unknown>)['include_usage'] === true;
}

/** The client's body with `model` set to the upstream's name and include_usage forced on streams. */
export function passthroughBody(raw: Buffer, parsed: Record<string, unknown>, model: string, stream: boolean): Buffer {
  const needModel = parsed['model'] !== model;
  const needUsage = stream && !clientWantsUsage(parsed);
  if (!needModel && !needUsage) return raw;
  const ranges = topLevelRanges(raw, ['model', 'stream_options']);
  const edits: Array<{ start: number; end: number; text: string }> = [];
  const m = ranges.get('model');
  if (needModel && m) edits.push({ start: m.start, end: m.end, text: JSON.stringify(model) });
  let out = raw;
  if (needUsage) {
    const so = ranges.get('stream_options');
    const cur = parsed['stream_options'];
    const value = JSON.stringify({ ...(cur && typeof cur === 'object' ? cur : {}), include_usage: true });
    if (so) edits.push({ start: so.start, end: so.end, text: value });
    out = splice(raw, edits);
    if (!so) out = insertTopLevel(out, 'stream_options', value);
    return out;
  }
  return splice(raw, edits);
}

export function endpointRequest(
  endpoint: OpenAIEndpoint,
  raw: Buffer,
  parsed: Record<string, unknown>,
  target: UpstreamTarget,
  stream: boolean,
): HttpRequestSpec {
  return {
    method: 'POST',
    url: endpointUrl(target, endpoint),
    headers: { 'content-type': 'application/json', ...authHeaders(target) },
    body: endpoint === 'chat/completions' || endpoint === 'completions' ? passthroughBody(raw, parsed, target.model, stream) : modelOnly(raw, parsed, target.model),
  };
}

function modelOnly(raw: Buffer, parsed: Record<string, unknown>, model: string): Buffer {
  if (parsed['model'] === model) return raw;
  const m = topLevelRanges(raw, ['model']).get('model');
  return m ? splice(raw, [{ start: m.start, end: m.end, text: JSON.stringify(model) }]) : raw;
}

const USAGE = Buffer.from('"usage"');
const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;

export function openaiStreamTap(parsed: Record<string, unknown>): PassthroughTap {
  const keepUsageChunk = clientWantsUsage(parsed);
  let usage: Usage | undefined;
  return {
    frame(f: Buffer): boolean {
      if (f.indexOf(USAGE) === -1) return true;
      const u = findUsage(f);
      if (!u) return true;
      usage = u as unknown as Usage;
      return keepUsageChunk || !EMPTY_CHOICES.test(f.toString('latin1'));
    },
    usage: () => usage,
  };
}

export const openaiPassthrough: Passthrough = {
  request(raw: Buffer, parsed: Record<string, unknown>, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec {
    return endpointRequest('chat/completions', raw, parsed, target, opts.stream);
  },
  streamTap: openaiStreamTap,
  responseUsage: (body) => findUsage(body) as Usage | undefined,
};
