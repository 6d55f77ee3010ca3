/**
 * Identifiers that cross providers. A conversation can start on one provider and continue on
 * another (fallback, or a client switching models), carrying the first one's tool-call ids and
 * thinking signatures into the second one's request.
 */
import { createHash } from 'node:crypto';

const SAFE_ID = /^[A-Za-z0-9_-]+$/;

/**
 * A tool-call id the provider accepts: the id itself when it fits, else a short stable hash of
 * it. The same id always maps to the same result, so a call and its result still pair up.
 */
export function fitToolId(id: string, maxLength: number): string {
  if (id.length > 0 && id.length <= maxLength && SAFE_ID.test(id)) return id;
  const hash = createHash('sha256').update(id).digest('base64url');
  return `call_${hash.slice(0, Math.max(8, Math.min(32, maxLength - 5)))}`;
}

/**
 * Signatures minted by the Gemini adapter (prefixed, see gemini/signatures.ts) only Gemini can
 * verify; Anthropic and Bedrock answer 400 to them, so their thinking blocks are not replayed.
 */
export function isForeignSignature(signature: string): boolean {
  return signature.startsWith('gemini-');
}
