/**
 * Canonical request options → Gemini `generationConfig`, `tools` and `toolConfig`.
 *
 * Thinking (reasoning_effort, or the Anthropic-style `thinking` extension):
 *
 * | input                          | Gemini 3 and later             | other models                 |
 * |--------------------------------|--------------------------------|------------------------------|
 * | reasoning_effort none          | nothing (cannot be turned off) | thinkingBudget 0             |
 * | minimal / low / medium / high  | thinkingLevel of the same name | budget 512 / 1024 / 8192 / 24576 |
 * | any other effort               | thinkingLevel high             | budget 24576                 |
 * | thinking enabled, budget N     | thinkingBudget N               | thinkingBudget N             |
 * | thinking enabled (no budget), adaptive | thinkingBudget -1 (dynamic) | thinkingBudget -1         |
 * | thinking disabled              | nothing (model default, thoughts not shown) | same            |
 *
 * includeThoughts is set whenever thinking was asked for, so thought summaries come back as
 * reasoning_content. Which levels a model takes varies (Gemini 3 Pro: low and high); Gemini
 * answers 400 for one it does not take, and that error reaches the client as is. Gemini 3 still
 * accepts thinkingBudget, so an explicit budget is passed on exactly.
 */
import type { ChatRequest, FunctionTool, JsonObject, ToolChoice } from '../../core/types.js';
import { isGemini3OrLater, lacksJsonSchema } from './model.js';
import { geminiSchema, toolParameters } from './schema.js';
import type { GeminiFunctionDeclaration, GeminiGenerationConfig, GeminiThinkingConfig, GeminiTool, GeminiToolConfig } from './wire.js';

const BUDGETS: Record<string, number> = { minimal: 512, low: 1024, medium: 8192, high: 24_576 };
const LEVELS = new Set(['minimal', 'low', 'medium', 'high']);

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function thinkingConfig(req: ChatRequest, model: string): GeminiThinkingConfig | undefined {
  const gemini3 = isGemini3OrLater(model);
  if (typeof req.reasoning_effort === 'string') {
    const effort = req.reasoning_effort.toLowerCase();
    if (effort === 'none') return gemini3 ? undefined : { thinkingBudget: 0 };
    if (gemini3) return { thinkingLevel: LEVELS.has(effort) ? effort : 'high', includeThoughts: true };
    return { thinkingBudget: BUDGETS[effort] ?? (BUDGETS['high'] as number), includeThoughts: true };
  }
  const t = req.thinking;
  if (t?.type === 'enabled') return { thinkingBudget: num(t.budget_tokens) ?? -1, includeThoughts: true };
  if (t?.type === 'adaptive') return { thinkingBudget: -1, includeThoughts: true };
  return undefined;
}

export function generationConfig(req: ChatRequest, model: string): GeminiGenerationConfig | undefined {
  const g: GeminiGenerationConfig = {};
  const max = num(req.max_completion_tokens) ?? num(req.max_tokens);
  if (max !== undefined) g.maxOutputTokens = max;
  const temperature = num(req.temperature);
  if (temperature !== undefined) g.temperature = temperature;
  const topP = num(req.top_p);
  if (topP !== undefined) g.topP = topP;
  const topK = num(req.top_k);
  if (topK !== undefined) g.topK = topK;
  const stop = typeof req.stop === 'string' ? [req.stop] : Array.isArray(req.stop) ? req.stop.filter((s) => typeof s === 'string') : [];
  if (stop.length > 0) g.stopSequences = stop;
  const n = num(req.n);
  if (n !== undefined) g.candidateCount = n;
  const seed = num(req.seed);
  if (seed !== undefined) g.seed = seed;
  const presence = num(req['presence_penalty']);
  if (presence !== undefined) g.presencePenalty = presence;
  const frequency = num(req['frequency_penalty']);
  if (frequency !== undefined) g.frequencyPenalty = frequency;

  const rf = req.response_format;
  if (rf?.type === 'json_object') g.responseMimeType = 'application/json';
  else if (rf?.type === 'json_schema') {
    g.responseMimeType = 'application/json';
    const schema = rf.json_schema?.schema;
    if (schema) {
      // Gemini 2.5+ takes plain JSON Schema (unions, refs, records); older models only the subset.
      if (lacksJsonSchema(model)) g.responseSchema = geminiSchema(schema);
      else g.responseJsonSchema = schema;
    }
  }

  const thinking = thinkingConfig(req, model);
  if (thinking) g.thinkingConfig = thinking;
  return Object.keys(g).length > 0 ? g : undefined;
}

/** Function tools as one `functionDeclarations` tool. Non-function tools have no Gemini form. */
export function geminiTools(tools: readonly FunctionTool[] | undefined): GeminiTool[] | undefined {
  if (!Array.isArray(tools)) return undefined;
  const decls: GeminiFunctionDeclaration[] = [];
  for (const t of tools) {
    if (t.type !== 'function' || !t.function?.name) continue;
    const d: GeminiFunctionDeclaration = { name: t.function.name };
    if (t.function.description) d.description = t.function.description;
    const params = toolParameters(t.function.parameters as JsonObject | undefined);
    if (params) d.parameters = params;
    decls.push(d);
  }
  return decls.length > 0 ? [{ functionDeclarations: decls }] : undefined;
}

export function geminiToolConfig(choice: ToolChoice | undefined): GeminiToolConfig | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { functionCallingConfig: { mode: 'AUTO' } };
  if (choice === 'required') return { functionCallingConfig: { mode: 'ANY' } };
  if (choice === 'none') return { functionCallingConfig: { mode: 'NONE' } };
  if (typeof choice === 'object' && choice.function?.name) {
    return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
  }
  return undefined;
}
