/**
 * What a transcript says, read straight from the recorded bytes with no gateway code: the text,
 * reasoning, tool calls, stop reason and usage each provider sent. The conformance tests compare
 * what the clients get through the gateway with these, so an expectation is never typed by hand
 * where the recording can give it (the README's anchor values are asserted as well).
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { readFixture, readFixtureJson, readFixtureJsonl, readFixtureText } from '../testing/fixtures.js';

type Obj = Record<string, unknown>;

export interface ToolCallSeen {
  id: string | undefined;
  name: string;
  /** The arguments as a parsed object (concatenated fragments, parsed once). */
  input: unknown;
}

export interface TranscriptFacts {
  text: string;
  reasoning: string;
  /** Reasoning signature(s) concatenated, '' when none. */
  signature: string;
  toolCalls: ToolCallSeen[];
  /** The provider's own stop/finish reason (its vocabulary). */
  stop: string | undefined;
  /** The provider's own last usage object (its field names). */
  usage: Obj | undefined;
}

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseArgs(text: string): unknown {
  return text.trim() === '' ? {} : (JSON.parse(text) as unknown);
}

/** The JSON payloads of a stream transcript in order (`[DONE]` and comments left out). */
export function streamPayloads(rel: string): Obj[] {
  if (rel.endsWith('.jsonl')) return readFixtureJsonl<Obj>(rel);
  if (rel.endsWith('.b64')) return bedrockEvents(rel);
  const out: Obj[] = [];
  for (const block of readFixtureText(rel).split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data !== '' && data !== '[DONE]') out.push(JSON.parse(data) as Obj);
  }
  return out;
}

/** The raw `event:` names of an SSE transcript, in order. */
export function sseEventNames(text: string): string[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.startsWith('event:'))
    .map((l) => l.slice(6).trim());
}

/** Bedrock frames decoded with the official codec, as `{eventType: payload}` like the .jsonl files. */
export function bedrockEvents(rel: string): Obj[] {
  const bytes = Buffer.from(readFixtureText(rel).trim(), 'base64');
  const out: Obj[] = [];
  for (let at = 0; at < bytes.length; ) {
    const len = bytes.readUInt32BE(at);
    const msg = codec.decode(bytes.subarray(at, at + len));
    const type = msg.headers[':event-type']?.value;
    out.push({ [String(type)]: JSON.parse(toUtf8(msg.body)) as unknown });
    at += len;
  }
  return out;
}

/** OpenAI-compatible stream (`.sse.txt` or `.jsonl`) or chat.completion (`.json`). */
export function openaiFacts(rel: string): TranscriptFacts & { refusal: string } {
  const f = { text: '', reasoning: '', signature: '', refusal: '', toolCalls: [] as ToolCallSeen[], stop: undefined as string | undefined, usage: undefined as Obj | undefined };
  if (rel.endsWith('.json')) {
    const body = readFixtureJson<Obj>(rel);
    const choice = (body['choices'] as Obj[])[0]!;
    const msg = choice['message'] as Obj;
    f.text = typeof msg['content'] === 'string' ? msg['content'] : '';
    f.reasoning = String(msg['reasoning_content'] ?? msg['reasoning'] ?? '');
    f.refusal = typeof msg['refusal'] === 'string' ? msg['refusal'] : '';
    for (const tc of (msg['tool_calls'] as Obj[] | undefined) ?? []) {
      const fn = tc['function'] as Obj;
      f.toolCalls.push({ id: tc['id'] as string, name: fn['name'] as string, input: parseArgs(fn['arguments'] as string) });
    }
    f.stop = choice['finish_reason'] as string;
    f.usage = body['usage'] as Obj | undefined;
    return f;
  }
  const calls = new Map<number, { id: string | undefined; name: string; args: string }>();
  for (const p of streamPayloads(rel)) {
    if (isObj(p['usage'])) f.usage = p['usage'];
    for (const c of (p['choices'] as Obj[] | undefined) ?? []) {
      const d = (c['delta'] ?? {}) as Obj;
      if (typeof d['content'] === 'string') f.text += d['content'];
      if (typeof d['refusal'] === 'string') f.refusal += d['refusal'];
      const r = d['reasoning_content'] ?? d['reasoning'];
      if (typeof r === 'string') f.reasoning += r;
      for (const tc of (d['tool_calls'] as Obj[] | undefined) ?? []) {
        const idx = tc['index'] as number;
        const fn = (tc['function'] ?? {}) as Obj;
        const cur = calls.get(idx) ?? { id: undefined, name: '', args: '' };
        if (typeof tc['id'] === 'string') cur.id = tc['id'];
        if (typeof fn['name'] === 'string') cur.name += fn['name'];
        if (typeof fn['arguments'] === 'string') cur.args += fn['arguments'];
        calls.set(idx, cur);
      }
      if (typeof c['finish_reason'] === 'string') f.stop = c['finish_reason'];
    }
  }
  f.toolCalls = [...calls.entries()].sort((a, b) => a[0] - b[0]).map(([, c]) => ({ id: c.id, name: c.name, input: parseArgs(c.args) }));
  return f;
}

