/**
 * A client's Anthropic Messages request → canonical request.
 *
 * - `system` (string or text blocks) → one leading system message; blocks keep cache_control.
 *   A `role: "system"` entry inside `messages` also becomes a system message.
 * - user turns: tool_result blocks → `role: "tool"` messages, in order, placed BEFORE the rest
 *   of the turn (OpenAI wants tool answers right after the assistant's calls). Their content
 *   stays a string or parts (images inside results are kept as image parts); `is_error: true`
 *   is kept on the tool message. Text → text parts, images (base64 → data URL, url → url),
 *   base64 PDFs and text documents → OpenAI `file` parts; other documents and other native
 *   blocks (search_result…) are carried as they are, for an Anthropic upstream.
 * - assistant turns: text → content, thinking (with signature) and redacted_thinking →
 *   `thinking_blocks` (+ `reasoning_content`), tool_use → tool_calls with JSON arguments.
 *   Server-tool blocks in an assistant turn make its content a part list, so their order is kept.
 * - tools: custom tools → function tools (input_schema → parameters, strict and cache_control
 *   kept, unmodelled fields under `anthropic_extra`); server tools (a `type` other than custom:
 *   web_search_…, bash_…) go to `anthropic_server_tools`, which only an Anthropic upstream
 *   sends; other upstreams drop them.
 * - tool_choice auto/any/tool/none → auto/required/function/none; disable_parallel_tool_use →
 *   parallel_tool_calls: false. stop_sequences → stop; metadata.user_id → user; thinking →
 *   thinking; output_config.format → response_format json_schema. A streaming request asks for
 *   usage (stream_options.include_usage) since Anthropic clients always get it.
 * - Unknown top-level fields are kept under `anthropic_extra` for an Anthropic upstream.
 */
import { GatewayError } from '../../core/errors.js';
import type {
  CacheControl,
  ChatMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  JsonObject,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
} from '../../core/types.js';
import { EXTRA_FIELD, SERVER_TOOLS_FIELD } from './request.js';
import { isObject, thinkingBlockOf } from './wire.js';

const KNOWN_FIELDS = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'tools',
  'tool_choice',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'thinking',
  'metadata',
  'stream',
]);

/** Tool fields that map onto the canonical function tool; the rest go to its `anthropic_extra`. */
const KNOWN_TOOL_FIELDS = new Set(['name', 'description', 'input_schema', 'cache_control', 'strict', 'type']);

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('LLMUX_ERR_INVALID_REQUEST', message, { param });
}

function cacheOf(b: Record<string, unknown>): { cache_control?: CacheControl } {
  return isObject(b['cache_control']) ? { cache_control: b['cache_control'] as unknown as CacheControl } : {};
}

/** One Anthropic block of a user turn (or a tool result) → a canonical part. */
function blockToPart(b: Record<string, unknown>, param: string): ContentPart {
  switch (b['type']) {
    case 'text':
      if (typeof b['text'] !== 'string') throw invalid(`${param}.text must be a string`, `${param}.text`);
      return { type: 'text', text: b['text'], ...cacheOf(b) };
    case 'image': {
      const src = isObject(b['source']) ? b['source'] : undefined;
      if (src?.['type'] === 'base64' && typeof src['data'] === 'string' && typeof src['media_type'] === 'string') {
        return { type: 'image_url', image_url: { url: `data:${src['media_type']};base64,${src['data']}` }, ...cacheOf(b) };
      }
      if (src?.['type'] === 'url' && typeof src['url'] === 'string') {
        return { type: 'image_url', image_url: { url: src['url'] }, ...cacheOf(b) };
      }
      return { ...b, type: 'image' }; // a file-id source: only Anthropic knows it
    }
    case 'document': {
      const src = isObject(b['source']) ? b['source'] : undefined;
      const plain = Object.keys(b).every((k) => k === 'type' || k === 'source' || k === 'title' || k === 'cache_control');
      // Only plain documents become OpenAI file parts; citations/context need Anthropic itself.
      if (plain && src?.['type'] === 'base64' && typeof src['data'] === 'string' && typeof src['media_type'] === 'string') {
        const file: Record<string, unknown> = { file_data: `data:${src['media_type']};base64,${src['data']}` };
        if (typeof b['title'] === 'string') file['filename'] = b['title'];
        return { type: 'file', file, ...cacheOf(b) };
      }
      if (plain && src?.['type'] === 'text' && typeof src['data'] === 'string') {
        const file: Record<string, unknown> = { file_data: `data:text/plain;base64,${Buffer.from(src['data'], 'utf8').toString('base64')}` };
        if (typeof b['title'] === 'string') file['filename'] = b['title'];
        return { type: 'file', file, ...cacheOf(b) };
      }
      return { ...b, type: 'document' };
    }
    default:
      if (typeof b['type'] !== 'string') throw invalid(`${param}.type must be a string`, `${param}.type`);
      return { ...b, type: b['type'] };
  }
}

