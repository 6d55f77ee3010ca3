/** The OpenAI-compatible protocol: OpenAI, Azure OpenAI, Ollama and any custom service. */
import type { UpstreamAdapter } from '../types.js';
import { upstreamError } from './errors.js';
import { openaiPassthrough } from './passthrough.js';
import { chatRequest } from './request.js';
import { chatResponse } from './response.js';
import { chatStream } from './stream.js';

export const openaiUpstream: UpstreamAdapter = {
  protocol: 'openai-chat',
  framing: 'sse',
  chatRequest,
  passthrough: openaiPassthrough,
  chatResponse: (body, _target, env) => chatResponse(body, env),
  chatStream: () => chatStream(),
  error: upstreamError,
};

export { endpointUrl, authHeaders, DEFAULT_AZURE_API_VERSION, type OpenAIEndpoint } from './request.js';
export { upstreamError } from './errors.js';
export { openaiInbound } from './inbound.js';
export { endpointRequest, openaiStreamTap, clientWantsUsage } from './passthrough.js';
