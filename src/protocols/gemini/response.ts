/**
 * A `generateContent` response → a canonical chat completion, one choice per candidate.
 *
 * - text parts → content; `thought: true` text → reasoning_content (never mixed into content);
 * - functionCall parts → tool_calls with a fresh id that carries the part's thought signature
 *   (see signatures.ts); arguments are the args object as JSON text;
 * - signatures on text parts → thinking_blocks, so they can be restored next turn;
 * - usage: see geminiUsage; finish reasons: see finishReason. The Gemini reason is kept on the
 *   choice as `native_finish_reason` (OpenRouter's name for it) since the mapping is lossy.
 */
import { GatewayError } from '../../core/errors.js';
import type { AdapterEnv, AssistantMessage, ChatCompletion, FinishReason, ThinkingBlock, ToolCall, Usage } from '../../core/types.js';
import type { UpstreamTarget } from '../types.js';
import { encodeToolCallId, markSignature } from './signatures.js';
import type { GeminiCandidate, GeminiResponse, GeminiUsageMetadata } from './wire.js';

/** Reasons that mean a safety or policy filter stopped the output. */
const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
]);

/**
 * Gemini finish reason → OpenAI's. STOP becomes `tool_calls` when the candidate produced function
 * calls (Gemini has no reason of its own for that). MAX_TOKENS → `length`; filter reasons →
 * `content_filter`. Everything else (MALFORMED_FUNCTION_CALL, OTHER, LANGUAGE, …) → `stop`: the
 * output simply ended, with whatever content it has; a client that cares reads
 * native_finish_reason. An error would discard content the client may want.
 */
export function finishReason(native: string | undefined, hasToolCalls: boolean): FinishReason {
  if (native === 'MAX_TOKENS') return 'length';
  if (native !== undefined && FILTERED.has(native)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * Gemini usage → OpenAI usage. candidatesTokenCount excludes thoughts, so completion_tokens =
 * candidates + thoughts (both are billed as output) with the thoughts also in
 * reasoning_tokens; prompt_tokens includes cached tokens (cached_tokens says how many) and the
 * prompt tokens of server-side tool results; total is Gemini's own, which is the sum of these.
 */
export function geminiUsage(u: GeminiUsageMetadata): Usage {
  const prompt = (u.promptTokenCount ?? 0) + (u.toolUsePromptTokenCount ?? 0);
  const thoughts = u.thoughtsTokenCount ?? 0;
  const completion = (u.candidatesTokenCount ?? 0) + thoughts;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: u.totalTokenCount ?? prompt + completion,
    prompt_tokens_details: { cached_tokens: u.cachedContentTokenCount ?? 0 },
    completion_tokens_details: { reasoning_tokens: thoughts },
  };
  const audio = u.promptTokensDetails?.find((d) => d.modality === 'AUDIO')?.tokenCount;
  if (audio !== undefined && usage.prompt_tokens_details) usage.prompt_tokens_details.audio_tokens = audio;
  return usage;
}

function candidateMessage(c: GeminiCandidate, env: AdapterEnv): AssistantMessage {
  let text = '';
  let reasoning = '';
  let pendingThought = '';
  const toolCalls: ToolCall[] = [];
  const blocks: ThinkingBlock[] = [];
  for (const part of c.content?.parts ?? []) {
    const sig = typeof part.thoughtSignature === 'string' && part.thoughtSignature !== '' ? part.thoughtSignature : undefined;
    if (part.functionCall) {
      toolCalls.push({
        id: encodeToolCallId(env.newId('call_'), sig),
        type: 'function',
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
      });
    } else if (typeof part.text === 'string') {
      if (part.thought === true) {
        reasoning += part.text;
        pendingThought += part.text;
        if (sig) {
          blocks.push({ type: 'thinking', thinking: pendingThought, signature: markSignature(sig, 'thought') });
          pendingThought = '';
        }
      } else {
        text += part.text;
        if (sig) blocks.push({ type: 'thinking', thinking: '', signature: markSignature(sig, 'text') });
      }
    }
    // inlineData, executableCode, codeExecutionResult: no canonical form; left out.
  }
  const message: AssistantMessage = { role: 'assistant', content: text !== '' || toolCalls.length === 0 ? text : null };
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (blocks.length > 0) message.thinking_blocks = blocks;
  return message;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function chatResponse(body: unknown, target: UpstreamTarget, env: AdapterEnv): ChatCompletion {
  if (!isObj(body)) throw new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'upstream response is not a Gemini generateContent response');
  const r = body as GeminiResponse;
  const candidates = Array.isArray(r.candidates) ? r.candidates : [];
  const choices: ChatCompletion['choices'] = candidates.map((c, i) => {
    const message = candidateMessage(c, env);
    return {
      index: typeof c.index === 'number' ? c.index : i,
      message,
      finish_reason: finishReason(c.finishReason, (message.tool_calls?.length ?? 0) > 0),
      logprobs: null,
      ...(c.finishReason ? { native_finish_reason: c.finishReason } : {}),
    };
  });
  if (choices.length === 0) {
    // No candidates: the prompt itself was blocked (promptFeedback.blockReason).
    const block = r.promptFeedback?.blockReason;
    choices.push({
      index: 0,
      message: { role: 'assistant', content: '' },
      finish_reason: block ? 'content_filter' : 'stop',
      logprobs: null,
      ...(block ? { native_finish_reason: block } : {}),
    });
  }
  const completion: ChatCompletion = {
    id: typeof r.responseId === 'string' && r.responseId !== '' ? r.responseId : env.newId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(env.now() / 1000),
    model: typeof r.modelVersion === 'string' && r.modelVersion !== '' ? r.modelVersion : target.model,
    choices,
  };
  if (isObj(r.usageMetadata)) completion.usage = geminiUsage(r.usageMetadata);
  return completion;
}
