import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import OpenAI from 'openai';
import { request } from 'undici';
import { SSEDecoder } from '../core/sse.js';
import type { SSEEvent } from '../core/types.js';
import type { SimulatorOptions } from './options.js';
import { startSimulator, type RunningSimulator } from './server.js';

const CHAT = JSON.stringify({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] });
const STREAM = JSON.stringify({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }], stream: true });

async function withSim(opts: SimulatorOptions, fn: (sim: RunningSimulator) => Promise<void>): Promise<void> {
  const sim = await startSimulator(opts);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

function chat(sim: RunningSimulator, body = CHAT, signal?: AbortSignal) {
  return request(`${sim.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal });
}

/** Reads a body until it ends or fails; returns what arrived and the failure, if any. */
async function drain(body: AsyncIterable<Buffer>): Promise<{ bytes: Buffer; error: unknown }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of body) parts.push(c);
    return { bytes: Buffer.concat(parts), error: undefined };
  } catch (e) {
    return { bytes: Buffer.concat(parts), error: e };
  }
}

function events(bytes: Buffer): SSEEvent[] {
  return new SSEDecoder().push(bytes);
}

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/** The statuses of `n` sequential chat requests, with the retry-after of each. */
async function statuses(sim: RunningSimulator, n: number): Promise<{ status: number; retryAfter: unknown }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await chat(sim);
    await r.body.dump();
    out.push({ status: r.statusCode, retryAfter: r.headers['retry-after'] });
  }
  return out;
}

test('error_rate 0.5 with a seed: a sane share of errors, only the configured statuses, repeatable', async () => {
  const opts = { error_rate: 0.5, error_statuses: [429, 503], retry_after_s: 3, seed: 1234 };
  let first: { status: number; retryAfter: unknown }[] = [];
  await withSim(opts, async (sim) => {
    first = await statuses(sim, 200);
    const errors = first.filter((r) => r.status !== 200);
    assert.ok(errors.length >= 70 && errors.length <= 130, `${errors.length} errors out of 200`);
    assert.deepEqual([...new Set(errors.map((r) => r.status))].sort(), [429, 503]);
    for (const r of first) assert.equal(r.retryAfter, r.status === 429 ? '3' : undefined);
    assert.equal(sim.stats().injected.errors, errors.length);
    assert.equal(sim.stats().requests['chat.completions'], 200);
  });
  await withSim(opts, async (sim) => {
    assert.deepEqual(await statuses(sim, 200), first, 'the same seed replays the same failures');
  });
  await withSim({ ...opts, seed: 99 }, async (sim) => {
    assert.notDeepEqual(await statuses(sim, 200), first);
  });
});

test('the default injected error is crabllm mock 500 body; the openai client sees it', async () => {
  await withSim({ error_rate: 1 }, async (sim) => {
    const r = await chat(sim);
    assert.equal(r.statusCode, 500);
    assert.equal(await r.body.text(), '{"error":{"message":"simulated upstream failure","type":"server_error"}}');
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'k', maxRetries: 0 });
    await assert.rejects(client.chat.completions.create({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof OpenAI.InternalServerError);
    const rl = await startSimulator({ error_rate: 1, error_statuses: [429] });
    try {
      const c2 = new OpenAI({ baseURL: `${rl.url}/v1`, apiKey: 'k', maxRetries: 0 });
      await assert.rejects(c2.chat.completions.create({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => {
        assert.ok(e instanceof OpenAI.RateLimitError);
        assert.equal(e.headers.get('retry-after'), '1');
        assert.equal((e.error as { code: string }).code, 'rate_limit_exceeded');
        return true;
      });
    } finally {
      await rl.close();
    }
  });
});

test('model lists are health checks: never failed by injection', async () => {
  await withSim({ error_rate: 1, reset_rate: 1 }, async (sim) => {
    const r = await request(`${sim.url}/v1/models`);
    assert.equal(r.statusCode, 200);
    assert.equal(((await r.body.json()) as { data: unknown[] }).data.length, 2);
  });
});

test('reset_rate 1: the connection is reset before any answer, and it is not counted as a client abort', async () => {
  await withSim({ reset_rate: 1 }, async (sim) => {
    await assert.rejects(chat(sim).then((r) => r.body.text()), (e: unknown) => {
      const code = (e as { code?: string }).code;
      assert.ok(code === 'ECONNRESET' || code === 'UND_ERR_SOCKET', String(code));
      return true;
    });
    await waitFor(() => sim.stats().injected.resets === 1);
    await sleep(30);
    assert.equal(sim.stats().aborted, 0);
  });
});

test('drop_rate 1: the stream ends abruptly after drop_after_chunks events', async () => {
  await withSim({ drop_rate: 1, chunks: 10, drop_after_chunks: 3 }, async (sim) => {
    const r = await chat(sim, STREAM);
    assert.equal(r.statusCode, 200);
    const { bytes, error } = await drain(r.body);
    assert.ok(error, 'the body fails');
    const evs = events(bytes);
    assert.equal(evs.length, 3);
    assert.equal(evs.some((e) => e.data === '[DONE]'), false);
    // A non-stream answer is cut in half: shorter than its content-length.
    const n = await chat(sim);
    const cut = await drain(n.body);
    assert.ok(cut.error);
    assert.ok(cut.bytes.length < Number(n.headers['content-length']));
    // The official client reports the cut stream as an error.
    const client = new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'k', maxRetries: 0 });
    const s = await client.chat.completions.create({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let got = 0;
    await assert.rejects(async () => {
      for await (const _ of s) got++;
    });
    assert.equal(got, 3);
    assert.equal(sim.stats().injected.drops, 3);
    assert.equal(sim.stats().aborted, 0);
  });
});

test('malformed_rate 1: exactly one chunk is not valid JSON, the rest are', async () => {
  await withSim({ malformed_rate: 1 }, async (sim) => {
    const r = await chat(sim, STREAM);
    const evs = events(Buffer.from(await r.body.arrayBuffer()));
    assert.equal(evs.length, 21);
    const bad = evs.flatMap((e, i) => {
      if (e.data === '[DONE]') return [];
      try {
        JSON.parse(e.data);
        return [];
      } catch {
        return [i];
      }
    });
    assert.deepEqual(bad, [10]);
    const n = await chat(sim);
    assert.equal(n.statusCode, 200);
    const text = await n.body.text();
    assert.throws(() => JSON.parse(text));
    assert.equal(sim.stats().injected.malformed, 2);
  });
});

test('ttfb_ms delays the headers (lower bound only)', async () => {
  await withSim({ ttfb_ms: 120 }, async (sim) => {
    const t0 = performance.now();
    const r = await chat(sim);
    const t = performance.now() - t0;
    await r.body.dump();
    assert.ok(t >= 115, `headers after ${t.toFixed(1)} ms`);
  });
});

test('chunk_interval_ms spaces the chunks (lower bound only)', async () => {
  await withSim({ chunks: 5, chunk_interval_ms: 40 }, async (sim) => {
    const t0 = performance.now();
    const r = await chat(sim, STREAM);
    const arrivals: number[] = [];
    const parts: Buffer[] = [];
    for await (const c of r.body) {
      parts.push(c);
      arrivals.push(performance.now() - t0);
    }
    assert.equal(events(Buffer.concat(parts)).length, 6);
    assert.ok(arrivals[arrivals.length - 1]! >= 4 * 40 - 5, `stream took ${arrivals[arrivals.length - 1]!.toFixed(1)} ms`);
    assert.ok(arrivals.length >= 2, 'the stream arrives in several pieces');
  });
});

test('slow_read_ms reads the request body slowly, chunk by chunk', async () => {
  await withSim({ slow_read_ms: 15 }, async (sim) => {
    const piece = Buffer.alloc(64 * 1024, 0x61);
    const total = 32 * piece.length; // 2 MiB
    const t0 = performance.now();
    const body = Readable.from((function* () {
      for (let i = 0; i < 32; i++) yield piece;
    })());
    const r = await request(`${sim.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
    const j = (await r.body.json()) as { text: string };
    const elapsed = performance.now() - t0;
    assert.equal(j.text, 'This is a benchmark response.');
    const last = sim.stats().last['audio.transcriptions']!;
    assert.equal(last.bytes, total);
    assert.ok(last.bodyChunks >= 4, `${last.bodyChunks} chunks`);
    assert.ok(elapsed >= (last.bodyChunks - 1) * 15 - 5, `${elapsed.toFixed(0)} ms for ${last.bodyChunks} chunks`);
  });
});

test('a client that goes away mid-stream is counted as aborted', async () => {
  await withSim({ chunks: 200, chunk_interval_ms: 20 }, async (sim) => {
    const r = await chat(sim, STREAM);
    const it = r.body[Symbol.asyncIterator]();
    const first = await it.next();
    assert.ok(!first.done);
    r.body.destroy();
    await waitFor(() => sim.stats().aborted === 1);
    assert.equal(sim.stats().completed, 0);
  });
});

test('a client that gives up while waiting for the headers is counted as aborted', async () => {
  await withSim({ ttfb_ms: 5_000 }, async (sim) => {
    const ac = new AbortController();
    const p = chat(sim, CHAT, ac.signal);
    await waitFor(() => sim.stats().requests['chat.completions'] === 1);
    ac.abort();
    await assert.rejects(p);
    await waitFor(() => sim.stats().aborted === 1);
  });
});
