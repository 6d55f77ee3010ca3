/**
 * The canonical form: OpenAI Chat Completions, extended with the few fields it cannot carry
 * (thinking blocks with signatures, cache-control breakpoints, provider extras). Every
 * translation goes protocol → canonical → protocol. Unknown fields are kept through the index
 * signatures so that nothing a client or upstream sends is dropped by accident; a translation
 * that must drop something does it deliberately in its own adapter, with a test.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: unknown };

/** Anthropic-style cache breakpoint, carried on content parts, messages and tools. */
export interface CacheControl {
  type: 'ephemeral';
  ttl?: string;
}

export interface TextPart {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
  [k: string]: unknown;
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: string };
  cache_control?: CacheControl;
  [k: string]: unknown;
}

/** Any other part (input_audio, file, …) is carried as is. */
export interface OtherPart {
  type: string;
  [k: string]: unknown;
}

export type ContentPart = TextPart | ImagePart | OtherPart;

/** A thinking block kept for the next turn (Anthropic thinking, Bedrock reasoningContent, Gemini thought). */
export interface ThinkingBlock {
  type: 'thinking' | 'redacted_thinking';
  thinking?: string;
  signature?: string;
  /** redacted_thinking's opaque data. */
  data?: string;
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  [k: string]: unknown;
}

export interface ChatMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function' | string;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Reasoning text of an assistant turn (DeepSeek/OpenRouter convention). */
  reasoning_content?: string | null;
  /** Extension: thinking blocks with signatures, for round-tripping to Anthropic/Bedrock. */
  thinking_blocks?: ThinkingBlock[];
  cache_control?: CacheControl;
  [k: string]: unknown;
}

export interface FunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonObject; strict?: boolean };
  cache_control?: CacheControl;
  [k: string]: unknown;
}

export type ToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; function: { name: string } };

export interface ResponseFormat {
  type: 'text' | 'json_object' | 'json_schema';
  json_schema?: { name: string; schema?: JsonObject; strict?: boolean; description?: string };
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [k: string]: unknown } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  reasoning_effort?: 'minimal' | 'low' | 'medium' | 'high' | string;
  user?: string;
  seed?: number;
  /** Extension: Anthropic-style thinking config, set by the /v1/messages inbound translator. */
  thinking?: { type: 'enabled' | 'disabled' | 'adaptive'; budget_tokens?: number };
  /** Extension: Anthropic top_k and the like, for providers that take them. */
  top_k?: number;
  /** Extension: request metadata from the Anthropic inbound (user_id). */
  metadata?: JsonObject;
  [k: string]: unknown;
}

export interface PromptTokensDetails {
  cached_tokens?: number;
  /** Extension: Anthropic cache-write tokens (priced differently from reads). */
  cache_creation_tokens?: number;
  audio_tokens?: number;
  [k: string]: unknown;
}

export interface CompletionTokensDetails {
  reasoning_tokens?: number;
  [k: string]: unknown;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: PromptTokensDetails;
  completion_tokens_details?: CompletionTokensDetails;
  [k: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call' | string;

export interface AssistantMessage {
  role: 'assistant';
  content: string | null;
  refusal?: string | null;
  tool_calls?: ToolCall[];
  reasoning_content?: string;
  thinking_blocks?: ThinkingBlock[];
  [k: string]: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: AssistantMessage;
    finish_reason: FinishReason | null;
    logprobs?: unknown;
    [k: string]: unknown;
  }>;
  usage?: Usage;
  [k: string]: unknown;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
  [k: string]: unknown;
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  refusal?: string | null;
  reasoning_content?: string;
  /** Extension: a thinking signature delta (Anthropic signature_delta, Bedrock reasoning signature). */
  thinking_signature?: string;
  /** Extension: redacted thinking data. */
  redacted_thinking?: string;
  tool_calls?: ToolCallDelta[];
  [k: string]: unknown;
}

export interface ChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    delta: ChunkDelta;
    finish_reason: FinishReason | null;
    logprobs?: unknown;
    [k: string]: unknown;
  }>;
  usage?: Usage | null;
  [k: string]: unknown;
}

/** What a stream translator emits: chunks in OpenAI order, or one final error. */
export type StreamOutput = { chunk: ChatChunk } | { error: import('./errors.js').GatewayError };

/** Injected so adapters stay pure: no clock, no randomness of their own. */
export interface AdapterEnv {
  now(): number;
  newId(prefix: string): string;
}

/** A parsed server-sent event. `event` is absent when the frame had no `event:` line. */
export interface SSEEvent {
  event?: string;
  data: string;
  id?: string;
}

/** One decoded AWS event-stream message, reduced to what translators need. */
export interface EventStreamMessage {
  /** `:message-type` header: `event` or `exception` (or `error`). */
  messageType: string;
  /** `:event-type` or `:exception-type` header. */
  eventType: string;
  /** The payload, parsed as JSON (Bedrock payloads are JSON). */
  payload: unknown;
}

/**
 * Canonical fields that OpenAI-compatible services do not take: extensions carried for
 * providers that do (Anthropic thinking, cache breakpoints, server tools, unknown Anthropic
 * fields). Serialisers for other protocols drop exactly these, in one place each.
 */
export const CANONICAL_EXTENSIONS = {
  request: ['thinking', 'top_k', 'metadata', 'anthropic_extra', 'anthropic_server_tools'],
  message: ['thinking_blocks', 'cache_control', 'is_error', 'thinking_signature'],
  tool: ['cache_control', 'anthropic_extra'],
  part: ['cache_control'],
} as const;
