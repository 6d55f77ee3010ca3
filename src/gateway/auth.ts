/**
 * Virtual-key authentication for the data plane: `Authorization: Bearer <key>` or
 * `x-api-key: <key>` (Anthropic clients). No-auth mode only when there are no keys at all and no
 * admin token, so an operator who sets either can never leave the API open by accident.
 */
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '../core/errors.js';
import type { KeyRecord, KeyService } from '../services/keys.js';

export function bearerOrApiKey(req: IncomingMessage): string | undefined {
  const auth = req.headers['authorization'];
  if (typeof auth === 'string' && auth.length > 7 && auth.slice(0, 7).toLowerCase() === 'bearer ') return auth.slice(7).trim();
  const x = req.headers['x-api-key'];
  if (typeof x === 'string' && x !== '') return x.trim();
  return undefined;
}

/** The caller's key, or null in no-auth mode; throws 401 otherwise. */
export function authenticate(req: IncomingMessage, keys: KeyService, adminTokenSet: boolean): KeyRecord | null {
  if (keys.count === 0 && !adminTokenSet) return null;
  const secret = bearerOrApiKey(req);
  if (secret === undefined) {
    throw new GatewayError('LLMUX_ERR_UNAUTHENTICATED', 'missing API key: send it as "Authorization: Bearer <key>" or "x-api-key: <key>"');
  }
  const key = keys.authenticate(secret);
  if (!key) throw new GatewayError('LLMUX_ERR_INVALID_KEY', 'invalid API key');
  return key;
}
