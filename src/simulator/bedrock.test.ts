import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { request } from 'undici';
import { readFixtureJsonl, readFixtureText } from '../testing/fixtures.js';
import { startSimulator, type RunningSimulator } from './server.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

interface Frame {
  headers: Record<string, string>;
  payload: string;
}

/** Splits concatenated event-stream messages by their length prelude; decode() checks both CRCs. */
function decodeFrames(bytes: Uint8Array): Frame[] {
  const out: Frame[] = [];
  let off = 0;
  while (off < bytes.length) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + off).getUint32(0);
    const msg = codec.decode(bytes.subarray(off, off + len));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(msg.headers)) headers[k] = String(v.value);
    out.push({ headers, payload: toUtf8(msg.body) });
    off += len;
  }
  return out;
}

let sim: RunningSimulator;
before(async () => {
  sim = await startSimulator({});
});
after(() => sim.close());

async function post(url: string): Promise<{ status: number; headers: Record<string, unknown>; bytes: Buffer }> {
  const r = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }) });
  return { status: r.statusCode, headers: r.headers, bytes: Buffer.from(await r.body.arrayBuffer()) };
}

test('converse: message text, end_turn, usage', async () => {
  const r = await post(`${sim.url}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`);
  assert.equal(r.status, 200);
  const j = JSON.parse(r.bytes.toString()) as { output: { message: { role: string; content: { text: string }[] } }; stopReason: string; usage: Record<string, number> };
  assert.equal(j.output.message.role, 'assistant');
  assert.deepEqual(j.output.message.content, [{ text: 'This is a benchmark response.' }]);
  assert.equal(j.stopReason, 'end_turn');
  assert.deepEqual(j.usage, { inputTokens: 10, outputTokens: 20, totalTokens: 30 });
});

test('converse-stream: binary frames in the recorded order, metadata after messageStop', async () => {
  const r = await post(`${sim.url}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream`);
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/vnd.amazon.eventstream');
  const frames = decodeFrames(r.bytes);
  assert.ok(frames.every((f) => f.headers[':message-type'] === 'event' && f.headers[':content-type'] === 'application/json'));
  const types = frames.map((f) => f.headers[':event-type']);
  assert.deepEqual(types, ['messageStart', ...new Array<string>(20).fill('contentBlockDelta'), 'contentBlockStop', 'messageStop', 'metadata']);
  // The recorded ConverseStream (no contentBlockStart for text) has the same skeleton.
  const recorded = readFixtureJsonl<Record<string, unknown>>('bedrock/converse-stream-text.jsonl').map((e) => Object.keys(e)[0]);
  const collapse = (ts: (string | undefined)[]) => ts.filter((t, i) => !(t === 'contentBlockDelta' && ts[i - 1] === 'contentBlockDelta'));
  assert.deepEqual(collapse(types), collapse(recorded));
  const payloads = frames.map((f) => JSON.parse(f.payload) as Record<string, unknown>);
  assert.equal(payloads[0]?.['role'], 'assistant');
  const text = payloads.slice(1, 21).map((p) => (p['delta'] as { text: string }).text).join('');
  assert.equal(text, 'word '.repeat(20));
  assert.ok(payloads.slice(1, 21).every((p) => p['contentBlockIndex'] === 0 && typeof p['p'] === 'string'));
  assert.equal(payloads[22]?.['stopReason'], 'end_turn');
  assert.deepEqual(payloads[23]?.['usage'], { inputTokens: 10, outputTokens: 20, totalTokens: 30 });
  // Headers match those of the recorded frames.
  const recFrames = decodeFrames(Buffer.from(readFixtureText('bedrock/converse-stream-text.frames.b64'), 'base64'));
  assert.deepEqual(Object.keys(recFrames[0]!.headers).sort(), Object.keys(frames[0]!.headers).sort());
});

test('injected errors in a stream arrive as an exception frame; outside a stream as HTTP status + x-amzn-errortype', async () => {
  const failing = await startSimulator({ error_rate: 1, error_statuses: [429], retry_after_s: 2 });
  try {
    const s = await post(`${failing.url}/model/m/converse-stream`);
    assert.equal(s.status, 200);
    const frames = decodeFrames(s.bytes);
    assert.equal(frames.length, 1);
    assert.equal(frames[0]?.headers[':message-type'], 'exception');
    assert.equal(frames[0]?.headers[':exception-type'], 'throttlingException');
    assert.equal((JSON.parse(frames[0]!.payload) as { message: string }).message, 'simulated upstream failure');
    const n = await post(`${failing.url}/model/m/converse`);
    assert.equal(n.status, 429);
    assert.equal(n.headers['retry-after'], '2');
    assert.match(String(n.headers['x-amzn-errortype']), /^ThrottlingException:/);
    assert.deepEqual(JSON.parse(n.bytes.toString()), { message: 'simulated upstream failure' });
  } finally {
    await failing.close();
  }
});

test('a malformed chunk in ConverseStream is a valid frame whose payload is not JSON', async () => {
  const bad = await startSimulator({ malformed_rate: 1, chunks: 6 });
  try {
    const frames = decodeFrames((await post(`${bad.url}/model/m/converse-stream`)).bytes);
    assert.equal(frames.length, 10);
    const broken = frames.filter((f) => {
      try {
        JSON.parse(f.payload);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(broken.length, 1);
    assert.equal(broken[0]?.headers[':event-type'], 'contentBlockDelta');
  } finally {
    await bad.close();
  }
});
