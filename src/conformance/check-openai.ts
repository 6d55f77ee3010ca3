/**
 * What an OpenAI client saw in a stream, and the order rules every stream the gateway serves
 * must follow: the first chunk with a choice opens the assistant role, exactly one finish,
 * the usage chunk (`choices: []`) last and only when the client asked for it, and on
 * translated paths no empty content delta (beyond the role chunk's `content: ''`, as OpenAI
 * itself sends it).
 */
import assert from 'node:assert/strict';
import type OpenAI from 'openai';

export type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

export interface ToolSeen {
  index: number;
  id: string | undefined;
  name: string;
  args: string;
  /** Non-empty argument fragments in arrival order. */
  fragments: string[];
}

export interface StreamSeen {
  chunks: Chunk[];
  text: string;
  refusal: string;
  reasoning: string;
  tools: ToolSeen[];
  finishes: string[];
  usage: OpenAI.CompletionUsage | undefined;
}

export async function collect(stream: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

export function summarise(chunks: Chunk[]): StreamSeen {
  const s: StreamSeen = { chunks, text: '', refusal: '', reasoning: '', tools: [], finishes: [], usage: undefined };
  const tools = new Map<number, ToolSeen>();
  for (const c of chunks) {
    if (c.usage) s.usage = c.usage;
    for (const choice of c.choices) {
      const d = choice.delta as Record<string, unknown> & Chunk['choices'][number]['delta'];
      if (typeof d.content === 'string') s.text += d.content;
      if (typeof d.refusal === 'string') s.refusal += d.refusal;
      if (typeof d['reasoning_content'] === 'string') s.reasoning += d['reasoning_content'];
      for (const tc of d.tool_calls ?? []) {
        const t = tools.get(tc.index) ?? { index: tc.index, id: undefined, name: '', args: '', fragments: [] };
        if (tc.id) t.id = tc.id;
        if (tc.function?.name) t.name += tc.function.name;
        const a = tc.function?.arguments;
        if (typeof a === 'string' && a !== '') {
          t.args += a;
          t.fragments.push(a);
        }
        tools.set(tc.index, t);
      }
      if (choice.finish_reason) s.finishes.push(choice.finish_reason);
    }
  }
  s.tools = [...tools.values()].sort((a, b) => a.index - b.index);
  return s;
}

export interface OrderRules {
  includeUsage: boolean;
  /** A translated stream is built by the gateway: it must hold no empty content delta. */
  translated: boolean;
  /** False for a transcript cut before its finish (a partial capture). */
  expectFinish?: boolean;
}

export function assertOpenAIOrder(chunks: Chunk[], rules: OrderRules): void {
  assert.ok(chunks.length > 0, 'the stream has chunks');
  const first = chunks.find((c) => c.choices.length > 0);
  assert.ok(first, 'some chunk carries a choice');
  assert.equal(first.choices[0]?.delta.role, 'assistant', 'the first chunk with a choice opens the assistant role');
  const finishAt = chunks.flatMap((c, i) => (c.choices.some((ch) => ch.finish_reason) ? [i] : []));
  if (rules.expectFinish === false) assert.equal(finishAt.length, 0, 'a cut stream has no finish');
  else assert.equal(finishAt.length, 1, 'exactly one chunk carries a finish_reason');
  const usageAt = chunks.flatMap((c, i) => (c.usage ? [i] : []));
  if (rules.includeUsage) {
    assert.deepEqual(usageAt, [chunks.length - 1], 'one usage chunk, the last one');
    assert.deepEqual(chunks.at(-1)?.choices, [], 'the usage chunk has no choices');
    assert.ok(finishAt[0]! < usageAt[0]!, 'usage comes after the finish');
  } else {
    assert.deepEqual(usageAt, [], 'no usage reaches a client that did not ask for it');
  }
  if (rules.translated) {
    // OpenAI's own role chunk carries `content: ''`; any other empty content delta is noise.
    const empty = chunks.filter((c) => c.choices.some((ch) => ch.delta.content === '' && ch.delta.role === undefined));
    assert.equal(empty.length, 0, 'no empty content delta');
  }
}
