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
  /** Bytes after the last line ending seen: the start of a line still to come. */
  private pending: Buffer | null = null;
  /** The previous chunk ended in CR: a leading LF in the next one belongs to it. */
  private skipLF = false;
  /** The event's data lines joined by LF; undefined until its first data line. */
  private data: string | undefined;
  private event: string | undefined;
  private id: string | undefined;

  /**
   * Feeds bytes; returns the events completed by them. The bytes up to the last line ending are
   * decoded as one string and cut into lines there: a per-byte scan and a Buffer per line cost
   * several times more on the translated-stream hot path.
   */
  push(chunk: Uint8Array): SSEEvent[] {
    const out: SSEEvent[] = [];
    let buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.pending) {
      buf = Buffer.concat([this.pending, buf]);
      this.pending = null;
    }
    let start = 0;
    if (this.skipLF && buf.length > 0) {
      if (buf[0] === LF) start = 1;
      this.skipLF = false;
    }
    const end = Math.max(buf.lastIndexOf(LF), buf.lastIndexOf(CR)) + 1;
    if (end <= start) {
      if (start < buf.length) this.pending = Buffer.from(buf.subarray(start));
      return out;
    }
    // A copy: the caller may reuse its buffer.
    if (end < buf.length) this.pending = Buffer.from(buf.subarray(end));
    else if (buf[end - 1] === CR) this.skipLF = true;
    this.lines(buf.toString('utf8', start, end), out);
    return out;
  }

  /** Ends the stream: a final event without its blank line is still delivered. */
  end(): SSEEvent[] {
    const out: SSEEvent[] = [];
    if (this.pending) {
      const text = this.pending.toString('utf8');
      this.pending = null;
      this.line(text, 0, text.length, out);
    }
    this.dispatch(out);
    return out;
  }

  /** Text that ends with a line ending, cut at LF, CR LF and CR. */
  private lines(text: string, out: SSEEvent[]): void {
    const n = text.length;
    let pos = 0;
    if (text.indexOf('\r') === -1) {
      while (pos < n) {
        const nl = text.indexOf('\n', pos);
        this.line(text, pos, nl, out);
        pos = nl + 1;
      }
      return;
    }
    while (pos < n) {
      let i = pos;
      let c = text.charCodeAt(i);
      while (c !== LF && c !== CR) c = text.charCodeAt(++i);
      this.line(text, pos, i, out);
      pos = c === CR && text.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
    }
  }

  /** The line text[s, e). */
  private line(text: string, s: number, e: number, out: SSEEvent[]): void {
    if (s === e) {
      this.dispatch(out);
      return;
    }
    if (text.charCodeAt(s) === 0x3a) return; // ':' comment (keep-alive)
    let colon = text.indexOf(':', s);
    if (colon === -1 || colon > e) colon = e;
    const field = text.slice(s, colon);
    let v = colon + 1;
    if (v < e && text.charCodeAt(v) === 0x20) v++;
    const value = v < e ? text.slice(v, e) : '';
    if (field === 'data') this.data = this.data === undefined ? value : `${this.data}\n${value}`;
    else if (field === 'event') this.event = value;
    else if (field === 'id') this.id = value;
  }

  private dispatch(out: SSEEvent[]): void {
    if (this.data === undefined) {
      this.event = undefined;
      return;
    }
    const ev: SSEEvent = { data: this.data };
    if (this.event !== undefined) ev.event = this.event;
    if (this.id !== undefined) ev.id = this.id;
    out.push(ev);
    this.data = undefined;
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
 * Cuts a run of whole frames into frames. Frames end at LF LF or LF CR LF; CR-only framing
 * (never seen from LLM APIs) stays in the run's tail. Returns where the last whole frame ends.
 */
function splitFrames(buf: Buffer, frames: Buffer[]): number {
  let start = 0;
  const n = buf.length;
  // Jump from LF to LF with indexOf (native) rather than testing every byte in JS.
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
  return start;
}

/**
 * Whether a frame ends at index i (exclusive): the bytes before it are LF LF or LF CR LF.
 * Searches below go from LF to LF with native (l)indexOf on a single byte: a multi-byte needle
 * is several times slower on JSON text.
 */
function endsFrame(buf: Buffer, i: number): boolean {
  if (i < 2 || buf[i - 1] !== LF) return false;
  const b = buf[i - 2];
  return b === LF || (b === CR && i >= 3 && buf[i - 3] === LF);
}

/** The index just past the last frame end (blank line) at or before `to`, or `floor` if none. */
function frameEndBefore(buf: Buffer, to: number, floor: number): number {
  for (let i = buf.lastIndexOf(LF, to - 1); i >= floor && i !== -1; i = buf.lastIndexOf(LF, i - 1)) {
    if (endsFrame(buf, i + 1)) return i + 1;
  }
  return floor;
}

/** The index just past the first frame end at or after `from`, or buf.length if none. */
function frameEndAfter(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(LF, from); i !== -1; i = buf.indexOf(LF, i + 1)) {
    if (endsFrame(buf, i + 1)) return i + 1;
  }
  return buf.length;
}

