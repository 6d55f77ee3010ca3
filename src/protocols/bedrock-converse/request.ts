/**
 * The canonical request as a Bedrock Converse call: `POST {base}/model/{modelId}/converse` (or
 * `/converse-stream`). Model ids contain ':' (`anthropic.claude-3-5-sonnet-20240620-v1:0`) and
 * '/' (inference-profile ARNs), so the id is one percent-encoded path segment; sign.ts signs
 * exactly the path built here.
 *
 * Deliberate choices, each with a test in request.test.ts:
 * - Images: data URLs become `{image:{format, source:{bytes}}}`; `s3://` URLs become an
 *   `s3Location` source. An http(s) image URL is REJECTED with a 400 naming the part: Converse
 *   cannot fetch URLs, and dropping the image would silently change what the model is asked.
 *   Other part kinds Converse cannot carry (audio, file ids) are rejected the same way.
 * - Dropped, because Converse has no equivalent: `seed`, `user`, `logprobs`/`top_logprobs`,
 *   `presence_penalty`/`frequency_penalty`/`logit_bias`, `parallel_tool_calls`,
 *   `stream_options` (ConverseStream always reports usage), `metadata`,
 *   `response_format: json_object` (only `json_schema` has a Converse form, `outputConfig`),
 *   assistant `reasoning_content` without signed `thinking_blocks` (the model refuses unsigned
 *   reasoning), empty text parts (Converse rejects blank text) and messages left empty.
 *   `n` > 1 is rejected: Converse returns one choice.
 * - `tool_choice: "none"` omits toolConfig, unless the history holds toolUse/toolResult blocks:
 *   Converse then requires toolConfig, so the tools (or, when the request has none, stand-ins
 *   named after the history's tools) are sent without a toolChoice, which cannot forbid a call.
 * - Reasoning: `thinking` (from the Anthropic inbound) or `reasoning_effort` become
 *   `additionalModelRequestFields.thinking` in the Anthropic-on-Bedrock form
 *   `{type:"enabled", budget_tokens}`; `top_k` becomes `additionalModelRequestFields.top_k`.
 *   Other model families on Bedrock name these fields differently; a client can send its own
 *   `additionalModelRequestFields`, which are merged over ours.
 * - Converse-native top-level fields a client sends (guardrailConfig, performanceConfig, …)
 *   pass through unchanged.
 */
import { GatewayError } from '../../core/errors.js';
import type { CacheControl, ChatMessage, ChatRequest, ContentPart, FunctionTool, JsonObject } from '../../core/types.js';
import { objectSchema } from '../schema.js';
import type { ChatRequestOptions, HttpRequestSpec, UpstreamTarget } from '../types.js';
import { fitToolId, isForeignSignature } from '../tool-ids.js';
import type {
  BinarySource,
  ContentBlock,
  ConverseRequest,
  DocumentBlock,
  DocumentFormat,
  ImageBlock,
  ImageFormat,
  InferenceConfig,
  Message,
  SystemBlock,
  ToolConfig,
  ToolResultContent,
  ToolSpec,
} from './wire.js';

/** Converse's toolUseId is 1-64 characters of [A-Za-z0-9_-]. */
const BEDROCK_TOOL_ID_MAX = 64;

const CACHE_POINT = { cachePoint: { type: 'default' } } as const;

/** Thinking budgets for OpenAI's `reasoning_effort` (1024 is the smallest budget Claude accepts). */
export const REASONING_BUDGETS: Readonly<Record<string, number>> = { minimal: 1024, low: 1024, medium: 2048, high: 4096 };
/** Visible-output room added on top of a thinking budget when the client set no max_tokens. */
export const DEFAULT_OUTPUT_ROOM = 4096;

/** Converse-native top-level fields a client may send; they pass through as they are. */
const PASSTHROUGH_FIELDS = [
  'guardrailConfig',
  'performanceConfig',
  'promptVariables',
  'requestMetadata',
  'additionalModelResponseFieldPaths',
  'serviceTier',
] as const;

const IMAGE_FORMATS: Record<string, ImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const IMAGE_EXTENSIONS: Record<string, ImageFormat> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', gif: 'gif', webp: 'webp' };
const DOCUMENT_FORMATS: Record<string, DocumentFormat> = {
  'application/pdf': 'pdf',
  'text/csv': 'csv',
  'application/msword': 'doc',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'application/vnd.ms-excel': 'xls',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'text/html': 'html',
  'text/plain': 'txt',
  'text/markdown': 'md',
};

/** `https://bedrock-runtime.{region}.amazonaws.com` unless the target has its own base URL. */
export function baseUrlFor(target: UpstreamTarget): string {
  if (target.baseUrl) return target.baseUrl.replace(/\/+$/, '');
  if (!target.region) {
    throw new GatewayError('LLMUX_ERR_INTERNAL', `provider ${target.provider} has neither a region nor a base_url`);
  }
  return `https://bedrock-runtime.${target.region}.amazonaws.com`;
}

