/**
 * Canonical chat messages → Gemini `contents` and `systemInstruction`.
 *
 * - system and developer messages (wherever they appear: Gemini has one system instruction)
 *   → `systemInstruction.parts`, text only, in order;
 * - user → `user` turns with text, inlineData (data URLs, input_audio, file data) and fileData
 *   (image URLs, mime type guessed from the extension);
 * - assistant → `model` turns: signed thought parts restored from thinking_blocks, text, then one
 *   functionCall part per tool call with its thought signature restored from the tool call id;
 * - tool (and legacy function) results → functionResponse parts in a `user` turn, the function
 *   name looked up from the assistant tool call they answer;
 * - consecutive turns of the same role are merged (several tool results become one user turn,
 *   in order), and empty turns are dropped (Gemini rejects a content with no parts).
 *
 * A content part Gemini cannot take is an invalid request, not a silent drop.
 */
import { GatewayError } from '../../core/errors.js';
import type { ChatMessage, ContentPart, ThinkingBlock, ToolCall } from '../../core/types.js';
import { isGemini3OrLater } from './model.js';
import { SKIP_SIGNATURE_VALIDATOR, decodeToolCallSignature, unmarkSignature } from './signatures.js';
import type { GeminiContent, GeminiPart } from './wire.js';

export interface GeminiConversation {
  systemInstruction?: { parts: GeminiPart[] };
  contents: GeminiContent[];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function invalid(message: string, param: string): GatewayError {
  return new GatewayError('LLMUX_ERR_INVALID_REQUEST', message, { param });
}

const EXT_MIME: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
  mp3: 'audio/mp3',
  wav: 'audio/wav',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  aac: 'audio/aac',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/mov',
  txt: 'text/plain',
};

/** The mime type for a URL by its path's extension; image/jpeg when it has none we know. */
export function guessMimeType(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // not an absolute URL: use it as a path
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return (ext && EXT_MIME[ext]) ?? 'image/jpeg';
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*);base64,(.*)$/s;

function dataUrlPart(url: string, param: string): GeminiPart {
  const m = DATA_URL.exec(url);
  if (!m) throw invalid('only base64 data URLs are supported for inline content', param);
  return { inlineData: { mimeType: m[1] as string, data: m[3] as string } };
}

function urlPart(url: string, param: string): GeminiPart {
  if (url.startsWith('data:')) return dataUrlPart(url, param);
  return { fileData: { mimeType: guessMimeType(url), fileUri: url } };
}

function userPart(p: ContentPart, param: string): GeminiPart | undefined {
  switch (p.type) {
    case 'text':
      return typeof p['text'] === 'string' && p['text'] !== '' ? { text: p['text'] } : undefined;
    case 'image_url': {
      const img = p['image_url'];
      const url = typeof img === 'string' ? img : isObj(img) && typeof img['url'] === 'string' ? img['url'] : undefined;
      if (!url) throw invalid('image_url part without a url', param);
      return urlPart(url, param);
    }
    case 'input_audio': {
      const a = p['input_audio'];
      if (!isObj(a) || typeof a['data'] !== 'string') throw invalid('input_audio part without data', param);
      const format = typeof a['format'] === 'string' ? a['format'] : 'wav';
      return { inlineData: { mimeType: `audio/${format}`, data: a['data'] } };
    }
    case 'file': {
      const f = p['file'];
      if (isObj(f) && typeof f['file_data'] === 'string') return dataUrlPart(f['file_data'], param);
      if (isObj(f) && typeof f['file_id'] === 'string') return { fileData: { fileUri: f['file_id'] } };
      throw invalid('file part without file_data or file_id', param);
    }
    default:
      throw invalid(`content part type '${p.type}' is not supported by Gemini upstreams`, param);
  }
}

function textParts(content: ChatMessage['content'], param: string): GeminiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  if (!Array.isArray(content)) return [];
  const out: GeminiPart[] = [];
  content.forEach((p, j) => {
    if (p.type === 'text') {
      if (typeof p['text'] === 'string' && p['text'] !== '') out.push({ text: p['text'] });
    } else if (p.type !== 'refusal') {
      throw invalid(`content part type '${p.type}' is not allowed in this message`, `${param}[${j}]`);
    }
  });
  return out;
}

