/**
 * Canonical (OpenAI chat) request → Anthropic `POST /v1/messages`.
 *
 * Decisions, each tested in request.test.ts:
 * - system and developer messages, wherever they stand, are gathered in order into `system`
 *   (Anthropic has no system role in `messages`), as text blocks keeping cache_control.
 * - Consecutive messages of one role are merged (Anthropic requires user/assistant alternation);
 *   consecutive tool messages become ONE user message of tool_result blocks, in order, and in
 *   any user message tool_result blocks are moved before other blocks (Anthropic requires it).
 * - Tool-call arguments that are not a JSON object (invalid JSON, an array…) cannot be an
 *   Anthropic `input`; rather than lose them they are sent as `{"_raw_arguments": "<text>"}`.
 *   Empty arguments are `{}`.
 * - Tool ids are reduced to Anthropic's alphabet ([A-Za-z0-9_-]) in both tool_use and
 *   tool_result, the same way, so ids minted by other providers (`functions.f:0`) still pair.
 * - Thinking blocks are replayed first in an assistant turn (Anthropic requires it for tool use
 *   with thinking). Only signed thinking can be replayed: `reasoning_content` without a
 *   signature (from a provider that has none) is dropped, because Anthropic rejects it.
 * - `max_tokens` defaults to 4096 (Anthropic requires it). When a thinking budget is not below
 *   it, it is raised to budget + 4096 so there is room for the answer.
 * - `reasoning_effort` low/medium/high → thinking with budget 1024/4096/16384; other values
 *   (minimal, none) leave thinking off. With thinking on, temperature and top_k are dropped and
 *   top_p is kept only within [0.95, 1] (Anthropic's limits with thinking).
 * - `response_format` json_schema → native structured output, `output_config.format`;
 *   json_object has no Anthropic equivalent and is dropped. `n`, `seed`, penalties and
 *   logprobs are dropped (not supported by the API).
 * - Anthropic-only data kept by the /v1/messages inbound comes back: server tools
 *   (`anthropic_server_tools`), unknown top-level fields (`anthropic_extra`), extra tool fields
 *   (a tool's `anthropic_extra`) and native blocks carried as content parts.
 */
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  FunctionTool,
  JsonObject,
  ThinkingBlock,
  ToolChoice,
} from '../../core/types.js';
import { objectSchema } from '../schema.js';
import type { ChatRequestOptions, HeaderBag, HttpRequestSpec, UpstreamTarget } from '../types.js';
import { isForeignSignature } from '../tool-ids.js';
import {
  ANTHROPIC_VERSION,
  OAUTH_BETA,
  OAUTH_TOKEN_PREFIX,
  isObject,
  type WireContentBlock,
  type WireMessage,
  type WireRequest,
  type WireTextBlock,
  type WireTool,
  type WireToolChoice,
  type WireOtherBlock,
} from './wire.js';

export const DEFAULT_MAX_TOKENS = 4096;
/** Room left for the answer above a thinking budget. */
export const THINKING_HEADROOM = 4096;
export const EFFORT_BUDGETS: Readonly<Record<string, number>> = { low: 1024, medium: 4096, high: 16384 };
/** Where arguments that are not a JSON object go in a tool_use `input`. */
export const RAW_ARGUMENTS_KEY = '_raw_arguments';
/** Request field: Anthropic server tools (web_search…) from the inbound, sent back to Anthropic only. */
export const SERVER_TOOLS_FIELD = 'anthropic_server_tools';
/** Request or tool field: Anthropic fields llmux does not model, sent back to Anthropic only. */
export const EXTRA_FIELD = 'anthropic_extra';
/** Assistant message field: the signature for `reasoning_content` when no thinking_blocks are given. */
export const THINKING_SIGNATURE_FIELD = 'thinking_signature';

/**
 * Every Anthropic-only extension field the /v1/messages inbound may put on a canonical request,
 * tool or message. Other upstream adapters must drop these before serialising (OpenAI rejects
 * unknown fields).
 */
export const ANTHROPIC_EXTENSION_FIELDS = {
  request: [EXTRA_FIELD, SERVER_TOOLS_FIELD],
  tool: [EXTRA_FIELD],
  message: ['is_error', THINKING_SIGNATURE_FIELD],
} as const;