/** Anthropic Messages stream (`.sse.txt` / `.jsonl`) or message (`.json`). Usage is merged as Anthropic documents: later counters replace earlier ones. */
export function anthropicFacts(rel: string): TranscriptFacts {
  const f: TranscriptFacts = { text: '', reasoning: '', signature: '', toolCalls: [], stop: undefined, usage: undefined };
  if (rel.endsWith('.json')) {
    const m = readFixtureJson<Obj>(rel);
    for (const b of m['content'] as Obj[]) {
      if (b['type'] === 'text') f.text += b['text'] as string;
      if (b['type'] === 'thinking') f.reasoning += b['thinking'] as string;
      if (b['type'] === 'tool_use') f.toolCalls.push({ id: b['id'] as string, name: b['name'] as string, input: b['input'] });
    }
    f.stop = m['stop_reason'] as string;
    f.usage = m['usage'] as Obj;
    return f;
  }
  const blocks = new Map<number, { type: string; id?: string; name?: string; json: string }>();
  const usage: Obj = {};
  for (const e of streamPayloads(rel)) {
    const type = e['type'];
    if (type === 'message_start') Object.assign(usage, ((e['message'] as Obj)['usage'] as Obj | undefined) ?? {});
    if (type === 'message_delta') {
      Object.assign(usage, (e['usage'] as Obj | undefined) ?? {});
      f.stop = (e['delta'] as Obj)['stop_reason'] as string;
    }
    if (type === 'content_block_start') {
      const cb = e['content_block'] as Obj;
      blocks.set(e['index'] as number, { type: cb['type'] as string, id: cb['id'] as string | undefined, name: cb['name'] as string | undefined, json: '' });
    }
    if (type === 'content_block_delta') {
      const d = e['delta'] as Obj;
      const b = blocks.get(e['index'] as number)!;
      if (d['type'] === 'text_delta') f.text += d['text'] as string;
      if (d['type'] === 'thinking_delta') f.reasoning += d['thinking'] as string;
      if (d['type'] === 'signature_delta') f.signature += d['signature'] as string;
      if (d['type'] === 'input_json_delta') b.json += d['partial_json'] as string;
    }
  }
  for (const [, b] of [...blocks.entries()].sort((a, c) => a[0] - c[0])) {
    if (b.type === 'tool_use') f.toolCalls.push({ id: b.id, name: b.name ?? '', input: parseArgs(b.json) });
  }
  f.usage = Object.keys(usage).length ? usage : undefined;
  return f;
}

