import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { EventStreamDecoder, type EventStreamFrame, type EventStreamHeader } from './eventstream.js';
import { GatewayError } from './errors.js';
import type { EventStreamMessage } from './types.js';
import { readFixtureJson, readFixtureJsonl, readFixtureText } from '../testing/fixtures.js';

interface Vector {
  expectation: 'success' | 'failure';
  encoded_b64: string;
  decoded?: { headers: Record<string, { type: string; value: unknown }>; body_utf8: string };
}

const vectors = readFixtureJson<Record<string, Vector>>('bedrock/eventstream-codec-test-vectors.json');
const b64 = (rel: string): Buffer => Buffer.from(readFixtureText(rel).trim(), 'base64');

/** The vectors' JSON rendering of a header value, from what the decoder returned. */
function render(h: EventStreamHeader): unknown {
  switch (h.type) {
    case 'binary':
      return { b64: Buffer.from(h.value as Uint8Array).toString('base64') };
    case 'timestamp':
      return { epoch_ms: (h.value as Date).getTime() };
    case 'long':
      return Number(h.value);
    default:
      return h.value;
  }
}

function isProtocolError(e: unknown): boolean {
  return e instanceof GatewayError && e.code === 'LLMUX_ERR_UPSTREAM_PROTOCOL' && /AWS event stream/.test(e.message);
}

test('accepts every positive official vector with its exact headers and payload', () => {
  const positive = Object.entries(vectors).filter(([, v]) => v.expectation === 'success');
  assert.equal(positive.length, 5);
  for (const [name, v] of positive) {
    const d = new EventStreamDecoder();
    const frames: EventStreamFrame[] = d.pushFrames(Buffer.from(v.encoded_b64, 'base64'));
    d.end();
    assert.equal(frames.length, 1, name);
    const frame = frames[0]!;
    const expected = v.decoded!;
    assert.deepEqual(Object.keys(frame.headers).sort(), Object.keys(expected.headers).sort(), name);
    for (const [key, want] of Object.entries(expected.headers)) {
      const got = frame.headers[key]!;
      assert.equal(got.type, want.type, `${name} ${key}`);
      assert.deepEqual(render(got), want.value, `${name} ${key}`);
    }
    assert.equal(Buffer.from(frame.body).toString('utf8'), expected.body_utf8, name);
  }
});

test('a body that is not JSON is given as text, an empty one as null', () => {
  const one = new EventStreamDecoder().push(Buffer.from(vectors['payload_one_str_header']!.encoded_b64, 'base64'));
  assert.deepEqual(one, [{ messageType: 'event', eventType: '', payload: "{'foo':'bar'}" }]);
  const empty = new EventStreamDecoder().push(Buffer.from(vectors['empty_message']!.encoded_b64, 'base64'));
  assert.deepEqual(empty, [{ messageType: 'event', eventType: '', payload: null }]);
});

test('rejects every corrupted official vector (CRC or length), whole or byte by byte', () => {
  const negative = Object.entries(vectors).filter(([, v]) => v.expectation === 'failure');
  assert.equal(negative.length, 4);
  for (const [name, v] of negative) {
    const bytes = Buffer.from(v.encoded_b64, 'base64');
    const whole = new EventStreamDecoder();
    assert.throws(() => {
      whole.push(bytes);
      whole.end();
    }, isProtocolError, name);
    const dribble = new EventStreamDecoder();
    assert.throws(() => {
      for (let i = 0; i < bytes.length; i++) dribble.push(bytes.subarray(i, i + 1));
      dribble.end();
    }, isProtocolError, name);
  }
});

test('a refused stream stays refused', () => {
  const d = new EventStreamDecoder();
  const bad = Buffer.from(vectors['corrupted_payload']!.encoded_b64, 'base64');
  assert.throws(() => d.push(bad), isProtocolError);
  const good = Buffer.from(vectors['int32_header']!.encoded_b64, 'base64');
  assert.throws(() => d.push(good), isProtocolError);
});

test('decodes the real Bedrock wire frame (InvokeModel chunk with p padding)', () => {
  const bytes = b64('bedrock/eventstream-invoke-chunk-frame.b64');
  assert.equal(bytes.length, 384);
  const d = new EventStreamDecoder();
  const frames = d.pushFrames(bytes);
  d.end();
  assert.equal(frames.length, 1);
  assert.deepEqual(frames[0]!.headers, {
    ':event-type': { type: 'string', value: 'chunk' },
    ':content-type': { type: 'string', value: 'application/json' },
    ':message-type': { type: 'string', value: 'event' },
  });
  const [msg] = new EventStreamDecoder().push(bytes);
  assert.equal(msg!.messageType, 'event');
  assert.equal(msg!.eventType, 'chunk');
  const payload = msg!.payload as { bytes: string; p: string };
  assert.equal(payload.p, 'abcdefghijklmnopqrstuv');
  const inner = JSON.parse(Buffer.from(payload.bytes, 'base64').toString('utf8')) as {
    id: string;
    choices: Array<{ delta: { role: string } }>;
    usage: { prompt_tokens: number };
  };
  assert.equal(inner.id, 'cmpl-981f7f176ad441459b94e45ee292a321');
  assert.equal(inner.choices[0]!.delta.role, 'assistant');
  assert.equal(inner.usage.prompt_tokens, 44);
});

