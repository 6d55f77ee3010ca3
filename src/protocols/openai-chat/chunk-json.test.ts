import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatChunk } from '../../core/types.js';
import { ChunkSerializer } from './chunk-json.js';

const base = (delta: Record<string, unknown>, finish: unknown = null, over: Record<string, unknown> = {}): ChatChunk =>
  ({
    id: 'msg_01',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'claude-sonnet-4-5',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...over,
  }) as ChatChunk;

// Shapes the fast path builds, and shapes it must hand to JSON.stringify; each is checked
// against JSON.stringify byte for byte, through one serializer in order (its cached head
// carries over from chunk to chunk, as in a stream).
const chunks: ChatChunk[] = [
  base({ role: 'assistant' }),
  base({ content: 'Hello' }),
  base({ content: 'quote " backslash \\ newline \n tab \t nul \u0000 emoji 🦀 lone \ud800 ’' }),
  base({ content: '' }),
  base({ content: null }),
  base({ reasoning_content: 'thinking…' }),
  base({ tool_calls: [{ index: 0, id: 'toolu_1', type: 'function', function: { name: 'get', arguments: '' } }] }),
  base({ tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }),
  base({ content: 'x', refusal: null }),
  base({}, 'stop'),
  base({}, 'tool_calls'),
  base({}, 'length'),
  // The head changes mid-stream: a new id, model or created time.
  base({ content: 'a' }, null, { id: 'chatcmpl-2' }),
  base({ content: 'b' }, null, { id: 'chatcmpl-2', model: 'gpt-4o-mini' }),
  base({ content: 'c' }, null, { id: 'chatcmpl-2', model: 'gpt-4o-mini', created: 0 }),
  base({ content: 'd' }, null, { id: 'id with "quotes"', model: 'm\\n' }),
  // Shapes for JSON.stringify.
  base({ content: 'u' }, null, { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }),
  base({ content: 'u' }, null, { usage: undefined }),
  base({ content: 'u' }, null, { system_fingerprint: 'fp_1' }),
  base({ content: 'u' }, undefined),
  base({ content: undefined }),
  base({ content: 'e' }, { odd: true }),
  base({ content: 'n' }, null, { created: Number.NaN }),
  { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [] } as ChatChunk,
  {
    id: 'x',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [
      { index: 0, delta: { content: 'a' }, finish_reason: null },
      { index: 1, delta: { content: 'b' }, finish_reason: null },
    ],
  } as ChatChunk,
  { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 1, delta: { content: 'a' }, finish_reason: null }] } as ChatChunk,
  { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'a' }, logprobs: null, finish_reason: null }] } as ChatChunk,
  { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, finish_reason: 'stop', delta: {} }] } as unknown as ChatChunk,
  { object: 'chat.completion.chunk', id: 'x', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: null }] } as ChatChunk,
  { id: 7, object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: null }] } as unknown as ChatChunk,
  { id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: undefined, finish_reason: null }] } as unknown as ChatChunk,
  base({ content: 'last' }),
];

test('every chunk serializes exactly as JSON.stringify does', () => {
  const s = new ChunkSerializer();
  for (const [i, c] of chunks.entries()) assert.equal(s.json(c), JSON.stringify(c), `chunk ${i}`);
});

test('the cached head follows the stream: the same chunks in reverse order give the same JSON', () => {
  const s = new ChunkSerializer();
  for (const c of [...chunks].reverse()) assert.equal(s.json(c), JSON.stringify(c));
});

test('the output parses back to the chunk', () => {
  const s = new ChunkSerializer();
  const c = base({ content: 'héllo "world"' }, 'stop');
  assert.deepEqual(JSON.parse(s.json(c)), c);
});