export function converseUrl(target: UpstreamTarget, stream: boolean): string {
  return `${baseUrlFor(target)}/model/${encodeURIComponent(target.model)}/${stream ? 'converse-stream' : 'converse'}`;
}

export function chatRequest(req: ChatRequest, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec {
  const headers: Record<string, string> = {
    ...(target.headers ?? {}),
    'content-type': 'application/json',
    accept: opts.stream ? 'application/vnd.amazon.eventstream' : 'application/json',
  };
  // Bedrock API keys are bearer tokens; with access keys the request is signed instead (sign.ts).
  if (target.apiKey && !target.accessKey) headers['authorization'] = `Bearer ${target.apiKey}`;
  return { method: 'POST', url: converseUrl(target, opts.stream), headers, body: JSON.stringify(toConverse(req)) };
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('LLMUX_ERR_INVALID_REQUEST', message, { param });
}

/** The Converse body for a canonical request (the model id travels in the URL, not here). */
export function toConverse(req: ChatRequest): ConverseRequest {
  if (typeof req.n === 'number' && req.n > 1) {
    throw invalid('n > 1 is not supported by Bedrock Converse (it returns one choice)', 'n');
  }
  const system: SystemBlock[] = [];
  const messages: Message[] = [];
  req.messages.forEach((m, i) => {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(...systemBlocks(m, i));
      return;
    }
    const turn = toTurn(m, i);
    if (!turn || !turn.content.some((b) => !('cachePoint' in b))) return;
    const last = messages[messages.length - 1];
    // Converse wants user and assistant turns to alternate: consecutive same-role turns merge,
    // which also gathers the results of one round of parallel tool calls into one user turn.
    if (last && last.role === turn.role) last.content.push(...turn.content);
    else messages.push(turn);
  });

  const body: ConverseRequest = { messages };
  if (system.length) body.system = system;

  const inference = inferenceConfig(req);
  const additional: Record<string, unknown> = {};
  const thinking = thinkingConfig(req);
  if (thinking) {
    additional['thinking'] = thinking;
    if (thinking.type === 'enabled') {
      const budget = thinking.budget_tokens;
      // OpenAI's max_tokens bounds what the client sees; Claude counts the thinking budget in
      // maxTokens and refuses maxTokens <= budget, so the budget rides on top when needed.
      if (inference.maxTokens === undefined) inference.maxTokens = budget + DEFAULT_OUTPUT_ROOM;
      else if (inference.maxTokens <= budget) inference.maxTokens = budget + inference.maxTokens;
    }
  }
  if (typeof req.top_k === 'number') additional['top_k'] = req.top_k;
  if (Object.keys(inference).length) body.inferenceConfig = inference;

  const toolConfig = buildToolConfig(req, messages);
  if (toolConfig) body.toolConfig = toolConfig;

  const rf = req.response_format;
  if (rf?.type === 'json_schema' && rf.json_schema) {
    const jsonSchema: Record<string, unknown> = {
      schema: JSON.stringify(rf.json_schema.schema ?? { type: 'object' }),
      name: rf.json_schema.name,
    };
    if (rf.json_schema.description) jsonSchema['description'] = rf.json_schema.description;
    body['outputConfig'] = { textFormat: { type: 'json_schema', structure: { jsonSchema } } };
  }

  const clientAdditional = req['additionalModelRequestFields'];
  if (clientAdditional && typeof clientAdditional === 'object' && !Array.isArray(clientAdditional)) {
    Object.assign(additional, clientAdditional);
  }
  if (Object.keys(additional).length) body.additionalModelRequestFields = additional;
  for (const k of PASSTHROUGH_FIELDS) if (req[k] !== undefined) body[k] = req[k];
  return body;
}

function inferenceConfig(req: ChatRequest): InferenceConfig {
  const cfg: InferenceConfig = {};
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (typeof max === 'number') cfg.maxTokens = max;
  if (typeof req.temperature === 'number') cfg.temperature = req.temperature;
  if (typeof req.top_p === 'number') cfg.topP = req.top_p;
  if (typeof req.stop === 'string') cfg.stopSequences = [req.stop];
  else if (Array.isArray(req.stop) && req.stop.length) cfg.stopSequences = req.stop;
  return cfg;
}

type Thinking = { type: 'enabled'; budget_tokens: number } | { type: 'adaptive' };

