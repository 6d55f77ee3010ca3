import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SSEFrameSplitter, tapEachFrame } from '../../core/sse.js';
import { readFixture } from '../../testing/fixtures.js';
import type { UpstreamTarget } from '../types.js';
import { openaiPassthrough, openaiStreamTap, passthroughBody } from './passthrough.js';

const openai: UpstreamTarget = { provider: 'p', kind: 'openai', baseUrl: 'http://up/v1', model: 'real' };
const ollama: UpstreamTarget = { ...openai, kind: 'ollama' };

/** A recorded stream cut into frames as the pump cuts it. */
function frames(rel: string): Buffer[] {
  const s = new SSEFrameSplitter();
  const out: Buffer[] = [];
  const run = s.run(readFixture(rel));
  if (run) tapEachFrame(run, (f) => (out.push(f), f));
  const rest = s.end();
  return rest ? [...out, rest] : out;
}

describe('passthroughBody', () => {
  it('returns the very same bytes when nothing needs changing', () => {
    const raw = Buffer.from('{"model":"real","messages":[]}');
    assert.equal(passthroughBody(raw, JSON.parse(raw.toString()) as Record<string, unknown>, 'real', false), raw);
  });

  it('rewrites only the model, keeping spacing, number formats and unknown fields', () => {
    const raw = Buffer.from('{ "messages": [], "model" : "alias", "temperature": 1.0, "x": 1e400 }');
    const parsed = { messages: [], model: 'alias', temperature: 1, x: Infinity };
    assert.equal(passthroughBody(raw, parsed, 'real', false).toString(), '{ "messages": [], "model" : "real", "temperature": 1.0, "x": 1e400 }');
  });

  it('asks for usage on streams: inserted when absent, merged into existing stream_options', () => {
    const a = Buffer.from('{"model":"real","stream":true}');
    assert.deepEqual(JSON.parse(passthroughBody(a, JSON.parse(a.toString()) as Record<string, unknown>, 'real', true).toString()), { stream_options: { include_usage: true }, model: 'real', stream: true });
    const b = Buffer.from('{"model":"alias","stream":true,"stream_options":{"include_usage":false,"other":1}}');
    const out = JSON.parse(passthroughBody(b, JSON.parse(b.toString()) as Record<string, unknown>, 'real', true).toString()) as Record<string, unknown>;
    assert.deepEqual(out, { model: 'real', stream: true, stream_options: { include_usage: true, other: 1 } });
    const c = Buffer.from('{"model":"real","stream":true,"stream_options":{"include_usage":true}}');
    assert.equal(passthroughBody(c, JSON.parse(c.toString()) as Record<string, unknown>, 'real', true), c);
  });
});

describe('openaiStreamTap', () => {
  it('reads usage; hides the usage-only chunk unless the client asked for it; other frames unchanged', () => {
    const all = frames('openai/chat-stream-include_usage-raw.sse.txt');
    const hidden = openaiStreamTap({}, openai);
    const sent = all.map((f) => hidden.frame(f));
    assert.equal(sent.filter((f) => f === null).length, 1, 'exactly the usage chunk is hidden');
    assert.ok(sent.every((f, i) => f === null || f === all[i]), 'every other frame is the same bytes');
    assert.equal(hidden.usage()?.prompt_tokens, 17);
    assert.equal(hidden.usage()?.completion_tokens, 10);
    const shown = openaiStreamTap({ stream_options: { include_usage: true } }, openai);
    assert.ok(all.every((f) => shown.frame(f) === f));
    assert.equal(shown.usage()?.total_tokens, 27);
  });

  it('Ollama: `reasoning` reaches OpenAI clients as `reasoning_content`, on streams and whole bodies', () => {
    const all = frames('ollama/openai-compat-chat-stream-reasoning.partial.sse.txt');
    const tap = openaiStreamTap({}, ollama);
    const out = all.map((f) => tap.frame(f)!.toString('utf8'));
    const deltas = out.filter((f) => f.startsWith('data: {')).map((f) => (JSON.parse(f.slice(6)) as { choices: Array<{ delta: Record<string, unknown> }> }).choices[0]!.delta);
    assert.ok(deltas.length > 0);
    assert.ok(deltas.every((d) => !('reasoning' in d)));
    assert.ok(deltas.some((d) => typeof d['reasoning_content'] === 'string' && d['reasoning_content'] !== ''));
    const plain = openaiStreamTap({}, openai);
    assert.ok(all.every((f) => plain.frame(f) === f), 'other kinds are not touched');

    const body = readFixture('ollama/openai-compat-chat-nonstream.json');
    const r = openaiPassthrough.response(body, ollama);
    const msg = (JSON.parse(r.body.toString()) as { choices: Array<{ message: Record<string, unknown> }> }).choices[0]!.message;
    const original = (JSON.parse(body.toString()) as { choices: Array<{ message: Record<string, unknown> }> }).choices[0]!.message;
    assert.equal(msg['reasoning_content'], original['reasoning']);
    assert.ok(!('reasoning' in msg));
    assert.ok(r.usage && r.usage.completion_tokens > 0);
  });
});
