/**
 * OpenAI-compatible SSE into canonical chunks (used when the client speaks another protocol;
 * OpenAI clients get the upstream bytes untouched instead). Drops what would confuse a
 * translator: Azure's empty first chunk (`choices: []`, no usage), empty content deltas.
 */
import { GatewayError } from '../../core/errors.js';
import type { ChatChunk, SSEEvent, StreamOutput } from '../../core/types.js';
import type { StreamTranslator } from '../types.js';
import { normaliseChunk } from './response.js';

export function chatStream(): StreamTranslator {
  return {
    push(ev): StreamOutput[] {
      const e = ev as SSEEvent;
      if (e.data === undefined || e.data === '[DONE]' || e.data === '') return [];
      let parsed: unknown;
      try {
        parsed = JSON.parse(e.data);
      } catch {
        return [{ error: new GatewayError('LLMUX_ERR_UPSTREAM_PROTOCOL', `upstream sent a stream event that is not JSON: ${e.data.slice(0, 200)}`) }];
      }
      const obj = parsed as Record<string, unknown>;
      if (obj['error'] && typeof obj['error'] === 'object') {
        const err = obj['error'] as Record<string, unknown>;
        return [{ error: new GatewayError('LLMUX_ERR_UPSTREAM', String(err['message'] ?? 'upstream stream error'), { upstreamError: err }) }];
      }
      const chunk = normaliseChunk(obj as unknown as ChatChunk);
      if (!Array.isArray(chunk.choices)) return [];
      if (chunk.choices.length === 0 && !chunk.usage) return []; // Azure's prompt_filter_results chunk
      for (const c of chunk.choices) {
        const d = c.delta;
        if (d && d.content === '' && (d.role !== undefined || d.tool_calls || d.reasoning_content || c.finish_reason)) delete d.content;
      }
      return [{ chunk }];
    },
    end(): StreamOutput[] {
      return [];
    },
  };
}
