/** Shared helpers for the Bedrock tests (a .test.ts file so it stays out of the shipped code). */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { AdapterEnv, EventStreamMessage } from '../../core/types.js';
import type { UpstreamTarget } from '../types.js';
import { readFixtureJsonl } from '../../testing/fixtures.js';

export const NOW_MS = 1_717_000_000_500;

/** Ids are `prefix-1`, `prefix-2`, … so tests can tell synthesised ids from upstream ones. */
export function testEnv(): AdapterEnv {
  let n = 0;
  return { now: () => NOW_MS, newId: (prefix) => `${prefix}-${++n}` };
}

export const target: UpstreamTarget = {
  provider: 'aws',
  kind: 'bedrock',
  baseUrl: '',
  model: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  region: 'us-east-1',
  accessKey: 'AKIDEXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/** A `.jsonl` transcript line `{<event-type>: payload}` as the decoder would give it. */
export function transcript(rel: string): EventStreamMessage[] {
  return readFixtureJsonl<Record<string, unknown>>(rel).map((line) => {
    const [name] = Object.keys(line);
    return { messageType: 'event', eventType: name!, payload: line[name!] };
  });
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** Frames a message with the official encoder, as Bedrock does. */
export function frame(headers: Record<string, string>, body: string): Uint8Array {
  const h: Record<string, { type: 'string'; value: string }> = {};
  for (const [k, v] of Object.entries(headers)) h[k] = { type: 'string', value: v };
  return codec.encode({ headers: h, body: fromUtf8(body) });
}
