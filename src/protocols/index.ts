/**
 * The protocols the gateway can speak, looked up by id. The gateway reaches adapters only
 * through this index, so it never names a vendor.
 */
import { anthropicInbound, anthropicUpstream } from './anthropic-messages/index.js';
import { bedrockUpstream } from './bedrock-converse/index.js';
import { geminiUpstream } from './gemini/index.js';
import { openaiInbound, openaiUpstream } from './openai-chat/index.js';
import type { InboundProtocol, ProtocolId, UpstreamAdapter } from './types.js';

const upstreams = new Map<ProtocolId, UpstreamAdapter>([
  ['openai-chat', openaiUpstream],
  ['anthropic-messages', anthropicUpstream],
  ['gemini', geminiUpstream],
  ['bedrock-converse', bedrockUpstream],
]);
const inbounds = new Map<ProtocolId, InboundProtocol>([
  ['openai-chat', openaiInbound],
  ['anthropic-messages', anthropicInbound],
]);

export function upstreamAdapter(id: ProtocolId): UpstreamAdapter | undefined {
  return upstreams.get(id);
}

export function inboundProtocol(id: ProtocolId): InboundProtocol | undefined {
  return inbounds.get(id);
}

export { openaiInbound };
export { endpointUrl, authHeaders, upstreamError, endpointRequest, openaiStreamTap, clientWantsUsage, type OpenAIEndpoint } from './openai-chat/index.js';
export type * from './types.js';
