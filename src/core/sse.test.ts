import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixturePath, readFixture } from '../testing/fixtures.js';
import { encodeSSE, SSE_DONE, SSE_KEEPALIVE, SSEDecoder, SSEFrameSplitter, tapEachFrame, tapMarkedFrames } from './sse.js';
import type { SSEEvent } from './types.js';
import { mulberry32 } from '../simulator/rng.js';

const PROVIDERS = ['anthropic', 'azure', 'gemini', 'ollama', 'openai'];
const FIXTURES = PROVIDERS.flatMap((p) =>
  readdirSync(fixturePath(p))
    .filter((f) => f.endsWith('.sse.txt'))
    .map((f) => `${p}/${f}`),
);

/** Feeds `buf` cut at `cuts` (ascending offsets) and returns every event, end() included. */
function decode(buf: Buffer, cuts: number[] = []): SSEEvent[] {
  const d = new SSEDecoder();
  const out: SSEEvent[] = [];
  let from = 0;
  for (const c of [...cuts, buf.length]) {
    out.push(...d.push(buf.subarray(from, c)));
    from = c;
  }
  out.push(...d.end());
  return out;
}

/** The frames the pump cuts `buf` into, fed in chunks cut at `cuts`: run() per chunk, each frame of each run, end(). */
function splitFrames(buf: Buffer, cuts: number[] = []): Buffer[] {
  const s = new SSEFrameSplitter();
  const out: Buffer[] = [];
  const collect = (f: Buffer): Buffer => {
    out.push(f);
    return f;
  };
  let from = 0;
  for (const c of [...cuts, buf.length]) {
    const run = s.run(buf.subarray(from, c));
    from = c;
    if (run) tapEachFrame(run, collect);
  }
  const rest = s.end();
  if (rest) out.push(rest);
  return out;
}

/** Frames by a regular expression, independent of the splitter: up to each LF LF or LF CR LF, then any rest. */
function framesByRegex(text: string): string[] {
  return text.match(/[\s\S]*?\n\r?\n|[\s\S]+$/g) ?? [];
}

/** Seeded PRNG: random chunkings that are the same on every run. */
const rng = mulberry32;

function randomCuts(len: number, rand: () => number, maxChunk: number): number[] {
  const cuts: number[] = [];
  let at = 0;
  for (;;) {
    at += 1 + Math.floor(rand() * maxChunk);
    if (at >= len) return cuts;
    cuts.push(at);
  }
}

const everyByte = (len: number): number[] => Array.from({ length: Math.max(0, len - 1) }, (_, i) => i + 1);

/** Frames counted independently of the decoder: blank-line separated blocks with a data line. */
function countDataBlocks(text: string): number {
  return text.split(/\r?\n\r?\n/).filter((block) => /^data:/m.test(block)).length;
}

function json(ev: SSEEvent | undefined): Record<string, unknown> {
  assert.ok(ev, 'missing event');
  return JSON.parse(ev.data) as Record<string, unknown>;
}

describe('SSEDecoder on every recorded stream', () => {
  assert.ok(FIXTURES.length >= 17, `expected the recorded .sse.txt fixtures, found ${FIXTURES.length}`);
  for (const name of FIXTURES) {
    it(name, () => {
      const buf = readFixture(name);
      const whole = decode(buf);
      assert.equal(whole.length, countDataBlocks(buf.toString('utf8')));
      for (const ev of whole) {
        if (ev.data !== '[DONE]') assert.doesNotThrow(() => JSON.parse(ev.data), `not JSON: ${ev.data.slice(0, 80)}`);
        assert.ok(!ev.data.includes('\r'), 'a CR of a line ending leaked into the data');
        // Anthropic names every event after its payload's type.
        if (ev.event !== undefined) assert.equal(ev.event, json(ev)['type']);
      }
      const expected = JSON.stringify(whole);

      // Cut in two at every byte offset.
      for (let i = 1; i < buf.length; i++) {
        const got = JSON.stringify(decode(buf, [i]));
        if (got !== expected) assert.equal(got, expected, `cut at byte ${i}`);
      }
      // One byte at a time.
      assert.equal(JSON.stringify(decode(buf, everyByte(buf.length))), expected, 'byte by byte');
      // Random chunkings.
      for (let seed = 1; seed <= 25; seed++) {
        const cuts = randomCuts(buf.length, rng(seed), seed % 2 === 0 ? 8 : 300);
        assert.equal(JSON.stringify(decode(buf, cuts)), expected, `random chunking, seed ${seed}`);
      }
    });
  }
});

