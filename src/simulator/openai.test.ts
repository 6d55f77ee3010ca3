import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { request } from 'undici';
import { SSEDecoder } from '../core/sse.js';
import type { SSEEvent } from '../core/types.js';
import { readFixtureText } from '../testing/fixtures.js';
import { startSimulator, type RunningSimulator } from './server.js';

/** crabllm-bench's canned chat.completion, as its serde writes it (crabllm.md §9.1). */
const CRABLLM_CHAT =
  '{"id":"chatcmpl-bench","object":"chat.completion","created":0,"model":"bench-chat","choices":[{"index":0,"message":{"role":"assistant","content":"This is a benchmark response."},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":20,"total_tokens":30}}';

let sim: RunningSimulator;
let client: OpenAI;

before(async () => {
  sim = await startSimulator({});
  client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'sk-test', maxRetries: 0 });
});
after(() => sim.close());

async function post(path: string, body: unknown): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }> {
  const r = await request(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.statusCode, headers: r.headers, bytes: Buffer.from(await r.body.arrayBuffer()) };
}

function sseEvents(bytes: Buffer): SSEEvent[] {
  const d = new SSEDecoder();
  return [...d.push(bytes), ...d.end()];
}

test('non-stream chat is crabllm mock body byte for byte (273 bytes)', async () => {
  const r = await post('/v1/chat/completions', { model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.bytes.length, 273);
  assert.equal(r.bytes.toString(), CRABLLM_CHAT);
  assert.equal(r.headers['content-length'], '273');
});

test('the openai client reads the non-stream chat', async () => {
  const c = await client.chat.completions.create({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(c.id, 'chatcmpl-bench');
  assert.equal(c.model, 'bench-chat');
  assert.equal(c.choices[0]?.message.content, 'This is a benchmark response.');
  assert.equal(c.choices[0]?.finish_reason, 'stop');
  assert.deepEqual(c.usage, { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
  const last = sim.stats().last['chat.completions'];
  assert.equal(last?.headers['authorization'], 'Bearer sk-test');
  assert.deepEqual(JSON.parse(last!.body), { model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] });
});

test('stream: 20 chunks by default, role first, "word " content, finish stop last, no usage chunk', async () => {
  const stream = await client.chat.completions.create({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  assert.equal(chunks.length, 20);
  assert.equal(chunks[0]?.choices[0]?.delta.role, 'assistant');
  assert.equal(chunks.slice(1).some((c) => c.choices[0]?.delta.role !== undefined), false);
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'word '.repeat(19));
  assert.deepEqual(chunks[19]?.choices[0]?.delta, {});
  assert.equal(chunks[19]?.choices[0]?.finish_reason, 'stop');
  assert.equal(chunks.slice(0, 19).some((c) => c.choices[0]?.finish_reason), false);
  assert.equal(chunks.some((c) => c.usage), false);
});

test('stream raw bytes: crabllm chunk shape (about 141 bytes each, ~3 KB total) and [DONE] last', async () => {
  const r = await post('/v1/chat/completions', { model: 'bench-chat', messages: [], stream: true });
  assert.match(String(r.headers['content-type']), /^text\/event-stream/);
  const events = sseEvents(r.bytes);
  assert.equal(events.length, 21);
  assert.equal(events[20]?.data, '[DONE]');
  assert.equal(events[1]?.data, '{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,"model":"bench-chat","choices":[{"index":0,"delta":{"content":"word "}}]}');
  assert.equal(events[1]?.data.length, 141);
  assert.ok(r.bytes.length > 2900 && r.bytes.length < 3100, `stream is ${r.bytes.length} bytes`);
  // Every key we send is one the real API sends (recorded stream).
  const recorded = sseEvents(Buffer.from(readFixtureText('openai/chat-stream-include_usage-raw.sse.txt')))
    .filter((e) => e.data !== '[DONE]')
    .map((e) => JSON.parse(e.data) as Record<string, unknown>);
  const recordedKeys = new Set(recorded.flatMap((o) => Object.keys(o)));
  const recordedChoiceKeys = new Set(recorded.flatMap((o) => (o['choices'] as Record<string, unknown>[]).flatMap((c) => Object.keys(c))));
  for (const e of events.slice(0, 20)) {
    const o = JSON.parse(e.data) as { choices: Record<string, unknown>[] };
    for (const k of Object.keys(o)) assert.ok(recordedKeys.has(k), k);
    for (const k of Object.keys(o.choices[0]!)) assert.ok(recordedChoiceKeys.has(k), k);
  }
});

test('stream with stream_options.include_usage ends with a usage chunk with choices []', async () => {
  const stream = await client.chat.completions.create({
    model: 'bench-chat',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = [];
  for await (const c of stream) chunks.push(c);
  assert.equal(chunks.length, 21);
  const u = chunks[20]!;
  assert.deepEqual(u.choices, []);
  assert.deepEqual(u.usage, { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 });
  assert.equal(chunks[19]?.choices[0]?.finish_reason, 'stop');
  // Same order as the recorded API: finish chunk, then usage chunk with choices [], then [DONE].
  const rec = readFixtureText('openai/chat-stream-include_usage-raw.sse.txt').trim().split('\n\n').slice(-2);
  assert.equal(rec[1], 'data: [DONE]');
  assert.deepEqual((JSON.parse(rec[0]!.slice(6)) as { choices: unknown[] }).choices, []);
});

test('embeddings: 1536 zeros written as 0.0, usage 5/5 (crabllm), about 6.3 KB', async () => {
  const r = await post('/v1/embeddings', { model: 'bench-embed', input: 'benchmark text' });
  assert.equal(r.status, 200);
  assert.ok(r.bytes.length > 6200 && r.bytes.length < 6400, `${r.bytes.length} bytes`);
  assert.ok(r.bytes.toString().includes('"embedding":[0.0,0.0,'));
  const j = JSON.parse(r.bytes.toString()) as { object: string; model: string; data: { object: string; index: number; embedding: number[] }[]; usage: unknown };
  assert.equal(j.object, 'list');
  assert.equal(j.model, 'bench-embed');
  assert.equal(j.data.length, 1);
  assert.equal(j.data[0]?.embedding.length, 1536);
  assert.ok(j.data[0]?.embedding.every((v) => v === 0));
  assert.deepEqual(j.usage, { prompt_tokens: 5, total_tokens: 5 });
});

test('embeddings through the openai client (base64 by default), float, dimensions and several inputs', async () => {
  const b64 = await client.embeddings.create({ model: 'bench-embed', input: 'hello' });
  assert.equal(JSON.parse(sim.stats().last.embeddings!.body).encoding_format, 'base64');
  assert.equal(b64.data[0]?.embedding.length, 1536);
  assert.ok(b64.data[0]?.embedding.every((v) => v === 0));
  const raw = await post('/v1/embeddings', { model: 'bench-embed', input: 'x', encoding_format: 'base64', dimensions: 8 });
  const rj = JSON.parse(raw.bytes.toString()) as { data: { embedding: string }[] };
  assert.equal(Buffer.from(rj.data[0]!.embedding, 'base64').length, 8 * 4);
  const floats = await client.embeddings.create({ model: 'bench-embed', input: ['a', 'b', 'c'], encoding_format: 'float', dimensions: 256 });
  assert.deepEqual(floats.data.map((d) => d.index), [0, 1, 2]);
  assert.ok(floats.data.every((d) => d.embedding.length === 256));
  assert.deepEqual(floats.usage, { prompt_tokens: 15, total_tokens: 15 });
  await assert.rejects(client.embeddings.create({ model: 'bench-embed', input: 'x', dimensions: 0 }), (e: unknown) => e instanceof OpenAI.BadRequestError);
});

test('legacy completions, stream and non-stream', async () => {
  const c = await client.completions.create({ model: 'bench-chat', prompt: 'hi' });
  assert.equal(c.object, 'text_completion');
  assert.equal(c.choices[0]?.text, 'This is a benchmark response.');
  assert.equal(c.choices[0]?.finish_reason, 'stop');
  assert.equal(c.usage?.total_tokens, 30);
  const s = await client.completions.create({ model: 'bench-chat', prompt: 'hi', stream: true, stream_options: { include_usage: true } });
  const chunks = [];
  for await (const ch of s) chunks.push(ch);
  assert.equal(chunks.length, 21);
  assert.equal(chunks.map((ch) => ch.choices[0]?.text ?? '').join(''), 'word '.repeat(19));
  assert.equal(chunks[19]?.choices[0]?.finish_reason, 'stop');
  assert.equal(chunks[20]?.usage?.completion_tokens, 20);
});

test('images: b64_json of a real PNG, n honoured', async () => {
  const r = await client.images.generate({ model: 'dall-e-2', prompt: 'an otter', n: 2, response_format: 'b64_json' });
  assert.equal(r.data?.length, 2);
  const png = Buffer.from(r.data![0]!.b64_json!, 'base64');
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.subarray(12, 16).toString(), 'IHDR');
  assert.equal(png.readUInt32BE(16), 1);
  assert.equal(png.readUInt32BE(20), 1);
});

test('speech: audio/mpeg bytes (ID3 tag, then an MPEG frame sync)', async () => {
  const r = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hello' });
  assert.equal(r.headers.get('content-type'), 'audio/mpeg');
  const b = Buffer.from(await r.arrayBuffer());
  assert.equal(b.subarray(0, 3).toString(), 'ID3');
  assert.equal(b[10], 0xff);
  assert.equal((b[11]! & 0xe0), 0xe0);
});

test('transcriptions: the multipart upload is read and counted', async () => {
  const audio = Buffer.alloc(50_000, 7);
  const t = await client.audio.transcriptions.create({ file: await toFile(audio, 'clip.mp3'), model: 'whisper-1' });
  assert.equal(t.text, 'This is a benchmark response.');
  const last = sim.stats().last['audio.transcriptions']!;
  assert.match(String(last.headers['content-type']), /^multipart\/form-data; boundary=/);
  assert.ok(last.bytes > audio.length, `${last.bytes} bytes received`);
  assert.equal(last.bytes, Number(last.headers['content-length']));
  assert.ok(last.body.includes('name="model"'));
  assert.ok(last.body.includes('filename="clip.mp3"'));
});

test('models lists bench-chat and bench-embed; paths work without /v1; unknown paths are 404', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  assert.deepEqual(ids, ['bench-chat', 'bench-embed']);
  const bare = new OpenAI({ baseURL: sim.url, apiKey: 'sk-test', maxRetries: 0 });
  const c = await bare.chat.completions.create({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(c.choices[0]?.message.content, 'This is a benchmark response.');
  const r = await post('/v1/nothing-here', {});
  assert.equal(r.status, 404);
  assert.equal((JSON.parse(r.bytes.toString()) as { error: { type: string } }).error.type, 'invalid_request_error');
  const bad = await request(`${sim.url}/v1/chat/completions`, { method: 'POST', body: '{not json' });
  assert.equal(bad.statusCode, 400);
  assert.equal(((await bad.body.json()) as { error: { type: string } }).error.type, 'invalid_request_error');
});

test('the request model is echoed, unless a model is fixed', async () => {
  const c = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(c.model, 'gpt-4o-mini');
  const fixed = await startSimulator({ model: 'llmux-demo', chunks: 3, content: 'one two three four' });
  try {
    const fc = new OpenAI({ baseURL: `${fixed.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const s = await fc.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const chunks = [];
    for await (const ch of s) chunks.push(ch);
    assert.equal(chunks.length, 3);
    assert.ok(chunks.every((ch) => ch.model === 'llmux-demo'));
    assert.deepEqual(chunks.map((ch) => ch.choices[0]?.delta.content), ['one two ', 'three four', undefined]);
  } finally {
    await fixed.close();
  }
});

test('response_bytes pads the reply', async () => {
  const big = await startSimulator({ response_bytes: 10_000 });
  try {
    const c = new OpenAI({ baseURL: `${big.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const r = await c.chat.completions.create({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(Buffer.byteLength(r.choices[0]!.message.content!), 10_000);
    const s = await c.chat.completions.create({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    let n = 0;
    for await (const ch of s) {
      text += ch.choices[0]?.delta.content ?? '';
      n++;
    }
    assert.equal(n, 20);
    assert.equal(Buffer.byteLength(text), 10_000);
  } finally {
    await big.close();
  }
});
