/**
 * Backpressure end to end: a client that stops reading a stream stops the upstream too (the
 * gateway does not buffer the rest), and when it reads again it gets every byte. Passthrough
 * (OpenAI upstream) and translated (Anthropic upstream) streams; 64 MB bodies on loopback, each
 * wait bounded.
 */
import assert from 'node:assert/strict';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import { startTestGateway, TEST_KEY } from '../testing/gateway.js';
import { startMockUpstream } from '../testing/mock-upstream.js';

const TOTAL = 64 * 1024 * 1024;
const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Writes `frame` until TOTAL bytes are out, waiting for drain like a real server; counts bytes written. */
function floodUpstream(progress: { written: number }, first: string, frame: string, last: string) {
  return async (_req: unknown, res: ServerResponse): Promise<void> => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(first);
    const buf = Buffer.from(frame);
    while (progress.written < TOTAL) {
      progress.written += buf.length;
      if (!res.write(buf)) await new Promise((r) => res.once('drain', r));
    }
    res.end(last);
  };
}

function openStream(url: string, model: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' } }, resolve);
    req.on('error', reject);
    req.end(JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'go' }] }));
  });
}

async function pausedThenDrained(kind: 'openai' | 'anthropic', first: string, frame: string, last: string, expectText: RegExp): Promise<void> {
  const progress = { written: 0 };
  const up = await startMockUpstream(floodUpstream(progress, first, frame, last));
  cleanups.push(() => up.close());
  const gw = await startTestGateway(`[[keys]]\nname = "k"\nkey = "${TEST_KEY}"\n[providers.p]\nkind = "${kind}"\nbase_url = "${up.url}/v1"\napi_key = "sk-up"\nmodels = ["m"]\n`);
  cleanups.push(() => gw.close());

  const res = await openStream(gw.url, 'm');
  assert.equal(res.statusCode, 200);
  res.pause();
  // Let the upstream run into the full sockets, then check it has stopped well short of the end.
  let before = -1;
  for (let i = 0; i < 50 && before !== progress.written; i++) {
    before = progress.written;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(progress.written, before, 'the upstream has stopped writing while the client does not read');
  assert.ok(progress.written < TOTAL / 2, `the upstream wrote ${(progress.written / 1048576).toFixed(1)} MB of 64 MB while the client was paused`);

  let received = 0;
  let tail = '';
  res.on('data', (c: Buffer) => {
    received += c.length;
    tail = (tail + c.toString('latin1')).slice(-4096);
  });
  res.resume();
  await new Promise<void>((resolve, reject) => {
    res.on('end', resolve);
    res.on('error', reject);
  });
  assert.ok(progress.written >= TOTAL, 'the upstream finished once the client read again');
  assert.ok(received > TOTAL * 0.9, `the client received ${received} bytes`);
  assert.match(tail, expectText);
}

describe('backpressure', () => {
  it('passthrough: a paused client holds the upstream back, then receives the whole stream', async () => {
    const content = 'x'.repeat(16 * 1024);
    const frame = `data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}\n\n`;
    await pausedThenDrained('openai', '', frame, 'data: [DONE]\n\n', /data: \[DONE\]\n\n$/);
  });

  it('translated: a paused client holds an Anthropic upstream back, then receives the whole stream', async () => {
    const content = 'y'.repeat(16 * 1024);
    const start =
      'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"stop_reason":null,"usage":{"input_tokens":5,"output_tokens":0}}}\n\n' +
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n';
    const frame = `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${content}"}}\n\n`;
    const end =
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n' +
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}\n\n' +
      'event: message_stop\ndata: {"type":"message_stop"}\n\n';
    await pausedThenDrained('anthropic', start, frame, end, /data: \[DONE\]\n\n$/);
  });
});
