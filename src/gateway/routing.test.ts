/**
 * End to end: weighted choice, retries with Retry-After, fallback rules, every timeout and a
 * client abort reaching the upstream — real gateway, real loopback upstreams, the openai client.
 */
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startTestGateway, type TestGateway } from '../testing/gateway.js';
import { chatCompletion, json, okChat, startMockUpstream, streamChat, type MockUpstream } from '../testing/mock-upstream.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function upstream(...args: Parameters<typeof startMockUpstream>): Promise<MockUpstream> {
  const u = await startMockUpstream(...args);
  cleanups.push(() => u.close());
  return u;
}

async function gateway(toml: string): Promise<{ gw: TestGateway; client: OpenAI }> {
  const gw = await startTestGateway(toml);
  cleanups.push(() => gw.close());
  return { gw, client: new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'none', maxRetries: 0 }) };
}

const ask = (client: OpenAI, model = 'm') => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });

describe('routing', () => {
  it('chooses providers at random in proportion to their weights', async () => {
    const a = await upstream(okChat('a'));
    const b = await upstream(okChat('b'));
    const { client } = await gateway(`
[providers.a]
base_url = "${a.url}/v1"
models = ["m"]
weight = 3
[providers.b]
base_url = "${b.url}/v1"
models = ["m"]
weight = 1
`);
    const n = 400;
    let fromA = 0;
    for (let i = 0; i < n; i++) if ((await ask(client)).choices[0]?.message.content === 'a') fromA++;
    // Binomial(400, 0.75): mean 300, sd ≈ 8.7; ±5 sd keeps a false failure below one in a million.
    assert.ok(fromA > 256 && fromA < 344, `a served ${fromA} of ${n}`);
  });

  it('retries a 429, waiting as long as Retry-After says', async () => {
    const u = await upstream((_req, res, n) => {
      if (n === 1) return json(res, 429, { error: { message: 'slow down', type: 'rate_limit_error' } }, { 'retry-after': '1' });
      json(res, 200, chatCompletion('m', 'after the wait'));
    });
    const { client, gw } = await gateway(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\nmax_retries = 2\n`);
    const t0 = Date.now();
    const r = await ask(client);
    const waited = Date.now() - t0;
    assert.equal(r.choices[0]?.message.content, 'after the wait');
    assert.equal(u.requests.length, 2);
    assert.ok(waited >= 950, `waited ${waited} ms, Retry-After asked for 1 s`);
    const line = gw.logs.find((l) => l['route'] === '/v1/chat/completions');
    assert.equal(line?.['attempts'], 2);
  });

  it('gives up after max_retries and returns the upstream status and error', async () => {
    const u = await upstream((_req, res) => json(res, 503, { error: { message: 'overloaded', type: 'server_error' } }));
    const { client } = await gateway(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\nmax_retries = 2\n`);
    await assert.rejects(ask(client), (e: unknown) => (e as { status: number }).status === 503);
    assert.equal(u.requests.length, 3);
  });

  it('falls back to the next provider after transient failures', async () => {
    const bad = await upstream((_req, res) => json(res, 500, { error: { message: 'boom' } }));
    const good = await upstream(okChat('from the fallback'));
    const { client, gw } = await gateway(`
[providers.bad]
base_url = "${bad.url}/v1"
models = ["m"]
weight = 1000000
max_retries = 1
[providers.good]
base_url = "${good.url}/v1"
models = ["m"]
weight = 0
`);
    const r = await ask(client);
    assert.equal(r.choices[0]?.message.content, 'from the fallback');
    assert.equal(bad.requests.length, 2, 'first retried once on the same provider');
    const line = gw.logs.find((l) => l['route'] === '/v1/chat/completions');
    assert.equal(line?.['provider'], 'good');
  });

  it('falls back without retrying on 401 (a provider-specific problem), never on 400', async () => {
    const unauth = await upstream((_req, res) => json(res, 401, { error: { message: 'bad key' } }));
    const good = await upstream(okChat('ok'));
    const { client } = await gateway(`
[providers.unauth]
base_url = "${unauth.url}/v1"
models = ["m"]
weight = 1000000
[providers.good]
base_url = "${good.url}/v1"
models = ["m"]
weight = 0
`);
    assert.equal((await ask(client)).choices[0]?.message.content, 'ok');
    assert.equal(unauth.requests.length, 1);

    const invalid = await upstream((_req, res) => json(res, 400, { error: { message: 'bad param', param: 'temperature' } }));
    const spare = await upstream(okChat('never'));
    const g2 = await gateway(`
[providers.invalid]
base_url = "${invalid.url}/v1"
models = ["m"]
weight = 1000000
[providers.spare]
base_url = "${spare.url}/v1"
models = ["m"]
weight = 0
`);
    await assert.rejects(ask(g2.client), (e: unknown) => (e as { status: number }).status === 400);
    assert.equal(invalid.requests.length, 1);
    assert.equal(spare.requests.length, 0, 'a request the upstream called invalid is not sent elsewhere');
  });
});