describe('SSEDecoder: what the recorded streams say', () => {
  it('anthropic/docs-stream-basic: event order, text and usage', () => {
    const events = decode(readFixture('anthropic/docs-stream-basic.sse.txt'));
    assert.deepEqual(
      events.map((e) => e.event),
      ['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop'],
    );
    const text = events
      .filter((e) => e.event === 'content_block_delta')
      .map((e) => (json(e)['delta'] as { text: string }).text)
      .join('');
    assert.equal(text, 'Hello!');
    const start = json(events[0])['message'] as { id: string; usage: { input_tokens: number } };
    assert.equal(start.id, 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY');
    assert.equal(start.usage.input_tokens, 25);
    const delta = json(events[6]) as { delta: { stop_reason: string }; usage: { output_tokens: number } };
    assert.equal(delta.delta.stop_reason, 'end_turn');
    assert.equal(delta.usage.output_tokens, 15);
  });

  it('anthropic/docs-stream-error-overloaded: one error event', () => {
    const events = decode(readFixture('anthropic/docs-stream-error-overloaded.sse.txt'));
    assert.equal(events.length, 1);
    assert.equal(events[0]?.event, 'error');
    assert.deepEqual(json(events[0])['error'], { type: 'overloaded_error', message: 'Overloaded' });
  });

  it('openai/chat-stream-tool_calls-raw: tool call id, name, arguments, finish reason, usage, [DONE]', () => {
    const events = decode(readFixture('openai/chat-stream-tool_calls-raw.sse.txt'));
    assert.equal(events.at(-1)?.data, '[DONE]');
    type Chunk = {
      choices: Array<{ delta: { tool_calls?: Array<{ id?: string; function: { name?: string; arguments: string } }> }; finish_reason: string | null }>;
      usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
    };
    const chunks = events.slice(0, -1).map((e) => json(e) as unknown as Chunk);
    const calls = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    assert.equal(calls[0]?.id, 'call_O17Uplv4lJvD6DVdIvFFeRMw');
    assert.equal(calls[0]?.function.name, 'test-tool');
    assert.deepEqual(JSON.parse(calls.map((c) => c.function.arguments).join('')), { value: 'Sparkle Day' });
    assert.deepEqual(
      chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f !== null),
      ['tool_calls'],
    );
    assert.deepEqual(chunks.at(-1)?.usage, { prompt_tokens: 53, completion_tokens: 17, total_tokens: 70 });
  });

  it('gemini (CRLF CRLF terminators, Japanese text): text and usage', () => {
    const events = decode(readFixture('gemini/streamGenerateContent-sse-raw-after-functionResponse.sse.txt'));
    type G = { candidates: Array<{ content: { parts: Array<{ text?: string }> }; finishReason?: string }>; usageMetadata: { totalTokenCount: number } };
    const gs = events.map((e) => json(e) as unknown as G);
    assert.equal(gs.map((g) => g.candidates[0]?.content.parts.map((p) => p.text).join('')).join(''), '今日の東京の天気は曇りで、気温は22度です。\n');
    assert.equal(gs.at(-1)?.candidates[0]?.finishReason, 'STOP');
    assert.deepEqual(
      gs.map((g) => g.usageMetadata.totalTokenCount),
      [142, 153],
    );

    const fc = decode(readFixture('gemini/streamGenerateContent-sse-raw-functionCall.sse.txt'));
    assert.equal(fc.length, 1);
    const part = (json(fc[0]) as unknown as { candidates: Array<{ content: { parts: Array<{ functionCall: unknown }> } }> }).candidates[0]?.content.parts[0];
    assert.deepEqual(part?.functionCall, { name: 'getWeather', args: { location: 'Tokyo' } });
  });
});

