/**
 * Anthropic message → canonical chat.completion.
 *
 * - text blocks are concatenated into `content`; `content` is null when the turn holds only
 *   tool calls.
 * - thinking blocks → `reasoning_content` (concatenated) and `thinking_blocks` with their
 *   signatures; redacted_thinking is kept in `thinking_blocks` (its data is needed to replay).
 * - tool_use → tool_calls with `arguments = JSON.stringify(input)`.
 * - Server-tool blocks (server_tool_use, web_search_tool_result…) and citations have no OpenAI
 *   form and are dropped here, on purpose: Anthropic clients that need them use passthrough.
 * - stop reasons: see `finishReason`. A matched stop sequence is kept as `stop_sequence` on the
 *   choice (an extension) so the /v1/messages inbound can answer `stop_sequence` again.
 * - `id` is Anthropic's message id; `created` comes from env.now() (milliseconds).
 */
import { GatewayError } from '../../core/errors.js';
import type { AdapterEnv, AssistantMessage, ChatCompletion, ThinkingBlock, ToolCall } from '../../core/types.js';
import type { UpstreamTarget } from '../types.js';
import { wireUsageToCanonical } from './usage.js';
import { isObject, type WireUsage, thinkingBlockOf } from './wire.js';

/**
 * end_turn and stop_sequence → stop; max_tokens and model_context_window_exceeded → length;
 * tool_use → tool_calls; refusal → content_filter; pause_turn (a server-tool loop paused, the
 * client may resend to continue) → stop, since OpenAI has no "paused". Anything else passes as is.
 */
export function finishReason(stop: unknown): string | null {
  switch (stop) {
    case null:
    case undefined:
      return null;
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return typeof stop === 'string' ? stop : null;
  }
}

export function createdSeconds(env: AdapterEnv): number {
  return Math.floor(env.now() / 1000);
}

export function anthropicChatResponse(body: unknown, target: UpstreamTarget, env: AdapterEnv): ChatCompletion {
  if (!isObject(body) || !Array.isArray(body['content'])) {
    throw new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'the upstream answer is not an Anthropic message (no content array)');
  }
  let text = '';
  let hasText = false;
  let reasoning = '';
  const thinking: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  for (const b of body['content']) {
    if (!isObject(b)) continue;
    switch (b['type']) {
      case 'text':
        if (typeof b['text'] === 'string') {
          text += b['text'];
          hasText = true;
        }
        break;
      case 'thinking':
      case 'redacted_thinking': {
        const tb = thinkingBlockOf(b);
        if (tb) thinking.push(tb);
        if (tb?.type === 'thinking') reasoning += tb.thinking ?? '';
        break;
      }
      case 'tool_use':
        toolCalls.push({
          id: String(b['id'] ?? ''),
          type: 'function',
          function: { name: String(b['name'] ?? ''), arguments: JSON.stringify(isObject(b['input']) ? b['input'] : {}) },
        });
        break;
      default:
        break; // server-tool blocks: see the header comment
    }
  }
  const message: AssistantMessage = {
    role: 'assistant',
    content: hasText || toolCalls.length === 0 ? text : null,
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (thinking.length > 0) {
    message.reasoning_content = reasoning;
    message.thinking_blocks = thinking;
  }
  const choice: ChatCompletion['choices'][number] = {
    index: 0,
    message,
    finish_reason: finishReason(body['stop_reason']) ?? 'stop',
    logprobs: null,
  };
  if (typeof body['stop_sequence'] === 'string') choice['stop_sequence'] = body['stop_sequence'];
  return {
    id: typeof body['id'] === 'string' ? body['id'] : env.newId('msg_'),
    object: 'chat.completion',
    created: createdSeconds(env),
    model: typeof body['model'] === 'string' ? body['model'] : target.model,
    choices: [choice],
    usage: wireUsageToCanonical(isObject(body['usage']) ? (body['usage'] as WireUsage) : undefined),
  };
}
