/**
 * The one table of gateway error codes. Every error llmux answers with is a GatewayError built
 * from this table; each client protocol serialises it in exactly one place (see
 * gateway/respond.ts). `transient` decides retry and fallback (core/retry.ts).
 */

/** OpenAI error `type` values, which also drive the Anthropic envelope's mapping. */
export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'request_too_large'
  | 'timeout_error'
  | 'api_error'
  | 'server_error'
  | 'overloaded_error'
  | 'upstream_error'
  | 'budget_exceeded';

export interface ErrorSpec {
  readonly status: number;
  readonly type: ErrorType;
  readonly transient: boolean;
}

export const ERRORS = {
  LLMUX_ERR_INVALID_JSON: { status: 400, type: 'invalid_request_error', transient: false },
  LLMUX_ERR_INVALID_REQUEST: { status: 400, type: 'invalid_request_error', transient: false },
  LLMUX_ERR_UNAUTHENTICATED: { status: 401, type: 'authentication_error', transient: false },
  LLMUX_ERR_INVALID_KEY: { status: 401, type: 'authentication_error', transient: false },
  LLMUX_ERR_ADMIN_TOKEN: { status: 401, type: 'authentication_error', transient: false },
  LLMUX_ERR_MODEL_FORBIDDEN: { status: 403, type: 'permission_error', transient: false },
  LLMUX_ERR_READ_ONLY: { status: 403, type: 'permission_error', transient: false },
  LLMUX_ERR_MODEL_NOT_FOUND: { status: 404, type: 'invalid_request_error', transient: false },
  LLMUX_ERR_NOT_FOUND: { status: 404, type: 'not_found_error', transient: false },
  LLMUX_ERR_METHOD_NOT_ALLOWED: { status: 405, type: 'invalid_request_error', transient: false },
  LLMUX_ERR_CONFLICT: { status: 409, type: 'invalid_request_error', transient: false },
  LLMUX_ERR_BODY_TOO_LARGE: { status: 413, type: 'request_too_large', transient: false },
  LLMUX_ERR_UNSUPPORTED_MEDIA: { status: 415, type: 'invalid_request_error', transient: false },
  LLMUX_ERR_RATE_LIMITED: { status: 429, type: 'rate_limit_error', transient: false },
  LLMUX_ERR_BUDGET_EXCEEDED: { status: 429, type: 'budget_exceeded', transient: false },
  LLMUX_ERR_UNSUPPORTED: { status: 501, type: 'invalid_request_error', transient: false },
  LLMUX_ERR_INTERNAL: { status: 500, type: 'server_error', transient: false },
  /** The upstream answered with an error status; status and body are the upstream's. */
  LLMUX_ERR_UPSTREAM: { status: 502, type: 'upstream_error', transient: false },
  /** The upstream could not be reached or dropped the connection. */
  LLMUX_ERR_UPSTREAM_UNREACHABLE: { status: 502, type: 'api_error', transient: true },
  /** The upstream answered something that is not its protocol. */
  LLMUX_ERR_UPSTREAM_PROTOCOL: { status: 502, type: 'api_error', transient: false },
  LLMUX_ERR_CONNECT_TIMEOUT: { status: 504, type: 'timeout_error', transient: true },
  LLMUX_ERR_FIRST_BYTE_TIMEOUT: { status: 504, type: 'timeout_error', transient: true },
  LLMUX_ERR_IDLE_TIMEOUT: { status: 504, type: 'timeout_error', transient: true },
  LLMUX_ERR_TOTAL_TIMEOUT: { status: 504, type: 'timeout_error', transient: false },
  LLMUX_ERR_SHUTTING_DOWN: { status: 503, type: 'overloaded_error', transient: false },
  LLMUX_ERR_STORAGE: { status: 503, type: 'api_error', transient: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export interface GatewayErrorInit {
  param?: string | null;
  /** Overrides the table's status (upstream errors keep the upstream's status). */
  status?: number;
  /** Overrides the table's transient flag (e.g. an upstream 503 is transient). */
  transient?: boolean;
  /** Milliseconds the upstream asked us to wait (Retry-After), if any. */
  retryAfterMs?: number;
  /** The upstream's parsed error object, returned to the client as is (never a string of JSON). */
  upstreamError?: Record<string, unknown>;
  /** The error `type` to show; defaults to the table's. */
  type?: string;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;
  readonly upstreamError: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, init: GatewayErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    const spec: ErrorSpec = ERRORS[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = init.status ?? spec.status;
    this.type = init.type ?? spec.type;
    this.param = init.param ?? null;
    this.transient = init.transient ?? spec.transient;
    this.retryAfterMs = init.retryAfterMs;
    this.upstreamError = init.upstreamError;
  }
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}

/** The OpenAI error envelope: `{error:{message,type,param,code}}`. */
export function openAIErrorBody(err: GatewayError): { error: Record<string, unknown> } {
  if (err.upstreamError) {
    // Keep the upstream's object (and its own code), adding ours only where it has none.
    return { error: { message: err.message, type: err.type, param: err.param, code: err.code, ...err.upstreamError } };
  }
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code } };
}

/** Anthropic's error `type` for each HTTP status it uses. */
export const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

/** Anthropic's error envelope: `{type:"error",error:{type,message}}`, typed by status as Anthropic does. */
export function anthropicErrorBody(err: GatewayError): { type: 'error'; error: { type: string; message: string } } {
  const upstreamType = err.upstreamError?.['type'];
  const type =
    typeof upstreamType === 'string' && Object.values(ANTHROPIC_ERROR_TYPES).includes(upstreamType)
      ? upstreamType
      : ANTHROPIC_ERROR_TYPES[err.status] ?? (err.status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message: err.message } };
}