describe('SSEDecoder: cuts inside CRLF and inside UTF-8 characters', () => {
  it('CR at the end of one chunk and LF at the start of the next are one line ending', () => {
    const buf = Buffer.from('data: a\r\ndata: b\r\n\r\ndata: c\r\n\r\n');
    const whole = decode(buf);
    assert.deepEqual(whole, [{ data: 'a\nb' }, { data: 'c' }]);
    // Every CR LF in the input, cut between CR and LF.
    for (let i = buf.indexOf('\r\n'); i !== -1; i = buf.indexOf('\r\n', i + 1)) {
      assert.deepEqual(decode(buf, [i + 1]), whole, `cut between CR and LF at ${i}`);
    }
    // CR then LF arriving alone, with empty chunks in between.
    const d = new SSEDecoder();
    assert.deepEqual(d.push(Buffer.from('data: x\r')), []);
    assert.deepEqual(d.push(Buffer.alloc(0)), []);
    assert.deepEqual(d.push(Buffer.from('\n')), []);
    assert.deepEqual(d.push(Buffer.from('\r')), [{ data: 'x' }]);
    assert.deepEqual(d.push(Buffer.from('\ndata: y\n\n')), [{ data: 'y' }]);
  });

  it('the gemini CRLF stream decodes the same when cut between each CR and LF', () => {
    const buf = readFixture('gemini/streamGenerateContent-sse-raw-text.sse.txt');
    const whole = decode(buf);
    assert.equal(whole.length, 1);
    const g = json(whole[0]) as { candidates: Array<{ content: { parts: Array<{ text: string }> } }>; usageMetadata: { totalTokenCount: number } };
    assert.equal(g.candidates[0]?.content.parts[0]?.text, '1, 2, 3');
    assert.equal(g.usageMetadata.totalTokenCount, 38);
    const crlf = buf.indexOf('\r\n');
    assert.ok(crlf > 0);
    assert.deepEqual(decode(buf, [crlf + 1]), whole);
    assert.deepEqual(decode(buf, [crlf + 1, crlf + 2, crlf + 3]), whole);
  });

  it('azure’s "’" (3 bytes) cut after its first and second byte', () => {
    const buf = readFixture('azure/chat-stream-content-filter-raw.sse.txt');
    const at = buf.indexOf(Buffer.from('’'));
    assert.ok(at > 0);
    const content = (events: SSEEvent[]): string =>
      events
        .filter((e) => e.data !== '[DONE]')
        .flatMap((e) => ((json(e)['choices'] ?? []) as Array<{ delta?: { content?: string } }>).map((c) => c.delta?.content ?? ''))
        .join('');
    const whole = content(decode(buf));
    assert.ok(whole.includes('’m'), whole);
    for (const cut of [at + 1, at + 2]) {
      const events = decode(buf, [cut]);
      assert.equal(content(events), whole);
      assert.ok(!content(events).includes('\uFFFD'), 'a replacement character means the cut broke the character');
    }
  });

  it('an emoji (4 bytes) cut at each of its inner boundaries, and one byte per chunk', () => {
    const buf = Buffer.from('event: delta\ndata: {"text":"hi 😀 ’"}\n\n', 'utf8');
    const at = buf.indexOf(Buffer.from('😀'));
    for (const cut of [at + 1, at + 2, at + 3]) {
      assert.deepEqual(decode(buf, [cut]), [{ event: 'delta', data: '{"text":"hi 😀 ’"}' }]);
    }
    assert.deepEqual(decode(buf, everyByte(buf.length)), [{ event: 'delta', data: '{"text":"hi 😀 ’"}' }]);
  });
});

describe('SSEDecoder: the SSE grammar', () => {
  it('fields, comments, unknown fields and the one optional space', () => {
    const text = [
      ': keep-alive comment',
      'event: custom',
      'id: 7',
      'retry: 1000',
      'unknown: field',
      'data:no space',
      'data:  two spaces',
      'data',
      '',
      'data: second',
      '',
      '',
      'event: only-event',
      '',
      'data: third',
      '',
    ].join('\n');
    assert.deepEqual(decode(Buffer.from(text)), [
      { event: 'custom', id: '7', data: 'no space\n two spaces\n' },
      // The last event id carries over, as the spec says; the event type does not.
      { id: '7', data: 'second' },
      { id: '7', data: 'third' },
    ]);
  });

  it('CR-only line endings', () => {
    assert.deepEqual(decode(Buffer.from('data: a\r\rdata: b\rdata: c\r\r')), [{ data: 'a' }, { data: 'b\nc' }]);
  });

  it('end() delivers a final event that lacks its blank line, once', () => {
    const d = new SSEDecoder();
    assert.deepEqual(d.push(Buffer.from('data: one\n\ndata: two')), [{ data: 'one' }]);
    assert.deepEqual(d.end(), [{ data: 'two' }]);
    assert.deepEqual(d.end(), []);
  });

  it('encodeSSE round-trips through the decoder, multi-line data included', () => {
    const cases: Array<[string, string | undefined]> = [
      ['{"a":1}', undefined],
      ['line 1\nline 2\n\nline 4', 'multi'],
      ['', 'empty'],
      ['naïve ’ 😀', undefined],
    ];
    const wire = cases.map(([data, event]) => encodeSSE(data, event)).join('') + SSE_KEEPALIVE + SSE_DONE;
    assert.equal(encodeSSE('x', 'e'), 'event: e\ndata: x\n\n');
    assert.equal(encodeSSE('a\nb'), 'data: a\ndata: b\n\n');
    assert.deepEqual(decode(Buffer.from(wire)), [
      { data: '{"a":1}' },
      { event: 'multi', data: 'line 1\nline 2\n\nline 4' },
      { event: 'empty', data: '' },
      { data: 'naïve ’ 😀' },
      { data: '[DONE]' },
    ]);
  });
});

