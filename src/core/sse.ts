/**
 * Server-sent events framing, separate from any translation. The decoder accepts bytes cut at
 * any boundary (inside CRLF, inside a multi-byte UTF-8 character) and yields whole events; it
 * splits on bytes, so a UTF-8 sequence (which never contains 0x0A or 0x0D) is decoded only when
 * its line is complete.
 */
import type { SSEEvent } from './types.js';

const LF = 0x0a;
const CR = 0x0d;

export class SSEDecoder {
  private pending: Buffer | null = null;
  /** The previous chunk ended in CR: a leading LF in the next one belongs to it. */
  private skipLF = false;
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;

  /** Feeds bytes; returns the events completed by them. */
  push(chunk: Uint8Array): SSEEvent[] {
    const out: SSEEvent[] = [];
    let buf: Uint8Array = chunk;
    let start = 0;
    if (this.skipLF && buf.length > 0) {
      if (buf[0] === LF) start = 1;
      this.skipLF = false;
    }
    for (let i = start; i < buf.length; i++) {
      const b = buf[i];
      if (b !== LF && b !== CR) continue;
      let line: Buffer;
      if (this.pending) {
        line = Buffer.concat([this.pending, buf.subarray(start, i)]);
        this.pending = null;
      } else {
        line = Buffer.from(buf.buffer, buf.byteOffset + start, i - start);
      }
      this.line(line, out);
      if (b === CR) {
        if (i + 1 < buf.length) {
          if (buf[i + 1] === LF) i++;
        } else {
          this.skipLF = true;
        }
      }
      start = i + 1;
    }
    if (start < buf.length) {
      const rest = Buffer.from(buf.subarray(start));
      this.pending = this.pending ? Buffer.concat([this.pending, rest]) : rest;
    }
    return out;
  }

  /** Ends the stream: a final event without its blank line is still delivered. */
  end(): SSEEvent[] {
    const out: SSEEvent[] = [];
    if (this.pending) {
      const line = this.pending;
      this.pending = null;
      this.line(line, out);
    }
    this.dispatch(out);
    return out;
  }

  private line(raw: Buffer, out: SSEEvent[]): void {
    if (raw.length === 0) {
      this.dispatch(out);
      return;
    }
    if (raw[0] === 0x3a) return; // ':' comment (keep-alive)
    const text = raw.toString('utf8');
    const colon = text.indexOf(':');
    let field: string;
    let value: string;
    if (colon === -1) {
      field = text;
      value = '';
    } else {
      field = text.slice(0, colon);
      value = text.charCodeAt(colon + 1) === 0x20 ? text.slice(colon + 2) : text.slice(colon + 1);
    }
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }

  private dispatch(out: SSEEvent[]): void {
    if (this.data.length === 0) {
      this.event = undefined;
      return;
    }
    const ev: SSEEvent = { data: this.data.join('\n') };
    if (this.event !== undefined) ev.event = this.event;
    if (this.id !== undefined) ev.id = this.id;
    out.push(ev);
    this.data = [];
    this.event = undefined;
  }
}

/** Encodes one event; multi-line data is split over several `data:` lines as the spec requires. */
export function encodeSSE(data: string, event?: string): string {
  const body = data.includes('\n') ? data.split('\n').map((l) => `data: ${l}`).join('\n') : `data: ${data}`;
  return event === undefined ? `${body}\n\n` : `event: ${event}\n${body}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';
export const SSE_KEEPALIVE = ': keep-alive\n\n';

/**
 * Splits raw SSE bytes into whole frames without decoding them, for passthrough: each frame is
 * forwarded byte for byte, and only frames that need a look (usage) are decoded. Frames end at
 * a blank line in any of the three line-ending styles.
 */
export class SSEFrameSplitter {
  private pending: Buffer | null = null;

  push(chunk: Buffer): Buffer[] {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    const frames: Buffer[] = [];
    let start = 0;
    const n = buf.length;
    // Jump from LF to LF with indexOf (native) rather than testing every byte in JS. Frames end
    // at LF LF or LF CR LF; CR-only framing (never seen from LLM APIs) is passed through at end().
    let i = buf.indexOf(LF);
    while (i !== -1 && i + 1 < n) {
      const next = buf[i + 1];
      if (next === LF) {
        frames.push(buf.subarray(start, i + 2));
        start = i + 2;
        i = buf.indexOf(LF, start);
        continue;
      }
      if (next === CR && i + 2 < n && buf[i + 2] === LF) {
        frames.push(buf.subarray(start, i + 3));
        start = i + 3;
        i = buf.indexOf(LF, start);
        continue;
      }
      i = buf.indexOf(LF, i + 1);
    }
    if (start < n) this.pending = Buffer.from(buf.subarray(start));
    return frames;
  }

  /** Bytes held back: the start of a frame whose blank line has not arrived yet. */
  get pendingLength(): number {
    return this.pending?.length ?? 0;
  }

  /** Whatever is left when the upstream ends (a frame with no trailing blank line). */
  end(): Buffer | null {
    const rest = this.pending;
    this.pending = null;
    return rest && rest.length > 0 ? rest : null;
  }
}