describe('timeouts', () => {
  it('connect timeout: a server that accepts TCP but never completes TLS', async () => {
    const sockets: Socket[] = [];
    const silent: TcpServer = createTcpServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    });
    const port = (silent.address() as { port: number }).port;
    const { client } = await gateway(`[providers.p]\nbase_url = "https://127.0.0.1:${port}/v1"\nmodels = ["m"]\nmax_retries = 0\nconnect_timeout = 0.3\n`);
    await assert.rejects(ask(client), (e: unknown) => {
      const err = e as { status: number; code: string };
      assert.equal(err.status, 504);
      assert.equal(err.code, 'LLMUX_ERR_CONNECT_TIMEOUT');
      return true;
    });
  });

  it('first-byte timeout: no response headers in time', async () => {
    const u = await upstream((_req, res) => {
      setTimeout(() => json(res, 200, chatCompletion('m', 'too late')), 1500);
    });
    const { client } = await gateway(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\nmax_retries = 1\ntimeout = 0.3\n`);
    await assert.rejects(ask(client), (e: unknown) => (e as { code: string }).code === 'LLMUX_ERR_FIRST_BYTE_TIMEOUT');
    assert.equal(u.requests.length, 2, 'a timeout is transient: retried');
  });

  it('idle timeout: a stream that goes silent ends with one in-band error event', async () => {
    const u = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'partial' }, finish_reason: null }] })}\n\n`);
      // then nothing, for longer than idle_timeout
    });
    const { client } = await gateway(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\nidle_timeout = 0.3\n`);
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
      })(),
      (e: unknown) => /went silent/.test((e as Error).message),
    );
    assert.equal(text, 'partial');
  });

  it('total timeout: a stream still running at total_timeout is cut with an error event', async () => {
    const u = await upstream((_req, res) => void streamChat(res, 'm', Array.from({ length: 100 }, () => 'x '), false, 50));
    const { client } = await gateway(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\ntotal_timeout = 0.4\n`);
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true });
    let pieces = 0;
    await assert.rejects(
      (async () => {
        for await (const c of stream) if (c.choices[0]?.delta.content) pieces++;
      })(),
      (e: unknown) => /total_timeout/.test((e as Error).message),
    );
    assert.ok(pieces > 0 && pieces < 100, `got ${pieces} pieces before the cut`);
  });
});

describe('client abort', () => {
  it('a client that goes away mid-stream aborts the upstream request at once', async () => {
    const u = await upstream((_req, res) => void streamChat(res, 'm', Array.from({ length: 200 }, () => 'x '), false, 20));
    const { client } = await gateway(`[providers.p]\nbase_url = "${u.url}/v1"\nmodels = ["m"]\n`);
    const ctrl = new AbortController();
    const stream = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true }, { signal: ctrl.signal });
    let n = 0;
    try {
      for await (const _c of stream) {
        if (++n === 3) {
          ctrl.abort();
          break;
        }
      }
    } catch {
      // the client sees its own abort; what matters is what the upstream saw
    }
    assert.equal(n, 3);
    const deadline = Date.now() + 2000;
    while (!u.requests[0]?.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(u.requests[0]?.aborted, true, 'the upstream saw its request closed before the end');
  });
});