test('one flipped bit anywhere in the real frame is refused', () => {
  const bytes = b64('bedrock/eventstream-invoke-chunk-frame.b64');
  for (const at of [0, 5, 9, 20, 100, 383]) {
    const copy = Buffer.from(bytes);
    copy[at] = copy[at]! ^ 0x01;
    const d = new EventStreamDecoder();
    assert.throws(() => {
      d.push(copy);
      d.end();
    }, isProtocolError, `bit flipped at ${at}`);
  }
});

test('a stream cut inside a frame fails at end()', () => {
  const bytes = b64('bedrock/converse-stream-text.frames.b64');
  const d = new EventStreamDecoder();
  const msgs = d.push(bytes.subarray(0, bytes.length - 3));
  assert.equal(msgs.length, 15);
  assert.throws(() => d.end(), /ended inside a message \(\d+ bytes left over\)/);
});

/** The `.jsonl` transcripts write each decoded frame as `{<:event-type>: <payload>}`. */
function expectedFrom(rel: string): EventStreamMessage[] {
  return readFixtureJsonl<Record<string, unknown>>(rel).map((line) => {
    const keys = Object.keys(line);
    assert.equal(keys.length, 1);
    return { messageType: 'event', eventType: keys[0]!, payload: line[keys[0]!] };
  });
}

/** Deterministic PRNG (mulberry32) so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function decodeInPieces(bytes: Buffer, cuts: number[]): EventStreamMessage[] {
  const d = new EventStreamDecoder();
  const out: EventStreamMessage[] = [];
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    // A fresh copy per piece: the decoder must not depend on the caller keeping its buffers.
    out.push(...d.push(Buffer.from(bytes.subarray(prev, c))));
    prev = c;
  }
  d.end();
  return out;
}

const streams: Array<[string, string, number]> = [
  ['bedrock/converse-stream-text.frames.b64', 'bedrock/converse-stream-text.jsonl', 16],
  ['bedrock/converse-stream-reasoning.frames.b64', 'bedrock/converse-stream-reasoning.jsonl', 26],
  ['bedrock/converse-stream-multi-tool.frames.b64', 'bedrock/converse-stream-multi-tool-handwritten.jsonl', 12],
];

for (const [frames, jsonl, count] of streams) {
  test(`${frames}: whole, cut at every byte boundary, byte by byte and at random boundaries → the transcript`, () => {
    const bytes = b64(frames);
    const expected = expectedFrom(jsonl);
    assert.equal(expected.length, count);
    assert.deepEqual(decodeInPieces(bytes, []), expected);
    for (let k = 0; k <= bytes.length; k++) {
      assert.deepEqual(decodeInPieces(bytes, [k]), expected, `cut at ${k}`);
    }
    assert.deepEqual(
      decodeInPieces(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)),
      expected,
      'byte by byte',
    );
    const rand = rng(0x5eed + count);
    for (let round = 0; round < 50; round++) {
      const cuts: number[] = [];
      let at = 0;
      for (;;) {
        at += 1 + Math.floor(rand() * 97);
        if (at >= bytes.length) break;
        cuts.push(at);
      }
      assert.deepEqual(decodeInPieces(bytes, cuts), expected, `random round ${round}: ${cuts.join(',')}`);
    }
  });
}

test('exception frames carry :exception-type as eventType', () => {
  // Built with the official encoder, as Bedrock frames a mid-stream exception.
  const { encode } = encoderForTest();
  const bytes = encode(
    { ':message-type': 'exception', ':exception-type': 'throttlingException', ':content-type': 'application/json' },
    '{"message":"Too many requests, please wait before trying again."}',
  );
  assert.deepEqual(new EventStreamDecoder().push(bytes), [
    {
      messageType: 'exception',
      eventType: 'throttlingException',
      payload: { message: 'Too many requests, please wait before trying again.' },
    },
  ]);
  const err = encode({ ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'boom' }, '');
  assert.deepEqual(new EventStreamDecoder().push(err), [
    { messageType: 'error', eventType: 'InternalFailure', payload: { message: 'boom' } },
  ]);
});


function encoderForTest(): { encode(headers: Record<string, string>, body: string): Uint8Array } {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  return {
    encode(headers, body) {
      const h: Record<string, { type: 'string'; value: string }> = {};
      for (const [k, v] of Object.entries(headers)) h[k] = { type: 'string', value: v };
      return codec.encode({ headers: h, body: fromUtf8(body) });
    },
  };
}