/** OpenAI-only part types with no Anthropic form: dropped. */
const DROPPED_PART_TYPES = new Set(['input_audio', 'audio', 'video_url']);

export function toolInputFromArguments(args: string | undefined): JsonObject {
  if (args === undefined || args.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(args);
    if (isObject(v)) return v;
  } catch {
    // falls through to the raw form
  }
  return { [RAW_ARGUMENTS_KEY]: args };
}

export function sanitizeToolId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,=]+=[^;,]*)*);base64,(.*)$/s;

function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = DATA_URL.exec(url);
  return m ? { mediaType: m[1] ?? '', data: m[3] ?? '' } : undefined;
}

function withCache<T extends object>(block: T, cc: unknown): T {
  return isObject(cc) ? { ...block, cache_control: cc } : block;
}

/** One canonical content part → one Anthropic block, or undefined when it has no Anthropic form. */
export function partToBlock(p: ContentPart): WireContentBlock | undefined {
  const cc = p['cache_control'];
  switch (p.type) {
    case 'text':
    case 'refusal': {
      const text = typeof p['text'] === 'string' ? p['text'] : typeof p['refusal'] === 'string' ? p['refusal'] : '';
      // Anthropic rejects empty text blocks.
      return text === '' ? undefined : withCache({ type: 'text', text }, cc);
    }
    case 'image_url': {
      const iu = p['image_url'];
      const url = isObject(iu) && typeof iu['url'] === 'string' ? iu['url'] : typeof iu === 'string' ? iu : '';
      const data = parseDataUrl(url);
      if (data) return withCache({ type: 'image', source: { type: 'base64', media_type: data.mediaType, data: data.data } }, cc);
      if (/^https?:\/\//i.test(url)) return withCache({ type: 'image', source: { type: 'url', url } }, cc);
      return undefined;
    }
    case 'file': {
      // OpenAI's file part: inline data becomes a document; OpenAI file ids mean nothing to Anthropic.
      const f = p['file'];
      if (!isObject(f) || typeof f['file_data'] !== 'string') return undefined;
      const data = parseDataUrl(f['file_data']);
      if (!data) return undefined;
      const source =
        data.mediaType === 'text/plain'
          ? { type: 'text', media_type: 'text/plain', data: Buffer.from(data.data, 'base64').toString('utf8') }
          : { type: 'base64', media_type: data.mediaType, data: data.data };
      const doc: WireContentBlock = { type: 'document', source };
      if (typeof f['filename'] === 'string') doc['title'] = f['filename'];
      return withCache(doc, cc);
    }
    default:
      if (DROPPED_PART_TYPES.has(p.type)) return undefined;
      // An Anthropic-native block carried through canonical form (document, search_result,
      // server tool blocks): sent back as it came.
      return { ...p } as WireOtherBlock;
  }
}

function contentBlocks(content: ChatMessage['content']): WireContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const out: WireContentBlock[] = [];
  for (const p of content) {
    if (!isObject(p) || typeof p['type'] !== 'string') continue;
    const b = partToBlock(p as ContentPart);
    if (b) out.push(b);
  }
  return out;
}

/** A message-level cache_control marks the message's last block (where Anthropic reads it). */
function applyMessageCache(blocks: WireContentBlock[], cc: unknown): void {
  const last = blocks.at(-1);
  if (last && isObject(cc) && last['cache_control'] === undefined) last['cache_control'] = cc;
}

function systemBlocks(messages: ChatMessage[]): WireTextBlock[] {
  const out: WireTextBlock[] = [];
  for (const m of messages) {
    if (m.role !== 'system' && m.role !== 'developer') continue;
    const blocks = contentBlocks(m.content).filter((b): b is WireTextBlock => b.type === 'text');
    applyMessageCache(blocks, m.cache_control);
    out.push(...blocks);
  }
  return out;
}

function thinkingBlocks(m: ChatMessage): WireContentBlock[] {
  const out: WireContentBlock[] = [];
  const blocks: ThinkingBlock[] = Array.isArray(m.thinking_blocks) ? m.thinking_blocks : [];
  for (const b of blocks) {
    if (b.type === 'redacted_thinking' && typeof b.data === 'string') {
      out.push({ type: 'redacted_thinking', data: b.data });
    } else if (b.type === 'thinking' && typeof b.signature === 'string' && b.signature !== '' && !isForeignSignature(b.signature)) {
      out.push({ type: 'thinking', thinking: b.thinking ?? '', signature: b.signature });
    }
  }
  const sig = m[THINKING_SIGNATURE_FIELD];
  if (out.length === 0 && typeof m.reasoning_content === 'string' && typeof sig === 'string' && sig !== '' && !isForeignSignature(sig)) {
    out.push({ type: 'thinking', thinking: m.reasoning_content, signature: sig });
  }
  return out;
}