function thinkingConfig(req: ChatRequest): Thinking | undefined {
  const t = req.thinking;
  if (t) {
    if (t.type === 'enabled') return { type: 'enabled', budget_tokens: t.budget_tokens ?? REASONING_BUDGETS['low']! };
    if (t.type === 'adaptive') return { type: 'adaptive' };
    return undefined;
  }
  const effort = req.reasoning_effort;
  if (typeof effort === 'string' && REASONING_BUDGETS[effort] !== undefined) {
    return { type: 'enabled', budget_tokens: REASONING_BUDGETS[effort]! };
  }
  return undefined;
}

function systemBlocks(m: ChatMessage, i: number): SystemBlock[] {
  const out: SystemBlock[] = [];
  if (typeof m.content === 'string') {
    if (m.content !== '') out.push({ text: m.content });
  } else if (Array.isArray(m.content)) {
    m.content.forEach((p, j) => {
      if (p.type !== 'text') throw invalid(`a ${m.role} message can only hold text parts, not '${p.type}'`, `messages[${i}].content[${j}]`);
      const text = (p as { text?: unknown }).text;
      if (typeof text === 'string' && text !== '') out.push({ text });
      if (p.cache_control && out.length) out.push(CACHE_POINT);
    });
  }
  if (m.cache_control && out.length && !('cachePoint' in out[out.length - 1]!)) out.push(CACHE_POINT);
  return out;
}

function toTurn(m: ChatMessage, i: number): Message | null {
  switch (m.role) {
    case 'user':
      return { role: 'user', content: withMessageCache(userBlocks(m.content, `messages[${i}]`), m.cache_control) };
    case 'assistant':
      return { role: 'assistant', content: withMessageCache(assistantBlocks(m, i), m.cache_control) };
    case 'tool':
      return { role: 'user', content: withMessageCache([toolResult(m, i)], m.cache_control) };
    default:
      throw invalid(`role '${m.role}' cannot be sent to Bedrock Converse`, `messages[${i}].role`);
  }
}

function withMessageCache(blocks: ContentBlock[], cc: CacheControl | undefined): ContentBlock[] {
  if (cc && blocks.length && !('cachePoint' in blocks[blocks.length - 1]!)) blocks.push(CACHE_POINT);
  return blocks;
}

function userBlocks(content: ChatMessage['content'], at: string): ContentBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const out: ContentBlock[] = [];
  content.forEach((p, j) => {
    const block = partBlock(p, `${at}.content[${j}]`);
    if (block) out.push(block);
    if (p.cache_control && out.length) out.push(CACHE_POINT);
  });
  return out;
}

function partBlock(p: ContentPart, at: string): ContentBlock | null {
  switch (p.type) {
    case 'text': {
      const text = (p as { text?: unknown }).text;
      return typeof text === 'string' && text !== '' ? { text } : null;
    }
    case 'image_url':
      return imageBlock(p, at);
    case 'file':
      return documentBlock(p, at);
    default:
      throw invalid(`content part type '${p.type}' cannot be sent to Bedrock Converse`, at);
  }
}

function parseDataUrl(url: string): { mime: string; data: string } | null {
  const m = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s.exec(url);
  return m ? { mime: m[1]!.toLowerCase(), data: m[3]! } : null;
}

function imageBlock(p: ContentPart, at: string): ImageBlock {
  const image = (p as { image_url?: unknown }).image_url;
  const url = typeof image === 'string' ? image : (image as { url?: unknown } | undefined)?.url;
  if (typeof url !== 'string') throw invalid('an image_url part needs image_url.url', at);
  const data = parseDataUrl(url);
  if (data) {
    const format = IMAGE_FORMATS[data.mime];
    if (!format) throw invalid(`image type '${data.mime}' is not supported by Bedrock Converse (png, jpeg, gif, webp)`, at);
    return { image: { format, source: { bytes: data.data } } };
  }
  if (url.startsWith('s3://')) {
    const ext = /\.([a-z0-9]+)$/i.exec(url)?.[1]?.toLowerCase();
    const format = ext ? IMAGE_EXTENSIONS[ext] : undefined;
    if (!format) throw invalid('an s3:// image needs a .png, .jpg, .jpeg, .gif or .webp name', at);
    return { image: { format, source: { s3Location: { uri: url } } } };
  }
  throw invalid(
    'Bedrock Converse cannot fetch image URLs: send the image as a base64 data: URL (or an s3:// location)',
    at,
  );
}

function documentBlock(p: ContentPart, at: string): DocumentBlock {
  const file = (p as { file?: { file_data?: unknown; filename?: unknown; file_id?: unknown } }).file;
  const fileData = file?.file_data;
  const data = typeof fileData === 'string' ? parseDataUrl(fileData) : null;
  if (!data) throw invalid('Bedrock Converse needs files inline as file.file_data (a base64 data: URL), not file ids', at);
  const format = DOCUMENT_FORMATS[data.mime];
  if (!format) throw invalid(`file type '${data.mime}' is not supported by Bedrock Converse`, at);
  const source: BinarySource = { bytes: data.data };
  return { document: { format, name: documentName(file?.filename), source } };
}

