/**
 * `/v1/messages/count_tokens`: forwarded to Anthropic upstreams, estimated for the others.
 *
 * The estimate (no tokenizer ships with llmux, and each vendor's differs) is:
 *   ceil(characters / 4) over every text the model reads — system and message text, reasoning,
 *   tool-call names and arguments, tool results, and each tool definition as JSON —
 *   + 4 per message (role and separators)
 *   + 1600 per image or document (Anthropic's cost for an image of about 1.15 megapixels, the
 *     largest it takes without resizing; a document costs at least that).
 * It is meant for budgeting a context window, not for billing: billing uses the usage the
 * upstream reports.
 */
import { GatewayError } from '../../core/errors.js';
import type { ChatRequest, ContentPart } from '../../core/types.js';
import type { HeaderBag, HttpRequestSpec, UpstreamTarget } from '../types.js';
import { SERVER_TOOLS_FIELD, anthropicHeaders } from './request.js';
import { isObject } from './wire.js';

export const CHARS_PER_TOKEN = 4;
export const TOKENS_PER_MESSAGE = 4;
export const TOKENS_PER_IMAGE = 1600;

const MEDIA_PARTS = new Set(['image_url', 'image', 'file', 'document', 'input_audio']);

/** Fields of a Messages request that only matter for generation; count_tokens rejects them. */
const GENERATION_ONLY = ['max_tokens', 'stream', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'metadata', 'service_tier'];

interface Tally {
  chars: number;
  media: number;
}

function countContent(content: unknown, t: Tally): void {
  if (typeof content === 'string') {
    t.chars += content.length;
    return;
  }
  if (!Array.isArray(content)) return;
  for (const p of content as ContentPart[]) {
    if (!isObject(p)) continue;
    if (MEDIA_PARTS.has(p.type)) t.media++;
    else if (typeof p['text'] === 'string') t.chars += p['text'].length;
    else if (typeof p['refusal'] === 'string') t.chars += p['refusal'].length;
    else t.chars += JSON.stringify(p).length; // a native block (search_result…): its JSON, roughly
  }
}

export function estimateTokens(req: ChatRequest): number {
  const t: Tally = { chars: 0, media: 0 };
  for (const m of req.messages) {
    countContent(m.content, t);
    if (typeof m.reasoning_content === 'string') t.chars += m.reasoning_content.length;
    for (const tc of m.tool_calls ?? []) t.chars += tc.function.name.length + tc.function.arguments.length;
  }
  for (const tool of req.tools ?? []) t.chars += JSON.stringify(tool.function).length;
  const server = req[SERVER_TOOLS_FIELD];
  if (Array.isArray(server)) for (const s of server) t.chars += JSON.stringify(s).length;
  return Math.ceil(t.chars / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE * req.messages.length + TOKENS_PER_IMAGE * t.media;
}

/** The body a /v1/messages/count_tokens client gets back. */
export function countTokensBody(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}

/**
 * The upstream call for an Anthropic provider: the client's own body (the same shape as a
 * Messages request) with the real model name and without generation-only fields.
 */
export function countTokensRequest(body: unknown, target: UpstreamTarget, clientHeaders: HeaderBag = {}): HttpRequestSpec {
  if (!isObject(body)) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'the request body must be a JSON object');
  if (!Array.isArray(body['messages'])) {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'messages: an array of messages is required', { param: 'messages' });
  }
  const out: Record<string, unknown> = { ...body, model: target.model };
  for (const k of GENERATION_ONLY) delete out[k];
  return {
    method: 'POST',
    url: `${target.baseUrl}/messages/count_tokens`,
    headers: anthropicHeaders(target, clientHeaders),
    body: JSON.stringify(out),
  };
}
