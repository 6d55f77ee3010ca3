import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { request } from 'undici';
import { SSEDecoder } from '../core/sse.js';
import { readFixtureJsonl, readFixtureJson } from '../testing/fixtures.js';
import { startSimulator, type RunningSimulator } from './server.js';

let sim: RunningSimulator;
let client: Anthropic;

before(async () => {
  sim = await startSimulator({});
  client = new Anthropic({ baseURL: sim.url, apiKey: 'sk-ant-test', maxRetries: 0 });
});
after(() => sim.close());

const params = { model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hi' }] };

test('non-stream message: text, end_turn, usage, echoed model', async () => {
  const m = await client.messages.create(params);
  assert.equal(m.type, 'message');
  assert.equal(m.role, 'assistant');
  assert.equal(m.model, 'claude-sonnet-4-5');
  assert.deepEqual(m.content, [{ type: 'text', text: 'This is a benchmark response.' }]);
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.usage.input_tokens, 10);
  assert.equal(m.usage.output_tokens, 20);
  const last = sim.stats().last.messages!;
  // The SDK sends the key as x-api-key or, in recent versions, as a bearer token.
  assert.ok(last.headers['x-api-key'] === 'sk-ant-test' || last.headers['authorization'] === 'Bearer sk-ant-test');
  assert.ok(last.headers['anthropic-version']);
  // The usage keys are those of a recorded response.
  const recorded = readFixtureJson<{ usage: Record<string, unknown> }>('anthropic/messages-nonstream-text.json');
  for (const k of Object.keys(m.usage)) if (m.usage[k as keyof typeof m.usage] !== null) assert.ok(k in recorded.usage, k);
});

test('stream through the SDK: final text and usage', async () => {
  const stream = client.messages.stream(params);
  const deltas: string[] = [];
  stream.on('text', (t) => deltas.push(t));
  const m = await stream.finalMessage();
  assert.equal(deltas.length, 20);
  assert.ok(deltas.every((d) => d === 'word '));
  assert.deepEqual(m.content, [{ type: 'text', text: 'word '.repeat(20) }]);
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.usage.input_tokens, 10);
  assert.equal(m.usage.output_tokens, 20);
});

test('stream wire: event lines equal payload types, in the real API order with a ping', async () => {
  const r = await request(`${sim.url}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ ...params, stream: true }),
  });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^text\/event-stream/);
  const d = new SSEDecoder();
  const events = [...d.push(Buffer.from(await r.body.arrayBuffer())), ...d.end()];
  const types = events.map((e) => (JSON.parse(e.data) as { type: string }).type);
  assert.deepEqual(events.map((e) => e.event), types);
  const expected = ['message_start', 'content_block_start', 'ping', ...new Array<string>(20).fill('content_block_delta'), 'content_block_stop', 'message_delta', 'message_stop'];
  assert.deepEqual(types, expected);
  // The recorded stream has the same skeleton (its deltas collapsed to one).
  const recorded = readFixtureJsonl<{ type: string }>('anthropic/messages-stream-text-ping.jsonl').map((e) => e.type);
  const collapse = (ts: string[]) => ts.filter((t, i) => !(t === 'content_block_delta' && ts[i - 1] === 'content_block_delta'));
  assert.deepEqual(collapse(types), collapse(recorded));
  const delta = JSON.parse(events[3]!.data) as { index: number; delta: { type: string; text: string } };
  assert.deepEqual(delta, { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'word ' } });
  const md = JSON.parse(events[events.length - 2]!.data) as { delta: { stop_reason: string }; usage: { output_tokens: number } };
  assert.equal(md.delta.stop_reason, 'end_turn');
  assert.equal(md.usage.output_tokens, 20);
});

test('count_tokens and the Anthropic-shaped model list', async () => {
  const c = await client.messages.countTokens({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(c.input_tokens, 10);
  const ids = [];
  for await (const m of client.models.list()) {
    assert.equal(m.type, 'model');
    ids.push(m.id);
  }
  assert.deepEqual(ids, ['bench-chat', 'bench-embed']);
});

test('injected errors use the Anthropic envelope', async () => {
  const failing = await startSimulator({ error_rate: 1, error_statuses: [529], seed: 1 });
  try {
    const c = new Anthropic({ baseURL: failing.url, apiKey: 'k', maxRetries: 0 });
    await assert.rejects(c.messages.create(params), (e: unknown) => {
      assert.ok(e instanceof Anthropic.APIError);
      assert.equal(e.status, 529);
      assert.deepEqual(e.error, { type: 'error', error: { type: 'overloaded_error', message: 'simulated upstream failure' } });
      return true;
    });
  } finally {
    await failing.close();
  }
});
