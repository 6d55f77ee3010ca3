/**
 * What an Anthropic client saw in a Messages stream, and the event order every stream the
 * gateway serves on `/v1/messages` must follow: message_start first; content blocks one at a
 * time, numbered from 0 (start, deltas of that index, stop); one message_delta; message_stop
 * last; no empty text delta.
 */
import assert from 'node:assert/strict';
import type Anthropic from '@anthropic-ai/sdk';

export type StreamEvent = Anthropic.Messages.RawMessageStreamEvent;

export async function collectEvents(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

export interface BlockSeen {
  type: string;
  text: string;
  thinking: string;
  signature: string;
  id?: string;
  name?: string;
  /** input_json_delta fragments in order. */
  fragments: string[];
  /** The tool input: the fragments parsed, or {} when none came. */
  input?: unknown;
}

export interface MessageSeen {
  blocks: BlockSeen[];
  stopReason: string | null | undefined;
  /** message_start usage overlaid with message_delta usage (later counters win). */
  usage: Record<string, unknown>;
}

/** Builds the message from raw events, as the protocol defines it (independent of the SDK's own accumulator). */
export function accumulate(events: StreamEvent[]): MessageSeen {
  const m: MessageSeen = { blocks: [], stopReason: undefined, usage: {} };
  for (const e of events) {
    if (e.type === 'message_start') Object.assign(m.usage, e.message.usage ?? {});
    if (e.type === 'message_delta') {
      m.stopReason = e.delta.stop_reason;
      for (const [k, v] of Object.entries(e.usage ?? {})) if (v !== null && v !== undefined) m.usage[k] = v;
    }
    if (e.type === 'content_block_start') {
      const cb = e.content_block as unknown as Record<string, unknown>;
      m.blocks[e.index] = {
        type: String(cb['type']),
        text: typeof cb['text'] === 'string' ? cb['text'] : '',
        thinking: typeof cb['thinking'] === 'string' ? cb['thinking'] : '',
        signature: typeof cb['signature'] === 'string' ? cb['signature'] : '',
        ...(typeof cb['id'] === 'string' ? { id: cb['id'] } : {}),
        ...(typeof cb['name'] === 'string' ? { name: cb['name'] } : {}),
        fragments: [],
      };
    }
    if (e.type === 'content_block_delta') {
      const b = m.blocks[e.index];
      assert.ok(b, `a delta for block ${e.index} comes after its start`);
      const d = e.delta;
      if (d.type === 'text_delta') b.text += d.text;
      if (d.type === 'thinking_delta') b.thinking += d.thinking;
      if (d.type === 'signature_delta') b.signature += d.signature;
      if (d.type === 'input_json_delta') b.fragments.push(d.partial_json);
    }
  }
  for (const b of m.blocks) {
    if (b.type === 'tool_use') {
      const json = b.fragments.join('');
      b.input = json.trim() === '' ? {} : (JSON.parse(json) as unknown);
    }
  }
  return m;
}

export function assertAnthropicOrder(events: StreamEvent[]): void {
  assert.ok(events.length >= 3, 'a stream has at least message_start, message_delta and message_stop');
  assert.equal(events[0]?.type, 'message_start', 'message_start first');
  assert.equal(events.at(-1)?.type, 'message_stop', 'message_stop last');
  const deltas = events.flatMap((e, i) => (e.type === 'message_delta' ? [i] : []));
  assert.deepEqual(deltas, [events.length - 2], 'one message_delta, right before message_stop');
  let open: number | null = null;
  let next = 0;
  for (const e of events.slice(1, -2)) {
    if ((e.type as string) === 'ping') continue; // the SDK drops pings; kept here for raw event lists
    if (e.type === 'content_block_start') {
      assert.equal(open, null, 'blocks never overlap');
      assert.equal(e.index, next, 'blocks are numbered from 0 in order');
      open = e.index;
      next++;
    } else if (e.type === 'content_block_delta') {
      assert.equal(e.index, open, 'a delta belongs to the open block');
      if (e.delta.type === 'text_delta') assert.notEqual(e.delta.text, '', 'no empty text delta');
    } else if (e.type === 'content_block_stop') {
      assert.equal(e.index, open, 'the open block is the one stopped');
      open = null;
    } else {
      assert.fail(`unexpected event ${e.type} between message_start and message_delta`);
    }
  }
  assert.equal(open, null, 'every block is stopped before message_delta');
}

/** Event names of raw SSE text, with pings left out and runs of the same name collapsed. */
export function eventShape(names: string[]): string[] {
  const out: string[] = [];
  for (const n of names) if (n !== 'ping' && out.at(-1) !== n) out.push(n);
  return out;
}
