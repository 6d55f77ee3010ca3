/**
 * OpenAI Chat Completions as the client's protocol: validation of the request, and canonical
 * results written back as OpenAI JSON and SSE (used on translated paths; same-protocol requests
 * are passed through as bytes).
 */
import { GatewayError, openAIErrorBody } from '../../core/errors.js';
import { SSE_DONE, SSE_KEEPALIVE } from '../../core/sse.js';
import type { ChatChunk, ChatCompletion, ChatRequest } from '../../core/types.js';
import type { InboundProtocol, StreamEncoder } from '../types.js';
import { ChunkSerializer } from './chunk-json.js';

export function parseOpenAIChatRequest(body: unknown): ChatRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'the request body must be a JSON object');
  }
  const b = body as Record<string, unknown>;
  if (typeof b['model'] !== 'string' || b['model'] === '') {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'you must provide a model parameter (a string)', { param: 'model' });
  }
  if (!Array.isArray(b['messages'])) {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', "'messages' must be an array of messages", { param: 'messages' });
  }
  b['messages'].forEach((m, i) => {
    if (!m || typeof m !== 'object' || typeof (m as Record<string, unknown>)['role'] !== 'string') {
      throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `messages[${i}] must be an object with a string 'role'`, { param: `messages[${i}]` });
    }
  });
  return b as ChatRequest;
}

function encoder(includeUsage: boolean): StreamEncoder {
  const json = new ChunkSerializer();
  return {
    push(chunk: ChatChunk): string {
      if (chunk.choices.length === 0 && chunk.usage && !includeUsage) return '';
      if (!includeUsage && chunk.usage !== undefined) {
        const { usage: _u, ...rest } = chunk;
        return `data: ${JSON.stringify(rest)}\n\n`;
      }
      return `data: ${json.json(chunk)}\n\n`;
    },
    error(err: GatewayError): string {
      return `data: ${JSON.stringify(openAIErrorBody(err))}\n\n`;
    },
    end(): string {
      return SSE_DONE;
    },
    keepAlive(): string {
      return SSE_KEEPALIVE;
    },
  };
}

export const openaiInbound: InboundProtocol = {
  protocol: 'openai-chat',
  parseRequest: parseOpenAIChatRequest,
  renderResponse(completion: ChatCompletion): unknown {
    return completion;
  },
  streamEncoder(_model, _env, opts) {
    return encoder(opts.includeUsage);
  },
  renderError(err) {
    return { status: err.status, body: openAIErrorBody(err) };
  },
};