/** Gemini generateContent (`.json`) or streamGenerateContent (`.sse.txt` / `.jsonl`). Usage is the last usageMetadata (cumulative). */
export function geminiFacts(rel: string): TranscriptFacts {
  const f: TranscriptFacts = { text: '', reasoning: '', signature: '', toolCalls: [], stop: undefined, usage: undefined };
  const events = rel.endsWith('.json') ? [readFixtureJson<Obj>(rel)] : streamPayloads(rel);
  for (const ev of events) {
    if (isObj(ev['usageMetadata'])) f.usage = ev['usageMetadata'];
    const cand = (ev['candidates'] as Obj[] | undefined)?.[0];
    if (!cand) continue;
    for (const part of ((cand['content'] as Obj | undefined)?.['parts'] as Obj[] | undefined) ?? []) {
      if (typeof part['text'] === 'string') {
        if (part['thought'] === true) f.reasoning += part['text'];
        else f.text += part['text'];
      }
      const fc = part['functionCall'] as Obj | undefined;
      if (fc) f.toolCalls.push({ id: undefined, name: fc['name'] as string, input: fc['args'] ?? {} });
      if (typeof part['thoughtSignature'] === 'string') f.signature += part['thoughtSignature'];
    }
    if (typeof cand['finishReason'] === 'string') f.stop = cand['finishReason'];
  }
  return f;
}

/** Bedrock Converse (`.json`) or ConverseStream (`.jsonl` / `.frames.b64`). */
export function bedrockFacts(rel: string): TranscriptFacts {
  const f: TranscriptFacts = { text: '', reasoning: '', signature: '', toolCalls: [], stop: undefined, usage: undefined };
  if (rel.endsWith('.json')) {
    const r = readFixtureJson<Obj>(rel);
    for (const b of ((r['output'] as Obj)['message'] as Obj)['content'] as Obj[]) {
      if (typeof b['text'] === 'string') f.text += b['text'];
      const rc = b['reasoningContent'] as Obj | undefined;
      const rt = rc?.['reasoningText'] as Obj | undefined;
      if (rt) {
        f.reasoning += String(rt['text'] ?? '');
        f.signature += String(rt['signature'] ?? '');
      }
      const tu = b['toolUse'] as Obj | undefined;
      if (tu) f.toolCalls.push({ id: tu['toolUseId'] as string, name: tu['name'] as string, input: tu['input'] });
    }
    f.stop = r['stopReason'] as string;
    f.usage = r['usage'] as Obj;
    return f;
  }
  const tools = new Map<number, { id: string; name: string; json: string }>();
  for (const ev of streamPayloads(rel)) {
    const start = ev['contentBlockStart'] as Obj | undefined;
    const tu = (start?.['start'] as Obj | undefined)?.['toolUse'] as Obj | undefined;
    if (start && tu) tools.set(start['contentBlockIndex'] as number, { id: tu['toolUseId'] as string, name: tu['name'] as string, json: '' });
    const delta = ev['contentBlockDelta'] as Obj | undefined;
    if (delta) {
      const d = delta['delta'] as Obj;
      if (typeof d['text'] === 'string') f.text += d['text'];
      const rc = d['reasoningContent'] as Obj | undefined;
      if (typeof rc?.['text'] === 'string') f.reasoning += rc['text'];
      if (typeof rc?.['signature'] === 'string') f.signature += rc['signature'];
      const input = (d['toolUse'] as Obj | undefined)?.['input'];
      if (typeof input === 'string') tools.get(delta['contentBlockIndex'] as number)!.json += input;
    }
    const stop = ev['messageStop'] as Obj | undefined;
    if (stop) f.stop = stop['stopReason'] as string;
    const meta = ev['metadata'] as Obj | undefined;
    if (meta && isObj(meta['usage'])) f.usage = meta['usage'];
  }
  f.toolCalls = [...tools.entries()].sort((a, b) => a[0] - b[0]).map(([, t]) => ({ id: t.id, name: t.name, input: parseArgs(t.json) }));
  return f;
}

/** A fixture's raw bytes as text (for byte-exact comparisons). */
export function fixtureBytes(rel: string): Buffer {
  return readFixture(rel);
}
