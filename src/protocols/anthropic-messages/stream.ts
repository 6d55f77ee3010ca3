/**
 * Anthropic stream events → canonical chunks, in exact OpenAI order:
 *   role chunk (on message_start) → content / reasoning / tool-call deltas → ONE finish chunk
 *   (on message_delta) → ONE usage chunk with `choices: []` (on message_stop, or end()).
 *
 * - Tool calls are numbered 0, 1, … over tool_use blocks only (Anthropic's block index counts
 *   text and thinking blocks too). A tool whose input streamed no fragment at all (a tool with
 *   no parameters) gets arguments '{}' when its block stops, so the arguments always parse.
 * - Empty deltas (the '' text of content_block_start, an empty thinking_delta, an empty
 *   partial_json) and pings produce nothing.
 * - Usage: message_start gives input and cache counts, message_delta the output count; a field
 *   message_delta repeats (input_tokens, on some deployments) wins, since both are totals.
 * - An `error` event becomes one `{error}` output and the translator goes quiet. A stream that
 *   ends before message_delta is reported as an error too: the answer was cut short.
 * - Events may come as SSE (data = JSON) or already parsed (a Bedrock InvokeModel chunk payload
 *   has the same shape), so one translator serves both.
 */
import { GatewayError } from '../../core/errors.js';
import type {
  AdapterEnv,
  ChatChunk,
  ChunkDelta,
  EventStreamMessage,
  SSEEvent,
  StreamOutput,
  Usage,
} from '../../core/types.js';
import type { StreamTranslator, UpstreamTarget } from '../types.js';
import { streamEventError } from './errors.js';
import { createdSeconds, finishReason } from './response.js';
import { emptyTotals, mergeUsage, totalsToUsage } from './usage.js';
import { isObject, type WireUsage } from './wire.js';

interface ToolBlock {
  index: number;
  /** Whether any non-empty argument fragment was sent. */
  sentArgs: boolean;
}

export function eventPayload(event: SSEEvent | EventStreamMessage): unknown {
  if ('data' in event && typeof event.data === 'string') {
    return JSON.parse(event.data) as unknown;
  }
  if ('payload' in event) return event.payload;
  return undefined;
}

