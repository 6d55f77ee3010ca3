/**
 * Byte-level JSON helpers for passthrough: find where a top-level value sits in a request body so
 * it can be replaced without re-serialising the rest (which would change number formatting, key
 * order and unknown fields the gateway must forward untouched), and find a response's usage
 * object without parsing the whole body. JSON's structural characters are ASCII, and every byte of
 * a multi-byte UTF-8 sequence is >= 0x80, so scanning bytes is safe.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export interface Range {
  start: number;
  end: number;
}

function skipWs(b: Uint8Array, i: number): number {
  while (i < b.length) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

/** Index just past the string starting at `i` (which must be a quote). */
function skipString(b: Uint8Array, i: number): number {
  i++;
  while (i < b.length) {
    const c = b[i]!;
    if (c === BACKSLASH) i += 2;
    else if (c === QUOTE) return i + 1;
    else i++;
  }
  return -1;
}

/** Index just past the JSON value starting at `i`. */
function skipValue(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    while (i < b.length) {
      const d = b[i]!;
      if (d === QUOTE) {
        i = skipString(b, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === LBRACE || d === LBRACKET) depth++;
      else if (d === RBRACE || d === RBRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  // number, true, false, null
  while (i < b.length) {
    const d = b[i]!;
    if (d === COMMA || d === RBRACE || d === RBRACKET || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
    i++;
  }
  return i;
}

/**
 * Byte ranges of the values of the given top-level keys of a JSON object (the last occurrence
 * wins, as in JSON.parse). Call only on bodies that JSON.parse accepted.
 */
export function topLevelRanges(b: Uint8Array, keys: readonly string[]): Map<string, Range & { keyStart: number }> {
  const want = new Set(keys);
  const out = new Map<string, Range & { keyStart: number }>();
  let i = skipWs(b, 0);
  if (b[i] !== LBRACE) return out;
  i++;
  while (i < b.length) {
    i = skipWs(b, i);
    if (b[i] === RBRACE) break;
    if (b[i] === COMMA) {
      i++;
      continue;
    }
    if (b[i] !== QUOTE) return out;
    const keyStart = i;
    const keyEnd = skipString(b, i);
    if (keyEnd < 0) return out;
    // Keys needing unescaping are never the ones we look for; compare raw bytes.
    const key = Buffer.from(b.buffer, b.byteOffset + keyStart + 1, keyEnd - keyStart - 2).toString('utf8');
    i = skipWs(b, keyEnd);
    if (b[i] !== COLON) return out;
    i = skipWs(b, i + 1);
    const start = i;
    const end = skipValue(b, i);
    if (end < 0) return out;
    if (want.has(key)) out.set(key, { keyStart, start, end });
    i = end;
  }
  return out;
}

/** Replaces byte ranges (non-overlapping) with new text. */
export function splice(b: Buffer, edits: Array<{ start: number; end: number; text: string }>): Buffer {
  if (edits.length === 0) return b;
  const sorted = [...edits].sort((x, y) => x.start - y.start);
  const parts: Buffer[] = [];
  let pos = 0;
  for (const e of sorted) {
    parts.push(b.subarray(pos, e.start), Buffer.from(e.text, 'utf8'));
    pos = e.end;
  }
  parts.push(b.subarray(pos));
  return Buffer.concat(parts);
}

/**
 * Inserts `"key":value,` right after the opening brace of a top-level object. The caller has
 * checked the key is absent.
 */
export function insertTopLevel(b: Buffer, key: string, valueJson: string): Buffer {
  const i = skipWs(b, 0);
  const after = skipWs(b, i + 1);
  const empty = b[after] === RBRACE;
  const text = `${JSON.stringify(key)}:${valueJson}${empty ? '' : ','}`;
  return Buffer.concat([b.subarray(0, i + 1), Buffer.from(text, 'utf8'), b.subarray(i + 1)]);
}

const USAGE_KEY = Buffer.from('"usage"');

/**
 * The `usage` object of a JSON response or chunk, found from the end (where OpenAI puts it)
 * without parsing the rest. Returns undefined when absent or null.
 */
export function findUsage(b: Buffer): Record<string, unknown> | undefined {
  let at = b.lastIndexOf(USAGE_KEY);
  while (at !== -1) {
    let i = skipWs(b, at + USAGE_KEY.length);
    if (b[i] === COLON) {
      i = skipWs(b, i + 1);
      if (b[i] === LBRACE) {
        const end = skipValue(b, i);
        if (end > 0) {
          try {
            return JSON.parse(b.subarray(i, end).toString('utf8')) as Record<string, unknown>;
          } catch {
            return undefined;
          }
        }
      }
      return undefined;
    }
    at = at > 0 ? b.lastIndexOf(USAGE_KEY, at - 1) : -1;
  }
  return undefined;
}
