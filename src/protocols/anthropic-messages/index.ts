/**
 * The Anthropic Messages protocol in both directions: as an upstream (canonical → Anthropic
 * API) and as a client protocol (`/v1/messages` → canonical and back).
 */
import { anthropicErrorBody, type GatewayError } from '../../core/errors.js';
import type { InboundProtocol, UpstreamAdapter } from '../types.js';
import { countTokensBody, countTokensRequest, estimateTokens } from './count-tokens.js';
import { anthropicUpstreamError } from './errors.js';
import { parseAnthropicRequest } from './inbound-request.js';
import { renderAnthropicResponse } from './inbound-response.js';
import { createAnthropicStreamEncoder } from './inbound-stream.js';
import { anthropicPassthrough } from './passthrough.js';
import { anthropicChatRequest } from './request.js';
import { anthropicChatResponse } from './response.js';
import { anthropicChatStream } from './stream.js';

export const anthropicUpstream: UpstreamAdapter = {
  protocol: 'anthropic-messages',
  framing: 'sse',
  chatRequest: anthropicChatRequest,
  passthrough: anthropicPassthrough,
  chatResponse: anthropicChatResponse,
  chatStream: anthropicChatStream,
  error: anthropicUpstreamError,
  countTokens: countTokensRequest,
};

export const anthropicInbound: InboundProtocol = {
  protocol: 'anthropic-messages',
  parseRequest: parseAnthropicRequest,
  renderResponse: renderAnthropicResponse,
  // Usage is part of every Anthropic stream, so `includeUsage` does not apply.
  streamEncoder: (requestedModel, env) => createAnthropicStreamEncoder(requestedModel, env),
  renderError: (err: GatewayError) => ({ status: err.status, body: anthropicErrorBody(err) }),
  countTokens: { estimate: estimateTokens, render: countTokensBody },
};

export {
  anthropicHeaders,
  messagesUrl,
  buildMessagesBody,
  DEFAULT_MAX_TOKENS,
  EFFORT_BUDGETS,
  ANTHROPIC_EXTENSION_FIELDS,
} from './request.js';
export { countTokensRequest, countTokensBody, estimateTokens } from './count-tokens.js';
export { createUsageTap, carriesUsage, usageFromEvents, usageFromMessage, type AnthropicUsageTap } from './usage-tap.js';
export { DEFAULT_ANTHROPIC_BASE_URL, ANTHROPIC_VERSION } from './wire.js';
