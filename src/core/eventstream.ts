/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`), separate from any
 * translation. Each message is: a 12-byte prelude (total length, headers length, prelude CRC32),
 * typed headers, a payload, and a CRC32 of everything before it. The decoder accepts bytes cut
 * at any boundary, buffers partial frames across pushes, and refuses a frame whose CRCs or
 * lengths are wrong with a GatewayError (LLMUX_ERR_UPSTREAM_PROTOCOL): a corrupted stream must
 * never be translated as if it were whole.
 *
 * Header parsing and the message CRC are the official Smithy codec's; the prelude is checked
 * here as soon as its 12 bytes arrive, so that a corrupted length is refused at once instead of
 * waiting for megabytes that will never come.
 */
import { crc32 } from 'node:zlib';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { GatewayError } from './errors.js';
import type { EventStreamMessage } from './types.js';

const PRELUDE_LENGTH = 12;
/** Prelude (12) + message CRC (4). */
const MIN_MESSAGE_LENGTH = 16;
/** Limits of the format (aws-c-event-stream): larger values can only be corruption. */
export const MAX_MESSAGE_LENGTH = 16 * 1024 * 1024;
export const MAX_HEADERS_LENGTH = 128 * 1024;

/** One header as the Smithy codec parses it (`type` is boolean, byte, short, integer, long, binary, string, timestamp or uuid). */
export interface EventStreamHeader {
  type: string;
  value: unknown;
}

/** One whole message: typed headers and the raw payload bytes (a copy, safe to keep). */
export interface EventStreamFrame {
  headers: Record<string, EventStreamHeader>;
  body: Uint8Array;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const utf8 = new TextDecoder('utf-8');

function protocolError(message: string): GatewayError {
  return new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', `AWS event stream: ${message}`);
}

export class EventStreamDecoder {
  private pending: Buffer | null = null;
  /** Set once a frame was refused: the stream cannot be resynchronised after that. */
  private failed: GatewayError | null = null;

  /** Feeds bytes; returns the messages completed by them, reduced for translators. */
  push(bytes: Uint8Array): EventStreamMessage[] {
    return this.pushFrames(bytes).map(toMessage);
  }

  /** Feeds bytes; returns the whole frames completed by them, with all their headers. */
  pushFrames(bytes: Uint8Array): EventStreamFrame[] {
    if (this.failed) throw this.failed;
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    const out: EventStreamFrame[] = [];
    let off = 0;
    try {
      while (buf.length - off >= PRELUDE_LENGTH) {
        const total = buf.readUInt32BE(off);
        const headersLength = buf.readUInt32BE(off + 4);
        const preludeCrc = buf.readUInt32BE(off + 8);
        const actual = crc32(buf.subarray(off, off + 8));
        if (actual !== preludeCrc) {
          throw protocolError(`prelude checksum mismatch (message says ${preludeCrc}, computed ${actual})`);
        }
        if (total < MIN_MESSAGE_LENGTH || total > MAX_MESSAGE_LENGTH) {
          throw protocolError(`bad message length ${total} (must be ${MIN_MESSAGE_LENGTH}..${MAX_MESSAGE_LENGTH})`);
        }
        if (headersLength > MAX_HEADERS_LENGTH || headersLength > total - MIN_MESSAGE_LENGTH) {
          throw protocolError(`bad headers length ${headersLength} for a message of ${total} bytes`);
        }
        if (buf.length - off < total) break;
        out.push(decodeOne(buf.subarray(off, off + total)));
        off += total;
      }
    } catch (e) {
      this.failed = e instanceof GatewayError ? e : protocolError(String(e));
      // Frames decoded before the bad one are delivered first; the next push or end() raises it,
      // so what the client receives does not depend on how the bytes were split into reads.
      if (out.length === 0) throw this.failed;
      return out;
    }
    if (off < buf.length) {
      // Copy: the caller may reuse the buffer it pushed.
      this.pending = Buffer.from(buf.subarray(off));
    }
    return out;
  }

  /** The upstream ended: bytes of an unfinished frame mean the stream was cut. */
  end(): void {
    if (this.failed) throw this.failed;
    const left = this.pending?.length ?? 0;
    this.pending = null;
    if (left > 0) {
      this.failed = protocolError(`stream ended inside a message (${left} bytes left over)`);
      throw this.failed;
    }
  }
}

function decodeOne(frame: Buffer): EventStreamFrame {
  let decoded;
  try {
    decoded = codec.decode(frame);
  } catch (e) {
    throw protocolError(e instanceof Error ? e.message : String(e));
  }
  return {
    headers: decoded.headers as Record<string, EventStreamHeader>,
    body: Uint8Array.prototype.slice.call(decoded.body),
  };
}

function headerString(frame: EventStreamFrame, name: string): string | undefined {
  const h = frame.headers[name];
  return h && typeof h.value === 'string' ? h.value : undefined;
}

/**
 * Reduces a frame to what translators need. The payload is the body parsed as JSON; a body
 * that is not JSON is given as its text, an empty body as null. An `error` message (the
 * transport-level kind, with `:error-code` / `:error-message` headers and usually no body) is
 * given as eventType = the error code and payload `{message}`.
 */
export function toMessage(frame: EventStreamFrame): EventStreamMessage {
  const messageType = headerString(frame, ':message-type') ?? 'event';
  const eventType =
    headerString(frame, ':event-type') ?? headerString(frame, ':exception-type') ?? headerString(frame, ':error-code') ?? '';
  const text = frame.body.length === 0 ? '' : utf8.decode(frame.body);
  let payload: unknown = null;
  if (text !== '') {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = text;
    }
  }
  if (messageType === 'error' && payload === null) {
    payload = { message: headerString(frame, ':error-message') ?? eventType };
  }
  return { messageType, eventType, payload };
}
