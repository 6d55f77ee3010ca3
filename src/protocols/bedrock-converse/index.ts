/** AWS Bedrock Converse: JSON requests signed with SigV4, streams framed as AWS event-stream. */
import type { UpstreamAdapter } from '../types.js';
import { upstreamError } from './errors.js';
import { chatRequest } from './request.js';
import { chatResponse } from './response.js';
import { signRequest } from './sign.js';
import { chatStream } from './stream.js';

export const bedrockUpstream: UpstreamAdapter = {
  protocol: 'bedrock-converse',
  framing: 'aws-eventstream',
  chatRequest,
  sign: signRequest,
  chatResponse,
  chatStream,
  error: upstreamError,
};

export { converseUrl, toConverse, REASONING_BUDGETS } from './request.js';
export { finishReason, toUsage } from './response.js';
export { exceptionStatus } from './errors.js';
export { SIGNING_SERVICE } from './sign.js';
