/**
 * Each protocol's real error envelope and status, for injected failures and bad requests. A 429
 * carries `retry-after` in every protocol (Gemini also puts it in a RetryInfo detail, as Google
 * does).
 */
import type { OutgoingHttpHeaders } from 'node:http';
import { exceptionFrame, EVENTSTREAM_HEADERS } from './bedrock-payloads.js';
import { prepareBody, prepareStream, type PreparedBody, type PreparedStream } from './prepared.js';
import { ANTHROPIC_ERROR_TYPES } from '../core/errors.js';

export type WireProtocol = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

export const SIMULATED_FAILURE = 'simulated upstream failure';

const OPENAI: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_error', null],
  404: ['invalid_request_error', 'not_found'],
  429: ['requests', 'rate_limit_exceeded'],
};

const ANTHROPIC = ANTHROPIC_ERROR_TYPES;

const GEMINI: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'NOT_IMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Bedrock's exception names by status (restJson1: the name goes in x-amzn-errortype). */
const BEDROCK: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

function bedrockName(status: number): string {
  return BEDROCK[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException');
}

export function errorBody(protocol: WireProtocol, status: number, message: string, retryAfterS: number): PreparedBody {
  const headers: OutgoingHttpHeaders = status === 429 ? { 'retry-after': String(retryAfterS) } : {};
  switch (protocol) {
    case 'openai': {
      // 5xx keeps crabllm's mock body exactly: {"error":{"message","type":"server_error"}}.
      if (status >= 500) return prepareBody(status, JSON.stringify({ error: { message, type: 'server_error' } }), headers);
      const [type, code] = OPENAI[status] ?? ['invalid_request_error', null];
      return prepareBody(status, JSON.stringify({ error: { message, type, param: null, code } }), headers);
    }
    case 'anthropic': {
      const type = ANTHROPIC[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
      return prepareBody(status, JSON.stringify({ type: 'error', error: { type, message } }), headers);
    }
    case 'gemini': {
      const error: Record<string, unknown> = { code: status, message, status: GEMINI[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') };
      if (status === 429) error['details'] = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfterS}s` }];
      return prepareBody(status, JSON.stringify({ error }, null, 2), headers, 'application/json; charset=UTF-8');
    }
    case 'bedrock': {
      headers['x-amzn-errortype'] = `${bedrockName(status)}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
      return prepareBody(status, JSON.stringify({ message }), headers);
    }
  }
}

/**
 * An error inside a ConverseStream: HTTP 200 and one exception frame, as Bedrock reports
 * throttling and server faults once the stream is open. 424 is modelStreamErrorException there.
 */
export function bedrockStreamError(status: number, message: string): PreparedStream {
  const name = status === 424 ? 'modelStreamErrorException' : bedrockName(status).replace(/^./, (c) => c.toLowerCase());
  const frame = exceptionFrame(name, message);
  return prepareStream(EVENTSTREAM_HEADERS, [frame], 0, frame);
}
