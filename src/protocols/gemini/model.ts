/**
 * What the model name tells us about the API features a Gemini model takes. Names without a
 * version (`gemini-flash-latest`, tuned models) are `unknown`: callers then pick the form every
 * current model accepts.
 */

export interface GeminiModelInfo {
  /** Major.minor from `gemini-<major>[.<minor>]`, or undefined when the name has no version. */
  version: { major: number; minor: number } | undefined;
}

/** The model id as it goes into the URL path: a leading `models/` is dropped. */
export function bareModel(model: string): string {
  return model.startsWith('models/') ? model.slice('models/'.length) : model;
}

export function modelInfo(model: string): GeminiModelInfo {
  const m = /(?:^|\/)gemini-(\d+)(?:\.(\d+))?/.exec(model);
  if (!m) return { version: undefined };
  return { version: { major: Number(m[1]), minor: m[2] === undefined ? 0 : Number(m[2]) } };
}

/** Gemini 3 and later: thinking levels, strict function-call signature validation. */
export function isGemini3OrLater(model: string): boolean {
  const v = modelInfo(model).version;
  return v !== undefined && v.major >= 3;
}

/**
 * Models that predate `responseJsonSchema` (Gemini 1.x, 2.0, and Gemma): they get the
 * OpenAPI-subset `responseSchema` instead.
 */
export function lacksJsonSchema(model: string): boolean {
  if (/(?:^|\/)gemma-/.test(model)) return true;
  const v = modelInfo(model).version;
  return v !== undefined && (v.major < 2 || (v.major === 2 && v.minor < 5));
}
