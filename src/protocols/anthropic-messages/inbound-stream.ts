/**
 * Canonical chunks → Anthropic's SSE event sequence, for /v1/messages clients on a translated
 * path:
 *
 *   message_start → (content_block_start, content_block_delta…, content_block_stop)… →
 *   message_delta (stop_reason + usage) → message_stop
 *
 * - One block at a time, numbered from 0: a block opens when the delta kind changes (thinking,
 *   text, or a tool call with a new index or id) and the previous one is closed first, so blocks
 *   never overlap. Thinking streams thinking_delta then signature_delta; tool calls stream
 *   input_json_delta fragments in order. Empty deltas produce nothing.
 * - The finish chunk closes the open block, but message_delta is held until the usage chunk
 *   (OpenAI sends it after the finish) or end(): Anthropic clients read the final usage there.
 *   Usage is always sent, whatever `includeUsage` says: it is part of this protocol.
 * - Every frame has its `event:` line, named as its payload's `type`.
 */
import { anthropicErrorBody, type GatewayError } from '../../core/errors.js';
import { encodeSSE } from '../../core/sse.js';
import type { AdapterEnv, ChatChunk, FinishReason, Usage } from '../../core/types.js';
import type { StreamEncoder } from '../types.js';
import { messageId, stopReason } from './inbound-response.js';
import { canonicalToWireUsage } from './usage.js';

type Block = { kind: 'text' } | { kind: 'thinking' } | { kind: 'tool'; toolIndex: number; id: string };

function frame(payload: { type: string; [k: string]: unknown }): string {
  return encodeSSE(JSON.stringify(payload), payload.type);
}

export function createAnthropicStreamEncoder(requestedModel: string, env: AdapterEnv): StreamEncoder {
  let started = false;
  let ended = false;
  let deltaSent = false;
  let nextIndex = 0;
  let current: (Block & { index: number }) | null = null;
  let finish: FinishReason | null | undefined;
  let finishSeen = false;
  let stopSequence: unknown;
  let usage: Usage | undefined;
  let toolSeen = false;
  let refusalSeen = false;
  let textSeen = false;

  const start = (chunk: ChatChunk | undefined): string => {
    started = true;
    const u = canonicalToWireUsage(chunk?.usage ?? undefined);
    return frame({
      type: 'message_start',
      message: {
        id: messageId(chunk?.id, env),
        type: 'message',
        role: 'assistant',
        model: requestedModel,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...u, output_tokens: 0 },
      },
    });
  };

  const close = (): string => {
    if (!current) return '';
    const out = frame({ type: 'content_block_stop', index: current.index });
    current = null;
    return out;
  };

  const open = (block: Block, contentBlock: Record<string, unknown>): string => {
    let out = close();
    current = { ...block, index: nextIndex++ };
    out += frame({ type: 'content_block_start', index: current.index, content_block: contentBlock });
    return out;
  };

  const ensure = (kind: 'text' | 'thinking'): string => {
    if (current?.kind === kind) return '';
    return kind === 'text'
      ? open({ kind: 'text' }, { type: 'text', text: '' })
      : open({ kind: 'thinking' }, { type: 'thinking', thinking: '', signature: '' });
  };

  const delta = (d: Record<string, unknown>): string => frame({ type: 'content_block_delta', index: current?.index ?? 0, delta: d });
  // The frame most streams are made of, written out: what frame() gives, without JSON.stringify
  // walking three objects per token (see openai-chat/chunk-json.ts on its cost).
  const textDelta = (text: string): string =>
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":${current?.index ?? 0},"delta":{"type":"text_delta","text":${JSON.stringify(text)}}}\n\n`;

  const messageDelta = (): string => {
    deltaSent = true;
    const reason = stopReason(finish, toolSeen, refusalSeen && !textSeen, stopSequence);
    const u = usage ? canonicalToWireUsage(usage) : { output_tokens: 0 };
    return frame({
      type: 'message_delta',
      delta: { stop_reason: reason, stop_sequence: reason === 'stop_sequence' && typeof stopSequence === 'string' ? stopSequence : null },
      usage: u,
    });
  };

  return {
    push(chunk: ChatChunk): string {
      if (ended) return '';
      let out = started ? '' : start(chunk);
      const choice = chunk.choices.find((c) => c.index === 0) ?? (chunk.choices.length === 1 ? chunk.choices[0] : undefined);
      if (choice) {
        const d = choice.delta ?? {};
        if (typeof d.reasoning_content === 'string' && d.reasoning_content !== '') {
          out += ensure('thinking') + delta({ type: 'thinking_delta', thinking: d.reasoning_content });
        }
        if (typeof d.thinking_signature === 'string' && d.thinking_signature !== '') {
          out += ensure('thinking') + delta({ type: 'signature_delta', signature: d.thinking_signature });
        }
        if (typeof d.redacted_thinking === 'string' && d.redacted_thinking !== '') {
          out += open({ kind: 'thinking' }, { type: 'redacted_thinking', data: d.redacted_thinking }) + close();
        }
        if (typeof d.content === 'string' && d.content !== '') {
          textSeen = true;
          out += ensure('text') + textDelta(d.content);
        }
        if (typeof d.refusal === 'string' && d.refusal !== '') {
          refusalSeen = true;
          out += ensure('text') + textDelta(d.refusal);
        }
        for (const tc of d.tool_calls ?? []) {
          const idx = typeof tc.index === 'number' ? tc.index : 0;
          const sameBlock = current?.kind === 'tool' && current.toolIndex === idx && (tc.id === undefined || tc.id === current.id);
          if (!sameBlock) {
            const id = typeof tc.id === 'string' && tc.id !== '' ? tc.id : env.newId('toolu_');
            toolSeen = true;
            out += open({ kind: 'tool', toolIndex: idx, id }, { type: 'tool_use', id, name: tc.function?.name ?? '', input: {} });
          }
          const args = tc.function?.arguments;
          if (typeof args === 'string' && args !== '') out += delta({ type: 'input_json_delta', partial_json: args });
        }
        if (choice.finish_reason !== null && choice.finish_reason !== undefined && !finishSeen) {
          finishSeen = true;
          finish = choice.finish_reason;
          stopSequence = choice['stop_sequence'];
          out += close();
        }
      }
      if (chunk.usage) usage = chunk.usage;
      if (finishSeen && usage && !deltaSent) out += messageDelta();
      return out;
    },
    error(err: GatewayError): string {
      ended = true;
      return frame(anthropicErrorBody(err));
    },
    end(): string {
      if (ended) return '';
      ended = true;
      let out = started ? '' : start(undefined);
      out += close();
      if (!deltaSent) out += messageDelta();
      return out + frame({ type: 'message_stop' });
    },
    keepAlive(): string {
      return frame({ type: 'ping' });
    },
  };
}
