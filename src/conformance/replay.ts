/**
 * Serves a recorded transcript (test/fixtures/<provider>/<file>) from the mock upstream in the
 * provider's real wire framing, so that the gateway reads exactly what the provider would send:
 *
 * | transcript        | sent as                                                                   |
 * |-------------------|---------------------------------------------------------------------------|
 * | `.json`           | the body as recorded, `application/json`                                  |
 * | `.sse.txt`        | the bytes as recorded, `text/event-stream`                                |
 * | `.b64`            | the decoded binary AWS event-stream, `application/vnd.amazon.eventstream` |
 * | anthropic `.jsonl`| `event: <type>` + `data: <line>` per line (Anthropic names each event)     |
 * | gemini `.jsonl`   | `data: <line>` with CRLF separators, as Google's wire has them            |
 * | bedrock `.jsonl`  | one binary event-stream frame per line (the official Smithy encoder)       |
 * | other `.jsonl`    | `data: <line>` per line, then `data: [DONE]` (OpenAI-compatible wire)     |
 *
 * The recorders stripped the framing from `.jsonl` files; it is put back here the way each
 * provider frames it, so no translation test reads a framing the provider never sends.
 */
import type { ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { readFixture, readFixtureJsonl, readFixtureText } from '../testing/fixtures.js';
import type { MockHandler, Recorded } from '../testing/mock-upstream.js';

export interface WireBody {
  contentType: string;
  body: Buffer;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The provider folder of a fixture path (`gemini/x.jsonl` → `gemini`). */
export function providerOf(rel: string): string {
  return rel.split('/')[0] ?? '';
}

/** One Bedrock ConverseStream event (`{eventType: payload}`) as a binary frame. */
export function bedrockFrame(event: Record<string, unknown>): Buffer {
  const [type, payload] = Object.entries(event)[0] ?? [];
  if (type === undefined) throw new Error('a Bedrock event needs one key naming its type');
  return Buffer.from(
    codec.encode({
      headers: {
        ':event-type': { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: fromUtf8(JSON.stringify(payload)),
    }),
  );
}

/** A Bedrock exception frame, as ConverseStream sends one after the 200 (e.g. throttlingException). */
export function bedrockException(type: string, message: string): Buffer {
  return Buffer.from(
    codec.encode({
      headers: {
        ':exception-type': { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'exception' },
      },
      body: fromUtf8(JSON.stringify({ message })),
    }),
  );
}

/** A transcript as the provider puts it on the wire. */
export function wireBody(rel: string): WireBody {
  if (rel.endsWith('.json')) return { contentType: 'application/json', body: readFixture(rel) };
  if (rel.endsWith('.sse.txt')) return { contentType: 'text/event-stream', body: readFixture(rel) };
  if (rel.endsWith('.b64')) return { contentType: 'application/vnd.amazon.eventstream', body: Buffer.from(readFixtureText(rel).trim(), 'base64') };
  if (!rel.endsWith('.jsonl')) throw new Error(`no wire framing known for ${rel}`);
  const provider = providerOf(rel);
  const lines = readFixtureText(rel)
    .split('\n')
    .filter((l) => l.trim() !== '');
  switch (provider) {
    case 'anthropic':
      return {
        contentType: 'text/event-stream',
        body: Buffer.from(lines.map((l) => `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`).join('')),
      };
    case 'gemini':
      return { contentType: 'text/event-stream', body: Buffer.from(lines.map((l) => `data: ${l}\r\n\r\n`).join('')) };
    case 'bedrock':
      return {
        contentType: 'application/vnd.amazon.eventstream',
        body: Buffer.concat(readFixtureJsonl<Record<string, unknown>>(rel).map(bedrockFrame)),
      };
    default:
      return { contentType: 'text/event-stream', body: Buffer.from(lines.map((l) => `data: ${l}\n\n`).join('') + 'data: [DONE]\n\n') };
  }
}

export interface ReplayOptions {
  status?: number;
  headers?: Record<string, string>;
  /**
   * Write the body in pieces of this many bytes, yielding between writes, so that the gateway's
   * decoders see frames (and CRLFs, and multi-byte characters) cut at arbitrary places.
   */
  pieceBytes?: number;
  /** Bytes appended after the transcript (e.g. an error event after a recorded stream). */
  append?: Buffer;
}

/** Writes a wire body to a mock response, whole or in pieces. */
export async function sendWire(res: ServerResponse, wire: WireBody, opts: ReplayOptions = {}): Promise<void> {
  const body = opts.append ? Buffer.concat([wire.body, opts.append]) : wire.body;
  res.writeHead(opts.status ?? 200, { 'content-type': wire.contentType, ...(opts.pieceBytes ? {} : { 'content-length': String(body.length) }), ...opts.headers });
  if (!opts.pieceBytes) {
    res.end(body);
    return;
  }
  for (let at = 0; at < body.length && !res.destroyed; at += opts.pieceBytes) {
    res.write(body.subarray(at, at + opts.pieceBytes));
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}

/** A mock handler answering every request with the transcript. */
export function replay(rel: string, opts: ReplayOptions = {}): MockHandler {
  const wire = wireBody(rel);
  return (_req: Recorded, res: ServerResponse) => sendWire(res, wire, opts);
}

/** Concatenated wire bodies (e.g. the first events of one transcript, then another's error). */
export function joinWire(parts: WireBody[]): WireBody {
  return { contentType: parts[0]?.contentType ?? 'application/octet-stream', body: Buffer.concat(parts.map((p) => p.body)) };
}