function partsOf(content: unknown, param: string): ContentPart[] {
  if (!Array.isArray(content)) throw invalid(`${param} must be a string or an array of content blocks`, param);
  return content.map((b, i) => {
    if (!isObject(b)) throw invalid(`${param}.${i} must be an object`, `${param}.${i}`);
    return blockToPart(b, `${param}.${i}`);
  });
}

/** One string when a single plain text part is all there is (friendlier to simple upstreams). */
function simplify(parts: ContentPart[]): string | ContentPart[] {
  const only = parts[0];
  if (parts.length === 1 && only && only.type === 'text' && typeof only['text'] === 'string' && Object.keys(only).length === 2) {
    return only['text'];
  }
  return parts;
}

function toolResultMessage(b: Record<string, unknown>, param: string): ChatMessage {
  if (typeof b['tool_use_id'] !== 'string') throw invalid(`${param}.tool_use_id must be a string`, `${param}.tool_use_id`);
  const c = b['content'];
  let content: string | ContentPart[];
  if (c === undefined || c === null) content = '';
  else if (typeof c === 'string') content = c;
  else content = simplify(partsOf(c, `${param}.content`));
  const msg: ChatMessage = { role: 'tool', tool_call_id: b['tool_use_id'], content };
  if (b['is_error'] === true) msg['is_error'] = true;
  if (isObject(b['cache_control'])) msg.cache_control = b['cache_control'] as unknown as CacheControl;
  return msg;
}

function userMessages(content: unknown, param: string): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  if (!Array.isArray(content)) throw invalid(`${param} must be a string or an array of content blocks`, param);
  const tools: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  content.forEach((b, i) => {
    if (!isObject(b)) throw invalid(`${param}.${i} must be an object`, `${param}.${i}`);
    if (b['type'] === 'tool_result') tools.push(toolResultMessage(b, `${param}.${i}`));
    else parts.push(blockToPart(b, `${param}.${i}`));
  });
  const out = [...tools];
  if (parts.length > 0 || tools.length === 0) out.push({ role: 'user', content: simplify(parts) });
  return out;
}

function assistantMessage(content: unknown, param: string): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  if (!Array.isArray(content)) throw invalid(`${param} must be a string or an array of content blocks`, param);
  const thinking: ThinkingBlock[] = [];
  const toolCalls: ToolCall[] = [];
  const parts: ContentPart[] = [];
  let reasoning = '';
  let hasNative = false;
  let cache: CacheControl | undefined;
  content.forEach((b, i) => {
    const p = `${param}.${i}`;
    if (!isObject(b)) throw invalid(`${p} must be an object`, p);
    if (isObject(b['cache_control'])) cache = b['cache_control'] as unknown as CacheControl;
    switch (b['type']) {
      case 'text':
        if (typeof b['text'] !== 'string') throw invalid(`${p}.text must be a string`, `${p}.text`);
        parts.push({ type: 'text', text: b['text'] });
        break;
      case 'thinking':
      case 'redacted_thinking': {
        const tb = thinkingBlockOf(b);
        if (tb) thinking.push(tb);
        if (tb?.type === 'thinking') reasoning += tb.thinking ?? '';
        break;
      }
      case 'tool_use':
        if (typeof b['id'] !== 'string' || typeof b['name'] !== 'string') {
          throw invalid(`${p} must have a string id and name`, p);
        }
        toolCalls.push({
          id: b['id'],
          type: 'function',
          function: { name: b['name'], arguments: JSON.stringify(isObject(b['input']) ? b['input'] : {}) },
        });
        break;
      default:
        if (typeof b['type'] !== 'string') throw invalid(`${p}.type must be a string`, `${p}.type`);
        hasNative = true;
        parts.push({ ...b, type: b['type'] });
    }
  });
  const msg: ChatMessage = { role: 'assistant', content: null };
  if (hasNative) msg.content = parts;
  else {
    const text = parts.map((p) => (typeof p['text'] === 'string' ? p['text'] : '')).join('');
    msg.content = parts.length > 0 || toolCalls.length === 0 ? text : null;
  }
  if (toolCalls.length > 0) msg.tool_calls = toolCalls;
  if (thinking.length > 0) {
    msg.thinking_blocks = thinking;
    msg.reasoning_content = reasoning;
  }
  if (cache) msg.cache_control = cache;
  return msg;
}

function systemMessage(system: unknown, param: string): ChatMessage {
  if (typeof system === 'string') return { role: 'system', content: system };
  const parts = partsOf(system, param);
  parts.forEach((p, i) => {
    if (p.type !== 'text') throw invalid(`${param}.${i}: system blocks must be text`, `${param}.${i}`);
  });
  return { role: 'system', content: simplify(parts) };
}

