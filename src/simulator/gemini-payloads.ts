/**
 * Gemini wire bodies. Streamed events are written as Google writes them (test/fixtures/gemini):
 * `data: ` + JSON with a space after each colon, CRLF CRLF after each event, usageMetadata
 * cumulative on every event and finishReason STOP only on the last. Non-stream bodies are
 * indented JSON, as the API returns them.
 */
import type { ResolvedOptions } from './options.js';
import { replyText, streamPieces } from './openai-payloads.js';
import { middleTick, prepareBody, prepareStream, type PreparedBody, type PreparedStream } from './prepared.js';

const RESPONSE_ID = 'benchResponseId0';

/** Google's compact style: `"key": value` pairs joined by "," with no other whitespace. */
export function googleJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(googleJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => `${JSON.stringify(k)}: ${googleJson(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function usageMetadata(prompt: number, candidates: number): Record<string, unknown> {
  return {
    promptTokenCount: prompt,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt + candidates,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
}

function response(o: ResolvedOptions, text: string, finished: boolean, candidates: number): Record<string, unknown> {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: finished ? 'STOP' : undefined, index: 0 }],
    usageMetadata: usageMetadata(o.promptTokens, candidates),
    modelVersion: o.model,
    responseId: RESPONSE_ID,
  };
}

export function generateContentBody(o: ResolvedOptions): PreparedBody {
  return prepareBody(200, JSON.stringify(response(o, replyText(o), true, o.completionTokens), null, 2), undefined, 'application/json; charset=UTF-8');
}

function streamEvents(o: ResolvedOptions): Record<string, unknown>[] {
  const n = o.chunks;
  const pieces = streamPieces(o, n);
  // Cumulative candidate tokens, reaching completion_tokens on the last event.
  return pieces.map((text, i) => response(o, text, i === n - 1, Math.round((o.completionTokens * (i + 1)) / n)));
}

/** `:streamGenerateContent?alt=sse`: one CRLF-framed `data:` event per chunk. */
export function streamGenerateContentSse(o: ResolvedOptions): PreparedStream {
  const events = streamEvents(o).map(googleJson);
  const frame = (json: string) => `data: ${json}\r\n\r\n`;
  const bad = middleTick(events.length);
  const half = events[bad]!.slice(0, Math.floor(events[bad]!.length / 2));
  return prepareStream({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' }, events.map(frame), bad, frame(half));
}

/** `:streamGenerateContent` without alt=sse: one JSON array, written element by element. */
export function streamGenerateContentArray(o: ResolvedOptions): PreparedStream {
  const events = streamEvents(o).map((e) => JSON.stringify(e, null, 2));
  const n = events.length;
  const tick = (i: number, json: string) => (i === 0 ? '[' : ',\r\n') + json + (i === n - 1 ? ']' : '');
  const bad = middleTick(n);
  return prepareStream(
    { 'content-type': 'application/json; charset=UTF-8' },
    events.map((e, i) => tick(i, e)),
    bad,
    tick(bad, events[bad]!.slice(0, Math.floor(events[bad]!.length / 2))),
  );
}

export function countTokensBody(o: ResolvedOptions): PreparedBody {
  return prepareBody(200, JSON.stringify({ totalTokens: o.promptTokens }, null, 2), undefined, 'application/json; charset=UTF-8');
}

export function geminiModelsBody(o: ResolvedOptions): PreparedBody {
  const models = o.models.map((id) => ({
    name: `models/${id}`,
    version: '001',
    displayName: id,
    supportedGenerationMethods: ['generateContent', 'streamGenerateContent', 'countTokens'],
  }));
  return prepareBody(200, JSON.stringify({ models }, null, 2), undefined, 'application/json; charset=UTF-8');
}
