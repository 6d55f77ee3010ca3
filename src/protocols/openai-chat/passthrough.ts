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
  // The common stream: model unchanged, no stream_options: one insertion, no scan of the body.
  if (!needModel && parsed['stream_options'] === undefined) {
    return insertTopLevel(raw, 'stream_options', '{"include_usage":true}');
  }
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

/**
 * Frames with usage in them. Not '"usage"': a needle starting with a quote is several times
 * slower to find in JSON text. A frame whose text merely contains `usage"` costs a findUsage.
 */
const USAGE = Buffer.from('usage"');
const USAGE_MARKS: readonly Buffer[] = [USAGE];
const EMPTY_CHOICES = /"choices"\s*:\s*\[\s*\]/;

/**
 * Ollama names reasoning text `reasoning`; OpenAI clients that read reasoning look for
 * `reasoning_content`. Renaming the key in place keeps every other byte. The pattern cannot match
 * inside a JSON string, where quotes are escaped.
 */
const REASONING_KEY = Buffer.from('"reasoning":');
const REASONING_CONTENT_KEY = Buffer.from('"reasoning_content":');

function renameReasoning(b: Buffer): Buffer {
  let at = b.indexOf(REASONING_KEY);
  if (at === -1) return b;
  const parts: Buffer[] = [];
  let pos = 0;
  while (at !== -1) {
    parts.push(b.subarray(pos, at), REASONING_CONTENT_KEY);
    pos = at + REASONING_KEY.length;
    at = b.indexOf(REASONING_KEY, pos);
  }
  parts.push(b.subarray(pos));
  return Buffer.concat(parts);
}

/** Whether a provider kind names reasoning `reasoning` (normalised to `reasoning_content`). */
function renamesReasoning(target: UpstreamTarget): boolean {
  return target.kind === 'ollama';
}

export function openaiStreamTap(parsed: Record<string, unknown>, target?: UpstreamTarget): PassthroughTap {
  const keepUsageChunk = clientWantsUsage(parsed);
  const rename = target !== undefined && renamesReasoning(target);
  let usage: Usage | undefined;
  return {
    // Renaming reasoning touches many frames; otherwise only the usage frame needs a look.
    marks: rename ? undefined : USAGE_MARKS,
    frame(f: Buffer): Buffer | null {
      const out = rename ? renameReasoning(f) : f;
      if (f.indexOf(USAGE) === -1) return out;
      const u = findUsage(f);
      if (!u) return out;
      usage = u as unknown as Usage;
      return keepUsageChunk || !EMPTY_CHOICES.test(f.toString('latin1')) ? out : null;
    },
    usage: () => usage,
  };
}

export const openaiPassthrough: Passthrough = {
  request(raw: Buffer, parsed: Record<string, unknown>, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec {
    return endpointRequest('chat/completions', raw, parsed, target, opts.stream);
  },
  streamTap: openaiStreamTap,
  response: (body, target) => ({ body: renamesReasoning(target) ? renameReasoning(body) : body, usage: findUsage(body) as Usage | undefined }),
};
