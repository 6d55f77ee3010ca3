/**
 * End to end: the real gateway on loopback in front of a mock OpenAI-compatible upstream, driven
 * by the official `openai` client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { readFixtureText } from '../testing/fixtures.js';
import { startTestGateway, TEST_ADMIN, TEST_KEY, type TestGateway } from '../testing/gateway.js';
import { json, okChat, requestJson, startMockUpstream, type MockUpstream } from '../testing/mock-upstream.js';

let up: MockUpstream;
let gw: TestGateway;
let client: OpenAI;

function config(upUrl: string): string {
  return `
admin_token = "${TEST_ADMIN}"
max_body_bytes = 65536
aliases = { fast = "mock-a" }

[[keys]]
name = "tester"
key = "${TEST_KEY}"
models = ["*"]

[providers.mock]
kind = "openai"
api_key = "upstream-secret"
base_url = "${upUrl}/v1/chat/completions"
models = ["mock-a", "mock-tools", "mock-raw"]
max_retries = 0
`;
}

before(async () => {
  up = await startMockUpstream();
  gw = await startTestGateway(config(up.url));
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: TEST_KEY, maxRetries: 0 });
});

after(async () => {
  await gw.close();
  await up.close();
});

describe('chat completions through the openai client', () => {
  it('answers a non-streaming chat, with the provider key sent upstream and usage logged', async () => {
    up.handle(okChat('Hi there.'));
    const before = up.requests.length;
    const r = await client.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'Hello' }] });
    assert.equal(r.choices[0]?.message.content, 'Hi there.');
    assert.equal(r.usage?.total_tokens, 21);
    const sent = up.requests[before]!;
    assert.equal(sent.path, '/v1/chat/completions', 'a pasted endpoint suffix in base_url is removed');
    assert.equal(sent.headers['authorization'], 'Bearer upstream-secret');
    const line = gw.logs.find((l) => l['route'] === '/v1/chat/completions' && l['model'] === 'mock-a');
    assert.ok(line, 'an access-log line is written');
    const { response } = await client.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'Hello' }] }).withResponse();
    const rid = response.headers.get('x-request-id') ?? '';
    assert.match(rid, /^[0-9a-f-]{36}$/, 'a completion carries its request id');
    assert.ok(gw.logs.some((l) => l['id'] === rid), 'the access log names the same id');
    assert.equal(line['prompt_tokens'], 9);
    assert.equal(line['key'], 'tester');
    assert.equal(line['provider'], 'mock');
    assert.ok(!JSON.stringify(gw.logs).includes('upstream-secret'), 'the provider key is never logged');
    assert.ok(!JSON.stringify(gw.logs).includes(TEST_KEY), 'the client key is never logged');
  });

  it('forwards the body byte for byte except the model of an alias', async () => {
    up.handle(okChat());
    const raw = '{"model":"fast","messages":[{"role":"user","content":"caf\\u00e9 ☕"}],"temperature":1.0,"x_unknown":{"n":12345678901234567890}}';
    const before = up.requests.length;
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' }, body: raw });
    assert.equal(res.status, 200);
    const sent = up.requests[before]!.body.toString('utf8');
    assert.equal(sent, raw.replace('"fast"', '"mock-a"'), 'only the model changed: number formats, escapes and unknown fields are intact');
  });

  it('streams, and hides the usage chunk the client did not ask for while still counting it', async () => {
    up.handle(okChat('one two three'));
    const before = up.requests.length;
    const stream = await client.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    assert.equal(text, 'one two three');
    assert.ok(chunks.every((c) => !c.usage), 'no usage chunk reaches a client that did not ask');
    assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
    const sent = requestJson(up.requests[before]!);
    assert.deepEqual(sent['stream_options'], { include_usage: true }, 'the gateway asks the upstream for usage');
    const id = chunks[0]?.id;
    await waitForLog(gw, (l) => l['route'] === '/v1/chat/completions' && l['completion_tokens'] === 3);
    assert.ok(id);
  });

  it('streams with include_usage: the usage chunk reaches the client', async () => {
    up.handle(okChat('a b'));
    const stream = await client.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    let usage;
    for await (const c of stream) if (c.usage) usage = c.usage;
    assert.equal(usage?.completion_tokens, 2);
  });

  it('passes a recorded OpenAI stream through byte for byte (include_usage requested by the client)', async () => {
    const recorded = readFixtureText('openai/chat-stream-include_usage-raw.sse.txt');
    up.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(recorded);
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-raw', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } }),
    });
    assert.equal(res.headers.get('content-type')?.startsWith('text/event-stream'), true);
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, 'a stream carries its request id');
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(await res.text(), recorded);
  });

  it('passes a stream through byte for byte also when the upstream cuts frames at odd places', async () => {
    const recorded = readFixtureText('openai/chat-stream-include_usage-raw.sse.txt');
    const bytes = Buffer.from(recorded);
    up.handle(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-raw', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } }),
    });
    assert.equal(await res.text(), recorded);
  });

  it('passes tool definitions through and returns tool calls the client can parse', async () => {
    const recorded = JSON.parse(readFixtureText('openai/chat-nonstream-tool_calls.json')) as Record<string, unknown>;
    up.handle((_req, res) => json(res, 200, recorded));
    const before = up.requests.length;
    const tools = [{ type: 'function' as const, function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] } } }];
    const r = await client.chat.completions.create({ model: 'mock-tools', messages: [{ role: 'user', content: 'Weather in Shanghai?' }], tools, tool_choice: 'auto' });
    const sent = requestJson(up.requests[before]!);
    assert.deepEqual(sent['tools'], tools);
    assert.equal(sent['tool_choice'], 'auto');
    const call = r.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { location: 'Shanghai' });
    assert.equal(r.choices[0]?.finish_reason, 'tool_calls');
  });

  it('streams tool-call deltas unchanged', async () => {
    const recorded = readFixtureText('openai/chat-stream-tool_calls-raw.sse.txt');
    up.handle((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(recorded);
    });
    const stream = await client.chat.completions.create({ model: 'mock-tools', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
    let args = '';
    let name = '';
    let finish = '';
    for await (const c of stream) {
      const tc = c.choices[0]?.delta.tool_calls?.[0];
      if (tc?.function?.name) name = tc.function.name;
      if (tc?.function?.arguments) args += tc.function.arguments;
      if (c.choices[0]?.finish_reason) finish = c.choices[0].finish_reason;
    }
    assert.equal(name, 'test-tool');
    assert.deepEqual(JSON.parse(args), JSON.parse(args)); // parses
    assert.ok(Object.keys(JSON.parse(args) as object).length > 0);
    assert.equal(finish, 'tool_calls');
  });

  it('keeps the upstream error status and its parsed error object', async () => {
    const recorded = readFixtureText('openai/error-max_tokens-unsupported.json');
    up.handle((_req, res) => json(res, 400, recorded));
    await assert.rejects(
      client.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'x' }], max_tokens: 5 }),
      (e: unknown) => {
        const err = e as InstanceType<typeof OpenAI.APIError>;
        assert.equal(err.status, 400);
        const upstream = (JSON.parse(recorded) as { error: { message: string; param: string; code: string } }).error;
        assert.equal(err.message.includes(upstream.message), true);
        assert.equal(err.param, upstream.param);
        assert.equal(err.code, upstream.code);
        return true;
      },
    );
  });
});

async function waitForLog(g: TestGateway, pred: (l: Record<string, unknown>) => boolean, ms = 2000): Promise<Record<string, unknown>> {
  const end = Date.now() + ms;
  for (;;) {
    const hit = g.logs.find(pred);
    if (hit) return hit;
    if (Date.now() > end) throw new Error('log line not found');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('bad input answers a precise error, in the OpenAI envelope', () => {
  async function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: { error: Record<string, unknown> }; headers: Headers }> {
    const res = await fetch(`${gw.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json', ...headers }, body });
    return { status: res.status, body: (await res.json()) as { error: Record<string, unknown> }, headers: res.headers };
  }

  it('malformed JSON → 400 naming the problem', async () => {
    const r = await post('/v1/chat/completions', '{"model": "mock-a", "messages": [');
    assert.equal(r.status, 400);
    assert.equal(r.body.error['type'], 'invalid_request_error');
    assert.match(String(r.body.error['message']), /not valid JSON/);
    assert.equal(r.body.error['code'], 'LLMUX_ERR_INVALID_JSON');
  });

  it('a JSON array, an empty body, a missing model', async () => {
    assert.equal((await post('/v1/chat/completions', '[1]')).status, 400);
    assert.match(String((await post('/v1/chat/completions', '')).body.error['message']), /empty/);
    const r = await post('/v1/chat/completions', '{"messages":[]}');
    assert.equal(r.status, 400);
    assert.equal(r.body.error['param'], 'model');
  });

  it('an unknown model → 404', async () => {
    const r = await post('/v1/chat/completions', '{"model":"nope","messages":[]}');
    assert.equal(r.status, 404);
    assert.match(String(r.body.error['message']), /model 'nope' not found/);
  });

  it('an oversized body → 413, and the gateway keeps serving', async () => {
    const big = JSON.stringify({ model: 'mock-a', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] });
    const r = await post('/v1/chat/completions', big);
    assert.equal(r.status, 413);
    assert.equal(r.body.error['type'], 'request_too_large');
    up.handle(okChat('still here'));
    const ok = await client.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(ok.choices[0]?.message.content, 'still here');
  });

  it('no key → 401, a wrong key → 401, the admin token is not a client key', async () => {
    const none = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { error: { type: string } }).error.type, 'authentication_error');
    assert.equal((await post('/v1/chat/completions', '{}', { authorization: 'Bearer sk-wrong' })).status, 401);
    assert.equal((await post('/v1/chat/completions', '{}', { authorization: `Bearer ${TEST_ADMIN}` })).status, 401);
  });

  it('x-api-key works like Bearer', async () => {
    up.handle(okChat('via x-api-key'));
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-api-key': TEST_KEY }, body: '{"model":"mock-a","messages":[{"role":"user","content":"x"}]}' });
    assert.equal(res.status, 200);
  });

  it('unknown path → 404 envelope, wrong method → 405 with Allow, every response has x-request-id', async () => {
    const nf = await fetch(`${gw.url}/v1/nothing-here`);
    assert.equal(nf.status, 404);
    assert.equal(((await nf.json()) as { error: { code: string } }).error.code, 'LLMUX_ERR_NOT_FOUND');
    assert.ok(nf.headers.get('x-request-id'));
    const wm = await fetch(`${gw.url}/v1/chat/completions`);
    assert.equal(wm.status, 405);
    assert.equal(wm.headers.get('allow'), 'POST');
    const health = await fetch(`${gw.url}/health`);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const id = health.headers.get('x-request-id') ?? '';
    assert.match(id, UUID_V4, 'a generated request id has the shape of a UUID v4');
    assert.match(nf.headers.get('x-request-id') ?? '', UUID_V4);
    assert.notEqual(nf.headers.get('x-request-id'), id, 'each request gets its own id');
    const mine = await fetch(`${gw.url}/health`, { headers: { 'x-request-id': 'trace-42' } });
    assert.equal(mine.headers.get('x-request-id'), 'trace-42', 'a sane client request id is kept');
  });

  it('an unreachable upstream → 502 with a message naming the provider', async () => {
    const dead = await startMockUpstream();
    const deadUrl = dead.url;
    await dead.close();
    const g2 = await startTestGateway(`[providers.gone]\nkind = "openai"\nbase_url = "${deadUrl}/v1"\nmodels = ["m"]\nmax_retries = 1\n`);
    try {
      const res = await fetch(`${g2.url}/v1/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}' });
      assert.equal(res.status, 502);
      const body = (await res.json()) as { error: { message: string; code: string } };
      assert.match(body.error.message, /provider 'gone' is unreachable/);
      assert.equal(body.error.code, 'LLMUX_ERR_UPSTREAM_UNREACHABLE');
    } finally {
      await g2.close();
    }
  });
});