export function anthropicChatStream(target: UpstreamTarget, env: AdapterEnv): StreamTranslator {
  let id: string | undefined;
  let model = target.model;
  const created = createdSeconds(env);
  let started = false;
  let finished = false;
  let usageSent = false;
  let done = false;
  const totals = emptyTotals();
  const tools = new Map<number, ToolBlock>();
  let nextTool = 0;

  const chunk = (delta: ChunkDelta, finish: string | null = null, extra?: Record<string, unknown>): ChatChunk => {
    if (id === undefined) id = env.newId('msg_');
    return {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, ...extra }],
    };
  };

  const start = (out: StreamOutput[]): void => {
    if (started) return;
    started = true;
    out.push({ chunk: chunk({ role: 'assistant' }) });
  };

  const usageChunk = (out: StreamOutput[]): void => {
    if (usageSent || !totals.seen) return;
    usageSent = true;
    if (id === undefined) id = env.newId('msg_');
    const usage: Usage = totalsToUsage(totals);
    out.push({ chunk: { id, object: 'chat.completion.chunk', created, model, choices: [], usage } });
  };

  const fail = (err: GatewayError): StreamOutput[] => {
    done = true;
    return [{ error: err }];
  };

  const handle = (ev: Record<string, unknown>, out: StreamOutput[]): void => {
    switch (ev['type']) {
      case 'message_start': {
        const msg = isObject(ev['message']) ? ev['message'] : {};
        if (typeof msg['id'] === 'string' && id === undefined) id = msg['id'];
        if (typeof msg['model'] === 'string') model = msg['model'];
        mergeUsage(totals, isObject(msg['usage']) ? (msg['usage'] as WireUsage) : undefined);
        start(out);
        return;
      }
      case 'content_block_start': {
        start(out);
        const block = isObject(ev['content_block']) ? ev['content_block'] : {};
        const blockIndex = typeof ev['index'] === 'number' ? ev['index'] : -1;
        switch (block['type']) {
          case 'text':
            if (typeof block['text'] === 'string' && block['text'] !== '') out.push({ chunk: chunk({ content: block['text'] }) });
            return;
          case 'thinking':
            if (typeof block['thinking'] === 'string' && block['thinking'] !== '') {
              out.push({ chunk: chunk({ reasoning_content: block['thinking'] }) });
            }
            return;
          case 'redacted_thinking':
            if (typeof block['data'] === 'string') out.push({ chunk: chunk({ redacted_thinking: block['data'] }) });
            return;
          case 'tool_use': {
            const t: ToolBlock = { index: nextTool++, sentArgs: false };
            tools.set(blockIndex, t);
            const input = isObject(block['input']) ? block['input'] : {};
            // Streams start tool_use with input {}; a non-empty one (never seen, but legal) is sent whole.
            const args = Object.keys(input).length > 0 ? JSON.stringify(input) : '';
            if (args !== '') t.sentArgs = true;
            out.push({
              chunk: chunk({
                tool_calls: [
                  { index: t.index, id: String(block['id'] ?? ''), type: 'function', function: { name: String(block['name'] ?? ''), arguments: args } },
                ],
              }),
            });
            return;
          }
          default:
            return; // server_tool_use, web_search_tool_result…: no OpenAI form
        }
      }
      case 'content_block_delta': {
        start(out);
        const d = isObject(ev['delta']) ? ev['delta'] : {};
        switch (d['type']) {
          case 'text_delta':
            if (typeof d['text'] === 'string' && d['text'] !== '') out.push({ chunk: chunk({ content: d['text'] }) });
            return;
          case 'thinking_delta':
            if (typeof d['thinking'] === 'string' && d['thinking'] !== '') {
              out.push({ chunk: chunk({ reasoning_content: d['thinking'] }) });
            }
            return;
          case 'signature_delta':
            if (typeof d['signature'] === 'string' && d['signature'] !== '') {
              out.push({ chunk: chunk({ thinking_signature: d['signature'] }) });
            }
            return;
          case 'input_json_delta': {
            const t = tools.get(typeof ev['index'] === 'number' ? ev['index'] : -1);
            if (!t || typeof d['partial_json'] !== 'string' || d['partial_json'] === '') return;
            t.sentArgs = true;
            out.push({ chunk: chunk({ tool_calls: [{ index: t.index, function: { arguments: d['partial_json'] } }] }) });
            return;
          }
          default:
            return; // citations_delta and future kinds
        }
      }
      case 'content_block_stop': {
        const t = tools.get(typeof ev['index'] === 'number' ? ev['index'] : -1);
        if (t && !t.sentArgs) {
          t.sentArgs = true;
          out.push({ chunk: chunk({ tool_calls: [{ index: t.index, function: { arguments: '{}' } }] }) });
        }
        return;
      }
      case 'message_delta': {
        start(out);
        mergeUsage(totals, isObject(ev['usage']) ? (ev['usage'] as WireUsage) : undefined);
        const d = isObject(ev['delta']) ? ev['delta'] : {};
        if (!finished && d['stop_reason'] !== undefined && d['stop_reason'] !== null) {
          finished = true;
          const extra = typeof d['stop_sequence'] === 'string' ? { stop_sequence: d['stop_sequence'] } : undefined;
          out.push({ chunk: chunk({}, finishReason(d['stop_reason']), extra) });
        }
        return;
      }
      case 'message_stop':
        start(out);
        if (!finished) {
          finished = true;
          out.push({ chunk: chunk({}, 'stop') });
        }
        usageChunk(out);
        done = true;
        return;
      default:
        return; // ping and unknown events
    }
  };

  return {
    push(event: SSEEvent | EventStreamMessage): StreamOutput[] {
      if (done) return [];
      let payload: unknown;
      try {
        payload = eventPayload(event);
      } catch {
        return fail(new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'the upstream sent an event that is not JSON'));
      }
      if (!isObject(payload)) return [];
      if (payload['type'] === 'error') return fail(streamEventError(payload));
      const out: StreamOutput[] = [];
      handle(payload, out);
      return out;
    },
    end(): StreamOutput[] {
      if (done) return [];
      done = true;
      if (!finished) {
        return [{ error: new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'the upstream stream ended before the message was complete') }];
      }
      const out: StreamOutput[] = [];
      usageChunk(out);
      return out;
    },
  };
}
