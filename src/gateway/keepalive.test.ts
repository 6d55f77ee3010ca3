/**
 * Keep-alive frames on silent streams, end to end (passthrough and translated, OpenAI and
 * Anthropic clients), the sweeper's own bookkeeping, and how long idle client connections are kept. The silence is shortened to 90 ms.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { startTestGateway } from '../testing/gateway.js';
import { startMockUpstream } from '../testing/mock-upstream.js';
import { KeepAliveSweeper } from './keepalive.js';
import { KEEP_ALIVE_MS } from './server.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const SILENCE_MS = 90;
const PAUSE_MS = 600;

const openaiFrame = (delta: object, extra = ''): string =>
  `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":${JSON.stringify(delta)}${extra}}]}\n\n`;

/** An OpenAI stream that goes silent for PAUSE_MS after its first chunk. */
async function pausingOpenAI(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(openaiFrame({ role: 'assistant', content: 'a' }));
  await sleep(PAUSE_MS);
  res.write(openaiFrame({ content: 'b' }, ',"finish_reason":"stop"'));
  res.end('data: [DONE]\n\n');
}

const anthropicEvent = (type: string, data: object): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** An Anthropic Messages stream that goes silent for PAUSE_MS after its first delta. */
async function pausingAnthropic(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  res.write(
    anthropicEvent('message_start', {
      message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 5, output_tokens: 1 } },
    }) +
      anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
      anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'a' } }),
  );
  await sleep(PAUSE_MS);
  res.end(
    anthropicEvent('content_block_stop', { index: 0 }) +
      anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } }) +
      anthropicEvent('message_stop', {}),
  );
}

/** Reads a whole streamed answer as text. */
async function readStream(url: string, body: object, headers: Record<string, string> = {}): Promise<string> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  assert.equal(r.status, 200);
  return r.text();
}

async function gatewayFor(toml: string): Promise<string> {
  const gw = await startTestGateway(toml, { keepAliveMs: SILENCE_MS });
  cleanups.push(() => gw.close());
  return gw.url;
}

describe('keep-alive frames', () => {
  it('an OpenAI passthrough stream gets SSE comments while the upstream is silent, and only then', async () => {
    const u = await startMockUpstream((_req, res) => pausingOpenAI(res));
    cleanups.push(() => u.close());
    const url = await gatewayFor(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\n`);
    const text = await readStream(`${url}/v1/chat/completions`, { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const first = text.indexOf('"content":"a"');
    const second = text.indexOf('"content":"b"');
    const ka = text.indexOf(': keep-alive\n\n');
    assert.ok(first >= 0 && second > first, text);
    assert.ok(ka > first && ka < second, `a keep-alive comment between the two chunks:\n${text}`);
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });

  it('a translated stream (OpenAI client, Anthropic upstream) gets them too', async () => {
    const u = await startMockUpstream((_req, res) => pausingAnthropic(res));
    cleanups.push(() => u.close());
    const url = await gatewayFor(`[providers.a]\nkind = "anthropic"\nbase_url = "${u.url}/v1"\napi_key = "k"\nmodels = ["claude"]\n`);
    const text = await readStream(`${url}/v1/chat/completions`, { model: 'claude', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const ka = text.indexOf(': keep-alive\n\n');
    assert.ok(ka > text.indexOf('"content":"a"') && ka < text.indexOf('"finish_reason":"stop"'), text);
  });

  it('an Anthropic client gets ping events', async () => {
    const u = await startMockUpstream((_req, res) => pausingAnthropic(res));
    cleanups.push(() => u.close());
    const url = await gatewayFor(`[providers.a]\nkind = "anthropic"\nbase_url = "${u.url}/v1"\napi_key = "k"\nmodels = ["claude"]\n`);
    const text = await readStream(`${url}/v1/messages`, { model: 'claude', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] }, { 'anthropic-version': '2023-06-01' });
    const ping = text.indexOf('event: ping\ndata: {"type":"ping"}\n\n');
    assert.ok(ping > text.indexOf('text_delta') && ping < text.indexOf('message_delta'), text);
  });

  it('a stream that never pauses gets none', async () => {
    const u = await startMockUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(openaiFrame({ role: 'assistant', content: 'a' }) + 'data: [DONE]\n\n');
    });
    cleanups.push(() => u.close());
    const url = await gatewayFor(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\n`);
    const text = await readStream(`${url}/v1/chat/completions`, { model: 'm', stream: true, messages: [{ role: 'user', content: 'x' }] });
    assert.ok(!text.includes('keep-alive'), text);
  });
});

describe('KeepAliveSweeper', () => {
  it('writes to silent streams only, forgets ended ones and stops its timer when none are left', async () => {
    const server = createServer();
    cleanups.push(() => new Promise((r) => server.close(() => r())));
    const responses: ServerResponse[] = [];
    server.on('request', (_req, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      responses.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const texts = [0, 1].map(async () => (await fetch(`http://127.0.0.1:${port}/`)).text());
    while (responses.length < 2) await sleep(5);
    const [quiet, busy] = responses as [ServerResponse, ServerResponse];

    const sweeper = new KeepAliveSweeper(60);
    const q = sweeper.add(quiet, ': ka\n\n');
    const b = sweeper.add(busy, ': ka\n\n');
    assert.equal(sweeper.size, 2);
    for (let i = 0; i < 15; i++) {
      busy.write('data: x\n\n');
      b.wrote = true;
      await sleep(20);
    }
    sweeper.remove(q);
    assert.ok(sweeper.running, 'a stream is left: the sweep goes on');
    sweeper.remove(b);
    assert.equal(sweeper.size, 0);
    // Removing the last stream leaves the timer to the next sweep, which finds none and stops.
    assert.ok(sweeper.running);
    await sleep(80);
    assert.equal(sweeper.running, false);
    quiet.end();
    busy.end();
    const [quietText = '', busyText = ''] = await Promise.all(texts);
    assert.ok((quietText.match(/: ka/g) ?? []).length >= 2, quietText);
    assert.ok(!busyText.includes(': ka'), busyText);
  });
});

describe('idle client connections', () => {
  /** The response headers of one POST, read with node:http (which hides nothing hop-by-hop). */
  const headersOf = (url: string, body: object): Promise<Record<string, string | string[] | undefined>> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.headers));
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });

  it('are kept longer than a client keeps its own, and every answer says for how long', async () => {
    const u = await startMockUpstream((req, res) => {
      if ((JSON.parse(req.body.toString()) as { stream?: boolean }).stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(openaiFrame({ role: 'assistant', content: 'a' }) + 'data: [DONE]\n\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"a"},"finish_reason":"stop"}]}');
      }
    });
    cleanups.push(() => u.close());
    const url = await gatewayFor(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\n`);
    const messages = [{ role: 'user', content: 'x' }];
    // A stream's headers must not name `connection` by hand: Node then leaves out `keep-alive`, and
    // a client that keeps idle sockets 60 s races the server's close.
    for (const stream of [false, true]) {
      const h = await headersOf(url, { model: 'm', stream, messages });
      assert.equal(h['keep-alive'], `timeout=${KEEP_ALIVE_MS / 1000}`, `stream=${stream}: ${JSON.stringify(h)}`);
    }
    assert.ok(KEEP_ALIVE_MS > 60_000);
  });
});
