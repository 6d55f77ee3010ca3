import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { request } from 'undici';
import { SSEDecoder } from '../core/sse.js';
import { readFixtureJson, readFixtureText } from '../testing/fixtures.js';
import { startSimulator, type RunningSimulator } from './server.js';

interface GeminiResponse {
  candidates: { content: { parts: { text: string }[]; role: string }; finishReason?: string; index: number }[];
  usageMetadata: { promptTokenCount: number; candidatesTokenCount: number; totalTokenCount: number };
  modelVersion: string;
}

let sim: RunningSimulator;
before(async () => {
  sim = await startSimulator({});
});
after(() => sim.close());

const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });

async function post(path: string): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }> {
  const r = await request(`${sim.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-goog-api-key': 'g-key' }, body });
  return { status: r.statusCode, headers: r.headers, bytes: Buffer.from(await r.body.arrayBuffer()) };
}

test('generateContent: text, STOP, usage, model from the path', async () => {
  const r = await post('/v1beta/models/gemini-2.5-flash:generateContent');
  assert.equal(r.status, 200);
  const j = JSON.parse(r.bytes.toString()) as GeminiResponse;
  assert.equal(j.candidates[0]?.content.parts[0]?.text, 'This is a benchmark response.');
  assert.equal(j.candidates[0]?.content.role, 'model');
  assert.equal(j.candidates[0]?.finishReason, 'STOP');
  assert.deepEqual(
    { p: j.usageMetadata.promptTokenCount, c: j.usageMetadata.candidatesTokenCount, t: j.usageMetadata.totalTokenCount },
    { p: 10, c: 20, t: 30 },
  );
  assert.equal(j.modelVersion, 'gemini-2.5-flash');
  assert.equal(sim.stats().last['gemini.generateContent']?.headers['x-goog-api-key'], 'g-key');
  // Same top-level keys as a recorded response.
  const rec = readFixtureJson<Record<string, unknown>>('gemini/generateContent-text.json');
  assert.deepEqual(Object.keys(j).sort(), Object.keys(rec).sort());
});

test('streamGenerateContent?alt=sse: CRLF framing, cumulative usage, STOP on the last event only', async () => {
  const r = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  assert.equal(r.status, 200);
  assert.match(String(r.headers['content-type']), /^text\/event-stream/);
  const text = r.bytes.toString();
  const frames = text.split('\r\n\r\n');
  assert.equal(frames.pop(), '');
  assert.equal(frames.length, 20);
  assert.ok(frames.every((f) => f.startsWith('data: {"candidates": [') && !f.includes('\n')));
  // Google's spacing, as recorded.
  assert.ok(readFixtureText('gemini/streamGenerateContent-sse-raw-text.sse.txt').startsWith('data: {"candidates": [{"content": {"parts": [{"text": '));
  assert.ok(text.startsWith('data: {"candidates": [{"content": {"parts": [{"text": '));

  const d = new SSEDecoder();
  const events = [...d.push(r.bytes), ...d.end()].map((e) => JSON.parse(e.data) as GeminiResponse);
  assert.equal(events.length, 20);
  assert.equal(events.map((e) => e.candidates[0]?.content.parts[0]?.text).join(''), 'word '.repeat(20));
  assert.deepEqual(events.map((e) => e.candidates[0]?.finishReason ?? null), [...new Array<null>(19).fill(null), 'STOP']);
  const counts = events.map((e) => e.usageMetadata.candidatesTokenCount);
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i]! >= counts[i - 1]!, 'usage is cumulative');
  assert.equal(counts[19], 20);
  assert.ok(events.every((e) => e.usageMetadata.promptTokenCount === 10 && e.usageMetadata.totalTokenCount === 10 + e.usageMetadata.candidatesTokenCount));
});

test('streamGenerateContent without alt=sse answers one JSON array', async () => {
  const r = await post('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
  assert.equal(r.status, 200);
  const arr = JSON.parse(r.bytes.toString()) as GeminiResponse[];
  assert.equal(arr.length, 20);
  assert.equal(arr[19]?.candidates[0]?.finishReason, 'STOP');
  assert.equal(arr[19]?.usageMetadata.candidatesTokenCount, 20);
});

test('countTokens and the model list', async () => {
  const c = await post('/v1beta/models/gemini-2.5-flash:countTokens');
  assert.deepEqual(JSON.parse(c.bytes.toString()), { totalTokens: 10 });
  const m = await request(`${sim.url}/v1beta/models`);
  const j = (await m.body.json()) as { models: { name: string }[] };
  assert.deepEqual(j.models.map((x) => x.name), ['models/bench-chat', 'models/bench-embed']);
});

test('injected 429 is Google RESOURCE_EXHAUSTED with RetryInfo, like the recorded error', async () => {
  const failing = await startSimulator({ error_rate: 1, error_statuses: [429], retry_after_s: 34 });
  try {
    const r = await request(`${failing.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`, { method: 'POST', body });
    assert.equal(r.statusCode, 429);
    assert.equal(r.headers['retry-after'], '34');
    const j = (await r.body.json()) as { error: { code: number; status: string; details: { '@type': string; retryDelay: string }[] } };
    const rec = readFixtureJson<{ error: { code: number; status: string; details: { '@type': string }[] } }>('gemini/error-429-RESOURCE_EXHAUSTED-retryinfo.json');
    assert.equal(j.error.code, rec.error.code);
    assert.equal(j.error.status, rec.error.status);
    const retry = j.error.details.find((x) => x['@type'] === 'type.googleapis.com/google.rpc.RetryInfo');
    assert.ok(rec.error.details.some((x) => x['@type'] === retry?.['@type']));
    assert.equal(retry?.retryDelay, '34s');
  } finally {
    await failing.close();
  }
});