/** Converse document names allow letters, digits, single spaces, hyphens, parentheses and brackets. */
function documentName(filename: unknown): string {
  const base = typeof filename === 'string' ? filename.replace(/\.[^.]*$/, '') : '';
  const clean = base.replace(/[^A-Za-z0-9\s\-()[\]]/g, '-').replace(/\s+/g, ' ').trim();
  return clean || 'document';
}

function assistantBlocks(m: ChatMessage, i: number): ContentBlock[] {
  const out: ContentBlock[] = [];
  // Signed reasoning goes first, as the model produced it; Claude checks the signatures.
  for (const b of m.thinking_blocks ?? []) {
    if (b.type === 'redacted_thinking') {
      if (b.data) out.push({ reasoningContent: { redactedContent: b.data } });
    } else if (b.signature === undefined || !isForeignSignature(b.signature)) {
      const reasoningText: { text: string; signature?: string } = { text: b.thinking ?? '' };
      if (b.signature !== undefined) reasoningText.signature = b.signature;
      out.push({ reasoningContent: { reasoningText } });
    }
  }
  out.push(...userBlocks(m.content, `messages[${i}]`));
  (m.tool_calls ?? []).forEach((tc, j) => {
    out.push({ toolUse: { toolUseId: fitToolId(tc.id, BEDROCK_TOOL_ID_MAX), name: tc.function.name, input: parseArguments(tc.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`) } });
  });
  return out;
}

function parseArguments(args: string, at: string): unknown {
  if (args.trim() === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    throw invalid('tool call arguments must be valid JSON to be sent to Bedrock Converse', at);
  }
}

function toolResult(m: ChatMessage, i: number): ContentBlock {
  if (typeof m.tool_call_id !== 'string' || m.tool_call_id === '') {
    throw invalid('a tool message needs a tool_call_id', `messages[${i}].tool_call_id`);
  }
  const content: ToolResultContent[] = [];
  if (typeof m.content === 'string') {
    content.push({ text: m.content });
  } else if (Array.isArray(m.content)) {
    m.content.forEach((p, j) => {
      const at = `messages[${i}].content[${j}]`;
      if (p.type === 'text') content.push({ text: typeof p['text'] === 'string' ? p['text'] : '' });
      else if (p.type === 'json') content.push({ json: p['json'] });
      else if (p.type === 'image_url') content.push(imageBlock(p, at));
      else if (p.type === 'file') content.push(documentBlock(p, at));
      else throw invalid(`content part type '${p.type}' cannot be sent in a Bedrock tool result`, at);
    });
  }
  return { toolResult: { toolUseId: fitToolId(m.tool_call_id ?? '', BEDROCK_TOOL_ID_MAX), content } };
}

function toolSpec(t: FunctionTool): ToolSpec {
  const spec: ToolSpec['toolSpec'] = {
    name: t.function.name,
    inputSchema: { json: objectSchema(t.function.parameters as JsonObject | undefined) },
  };
  if (t.function.description) spec.description = t.function.description;
  if (t.function.strict === true) (spec as Record<string, unknown>)['strict'] = true;
  return { toolSpec: spec };
}

function historyToolNames(messages: Message[]): string[] | null {
  const names = new Set<string>();
  let any = false;
  for (const m of messages) {
    for (const b of m.content) {
      if ('toolUse' in b) {
        any = true;
        names.add(b.toolUse.name);
      } else if ('toolResult' in b) {
        any = true;
      }
    }
  }
  return any ? [...names] : null;
}

function buildToolConfig(req: ChatRequest, messages: Message[]): ToolConfig | undefined {
  const fns = (req.tools ?? []).filter((t) => t.type === 'function');
  const tools: ToolConfig['tools'] = [];
  for (const t of fns) {
    tools.push(toolSpec(t));
    if (t.cache_control) tools.push(CACHE_POINT);
  }
  const choice = req.tool_choice;
  if (tools.length && choice !== 'none') {
    const cfg: ToolConfig = { tools };
    if (choice === 'auto') cfg.toolChoice = { auto: {} };
    else if (choice === 'required') cfg.toolChoice = { any: {} };
    else if (choice && typeof choice === 'object') cfg.toolChoice = { tool: { name: choice.function.name } };
    return cfg;
  }
  const history = historyToolNames(messages);
  if (!history) return undefined;
  if (tools.length) return { tools };
  // No tools in this request, yet the history has tool blocks: Converse refuses that without a
  // toolConfig, so each tool the history used is declared with an open schema.
  const names = history.length ? history : ['tool'];
  return {
    tools: names.map((name) => ({
      toolSpec: { name, description: `${name} (declared from the conversation history)`, inputSchema: { json: { type: 'object' } } },
    })),
  };
}
