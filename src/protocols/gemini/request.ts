/**
 * Where and how to call Gemini, and the canonical request as a `generateContent` body.
 *
 * Canonical fields with no Gemini form are dropped here, deliberately: user, metadata,
 * stream_options, parallel_tool_calls, logprobs/top_logprobs, modalities, service_tier and any
 * unknown field (Gemini answers 400 to unknown names). Gemini's own `safetySettings` and
 * `cachedContent` (or their snake_case spellings) are passed through when a client sends them.
 */
import type { ChatRequest } from '../../core/types.js';
import type { ChatRequestOptions, HttpRequestSpec, UpstreamTarget } from '../types.js';
import { generationConfig, geminiToolConfig, geminiTools } from './config.js';
import { toGeminiConversation } from './messages.js';
import { bareModel } from './model.js';
import type { GeminiRequest } from './wire.js';

export const DEFAULT_GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

export function geminiUrl(target: UpstreamTarget, stream: boolean): string {
  const base = target.baseUrl || DEFAULT_GEMINI_BASE_URL;
  const model = `${base}/models/${encodeURIComponent(bareModel(target.model))}`;
  return stream ? `${model}:streamGenerateContent?alt=sse` : `${model}:generateContent`;
}

export function geminiHeaders(target: UpstreamTarget): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (target.apiKey) h['x-goog-api-key'] = target.apiKey;
  if (target.headers) Object.assign(h, target.headers);
  return h;
}

/** The request body for `model` (the upstream model name decides a few model-specific forms). */
export function toGeminiRequest(req: ChatRequest, model: string): GeminiRequest {
  const { systemInstruction, contents } = toGeminiConversation(Array.isArray(req.messages) ? req.messages : [], model);
  const body: GeminiRequest = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  const tools = geminiTools(req.tools);
  if (tools) {
    body.tools = tools;
    const toolConfig = geminiToolConfig(req.tool_choice);
    if (toolConfig) body.toolConfig = toolConfig;
  }
  const config = generationConfig(req, model);
  if (config) body.generationConfig = config;
  const safety = req['safetySettings'] ?? req['safety_settings'];
  if (Array.isArray(safety)) body.safetySettings = safety;
  const cached = req['cachedContent'] ?? req['cached_content'];
  if (typeof cached === 'string') body.cachedContent = cached;
  return body;
}

export function chatRequest(req: ChatRequest, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec {
  return {
    method: 'POST',
    url: geminiUrl(target, opts.stream),
    headers: geminiHeaders(target),
    body: JSON.stringify(toGeminiRequest(req, target.model)),
  };
}
