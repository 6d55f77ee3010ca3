/**
 * Anthropic Messages API wire types: only the fields llmux reads or writes. Every object keeps
 * an index signature, because Anthropic adds fields often and translation must not choke on
 * (or silently lose, where it can keep) what it does not know.
 */
import type { CacheControl, JsonObject, ThinkingBlock } from '../../core/types.js';

export const ANTHROPIC_VERSION = '2023-06-01';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';
/** OAuth access tokens (Claude subscriptions) start with this and need Bearer auth plus a beta flag. */
export const OAUTH_TOKEN_PREFIX = 'sk-ant-oat';
export const OAUTH_BETA = 'oauth-2025-04-20';

export interface WireTextBlock {
  type: 'text';
  text: string;
  cache_control?: CacheControl;
  citations?: unknown[] | null;
  [k: string]: unknown;
}

export type WireImageSource =
  | { type: 'base64'; media_type: string; data: string }
  | { type: 'url'; url: string }
  | { type: 'file'; file_id: string };

export interface WireImageBlock {
  type: 'image';
  source: WireImageSource;
  cache_control?: CacheControl;
  [k: string]: unknown;
}

export interface WireDocumentBlock {
  type: 'document';
  source: { type: string; [k: string]: unknown };
  cache_control?: CacheControl;
  [k: string]: unknown;
}

export interface WireToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: JsonObject;
  cache_control?: CacheControl;
  [k: string]: unknown;
}

export interface WireToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | WireContentBlock[];
  is_error?: boolean;
  cache_control?: CacheControl;
  [k: string]: unknown;
}

export interface WireThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
  [k: string]: unknown;
}

export interface WireRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
  [k: string]: unknown;
}

/** Server-tool blocks, search results, container uploads…: carried as they are. */
export interface WireOtherBlock {
  type: string;
  [k: string]: unknown;
}

export type WireContentBlock =
  | WireTextBlock
  | WireImageBlock
  | WireDocumentBlock
  | WireToolUseBlock
  | WireToolResultBlock
  | WireThinkingBlock
  | WireRedactedThinkingBlock
  | WireOtherBlock;

export interface WireMessage {
  role: 'user' | 'assistant';
  content: string | WireContentBlock[];
}

export interface WireTool {
  name: string;
  description?: string;
  input_schema: JsonObject;
  cache_control?: CacheControl;
  strict?: boolean;
  [k: string]: unknown;
}

export type WireToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface WireThinkingConfig {
  type: 'enabled' | 'disabled' | 'adaptive' | string;
  budget_tokens?: number;
  [k: string]: unknown;
}

export interface WireRequest {
  model: string;
  messages: WireMessage[];
  max_tokens: number;
  system?: string | WireTextBlock[];
  tools?: Array<WireTool | WireOtherBlock>;
  tool_choice?: WireToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  top_k?: number;
  thinking?: WireThinkingConfig;
  metadata?: { user_id?: string; [k: string]: unknown };
  output_config?: { format?: { type: 'json_schema'; schema: JsonObject }; [k: string]: unknown };
  stream?: boolean;
  [k: string]: unknown;
}

export interface WireUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
  [k: string]: unknown;
}

export interface WireResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: WireContentBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: WireUsage;
  [k: string]: unknown;
}

export interface WireErrorBody {
  type: 'error';
  error: { type: string; message: string; [k: string]: unknown };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A `thinking` or `redacted_thinking` content block as a canonical ThinkingBlock. */
export function thinkingBlockOf(b: Record<string, unknown>): ThinkingBlock | undefined {
  if (b['type'] === 'thinking') {
    const tb: ThinkingBlock = { type: 'thinking', thinking: typeof b['thinking'] === 'string' ? b['thinking'] : '' };
    if (typeof b['signature'] === 'string') tb.signature = b['signature'];
    return tb;
  }
  if (b['type'] === 'redacted_thinking' && typeof b['data'] === 'string') return { type: 'redacted_thinking', data: b['data'] };
  return undefined;
}
