/**
 * Gemini thought signatures, carried through the canonical (OpenAI) form so that they come back
 * on the same part in the next request. Gemini 3 rejects a replayed functionCall without its
 * signature (HTTP 400), and OpenAI-shaped clients keep nothing but the tool call id and the
 * message fields, so the signature has to live in one of those.
 *
 * Function-call signatures ride in the tool call id:
 *
 *     <base>__ts__<signature in base64url, no padding>
 *
 * `<base>` is a fresh `call_…` id. base64url keeps the id within `[A-Za-z0-9_-]`, the character
 * set Anthropic requires of tool_use ids, so the id survives an Anthropic-speaking client too.
 * crabllm's ids (`call_<i>__thought__<raw base64>`) are decoded as well, so conversations started
 * behind crabllm continue behind llmux.
 *
 * Signatures on text parts go into the assistant message's `thinking_blocks` (and a stream's
 * `thinking_signature` deltas) with a prefix that says where they came from:
 * `gemini-text:` (a visible text part) or `gemini-thought:` (a thought-summary part). The prefix
 * lets this adapter restore each on the right kind of part, and lets it ignore signatures minted
 * by other providers (an Anthropic signature sent to Gemini is a corrupt signature: HTTP 400).
 */

const ID_MARKER = '__ts__';
const CRABLLM_MARKER = '__thought__';
export const TEXT_SIGNATURE_PREFIX = 'gemini-text:';
export const THOUGHT_SIGNATURE_PREFIX = 'gemini-thought:';

/**
 * Google documents this value for replaying a Gemini 3 function call whose signature was lost
 * (for example a history written by another model): the validator is skipped for that step.
 */
export const SKIP_SIGNATURE_VALIDATOR = 'skip_thought_signature_validator';

function toBase64Url(b64: string): string {
  return b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): string {
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/');
  const pad = b64.length % 4;
  return pad === 0 ? b64 : b64 + '='.repeat(4 - pad);
}

/** A tool call id that carries the function call's signature (or just `base` when there is none). */
export function encodeToolCallId(base: string, signature: string | undefined): string {
  return signature ? `${base}${ID_MARKER}${toBase64Url(signature)}` : base;
}

/** The signature carried by a tool call id, if it was minted by this adapter (or by crabllm). */
export function decodeToolCallSignature(id: string | undefined): string | undefined {
  if (!id) return undefined;
  const at = id.indexOf(ID_MARKER);
  if (at !== -1) {
    const enc = id.slice(at + ID_MARKER.length);
    return enc ? fromBase64Url(enc) : undefined;
  }
  const old = id.indexOf(CRABLLM_MARKER);
  if (old !== -1) {
    const raw = id.slice(old + CRABLLM_MARKER.length);
    return raw || undefined;
  }
  return undefined;
}

export type SignatureSource = 'text' | 'thought';

export function markSignature(signature: string, source: SignatureSource): string {
  return (source === 'text' ? TEXT_SIGNATURE_PREFIX : THOUGHT_SIGNATURE_PREFIX) + signature;
}

/** A signature this adapter put in a thinking block; undefined for anyone else's. */
export function unmarkSignature(marked: string | undefined): { signature: string; source: SignatureSource } | undefined {
  if (!marked) return undefined;
  if (marked.startsWith(TEXT_SIGNATURE_PREFIX)) {
    const signature = marked.slice(TEXT_SIGNATURE_PREFIX.length);
    return signature ? { signature, source: 'text' } : undefined;
  }
  if (marked.startsWith(THOUGHT_SIGNATURE_PREFIX)) {
    const signature = marked.slice(THOUGHT_SIGNATURE_PREFIX.length);
    return signature ? { signature, source: 'thought' } : undefined;
  }
  return undefined;
}
