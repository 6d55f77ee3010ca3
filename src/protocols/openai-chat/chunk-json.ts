/**
 * A `chat.completion.chunk` as JSON, byte for byte what `JSON.stringify` gives. Node 20's
 * JSON.stringify takes about 0.8 µs for a one-word chunk, and a translated stream writes one per
 * upstream event; the common shape (one choice with index, delta and finish_reason, nothing
 * else) is built instead from a head cached per stream (id, created and model change at most
 * once) and the delta, in about a third of that. Any other shape goes to JSON.stringify.
 */
import type { ChatChunk } from '../../core/types.js';

const HEAD_KEYS = ['id', 'object', 'created', 'model', 'choices'] as const;
const CHOICE_KEYS = ['index', 'delta', 'finish_reason'] as const;
const TEXT_DELTA_KEYS = ['content'] as const;

function keysAre(o: object, want: readonly string[]): boolean {
  const k = Object.keys(o);
  if (k.length !== want.length) return false;
  for (let i = 0; i < k.length; i++) if (k[i] !== want[i]) return false;
  return true;
}

export class ChunkSerializer {
  private id: unknown;
  private created: unknown;
  private model: unknown;
  /** `{"id":…,"choices":[{"index":0,"delta":` for the id, created and model above. */
  private head = '';

  json(chunk: ChatChunk): string {
    const choices = chunk.choices;
    if (!Array.isArray(choices) || choices.length !== 1 || chunk.object !== 'chat.completion.chunk') return JSON.stringify(chunk);
    const choice = choices[0]!;
    if (choice.index !== 0 || !keysAre(chunk, HEAD_KEYS) || !keysAre(choice, CHOICE_KEYS)) return JSON.stringify(chunk);
    if (chunk.id !== this.id || chunk.created !== this.created || chunk.model !== this.model) {
      if (typeof chunk.id !== 'string' || typeof chunk.model !== 'string' || !Number.isFinite(chunk.created)) {
        return JSON.stringify(chunk);
      }
      this.id = chunk.id;
      this.created = chunk.created;
      this.model = chunk.model;
      this.head = `{"id":${JSON.stringify(chunk.id)},"object":"chat.completion.chunk","created":${JSON.stringify(chunk.created)},"model":${JSON.stringify(chunk.model)},"choices":[{"index":0,"delta":`;
    }
    const d = choice.delta;
    // Most deltas are one piece of text.
    const delta =
      d !== null && typeof d === 'object' && typeof d.content === 'string' && keysAre(d, TEXT_DELTA_KEYS)
        ? `{"content":${JSON.stringify(d.content)}}`
        : JSON.stringify(d);
    if (delta === undefined) return JSON.stringify(chunk);
    const f: unknown = choice.finish_reason;
    if (f === null) return `${this.head}${delta},"finish_reason":null}]}`;
    if (typeof f === 'string') return `${this.head}${delta},"finish_reason":${JSON.stringify(f)}}]}`;
    return JSON.stringify(chunk);
  }
}