function convertTools(tools: unknown, req: ChatRequest): void {
  if (tools === undefined || tools === null) return;
  if (!Array.isArray(tools)) throw invalid('tools must be an array', 'tools');
  const fns: FunctionTool[] = [];
  const server: JsonObject[] = [];
  tools.forEach((t, i) => {
    if (!isObject(t)) throw invalid(`tools.${i} must be an object`, `tools.${i}`);
    if (t['type'] !== undefined && t['type'] !== null && t['type'] !== 'custom') {
      server.push({ ...t });
      return;
    }
    if (typeof t['name'] !== 'string' || t['name'] === '') throw invalid(`tools.${i}.name must be a non-empty string`, `tools.${i}.name`);
    const fn: FunctionTool['function'] = { name: t['name'] };
    if (typeof t['description'] === 'string') fn.description = t['description'];
    fn.parameters = isObject(t['input_schema']) ? t['input_schema'] : { type: 'object', properties: {} };
    if (typeof t['strict'] === 'boolean') fn.strict = t['strict'];
    const tool: FunctionTool = { type: 'function', function: fn, ...cacheOf(t) };
    const extra = Object.fromEntries(Object.entries(t).filter(([k]) => !KNOWN_TOOL_FIELDS.has(k)));
    if (Object.keys(extra).length > 0) tool[EXTRA_FIELD] = extra;
    fns.push(tool);
  });
  if (fns.length > 0) req.tools = fns;
  if (server.length > 0) req[SERVER_TOOLS_FIELD] = server;
}

function convertToolChoice(tc: unknown, req: ChatRequest): void {
  if (tc === undefined || tc === null) return;
  if (!isObject(tc)) throw invalid('tool_choice must be an object', 'tool_choice');
  let choice: ToolChoice;
  switch (tc['type']) {
    case 'auto':
      choice = 'auto';
      break;
    case 'any':
      choice = 'required';
      break;
    case 'none':
      choice = 'none';
      break;
    case 'tool':
      if (typeof tc['name'] !== 'string') throw invalid('tool_choice.name must be a string', 'tool_choice.name');
      choice = { type: 'function', function: { name: tc['name'] } };
      break;
    default:
      throw invalid('tool_choice.type must be one of auto, any, tool, none', 'tool_choice.type');
  }
  req.tool_choice = choice;
  if (tc['disable_parallel_tool_use'] === true) req.parallel_tool_calls = false;
}

function optionalNumber(b: Record<string, unknown>, key: string): number | undefined {
  const v = b[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(`${key} must be a number`, key);
  return v;
}

export function parseAnthropicRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'the request body must be a JSON object');
  const b = body;
  if (typeof b['model'] !== 'string' || b['model'] === '') throw invalid('model: a model name (string) is required', 'model');
  if (!Array.isArray(b['messages'])) throw invalid('messages: an array of messages is required', 'messages');
  const maxTokens = b['max_tokens'];
  if (typeof maxTokens !== 'number' || !Number.isFinite(maxTokens) || maxTokens < 0) {
    throw invalid('max_tokens: a non-negative number is required', 'max_tokens');
  }

  const messages: ChatMessage[] = [];
  if (b['system'] !== undefined && b['system'] !== null) messages.push(systemMessage(b['system'], 'system'));
  b['messages'].forEach((m, i) => {
    const param = `messages.${i}`;
    if (!isObject(m)) throw invalid(`${param} must be an object`, param);
    if (m['content'] === undefined) throw invalid(`${param}.content is required`, `${param}.content`);
    switch (m['role']) {
      case 'user':
        messages.push(...userMessages(m['content'], `${param}.content`));
        break;
      case 'assistant':
        messages.push(assistantMessage(m['content'], `${param}.content`));
        break;
      case 'system':
        messages.push(systemMessage(m['content'], `${param}.content`));
        break;
      default:
        throw invalid(`${param}.role must be "user" or "assistant"`, `${param}.role`);
    }
  });

  const req: ChatRequest = { model: b['model'], messages, max_tokens: maxTokens };
  convertTools(b['tools'], req);
  convertToolChoice(b['tool_choice'], req);

  const stop = b['stop_sequences'];
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string')) {
      throw invalid('stop_sequences must be an array of strings', 'stop_sequences');
    }
    if (stop.length > 0) req.stop = stop as string[];
  }
  const temperature = optionalNumber(b, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(b, 'top_p');
  if (topP !== undefined) req.top_p = topP;
  const topK = optionalNumber(b, 'top_k');
  if (topK !== undefined) req.top_k = topK;

  if (b['thinking'] !== undefined && b['thinking'] !== null) {
    if (!isObject(b['thinking']) || typeof b['thinking']['type'] !== 'string') {
      throw invalid('thinking must be an object with a type', 'thinking');
    }
    req.thinking = { ...b['thinking'] } as ChatRequest['thinking'];
  }
  if (isObject(b['metadata'])) {
    req.metadata = { ...b['metadata'] };
    if (typeof b['metadata']['user_id'] === 'string') req.user = b['metadata']['user_id'];
  }
  if (b['stream'] === true) {
    req.stream = true;
    req.stream_options = { include_usage: true };
  }
  const oc = b['output_config'];
  if (isObject(oc) && isObject(oc['format']) && oc['format']['type'] === 'json_schema' && isObject(oc['format']['schema'])) {
    req.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: oc['format']['schema'], strict: true } };
  }

  const extra = Object.fromEntries(Object.entries(b).filter(([k]) => !KNOWN_FIELDS.has(k)));
  if (Object.keys(extra).length > 0) req[EXTRA_FIELD] = extra;
  return req;
}
