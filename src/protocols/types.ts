/**
 * The contract every wire protocol implements. Adapters are pure: no I/O, no process.env, no
 * clock (time and ids come in through AdapterEnv). The gateway sees protocols only through
 * these interfaces and never names a vendor.
 */
import type { GatewayError } from '../core/errors.js';
import type {
  AdapterEnv,
  ChatChunk,
  ChatCompletion,
  ChatRequest,
  EventStreamMessage,
  SSEEvent,
  StreamOutput,
  Usage,
} from '../core/types.js';

export type ProtocolId = 'openai-chat' | 'anthropic-messages' | 'gemini' | 'bedrock-converse';

/** Where and how to reach one provider for one model; built by the gateway from config. */
export interface UpstreamTarget {
  /** The provider's configured name (for messages only). */
  provider: string;
  /** The config `kind` (openai, azure, ollama, anthropic, google, bedrock, or a custom name). */
  kind: string;
  /** Normalised base URL, no trailing slash. */
  baseUrl: string;
  apiKey?: string;
  /** The real upstream model name (aliases already resolved). */
  model: string;
  apiVersion?: string;
  region?: string;
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  /** Extra headers from config. */
  headers?: Record<string, string>;
}

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  /** Absolute URL, including any query string. */
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface ChatRequestOptions {
  stream: boolean;
  /** Inbound client headers, for the few a protocol forwards (e.g. anthropic-beta). */
  clientHeaders: HeaderBag;
}

/** Translates one upstream stream into canonical chunks, keeping its state in a closure. */
export interface StreamTranslator<E = SSEEvent | EventStreamMessage> {
  /**
   * One decoded upstream event in; zero or more outputs in exact OpenAI order: a role chunk
   * first, content/tool_call deltas, one finish chunk, then a usage chunk (`choices: []`,
   * always emitted when the upstream reported usage: the gateway decides whether the client
   * sees it), or one final error.
   */
  push(event: E): StreamOutput[];
  /** The upstream ended; flush what is held (e.g. usage that arrives after the stop event). */
  end(): StreamOutput[];
}

/** An upstream protocol: canonical request in, canonical response/chunks out. */
export interface UpstreamAdapter {
  readonly protocol: ProtocolId;
  /** How the upstream frames a stream. */
  readonly framing: 'sse' | 'aws-eventstream';
  chatRequest(req: ChatRequest, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec;
  /**
   * Byte passthrough, for clients speaking this same protocol: the body goes upstream untouched
   * but for `model` (and whatever the protocol needs to count usage), and the response comes
   * back as bytes with usage tapped on the way. Absent → the gateway always translates.
   */
  passthrough?: Passthrough;
  /** The provider's own token-counting call for a client body of this protocol, when it has one. */
  countTokens?(body: Record<string, unknown>, target: UpstreamTarget, clientHeaders: HeaderBag): HttpRequestSpec;
  /** Async request signing (SigV4), when the protocol needs it. `now` is injected. */
  sign?(spec: HttpRequestSpec, target: UpstreamTarget, now: Date): Promise<HttpRequestSpec>;
  /** A non-streaming upstream response body (parsed JSON) to a canonical completion. */
  chatResponse(body: unknown, target: UpstreamTarget, env: AdapterEnv): ChatCompletion;
  chatStream(target: UpstreamTarget, env: AdapterEnv): StreamTranslator;
  /** An upstream error response to a GatewayError keeping the upstream's status and error object. */
  error(status: number, body: string, headers: HeaderBag, nowMs: number): GatewayError;
}

/** Same-protocol forwarding without parsing or re-serialising the traffic. */
export interface Passthrough {
  /** The upstream request for the client's raw body (`parsed` is the same body, parsed). */
  request(raw: Buffer, parsed: Record<string, unknown>, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec;
  /**
   * A tap over a stream's raw SSE frames: reads usage, may hide frames the client did not ask
   * for, and may normalise a vendor quirk (the target says which vendor).
   */
  streamTap(parsed: Record<string, unknown>, target: UpstreamTarget): PassthroughTap;
  /** A whole non-streaming response: the body to return (normally the same bytes) and its usage. */
  response(body: Buffer, target: UpstreamTarget): { body: Buffer; usage: Usage | undefined };
}

export interface PassthroughTap {
  /** Sees one raw SSE frame (bytes up to and including its blank line); returns what to send, or null to drop it. */
  frame(frame: Buffer): Buffer | null;
  /**
   * When set, only frames containing one of these byte strings are shown to frame(); the others
   * are forwarded untouched without being split apart (the stream pump's fast path).
   */
  readonly marks?: readonly Buffer[];
  usage(): Usage | undefined;
}

/** A client-facing protocol: its request to canonical, canonical back to its own wire format. */
export interface InboundProtocol {
  readonly protocol: ProtocolId;
  /** Validates and converts the client's parsed body; throws GatewayError on bad input. */
  parseRequest(body: unknown): ChatRequest;
  /** `requestedModel` is the model name the client sent (an alias stays an alias). */
  renderResponse(completion: ChatCompletion, requestedModel: string, env: AdapterEnv): unknown;
  streamEncoder(requestedModel: string, env: AdapterEnv, opts: { includeUsage: boolean }): StreamEncoder;
  /** The error in this protocol's envelope. */
  renderError(err: GatewayError): { status: number; body: unknown };
  /** Token counting for this protocol's clients: an estimate when the provider cannot count. */
  countTokens?: { estimate(req: ChatRequest): number; render(inputTokens: number): unknown };
}

/** Canonical chunks to the client's SSE bytes. */
export interface StreamEncoder {
  /** SSE text for one canonical chunk (may be '' when the chunk maps to nothing). */
  push(chunk: ChatChunk): string;
  /** The final in-band error event after the first byte was sent. */
  error(err: GatewayError): string;
  /** The closing frames (`[DONE]`, `message_stop`, …). */
  end(): string;
  /** A keep-alive frame for long silences (SSE comment or Anthropic ping). */
  keepAlive(): string;
}
