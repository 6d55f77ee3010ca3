/**
 * A programmable loopback upstream for end-to-end tests: a real node:http server that records
 * every request (method, path, headers, raw body) and answers from a per-test handler, in the
 * provider's real wire format (the handlers replay recorded transcripts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  /** True when the client went away before the response ended. */
  aborted: boolean;
}

export type MockHandler = (req: Recorded, res: ServerResponse, n: number) => unknown;

export interface MockUpstream {
  url: string;
  port: number;
  requests: Recorded[];
  /** Replaces the handler for the requests to come. */
  handle(h: MockHandler): void;
  /** Resolves when `n` requests have arrived (or rejects after `ms`). */
  waitFor(n: number, ms?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startMockUpstream(handler: MockHandler = okChat()): Promise<MockUpstream> {
  let h = handler;
  const requests: Recorded[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const rec: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(parts), aborted: false };
      requests.push(rec);
      res.on('close', () => {
        if (!res.writableFinished) rec.aborted = true;
      });
      for (const w of waiters.splice(0)) w();
      void Promise.resolve(h(rec, res, requests.length)).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(e));
      });
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    handle(next) {
      h = next;
    },
    waitFor(n, ms = 5_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`mock upstream: ${requests.length} of ${n} requests after ${ms} ms`)), ms);
        const check = (): void => {
          if (requests.length >= n) {
            clearTimeout(t);
            resolve();
          } else waiters.push(check);
        };
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** A chat completion in OpenAI's shape, echoing the model it was asked for. */
export function chatCompletion(model: string, content: string, usage = { prompt_tokens: 9, completion_tokens: 12, total_tokens: 21 }): Record<string, unknown> {
  return {
    id: 'chatcmpl-mock',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
    usage,
    system_fingerprint: 'fp_mock',
  };
}

export function requestJson(r: Recorded): Record<string, unknown> {
  return JSON.parse(r.body.toString('utf8')) as Record<string, unknown>;
}

/** Answers chat with a fixed reply (streamed when asked, with usage when asked). */
export function okChat(content = 'Hello from the mock.'): MockHandler {
  return (req, res) => {
    if (req.path.endsWith('/models')) return json(res, 200, { object: 'list', data: [{ id: 'mock-a', object: 'model' }, { id: 'mock-b', object: 'model' }] });
    const body = req.body.length ? requestJson(req) : {};
    const model = String(body['model'] ?? 'unknown');
    if (body['stream'] === true) return streamChat(res, model, content.split(/(?<= )/), (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true);
    json(res, 200, chatCompletion(model, content));
  };
}

/** Streams content pieces as OpenAI does: role chunk, deltas, finish chunk, usage chunk (if asked), [DONE]. */
export function streamChat(res: ServerResponse, model: string, pieces: string[], includeUsage: boolean, delayMs = 0): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  const base = { id: 'chatcmpl-mock', object: 'chat.completion.chunk', created: 1_700_000_000, model, system_fingerprint: 'fp_mock' };
  const frames: string[] = [];
  frames.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }] }));
  for (const p of pieces) frames.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: p }, logprobs: null, finish_reason: null }] }));
  frames.push(JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] }));
  if (includeUsage) frames.push(JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 9, completion_tokens: pieces.length, total_tokens: 9 + pieces.length } }));
  frames.push('[DONE]');
  return (async () => {
    for (const f of frames) {
      if (res.destroyed) return;
      res.write(`data: ${f}\n\n`);
      if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    }
    res.end();
  })();
}