/**
 * Splits raw SSE bytes into whole frames without decoding them, for passthrough: each frame is
 * forwarded byte for byte, and only frames that need a look (usage) are decoded. Frames end at
 * a blank line in any of the three line-ending styles.
 */
export class SSEFrameSplitter {
  private pending: Buffer | null = null;

  /**
   * The whole frames completed by chunk as one run of bytes (the chunk itself when it holds
   * whole frames only), or null when it completed none; tapEachFrame or tapMarkedFrames then
   * cut it into frames, or only the frames that need a look.
   */
  run(chunk: Buffer): Buffer | null {
    const buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    const end = endsFrame(buf, buf.length) ? buf.length : frameEndBefore(buf, buf.length, 0);
    if (end < buf.length) this.pending = Buffer.from(buf.subarray(end));
    return end === 0 ? null : end === buf.length ? buf : buf.subarray(0, end);
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

/** Each frame of a run of whole frames through visit; returns the bytes to send, or null for none. */
export function tapEachFrame(run: Buffer, visit: (frame: Buffer) => Buffer | null): Buffer | null {
  const frames: Buffer[] = [];
  const end = splitFrames(run, frames);
  // Bytes after the last frame end (possible only with CR-only framing) go through as one frame.
  if (end < run.length) frames.push(run.subarray(end));
  let kept: Buffer[] | null = null;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const out = visit(f);
    if (out !== f) kept ??= frames.slice(0, i);
    if (kept && out) kept.push(out);
  }
  if (!kept) return run;
  return kept.length === 0 ? null : kept.length === 1 ? kept[0]! : Buffer.concat(kept);
}

/**
 * Only the frames of a run that contain one of `marks` go through visit; the stretches between
 * them are forwarded as they are. A native search over the run replaces a split and a call per
 * frame: a 20-chunk stream has one frame with usage in it.
 */
export function tapMarkedFrames(run: Buffer, marks: readonly Buffer[], visit: (frame: Buffer) => Buffer | null): Buffer | null {
  let parts: Buffer[] | null = null;
  let from = 0; // start of what has not been forwarded yet
  let pos = 0; // where to look for the next mark
  for (;;) {
    let at = -1;
    for (const m of marks) {
      const i = run.indexOf(m, pos);
      if (i !== -1 && (at === -1 || i < at)) at = i;
    }
    if (at === -1) break;
    // The frame around the mark: from just after the previous blank line to the next one.
    const start = frameEndBefore(run, at, from);
    const end = frameEndAfter(run, at);
    const frame = run.subarray(start, end);
    const out = visit(frame);
    if (out !== frame) {
      parts ??= [];
      if (start > from) parts.push(run.subarray(from, start));
      if (out) parts.push(out);
      from = end;
    }
    pos = end;
    if (pos >= run.length) break;
  }
  if (!parts) return run;
  if (from < run.length) parts.push(run.subarray(from));
  return parts.length === 0 ? null : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}
