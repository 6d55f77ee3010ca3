/**
 * Shared test helpers for this folder: recorded transcripts → events → canonical outputs. Named
 * `.test.ts` so it may read fixtures (protocol code may not); it declares no tests itself.
 */
import assert from 'node:assert/strict';
import { SSEDecoder } from '../../core/sse.js';
import type { AdapterEnv, ChatChunk, SSEEvent, StreamOutput, ToolCallDelta } from '../../core/types.js';
import { readFixture, readFixtureText } from '../../testing/fixtures.js';
import type { UpstreamTarget } from '../types.js';
import { anthropicChatStream } from './stream.js';
import type { GatewayError } from '../../core/errors.js';

export const NOW_MS = 1_700_000_000_123;

export function testEnv(): AdapterEnv {
  let n = 0;
  return { now: () => NOW_MS, newId: (prefix: string) => `${prefix}gen${++n}` };
}

export const target: UpstreamTarget = {
  provider: 'claude',
  kind: 'anthropic',
  baseUrl: 'https://api.anthropic.com/v1',
  apiKey: 'sk-ant-api03-test',
  model: 'claude-sonnet-4-5',
};

export function decodeSSE(text: string | Buffer): SSEEvent[] {
  const dec = new SSEDecoder();
  return [...dec.push(Buffer.from(text)), ...dec.end()];
}

/** A transcript as the SSE events the upstream sent: `.jsonl` lines get `event` = payload type. */
export function fixtureEvents(rel: string): SSEEvent[] {
  if (rel.endsWith('.sse.txt')) return decodeSSE(readFixture(rel));
  return readFixtureText(rel)
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => ({ event: (JSON.parse(line) as { type: string }).type, data: line }));
}

export function translate(events: SSEEvent[], env: AdapterEnv = testEnv()): StreamOutput[] {
  const t = anthropicChatStream(target, env);
  return [...events.flatMap((e) => t.push(e)), ...t.end()];
}

export interface Summary {
  chunks: ChatChunk[];
  errors: GatewayError[];
  content: string;
  reasoning: string;
  signature: string;
  tools: Array<{ id?: string; name?: string; fragments: string[]; args: string }>;
  finishes: Array<string | null>;
}

export function summarize(outputs: StreamOutput[]): Summary {
  const s: Summary = { chunks: [], errors: [], content: '', reasoning: '', signature: '', tools: [], finishes: [] };
  for (const o of outputs) {
    if ('error' in o) {
      s.errors.push(o.error);
      continue;
    }
    const c = o.chunk;
    s.chunks.push(c);
    for (const ch of c.choices) {
      const d = ch.delta;
      if (typeof d.content === 'string') s.content += d.content;
      if (typeof d.reasoning_content === 'string') s.reasoning += d.reasoning_content;
      if (typeof d.thinking_signature === 'string') s.signature += d.thinking_signature;
      for (const tc of (d.tool_calls ?? []) as ToolCallDelta[]) {
        const t = (s.tools[tc.index] ??= { fragments: [], args: '' });
        if (tc.id !== undefined) t.id = tc.id;
        if (tc.function?.name !== undefined) t.name = tc.function.name;
        const a = tc.function?.arguments;
        if (typeof a === 'string') {
          if (a !== '') t.fragments.push(a);
          t.args += a;
        }
      }
      if (ch.finish_reason !== null) s.finishes.push(ch.finish_reason);
    }
  }
  return s;
}

/** OpenAI stream order: role first, no empty chunk, one finish, usage (if any) last with no choices. */
export function assertOpenAIOrder(s: Summary): void {
  const first = s.chunks[0];
  assert.ok(first, 'at least one chunk');
  assert.equal(first.choices[0]?.delta.role, 'assistant');
  assert.equal(s.chunks.filter((c) => c.choices[0]?.delta.role !== undefined).length, 1, 'one role chunk');
  assert.equal(s.finishes.length, 1, 'exactly one finish chunk');
  const finishAt = s.chunks.findIndex((c) => c.choices[0]?.finish_reason != null);
  const after = s.chunks.slice(finishAt + 1);
  assert.ok(after.length <= 1, 'at most the usage chunk follows the finish');
  for (const c of after) {
    assert.deepEqual(c.choices, []);
    assert.ok(c.usage);
  }
  for (const c of s.chunks) {
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.id, first.id, 'one id for all chunks');
    assert.equal(c.created, first.created);
    if (c.choices.length === 0) continue;
    const ch = c.choices[0]!;
    const d = ch.delta;
    const meaningful =
      d.role !== undefined ||
      (typeof d.content === 'string' && d.content !== '') ||
      (typeof d.reasoning_content === 'string' && d.reasoning_content !== '') ||
      (typeof d.thinking_signature === 'string' && d.thinking_signature !== '') ||
      (d.tool_calls?.length ?? 0) > 0 ||
      ch.finish_reason !== null;
    assert.ok(meaningful, `no empty chunk: ${JSON.stringify(c)}`);
    if (d.content !== undefined) assert.notEqual(d.content, '');
  }
}
