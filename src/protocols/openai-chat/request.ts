/**
 * Where and how to call an OpenAI-compatible upstream (OpenAI, Azure OpenAI, Ollama, and any
 * custom service): URL per endpoint, auth header, and the canonical request serialised for it.
 */
import { CANONICAL_EXTENSIONS, type ChatMessage, type ChatRequest } from '../../core/types.js';
import type { ChatRequestOptions, HttpRequestSpec, UpstreamTarget } from '../types.js';

/** Endpoints an OpenAI-compatible upstream serves, by their path under the base URL. */
export type OpenAIEndpoint =
  | 'chat/completions'
  | 'completions'
  | 'embeddings'
  | 'images/generations'
  | 'audio/speech'
  | 'audio/transcriptions'
  | 'models';

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

/** The absolute URL of an endpoint for this target (Azure puts the deployment in the path). */
export function endpointUrl(target: UpstreamTarget, endpoint: OpenAIEndpoint): string {
  if (target.kind === 'azure') {
    const version = encodeURIComponent(target.apiVersion ?? DEFAULT_AZURE_API_VERSION);
    if (endpoint === 'models') return `${target.baseUrl}/openai/models?api-version=${version}`;
    return `${target.baseUrl}/openai/deployments/${encodeURIComponent(target.model)}/${endpoint}?api-version=${version}`;
  }
  return `${target.baseUrl}/${endpoint}`;
}

/** Auth and configured headers. No Authorization header at all when no key is configured. */
export function authHeaders(target: UpstreamTarget): Record<string, string> {
  const h: Record<string, string> = {};
  if (target.apiKey) {
    if (target.kind === 'azure') h['api-key'] = target.apiKey;
    else h['authorization'] = `Bearer ${target.apiKey}`;
  }
  if (target.headers) Object.assign(h, target.headers);
  return h;
}

/** Serialises a canonical request (used when the client spoke another protocol). */
export function chatRequest(req: ChatRequest, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec {
  const body: Record<string, unknown> = { ...req, model: target.model };
  for (const k of CANONICAL_EXTENSIONS.request) delete body[k];
  if (Array.isArray(req.messages)) body['messages'] = req.messages.map(stripMessage);
  if (Array.isArray(req.tools)) body['tools'] = req.tools.map((t) => without(t, CANONICAL_EXTENSIONS.tool));
  if (opts.stream) {
    body['stream'] = true;
    body['stream_options'] = { ...(req.stream_options ?? {}), include_usage: true };
  } else {
    delete body['stream'];
    delete body['stream_options'];
  }
  if (req.thinking && req.thinking.type === 'enabled' && req.reasoning_effort === undefined) {
    const budget = req.thinking.budget_tokens ?? 0;
    body['reasoning_effort'] = budget >= 16_000 ? 'high' : budget >= 4_000 ? 'medium' : 'low';
  }
  return {
    method: 'POST',
    url: endpointUrl(target, 'chat/completions'),
    headers: { 'content-type': 'application/json', ...authHeaders(target) },
    body: JSON.stringify(body),
  };
}

/** A copy without the named keys, or the object itself when it has none of them. */
function without<T extends object>(obj: T, keys: readonly string[]): T {
  if (!keys.some((k) => k in obj)) return obj;
  const out = { ...obj } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as T;
}

function stripMessage(m: ChatMessage): ChatMessage {
  const out = without(m, CANONICAL_EXTENSIONS.message);
  if (!Array.isArray(out.content)) return out;
  const parts = out.content.map((p) => without(p, CANONICAL_EXTENSIONS.part));
  return parts.every((p, i) => p === (out.content as unknown[])[i]) ? out : { ...out, content: parts };
}