function assistantBlocks(m: ChatMessage): WireContentBlock[] {
  const blocks: WireContentBlock[] = [...thinkingBlocks(m), ...contentBlocks(m.content)];
  for (const tc of m.tool_calls ?? []) {
    if (!isObject(tc) || !isObject(tc.function)) continue;
    blocks.push({
      type: 'tool_use',
      id: sanitizeToolId(String(tc.id ?? '')),
      name: tc.function.name,
      input: toolInputFromArguments(tc.function.arguments),
    });
  }
  applyMessageCache(blocks, m.cache_control);
  return blocks;
}

function toolResultBlock(m: ChatMessage): WireContentBlock {
  const block: WireContentBlock = { type: 'tool_result', tool_use_id: sanitizeToolId(String(m.tool_call_id ?? '')) };
  if (typeof m.content === 'string') {
    if (m.content !== '') block['content'] = m.content;
  } else {
    const parts = contentBlocks(m.content);
    if (parts.length > 0) block['content'] = parts;
  }
  if (m['is_error'] === true) block['is_error'] = true;
  return withCache(block, m.cache_control);
}

export function buildMessages(messages: ChatMessage[]): WireMessage[] {
  const out: Array<{ role: 'user' | 'assistant'; content: WireContentBlock[] }> = [];
  const add = (role: 'user' | 'assistant', blocks: WireContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    if (!isObject(m)) continue;
    switch (m.role) {
      case 'system':
      case 'developer':
        break; // gathered into `system`
      case 'assistant':
        add('assistant', assistantBlocks(m));
        break;
      case 'tool':
        add('user', [toolResultBlock(m)]);
        break;
      default: {
        const blocks = contentBlocks(m.content);
        applyMessageCache(blocks, m.cache_control);
        add('user', blocks);
      }
    }
  }
  for (const msg of out) {
    if (msg.role !== 'user') continue;
    const results = msg.content.filter((b) => b.type === 'tool_result');
    if (results.length > 0 && results.length < msg.content.length) {
      msg.content = [...results, ...msg.content.filter((b) => b.type !== 'tool_result')];
    }
  }
  return out;
}

function wireTool(t: FunctionTool): WireTool {
  const extra = isObject(t[EXTRA_FIELD]) ? t[EXTRA_FIELD] : {};
  const tool: WireTool = { ...extra, name: t.function.name, input_schema: objectSchema(t.function.parameters) };
  if (typeof t.function.description === 'string') tool.description = t.function.description;
  if (typeof t.function.strict === 'boolean') tool.strict = t.function.strict;
  if (isObject(t.cache_control)) tool.cache_control = t.cache_control;
  return tool;
}

function wireToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): WireToolChoice | undefined {
  let tc: WireToolChoice | undefined;
  if (choice === 'auto') tc = { type: 'auto' };
  else if (choice === 'required') tc = { type: 'any' };
  else if (choice === 'none') tc = { type: 'none' };
  else if (isObject(choice) && isObject(choice.function) && typeof choice.function.name === 'string') {
    tc = { type: 'tool', name: choice.function.name };
  }
  if (parallel === false) {
    if (tc === undefined) tc = { type: 'auto' };
    if (tc.type !== 'none') tc.disable_parallel_tool_use = true;
  }
  return tc;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function buildMessagesBody(req: ChatRequest, target: UpstreamTarget, stream: boolean): WireRequest {
  const extra = isObject(req[EXTRA_FIELD]) ? req[EXTRA_FIELD] : {};
  let maxTokens = finite(req.max_completion_tokens) ? req.max_completion_tokens : finite(req.max_tokens) ? req.max_tokens : DEFAULT_MAX_TOKENS;

  let thinking: WireRequest['thinking'];
  if (isObject(req.thinking)) thinking = { ...req.thinking };
  else if (typeof req.reasoning_effort === 'string' && EFFORT_BUDGETS[req.reasoning_effort] !== undefined) {
    thinking = { type: 'enabled', budget_tokens: EFFORT_BUDGETS[req.reasoning_effort] };
  }
  if (thinking?.type === 'enabled' && finite(thinking.budget_tokens) && maxTokens <= thinking.budget_tokens) {
    maxTokens = thinking.budget_tokens + THINKING_HEADROOM;
  }
  const thinkingOn = thinking?.type === 'enabled' || thinking?.type === 'adaptive';

  const body: WireRequest = { ...extra, model: target.model, messages: buildMessages(req.messages), max_tokens: maxTokens };
  const system = systemBlocks(req.messages);
  if (system.length > 0) body.system = system;

  const tools: Array<WireTool | WireOtherBlock> = (req.tools ?? [])
    .filter((t) => isObject(t) && t.type === 'function' && isObject(t.function))
    .map(wireTool);
  const serverTools = req[SERVER_TOOLS_FIELD];
  if (Array.isArray(serverTools)) tools.push(...serverTools.filter(isObject).map((t) => ({ ...t }) as WireOtherBlock));
  if (tools.length > 0) {
    body.tools = tools;
    const tc = wireToolChoice(req.tool_choice, req.parallel_tool_calls);
    if (tc) body.tool_choice = tc;
  }

  const stop = typeof req.stop === 'string' ? [req.stop] : Array.isArray(req.stop) ? req.stop : [];
  const stops = stop.filter((s): s is string => typeof s === 'string' && s !== '');
  if (stops.length > 0) body.stop_sequences = stops;

  if (thinking) body.thinking = thinking;
  if (!thinkingOn && finite(req.temperature)) body.temperature = req.temperature;
  if (finite(req.top_p) && (!thinkingOn || req.top_p >= 0.95)) body.top_p = req.top_p;
  if (!thinkingOn && finite(req.top_k)) body.top_k = req.top_k;

  const userId = typeof req.user === 'string' && req.user !== '' ? req.user : req.metadata?.['user_id'];
  if (typeof userId === 'string' && userId !== '') body.metadata = { user_id: userId };

  const rf = req.response_format;
  if (rf?.type === 'json_schema' && isObject(rf.json_schema)) {
    const schema = isObject(rf.json_schema.schema) ? rf.json_schema.schema : { type: 'object' };
    const cfg = isObject(body.output_config) ? body.output_config : {};
    body.output_config = { ...cfg, format: { type: 'json_schema', schema } };
  }
  if (stream) body.stream = true;
  else delete body.stream;
  return body;
}

function betaValues(v: string | string[] | undefined): string[] {
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * Auth, version and beta headers. OAuth tokens go as Bearer with the oauth beta flag; betas from
 * the token, the provider config and the client are merged, comma-joined and de-duplicated.
 */
export function anthropicHeaders(target: UpstreamTarget, clientHeaders: HeaderBag): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json', 'anthropic-version': ANTHROPIC_VERSION };
  const betas: string[] = [];
  const key = target.apiKey;
  if (key) {
    if (key.startsWith(OAUTH_TOKEN_PREFIX)) {
      h['authorization'] = `Bearer ${key}`;
      betas.push(OAUTH_BETA);
    } else {
      h['x-api-key'] = key;
    }
  }
  for (const [k, v] of Object.entries(target.headers ?? {})) {
    const name = k.toLowerCase();
    if (name === 'anthropic-beta') betas.push(...betaValues(v));
    else h[name] = v;
  }
  for (const [k, v] of Object.entries(clientHeaders)) {
    if (k.toLowerCase() === 'anthropic-beta') betas.push(...betaValues(v));
  }
  const unique = [...new Set(betas)];
  if (unique.length > 0) h['anthropic-beta'] = unique.join(',');
  return h;
}

export function messagesUrl(target: UpstreamTarget): string {
  return `${target.baseUrl}/messages`;
}

export function anthropicChatRequest(req: ChatRequest, target: UpstreamTarget, opts: ChatRequestOptions): HttpRequestSpec {
  return {
    method: 'POST',
    url: messagesUrl(target),
    headers: anthropicHeaders(target, opts.clientHeaders),
    body: JSON.stringify(buildMessagesBody(req, target, opts.stream)),
  };
}
