/**
 * The Bedrock Converse / ConverseStream wire shapes llmux writes and reads (REST-JSON: blobs
 * are base64 strings). Only what the translation touches is typed; the index signatures keep
 * whatever else AWS sends.
 * Reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */

export interface CachePointBlock {
  cachePoint: { type: 'default' };
}

export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';
export type DocumentFormat = 'pdf' | 'csv' | 'doc' | 'docx' | 'xls' | 'xlsx' | 'html' | 'txt' | 'md';

export type BinarySource = { bytes: string } | { s3Location: { uri: string; bucketOwner?: string } };

export interface ImageBlock {
  image: { format: ImageFormat; source: BinarySource };
}

export interface DocumentBlock {
  document: { format: DocumentFormat; name: string; source: BinarySource };
}

export interface ToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

export type ToolResultContent = { text: string } | { json: unknown } | ImageBlock | DocumentBlock;

export interface ToolResultBlock {
  toolResult: { toolUseId: string; content: ToolResultContent[]; status?: 'success' | 'error' };
}

export interface ReasoningBlock {
  reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string };
}

export type ContentBlock =
  | { text: string }
  | ImageBlock
  | DocumentBlock
  | ToolUseBlock
  | ToolResultBlock
  | ReasoningBlock
  | CachePointBlock;

export interface Message {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

export type SystemBlock = { text: string } | CachePointBlock;

export interface ToolSpec {
  toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } };
}

export type ToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ToolConfig {
  tools: Array<ToolSpec | CachePointBlock>;
  toolChoice?: ToolChoice;
}

export interface InferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface ConverseRequest {
  messages: Message[];
  system?: SystemBlock[];
  inferenceConfig?: InferenceConfig;
  toolConfig?: ToolConfig;
  additionalModelRequestFields?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  [k: string]: unknown;
}

/** A content block as Converse answers it (any one key set). */
export interface OutputBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: { reasoningText?: { text?: string; signature?: string }; redactedContent?: string };
  [k: string]: unknown;
}

export interface ConverseResponse {
  output?: { message?: { role?: string; content?: OutputBlock[] } };
  stopReason?: string;
  usage?: TokenUsage;
  [k: string]: unknown;
}

/** ConverseStream event payloads (the event name is the frame's `:event-type`). */
export interface ContentBlockStartEvent {
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
}

export interface ContentBlockDeltaEvent {
  contentBlockIndex?: number;
  delta?: {
    text?: string;
    toolUse?: { input?: string };
    reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
  };
}

export interface ContentBlockStopEvent {
  contentBlockIndex?: number;
}

export interface MessageStopEvent {
  stopReason?: string;
}

export interface MetadataEvent {
  usage?: TokenUsage;
}
