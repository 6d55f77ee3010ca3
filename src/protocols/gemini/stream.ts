/**
 * `streamGenerateContent?alt=sse` events → canonical chunks.
 *
 * Gemini sends whole parts per event (a function call arrives complete, never in fragments) and
 * repeats the cumulative usageMetadata on every event, so:
 *
 * - a role chunk opens each candidate's output, then one chunk per delta: content, reasoning
 *   (thought parts), a thought signature (`thinking_signature`, marked as in signatures.ts), or a
 *   whole tool call (id, name and full arguments) with increasing index;
 * - empty text parts (Gemini ends many streams with `{text: ""}` + a signature) give no content
 *   delta;
 * - the finish reason is remembered across events (a function call in one event, STOP in the
 *   next still means `tool_calls`) and sent once, in end(), followed by one usage chunk built
 *   from the LAST usageMetadata seen, never a sum;
 * - an `{error: …}` event ends the translation with that error; a stream that stops without a
 *   finish reason was cut short, and ends with an error after the usage seen so far.
 */
import { GatewayError } from '../../core/errors.js';
import type { AdapterEnv, ChatChunk, ChunkDelta, FinishReason, SSEEvent, StreamOutput } from '../../core/types.js';
import type { StreamTranslator, UpstreamTarget } from '../types.js';
import { geminiError } from './errors.js';
import { finishReason, geminiUsage } from './response.js';
import { encodeToolCallId, markSignature } from './signatures.js';
import type { GeminiErrorObject, GeminiResponse, GeminiUsageMetadata } from './wire.js';

interface CandidateState {
  toolIndex: number;
  native: string | undefined;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function chatStream(target: UpstreamTarget, env: AdapterEnv): StreamTranslator {
  const created = Math.floor(env.now() / 1000);
  let id: string | undefined;
  let model = target.model;
  const candidates = new Map<number, CandidateState>();
  let usage: GeminiUsageMetadata | undefined;
  let blockReason: string | undefined;
  let done = false;

  const chunk = (choices: ChatChunk['choices']): StreamOutput => ({
    chunk: { id: id ?? (id = env.newId('chatcmpl-')), object: 'chat.completion.chunk', created, model, choices },
  });
  const delta = (index: number, d: ChunkDelta): StreamOutput => chunk([{ index, delta: d, logprobs: null, finish_reason: null }]);

  const candidate = (index: number, out: StreamOutput[]): CandidateState => {
    let st = candidates.get(index);
    if (!st) {
      st = { toolIndex: 0, native: undefined };
      candidates.set(index, st);
      out.push(delta(index, { role: 'assistant' }));
    }
    return st;
  };

  const event = (r: GeminiResponse, out: StreamOutput[]): void => {
    if (id === undefined && typeof r.responseId === 'string' && r.responseId !== '') id = r.responseId;
    if (typeof r.modelVersion === 'string' && r.modelVersion !== '') model = r.modelVersion;
    if (isObj(r.usageMetadata)) usage = r.usageMetadata;
    if (typeof r.promptFeedback?.blockReason === 'string') blockReason = r.promptFeedback.blockReason;
    const list = Array.isArray(r.candidates) ? r.candidates : [];
    list.forEach((c, i) => {
      const index = typeof c.index === 'number' ? c.index : i;
      const st = candidate(index, out);
      for (const part of c.content?.parts ?? []) {
        const sig = typeof part.thoughtSignature === 'string' && part.thoughtSignature !== '' ? part.thoughtSignature : undefined;
        if (part.functionCall) {
          out.push(
            delta(index, {
              tool_calls: [
                {
                  index: st.toolIndex++,
                  id: encodeToolCallId(env.newId('call_'), sig),
                  type: 'function',
                  function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
                },
              ],
            }),
          );
        } else if (typeof part.text === 'string') {
          if (part.thought === true) {
            // thought text, then the signature that closes it
            if (part.text !== '') out.push(delta(index, { reasoning_content: part.text }));
            if (sig) out.push(delta(index, { thinking_signature: markSignature(sig, 'thought') }));
          } else {
            // a signature on a text part covers the thinking before it: it goes first
            if (sig) out.push(delta(index, { thinking_signature: markSignature(sig, 'text') }));
            if (part.text !== '') out.push(delta(index, { content: part.text }));
          }
        }
      }
      if (typeof c.finishReason === 'string' && c.finishReason !== '') st.native = c.finishReason;
    });
  };

  return {
    push(ev): StreamOutput[] {
      if (done) return [];
      const data = (ev as SSEEvent).data;
      if (typeof data !== 'string') return [];
      const text = data.trim();
      if (text === '' || text === '[DONE]') return [];
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        done = true;
        return [{ error: new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', `upstream sent a stream event that is not JSON: ${text.slice(0, 200)}`) }];
      }
      const out: StreamOutput[] = [];
      for (const r of Array.isArray(parsed) ? parsed : [parsed]) {
        if (!isObj(r)) continue;
        if (isObj(r['error'])) {
          done = true;
          const err = r['error'] as GeminiErrorObject;
          out.push({ error: geminiError(typeof err.code === 'number' ? err.code : 502, err) });
          return out;
        }
        event(r as GeminiResponse, out);
      }
      return out;
    },

    end(): StreamOutput[] {
      if (done) return [];
      done = true;
      const out: StreamOutput[] = [];
      if (candidates.size === 0 && blockReason !== undefined) candidate(0, out);
      const indices = [...candidates.keys()].sort((a, b) => a - b);
      const cut = indices.length === 0 || (blockReason === undefined && indices.some((i) => candidates.get(i)?.native === undefined));
      if (!cut) {
        for (const index of indices) {
          const st = candidates.get(index) as CandidateState;
          const native = blockReason ?? st.native;
          const reason: FinishReason = blockReason !== undefined ? 'content_filter' : finishReason(st.native, st.toolIndex > 0);
          out.push(chunk([{ index, delta: {}, logprobs: null, finish_reason: reason, ...(native ? { native_finish_reason: native } : {}) }]));
        }
      }
      if (usage) out.push({ chunk: { ...(chunk([]) as { chunk: ChatChunk }).chunk, usage: geminiUsage(usage) } });
      if (cut) out.push({ error: new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', 'upstream stream ended without a finish reason') });
      return out;
    },
  };
}
