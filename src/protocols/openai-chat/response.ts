/**
 * OpenAI-compatible responses into the canonical form. The canonical form *is* OpenAI's, so this
 * only normalises vendor quirks: Ollama's `reasoning` becomes `reasoning_content`.
 */
import { GatewayError } from '../../core/errors.js';
import type { AdapterEnv, ChatChunk, ChatCompletion } from '../../core/types.js';

export function chatResponse(body: unknown, _env: AdapterEnv): ChatCompletion {
  if (!body || typeof body !== 'object' || !Array.isArray((body as { choices?: unknown }).choices)) {
    throw new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'upstream response is not a chat completion (no choices)');
  }
  const c = body as ChatCompletion;
  for (const choice of c.choices) normaliseReasoning(choice.message as Record<string, unknown> | undefined);
  return c;
}

/** Moves a vendor `reasoning` field to `reasoning_content` in a message or delta. */
export function normaliseReasoning(m: Record<string, unknown> | undefined): void {
  if (!m) return;
  const r = m['reasoning'];
  if (typeof r === 'string') {
    if (m['reasoning_content'] === undefined && r !== '') m['reasoning_content'] = r;
    delete m['reasoning'];
  }
}

export function normaliseChunk(chunk: ChatChunk): ChatChunk {
  if (Array.isArray(chunk.choices)) for (const c of chunk.choices) normaliseReasoning(c.delta as Record<string, unknown> | undefined);
  return chunk;
}
