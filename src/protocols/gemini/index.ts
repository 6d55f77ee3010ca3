/** The Google Gemini protocol (generativelanguage `generateContent` / `streamGenerateContent`). */
import type { UpstreamAdapter } from '../types.js';
import { upstreamError } from './errors.js';
import { chatRequest } from './request.js';
import { chatResponse } from './response.js';
import { chatStream } from './stream.js';

export const geminiUpstream: UpstreamAdapter = {
  protocol: 'gemini',
  framing: 'sse',
  chatRequest,
  chatResponse,
  chatStream,
  error: upstreamError,
};

export { DEFAULT_GEMINI_BASE_URL, geminiUrl, geminiHeaders, toGeminiRequest } from './request.js';
export { geminiUsage, finishReason } from './response.js';
export { geminiError, upstreamError } from './errors.js';
export { encodeToolCallId, decodeToolCallSignature, SKIP_SIGNATURE_VALIDATOR } from './signatures.js';
export type * from './wire.js';
