/**
 * What the simulator saw: requests per route, client aborts, injected faults, and the last
 * request per route (for tests that check what the gateway sent upstream). Counting is a few
 * integer increments and one reference kept per request; copies are made only by snapshot().
 */
import type { IncomingHttpHeaders } from 'node:http';

export type SimRoute =
  | 'chat.completions'
  | 'completions'
  | 'embeddings'
  | 'images.generations'
  | 'audio.speech'
  | 'audio.transcriptions'
  | 'models'
  | 'messages'
  | 'messages.count_tokens'
  | 'gemini.generateContent'
  | 'gemini.streamGenerateContent'
  | 'gemini.countTokens'
  | 'gemini.models'
  | 'bedrock.converse'
  | 'bedrock.converse-stream'
  | 'not_found';

export interface LastRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  body: string;
  /** Bytes received (for uploads, this is the count the transcription route reports). */
  bytes: number;
  /** How many chunks the body arrived in. */
  bodyChunks: number;
}

export interface InjectedCounts {
  errors: number;
  resets: number;
  drops: number;
  malformed: number;
}

export interface SimulatorStats {
  total: number;
  requests: Partial<Record<SimRoute, number>>;
  /** Responses the client went away from before their end (not counting resets and drops we made). */
  aborted: number;
  /** Responses completed in full. */
  completed: number;
  injected: InjectedCounts;
  last: Partial<Record<SimRoute, LastRequest>>;
}

interface RawLast {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  bodyChunks: number;
}

export class StatsRecorder {
  total = 0;
  aborted = 0;
  completed = 0;
  readonly injected: InjectedCounts = { errors: 0, resets: 0, drops: 0, malformed: 0 };
  private readonly requests = new Map<SimRoute, number>();
  private readonly last = new Map<SimRoute, RawLast>();

  request(route: SimRoute): void {
    this.total++;
    this.requests.set(route, (this.requests.get(route) ?? 0) + 1);
  }

  body(route: SimRoute, raw: RawLast): void {
    this.last.set(route, raw);
  }

  snapshot(): SimulatorStats {
    const requests: Partial<Record<SimRoute, number>> = {};
    for (const [k, v] of this.requests) requests[k] = v;
    const last: Partial<Record<SimRoute, LastRequest>> = {};
    for (const [k, v] of this.last) {
      last[k] = { method: v.method, url: v.url, headers: { ...v.headers }, body: v.body.toString('utf8'), bytes: v.body.length, bodyChunks: v.bodyChunks };
    }
    return { total: this.total, requests, aborted: this.aborted, completed: this.completed, injected: { ...this.injected }, last };
  }
}