function joinedText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p) => (p.type === 'text' && typeof p['text'] === 'string' ? p['text'] : '')).join('');
}

/** Function-call arguments as the Struct Gemini needs; a non-object is kept under `arguments`. */
function parseArgs(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined || raw.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(raw);
    if (isObj(v)) return v;
  } catch {
    // fall through: keep the text rather than lose it
  }
  return { arguments: raw };
}

/** A tool result as the `response` Struct: a JSON object as is, anything else as `{result: text}`. */
function parseToolResult(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (isObj(v)) return v;
  } catch {
    // plain text
  }
  return { result: text };
}

function modelParts(m: ChatMessage, i: number, gemini3: boolean, toolNames: Map<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let textSignature: string | undefined;
  for (const block of (m.thinking_blocks ?? []) as ThinkingBlock[]) {
    const sig = unmarkSignature(block.signature);
    if (!sig) continue; // unsigned, redacted or another provider's: Gemini can use none of them
    if (sig.source === 'thought') {
      if (block.thinking) parts.push({ text: block.thinking, thought: true, thoughtSignature: sig.signature });
    } else {
      textSignature ??= sig.signature;
    }
  }
  const texts = textParts(m.content, `messages[${i}].content`);
  if (textSignature !== undefined && texts.length > 0) (texts[texts.length - 1] as GeminiPart).thoughtSignature = textSignature;
  parts.push(...texts);

  const calls: GeminiPart[] = [];
  for (const tc of (m.tool_calls ?? []) as ToolCall[]) {
    const name = tc.function?.name;
    if (typeof name !== 'string' || name === '') throw invalid('tool call without a function name', `messages[${i}].tool_calls`);
    if (typeof tc.id === 'string') toolNames.set(tc.id, name);
    const sig = decodeToolCallSignature(tc.id);
    calls.push({ functionCall: { name, args: parseArgs(tc.function.arguments) }, ...(sig ? { thoughtSignature: sig } : {}) });
  }
  const legacy = m['function_call'];
  if (isObj(legacy) && typeof legacy['name'] === 'string') {
    calls.push({ functionCall: { name: legacy['name'], args: parseArgs(typeof legacy['arguments'] === 'string' ? legacy['arguments'] : undefined) } });
  }
  // Gemini 3 validates the first function call of each step; a history from elsewhere has none.
  if (gemini3 && calls.length > 0 && !calls.some((c) => c.thoughtSignature)) (calls[0] as GeminiPart).thoughtSignature = SKIP_SIGNATURE_VALIDATOR;
  parts.push(...calls);
  return parts;
}

export function toGeminiConversation(messages: readonly ChatMessage[], model: string): GeminiConversation {
  const gemini3 = isGemini3OrLater(model);
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const toolNames = new Map<string, string>();

  const push = (role: 'user' | 'model', parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  messages.forEach((m, i) => {
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(...textParts(m.content, `messages[${i}].content`));
        break;
      case 'assistant':
        push('model', modelParts(m, i, gemini3, toolNames));
        break;
      case 'tool': {
        const id = m.tool_call_id;
        const name = (typeof id === 'string' ? toolNames.get(id) : undefined) ?? m.name;
        if (!name) throw invalid(`tool message answers an unknown tool_call_id '${String(id)}'`, `messages[${i}].tool_call_id`);
        push('user', [{ functionResponse: { name, response: parseToolResult(joinedText(m.content)) } }]);
        break;
      }
      case 'function': {
        if (!m.name) throw invalid('function message without a name', `messages[${i}].name`);
        push('user', [{ functionResponse: { name: m.name, response: parseToolResult(joinedText(m.content)) } }]);
        break;
      }
      default: {
        // user, and any role Gemini does not know, speaks as the user
        const c = m.content;
        const parts =
          typeof c === 'string'
            ? c === ''
              ? []
              : [{ text: c }]
            : Array.isArray(c)
              ? c.map((p, j) => userPart(p, `messages[${i}].content[${j}]`)).filter((p): p is GeminiPart => p !== undefined)
              : [];
        push('user', parts);
      }
    }
  });

  return system.length > 0 ? { systemInstruction: { parts: system }, contents } : { contents };
}
