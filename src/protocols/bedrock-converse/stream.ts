/**
 * ConverseStream events (decoded by core/eventstream.ts) to canonical chunks, in OpenAI order:
 * role chunk, content / reasoning / tool-call deltas, one finish chunk, then one usage chunk.
 *
 * Bedrock sends `metadata` (the usage) AFTER `messageStop`, so the finish chunk goes out when
 * messageStop arrives and the usage chunk when metadata does; should metadata come first (as in
 * some hand-written transcripts) the usage is held and follows the finish chunk. Text blocks
 * have no contentBlockStart; tool blocks do, and only they count toward tool_call indices, so a
 * text block at contentBlockIndex 0 and tools at 1 and 2 give tool_calls 0 and 1.
 *
 * An exception frame (`:message-type: exception`, e.g. throttlingException after the 200) is
 * one final `{error}`, never a quiet end; so is a stream that ends before messageStop.
 */
import { GatewayError } from '../../core/errors.js';
import type { AdapterEnv, ChatChunk, ChunkDelta, EventStreamMessage, SSEEvent, StreamOutput, Usage } from '../../core/types.js';
import type { StreamTranslator, UpstreamTarget } from '../types.js';
import { streamException } from './errors.js';
import { finishReason, toUsage } from './response.js';
import type {
  ContentBlockDeltaEvent,
  ContentBlockStartEvent,
  ContentBlockStopEvent,
  MessageStopEvent,
  MetadataEvent,
} from './wire.js';

interface ToolState {
  index: number;
  sawArguments: boolean;
  open: boolean;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function chatStream(target: UpstreamTarget, env: AdapterEnv): StreamTranslator {
  const id = env.newId('chatcmpl');
  const created = Math.floor(env.now() / 1000);
  const model = target.model;
  let roleSent = false;
  let finishSent = false;
  let usageSent = false;
  let heldUsage: Usage | null = null;
  let failed = false;
  const tools = new Map<number, ToolState>();
  let nextTool = 0;

  const chunk = (delta: ChunkDelta, finish: string | null = null): StreamOutput => ({
    chunk: { id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] },
  });
  const usageChunk = (usage: Usage): StreamOutput => {
    usageSent = true;
    const c: ChatChunk = { id, object: 'chat.completion.chunk', created, model, choices: [], usage };
    return { chunk: c };
  };
  const role = (out: StreamOutput[]): void => {
    if (roleSent) return;
    roleSent = true;
    out.push(chunk({ role: 'assistant', content: '' }));
  };
  const toolFor = (blockIndex: number, out: StreamOutput[]): ToolState => {
    let t = tools.get(blockIndex);
    if (!t) {
      // A toolUse delta without its contentBlockStart: still one tool call, with an id of ours.
      t = { index: nextTool++, sawArguments: false, open: true };
      tools.set(blockIndex, t);
      out.push(chunk({ tool_calls: [{ index: t.index, id: env.newId('call'), type: 'function', function: { name: '', arguments: '' } }] }));
    }
    return t;
  };
  /** A tool call whose input never streamed still has to parse: it gets `{}`. */
  const closeTool = (t: ToolState, out: StreamOutput[]): void => {
    if (!t.open) return;
    t.open = false;
    if (!t.sawArguments) out.push(chunk({ tool_calls: [{ index: t.index, function: { arguments: '{}' } }] }));
  };

  function onEvent(name: string, payload: unknown, out: StreamOutput[]): void {
    const p = isObj(payload) ? payload : {};
    switch (name) {
      case 'messageStart':
        role(out);
        return;
      case 'contentBlockStart': {
        const ev = p as ContentBlockStartEvent;
        const tu = ev.start?.toolUse;
        if (!tu) return;
        role(out);
        const t: ToolState = { index: nextTool++, sawArguments: false, open: true };
        tools.set(ev.contentBlockIndex ?? -1, t);
        out.push(
          chunk({
            tool_calls: [
              { index: t.index, id: tu.toolUseId ?? env.newId('call'), type: 'function', function: { name: tu.name ?? '', arguments: '' } },
            ],
          }),
        );
        return;
      }
      case 'contentBlockDelta': {
        const ev = p as ContentBlockDeltaEvent;
        const d = ev.delta;
        if (!d) return;
        if (typeof d.text === 'string') {
          if (d.text === '') return;
          role(out);
          out.push(chunk({ content: d.text }));
        } else if (d.toolUse) {
          role(out);
          const t = toolFor(ev.contentBlockIndex ?? -1, out);
          const frag = d.toolUse.input;
          if (typeof frag === 'string' && frag !== '') {
            t.sawArguments = true;
            out.push(chunk({ tool_calls: [{ index: t.index, function: { arguments: frag } }] }));
          }
        } else if (d.reasoningContent) {
          const rc = d.reasoningContent;
          if (typeof rc.text === 'string' && rc.text !== '') {
            role(out);
            out.push(chunk({ reasoning_content: rc.text }));
          }
          if (typeof rc.signature === 'string' && rc.signature !== '') {
            role(out);
            out.push(chunk({ thinking_signature: rc.signature }));
          }
          if (typeof rc.redactedContent === 'string' && rc.redactedContent !== '') {
            role(out);
            out.push(chunk({ redacted_thinking: rc.redactedContent }));
          }
        }
        return;
      }
      case 'contentBlockStop': {
        const t = tools.get((p as ContentBlockStopEvent).contentBlockIndex ?? -1);
        if (t) closeTool(t, out);
        return;
      }
      case 'messageStop': {
        if (finishSent) return;
        role(out);
        for (const t of tools.values()) closeTool(t, out);
        finishSent = true;
        out.push(chunk({}, finishReason((p as MessageStopEvent).stopReason)));
        if (heldUsage && !usageSent) out.push(usageChunk(heldUsage));
        return;
      }
      case 'metadata': {
        const u = (p as MetadataEvent).usage;
        if (!isObj(u) || usageSent) return;
        const usage = toUsage(u);
        if (finishSent) out.push(usageChunk(usage));
        else heldUsage = usage;
        return;
      }
      default:
        // Unknown events (new Bedrock features) are skipped rather than failing the stream.
        return;
    }
  }

  return {
    push(event: SSEEvent | EventStreamMessage): StreamOutput[] {
      if (failed) return [];
      if (!('messageType' in event)) {
        failed = true;
        return [{ error: new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'Bedrock ConverseStream expects AWS event-stream messages, got an SSE event') }];
      }
      if (event.messageType === 'exception' || event.messageType === 'error') {
        failed = true;
        return [{ error: streamException(event.eventType, event.payload) }];
      }
      const out: StreamOutput[] = [];
      onEvent(event.eventType, event.payload, out);
      return out;
    },
    end(): StreamOutput[] {
      if (failed || finishSent) return [];
      failed = true;
      const out: StreamOutput[] = [];
      // Usage already reported is still billed, then the cut stream is an error, not a clean end.
      if (heldUsage && !usageSent) out.push(usageChunk(heldUsage));
      out.push({ error: new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'Bedrock ConverseStream ended before messageStop') });
      return out;
    },
  };
}
