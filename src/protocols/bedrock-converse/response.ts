/**
 * A Converse response to a canonical chat.completion.
 *
 * Usage: Converse reports `inputTokens` WITHOUT the cached part; cache reads and writes come
 * separately (`cacheReadInputTokens`, `cacheWriteInputTokens`), as in Anthropic's API. OpenAI's
 * prompt_tokens counts every prompt token, so prompt_tokens = input + cacheRead + cacheWrite,
 * with the reads in prompt_tokens_details.cached_tokens and the writes in cache_creation_tokens
 * (priced differently). total_tokens is computed as prompt + completion so that it always adds
 * up, rather than trusting Bedrock's totalTokens, whose treatment of cache tokens is not
 * documented.
 */
import { GatewayError } from '../../core/errors.js';
import type { AdapterEnv, AssistantMessage, ChatCompletion, FinishReason, ThinkingBlock, ToolCall, Usage } from '../../core/types.js';
import type { UpstreamTarget } from '../types.js';
import type { ConverseResponse, OutputBlock, TokenUsage } from './wire.js';

const STOP_REASONS: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** Converse stopReason → OpenAI finish_reason; an unknown reason passes through as it is. */
export function finishReason(stopReason: string | undefined): FinishReason {
  if (stopReason === undefined) return 'stop';
  return STOP_REASONS[stopReason] ?? stopReason;
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
}

export function toUsage(u: TokenUsage): Usage {
  const input = count(u.inputTokens);
  const cacheRead = count(u.cacheReadInputTokens);
  const cacheWrite = count(u.cacheWriteInputTokens);
  const prompt = input + cacheRead + cacheWrite;
  const completion = count(u.outputTokens);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
  };
  if (cacheWrite > 0) usage.prompt_tokens_details!.cache_creation_tokens = cacheWrite;
  return usage;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function chatResponse(body: unknown, target: UpstreamTarget, env: AdapterEnv): ChatCompletion {
  const res = body as ConverseResponse;
  const content = isObj(body) && isObj(res.output) && isObj(res.output.message) ? res.output.message.content : undefined;
  if (!Array.isArray(content)) {
    throw new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'Bedrock Converse answered without output.message.content');
  }
  let text = '';
  let reasoning = '';
  const thinking: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const block of content as OutputBlock[]) {
    if (!isObj(block)) continue;
    if (typeof block.text === 'string') {
      text += block.text;
    } else if (block.toolUse) {
      const tu = block.toolUse;
      toolCalls.push({
        id: tu.toolUseId ?? env.newId('call'),
        type: 'function',
        function: { name: tu.name ?? '', arguments: JSON.stringify(tu.input ?? {}) },
      });
    } else if (block.reasoningContent) {
      const rc = block.reasoningContent;
      if (rc.reasoningText) {
        const t = rc.reasoningText.text ?? '';
        reasoning += t;
        const tb: ThinkingBlock = { type: 'thinking', thinking: t };
        if (rc.reasoningText.signature !== undefined) tb.signature = rc.reasoningText.signature;
        thinking.push(tb);
      } else if (typeof rc.redactedContent === 'string') {
        thinking.push({ type: 'redacted_thinking', data: rc.redactedContent });
      }
    }
    // Other blocks (citationsContent, guardContent, …) have no canonical form yet.
  }
  const message: AssistantMessage = {
    role: 'assistant',
    content: text === '' && toolCalls.length ? null : text,
  };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (thinking.length) {
    message.reasoning_content = reasoning;
    message.thinking_blocks = thinking;
  }
  const completion: ChatCompletion = {
    id: env.newId('chatcmpl'),
    object: 'chat.completion',
    created: Math.floor(env.now() / 1000),
    model: target.model,
    choices: [{ index: 0, message, finish_reason: finishReason(res.stopReason), logprobs: null }],
  };
  if (isObj(res.usage)) completion.usage = toUsage(res.usage);
  return completion;
}