describe('SSEFrameSplitter on every recorded stream', () => {
  for (const name of FIXTURES) {
    it(name, () => {
      const buf = readFixture(name);
      const whole = splitFrames(buf);
      const events = decode(buf);

      const check = (frames: Buffer[], how: string): void => {
        assert.ok(Buffer.concat(frames).equals(buf), `${how}: frames do not add up to the input`);
        // Every frame but a trailing remainder ends in a blank line.
        const endsBlank = (f: Buffer): boolean => f.toString('latin1').endsWith('\n\n') || f.toString('latin1').endsWith('\n\r\n');
        frames.slice(0, -1).forEach((f, i) => assert.ok(endsBlank(f), `${how}: frame ${i} does not end in a blank line`));
        // Each frame decodes on its own to its share of the events: frames are whole events.
        assert.deepEqual(
          frames.flatMap((f) => decode(f)),
          events,
          `${how}: frames are not whole events`,
        );
      };

      check(whole, 'whole');
      assert.ok(whole.length >= events.length, 'at least one frame per event');
      if (buf.toString('latin1').endsWith('\n\n')) assert.ok(whole.every((f) => f.length > 0) && whole.at(-1)!.toString('latin1').endsWith('\n\n'));
      const expected = whole.map((f) => f.toString('latin1'));
      assert.deepEqual(expected, framesByRegex(buf.toString('latin1')), 'the frames a regular expression finds');
      for (let i = 1; i < buf.length; i++) {
        const got = splitFrames(buf, [i]).map((f) => f.toString('latin1'));
        if (JSON.stringify(got) !== JSON.stringify(expected)) assert.deepEqual(got, expected, `cut at byte ${i}`);
      }
      check(splitFrames(buf, everyByte(buf.length)), 'byte by byte');
      assert.deepEqual(
        splitFrames(buf, everyByte(buf.length)).map((f) => f.toString('latin1')),
        expected,
      );
      for (let seed = 1; seed <= 25; seed++) {
        const frames = splitFrames(buf, randomCuts(buf.length, rng(seed), seed % 2 === 0 ? 8 : 300));
        assert.deepEqual(
          frames.map((f) => f.toString('latin1')),
          expected,
          `random chunking, seed ${seed}`,
        );
      }
    });
  }

  it('frames end at LF LF and at LF CR LF (CRLF CRLF), cut anywhere', () => {
    const input = 'data: a\n\ndata: b\r\n\r\nevent: e\ndata: c\n\n';
    const expected = ['data: a\n\n', 'data: b\r\n\r\n', 'event: e\ndata: c\n\n'];
    assert.deepEqual(
      splitFrames(Buffer.from(input)).map((f) => f.toString()),
      expected,
    );
    for (let i = 1; i < input.length; i++) {
      assert.deepEqual(
        splitFrames(Buffer.from(input), [i]).map((f) => f.toString()),
        expected,
        `cut at ${i}`,
      );
    }
  });

  it('a frame split inside a multi-byte character is forwarded byte for byte', () => {
    const buf = Buffer.from('data: {"t":"’😀"}\n\ndata: [DONE]\n\n');
    const at = buf.indexOf(Buffer.from('😀'));
    const frames = splitFrames(buf, [at + 2]);
    assert.deepEqual(
      frames.map((f) => f.toString('utf8')),
      ['data: {"t":"’😀"}\n\n', 'data: [DONE]\n\n'],
    );
  });

  it('end() returns an unterminated last frame, and nothing when all frames were whole', () => {
    const s = new SSEFrameSplitter();
    assert.equal(s.run(Buffer.from('data: 1\n\ndata: 2\n'))?.toString(), 'data: 1\n\n');
    assert.equal(s.end()?.toString(), 'data: 2\n');
    assert.equal(s.end(), null);
    const t = new SSEFrameSplitter();
    t.run(Buffer.from('data: 1\n\n'));
    assert.equal(t.end(), null);
  });
});

