/**
 * Canonical completion → an Anthropic message for a /v1/messages client.
 *
 * Content order is Anthropic's: thinking blocks (with signatures), then text, then tool_use.
 * Stop reasons: stop → end_turn (stop_sequence when the matched sequence is known), length →
 * max_tokens, tool_calls → tool_use, content_filter → refusal. A turn that carries tool calls is
 * answered `tool_use` whatever the upstream said (some providers report `stop` with tool
 * calls; an Anthropic client would then never run its tools). An OpenAI `refusal` becomes the
 * text and stop_reason `refusal`.
 */
import type { AdapterEnv, ChatCompletion, FinishReason } from '../../core/types.js';
import { canonicalToWireUsage } from './usage.js';
import { isObject, type WireContentBlock, type WireResponse } from './wire.js';

export function messageId(id: unknown, env: AdapterEnv): string {
  return typeof id === 'string' && id.startsWith('msg_') ? id : env.newId('msg_');
}

export function stopReason(finish: FinishReason | null | undefined, hasToolCalls: boolean, refused: boolean, stopSequence?: unknown): string {
  if (hasToolCalls && (finish === 'stop' || finish === 'tool_calls' || finish === 'function_call' || finish == null)) return 'tool_use';
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    case 'stop':
    case null:
    case undefined:
      if (refused) return 'refusal';
      return typeof stopSequence === 'string' ? 'stop_sequence' : 'end_turn';
    default:
      return finish;
  }
}

/** Tool arguments → an Anthropic `input` object; `{}` when they do not parse to an object. */
export function parseToolInput(args: unknown): Record<string, unknown> {
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(args);
    return isObject(v) ? v : {};
  } catch {
    return {};
  }
}

export function renderAnthropicResponse(completion: ChatCompletion, requestedModel: string, env: AdapterEnv): WireResponse {
  const choice = completion.choices[0];
  const msg = choice?.message;
  const content: WireContentBlock[] = [];
  for (const tb of msg?.thinking_blocks ?? []) {
    if (tb.type === 'redacted_thinking') content.push({ type: 'redacted_thinking', data: tb.data ?? '' });
    else content.push({ type: 'thinking', thinking: tb.thinking ?? '', signature: tb.signature ?? '' });
  }
  if (content.length === 0 && typeof msg?.reasoning_content === 'string' && msg.reasoning_content !== '') {
    // Reasoning from a provider without signatures: shown, though Anthropic itself would not take it back.
    content.push({ type: 'thinking', thinking: msg.reasoning_content, signature: '' });
  }
  const refusal = typeof msg?.refusal === 'string' && msg.refusal !== '' ? msg.refusal : undefined;
  const text = typeof msg?.content === 'string' ? msg.content : '';
  if (text !== '') content.push({ type: 'text', text });
  else if (refusal !== undefined) content.push({ type: 'text', text: refusal });
  const toolCalls = msg?.tool_calls ?? [];
  for (const tc of toolCalls) {
    content.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseToolInput(tc.function.arguments) });
  }
  const stopSeq = choice?.['stop_sequence'];
  const reason = stopReason(choice?.finish_reason, toolCalls.length > 0, refusal !== undefined && text === '', stopSeq);
  return {
    id: messageId(completion.id, env),
    type: 'message',
    role: 'assistant',
    model: requestedModel,
    content,
    stop_reason: reason,
    stop_sequence: reason === 'stop_sequence' && typeof stopSeq === 'string' ? stopSeq : null,
    usage: canonicalToWireUsage(completion.usage),
  };
}
