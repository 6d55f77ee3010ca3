/**
 * The Gemini `generateContent` wire format (REST v1beta, camelCase JSON), reduced to what llmux
 * writes and reads. Field names follow https://ai.google.dev/api/generate-content. Everything is
 * optional on the read side: Gemini omits empty fields, and a translator must not crash on a
 * shape it has not seen.
 */

export interface GeminiInlineData {
  mimeType: string;
  /** Base64 bytes. */
  data: string;
}

export interface GeminiFileData {
  mimeType?: string;
  fileUri: string;
}

export interface GeminiFunctionCall {
  /** Present on some models; Gemini matches calls and responses by name and order otherwise. */
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

export interface GeminiFunctionResponse {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

/** One part of a content turn; exactly one data field is set, plus the thought markers. */
export interface GeminiPart {
  text?: string;
  /** True on thought-summary text (only sent when `includeThoughts` was requested). */
  thought?: boolean;
  /** Opaque base64 reasoning state; must come back on the same part in the next request. */
  thoughtSignature?: string;
  inlineData?: GeminiInlineData;
  fileData?: GeminiFileData;
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  [k: string]: unknown;
}

export interface GeminiContent {
  role?: 'user' | 'model' | string;
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface GeminiTool {
  functionDeclarations?: GeminiFunctionDeclaration[];
  [k: string]: unknown;
}

export interface GeminiToolConfig {
  functionCallingConfig: {
    mode: 'AUTO' | 'ANY' | 'NONE' | 'VALIDATED';
    allowedFunctionNames?: string[];
  };
}

export interface GeminiThinkingConfig {
  thinkingBudget?: number;
  /** Gemini 3 and later: `minimal` | `low` | `medium` | `high` (which levels a model takes varies). */
  thinkingLevel?: string;
  includeThoughts?: boolean;
}

export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  candidateCount?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  /** OpenAPI-subset schema (the older form; every model takes it). */
  responseSchema?: Record<string, unknown>;
  /** Plain JSON Schema (Gemini 2.5 and later). Mutually exclusive with responseSchema. */
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
}

export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: GeminiPart[] };
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
  safetySettings?: unknown[];
  cachedContent?: string;
}

export interface GeminiModalityTokenCount {
  modality?: string;
  tokenCount?: number;
}

/** Cumulative counts: in a stream every event repeats the totals so far. */
export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  /** Output tokens, NOT counting thoughts. */
  candidatesTokenCount?: number;
  /** Prompt tokens of server-side tool results (search, code execution). */
  toolUsePromptTokenCount?: number;
  thoughtsTokenCount?: number;
  totalTokenCount?: number;
  promptTokensDetails?: GeminiModalityTokenCount[];
  [k: string]: unknown;
}

export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  finishMessage?: string;
  index?: number;
  [k: string]: unknown;
}

export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; [k: string]: unknown };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  [k: string]: unknown;
}

/** google.rpc.Status as Gemini sends it inside `{error: …}`. */
export interface GeminiErrorObject {
  code?: number;
  message?: string;
  status?: string;
  details?: Array<{ '@type'?: string; retryDelay?: string; [k: string]: unknown }>;
  [k: string]: unknown;
}