/**
 * The pump's path: run() per chunk, then a tap over each run. `visit` decides per frame; returns
 * the bytes sent and the frames visit saw.
 */
function pump(buf: Buffer, cuts: number[], marks: Buffer[] | null, visit: (f: Buffer) => Buffer | null): { sent: Buffer; seen: string[] } {
  const s = new SSEFrameSplitter();
  const sent: Buffer[] = [];
  const seen: string[] = [];
  const v = (f: Buffer): Buffer | null => {
    seen.push(f.toString('latin1'));
    return visit(f);
  };
  let from = 0;
  for (const c of [...cuts, buf.length]) {
    const run = s.run(buf.subarray(from, c));
    from = c;
    if (!run) continue;
    const out = marks ? tapMarkedFrames(run, marks, v) : tapEachFrame(run, v);
    if (out) sent.push(out);
  }
  const rest = s.end();
  if (rest) {
    const out = v(rest);
    if (out) sent.push(out);
  }
  return { sent: Buffer.concat(sent), seen };
}

describe('run() and the frame taps on every recorded stream', () => {
  const marks = [Buffer.from('usage"'), Buffer.from('message_delta')];
  const marked = (f: string): boolean => f.includes('usage"') || f.includes('message_delta');
  for (const name of FIXTURES) {
    it(name, () => {
      const buf = readFixture(name);
      const frames = framesByRegex(buf.toString('latin1'));
      const cutsList: number[][] = [[], everyByte(buf.length)];
      for (let seed = 1; seed <= 10; seed++) cutsList.push(randomCuts(buf.length, rng(seed), seed % 2 === 0 ? 8 : 300));
      for (const cuts of cutsList) {
        const how = `${cuts.length} cuts`;
        // Everything kept: the bytes go through unchanged, and each tap sees the frames it should.
        const each = pump(buf, cuts, null, (f) => f);
        assert.ok(each.sent.equals(buf), `${how}: tapEachFrame changed the bytes`);
        assert.deepEqual(each.seen, frames, `${how}: tapEachFrame did not see every frame`);
        const some = pump(buf, cuts, marks, (f) => f);
        assert.ok(some.sent.equals(buf), `${how}: tapMarkedFrames changed the bytes`);
        // A trailing remainder (no blank line) is always visited, marked or not.
        const expectSeen = frames.filter((f, i) => marked(f) || (i === frames.length - 1 && !/\n\r?\n$/.test(f)));
        assert.deepEqual(some.seen, expectSeen, `${how}: tapMarkedFrames saw the wrong frames`);
        // Dropping the marked frames removes exactly them.
        const dropped = pump(buf, cuts, marks, (f) => (marked(f.toString('latin1')) ? null : f));
        assert.equal(dropped.sent.toString('latin1'), frames.filter((f) => !marked(f)).join(''), `${how}: dropping marked frames`);
        // Rewriting a marked frame replaces it in place.
        const upper = pump(buf, cuts, marks, (f) => (marked(f.toString('latin1')) ? Buffer.from(f.toString('latin1').toUpperCase(), 'latin1') : f));
        assert.equal(upper.sent.toString('latin1'), frames.map((f) => (marked(f) ? f.toUpperCase() : f)).join(''), `${how}: rewriting marked frames`);
      }
    });
  }

  it('finds marked frames in CRLF framing, next to each other, and at either end of a run', () => {
    const input = 'data: {"usage":1}\r\n\r\ndata: {"usage":2}\n\ndata: x\n\nevent: message_delta\ndata: {}\r\n\r\n';
    const got = pump(Buffer.from(input), [], marks, () => null);
    assert.equal(got.sent.toString(), 'data: x\n\n');
    assert.deepEqual(got.seen, ['data: {"usage":1}\r\n\r\n', 'data: {"usage":2}\n\n', 'event: message_delta\ndata: {}\r\n\r\n']);
  });

  it('run() returns the chunk itself when it ends on a frame end, and holds back a partial frame', () => {
    const s = new SSEFrameSplitter();
    const whole = Buffer.from('data: 1\n\ndata: 2\n\n');
    assert.equal(s.run(whole), whole);
    assert.equal(s.run(Buffer.from('data: 3\n')), null);
    assert.equal(s.pendingLength, 8);
    assert.equal(s.run(Buffer.from('\ndata: 4'))?.toString(), 'data: 3\n\n');
    assert.equal(s.end()?.toString(), 'data: 4');
  });
});
