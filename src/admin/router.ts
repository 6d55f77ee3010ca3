/**
 * The admin API under `/v1/admin/`: crabctl's paths and shapes for keys and providers. Every
 * route needs the admin token (compared in constant time); answers use the OpenAI error envelope.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { GatewayError, isGatewayError, openAIErrorBody } from '../core/errors.js';
import { formatIssues } from '../config/load.js';
import { RateLimitSchema } from '../config/schema.js';
import type { KeyService } from '../services/keys.js';
import type { ProviderService } from '../services/providers.js';

export interface AdminDeps {
  keys: KeyService;
  providers: ProviderService;
  /** The current admin token (it can change on reload); undefined disables the admin API. */
  adminToken(): string | undefined;
  /** Told after every successful change, so other workers reload. */
  onChange(what: 'keys' | 'providers'): void;
  now(): Date;
}

const MAX_ADMIN_BODY = 1024 * 1024;

const KeyCreate = z.strictObject({
  name: z.string({ error: 'name is required (a string)' }).min(1, 'name cannot be empty').max(128),
  models: z.array(z.string().min(1)).optional(),
  rate_limit: RateLimitSchema.nullable().optional(),
});
const KeyPatch = z.strictObject({
  models: z.array(z.string().min(1)).optional(),
  rate_limit: RateLimitSchema.nullable().optional(),
});

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time admin token check; hashing first makes the comparison independent of length too. */
export function checkAdminToken(req: IncomingMessage, token: string | undefined): void {
  if (token === undefined) throw new GatewayError('LLMUX_ERR_ADMIN_TOKEN', 'the admin API is disabled: set admin_token in the config file');
  const auth = req.headers['authorization'];
  const given = typeof auth === 'string' && auth.slice(0, 7).toLowerCase() === 'bearer ' ? auth.slice(7).trim() : '';
  if (!timingSafeEqual(digest(given), digest(token))) throw new GatewayError('LLMUX_ERR_ADMIN_TOKEN', 'missing or invalid admin token');
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_ADMIN_BODY) throw new GatewayError('LLMUX_ERR_BODY_TOO_LARGE', 'admin request body exceeds 1 MiB');
    parts.push(c);
  }
  const text = Buffer.concat(parts).toString('utf8');
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new GatewayError('LLMUX_ERR_INVALID_JSON', `the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new GatewayError('LLMUX_ERR_INVALID_JSON', 'the request body must be a JSON object');
  return v as Record<string, unknown>;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', formatIssues(r.error, schema).join('; '));
  return r.data;
}

function methodNotAllowed(method: string, allowed: string): never {
  throw new GatewayError('LLMUX_ERR_METHOD_NOT_ALLOWED', `method ${method} is not allowed here; use ${allowed}`);
}

export function createAdminHandler(deps: AdminDeps): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      checkAdminToken(req, deps.adminToken());
      const url = req.url ?? '/';
      const path = url.split('?')[0]!.replace(/\/+$/, '');
      const parts = path.split('/').slice(3).map((p) => decodeURIComponent(p)); // after /v1/admin
      const [collection, name, extra] = parts;
      const method = req.method ?? 'GET';
      if (extra !== undefined || name === '') throw new GatewayError('LLMUX_ERR_NOT_FOUND', `no admin route for ${method} ${path}`);

      if (collection === 'keys') {
        if (name === undefined) {
          if (method === 'GET') return send(res, 200, deps.keys.list());
          if (method === 'POST') {
            const body = parse(KeyCreate, await readJson(req));
            const created = await deps.keys.create(
              { name: body.name, ...(body.models ? { models: body.models } : {}), ...(body.rate_limit ? { rate_limit: body.rate_limit } : {}) },
              deps.now(),
            );
            deps.onChange('keys');
            return send(res, 201, created);
          }
          return methodNotAllowed(method, 'GET, POST');
        }
        if (method === 'GET') return send(res, 200, deps.keys.get(name));
        if (method === 'PATCH') {
          const raw = await readJson(req);
          if ('name' in raw || 'key' in raw) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'name and key cannot be changed; create a new key instead');
          const body = parse(KeyPatch, raw);
          const updated = await deps.keys.update(name, body);
          deps.onChange('keys');
          return send(res, 200, updated);
        }
        if (method === 'DELETE') {
          await deps.keys.delete(name);
          deps.onChange('keys');
          return send(res, 204);
        }
        return methodNotAllowed(method, 'GET, PATCH, DELETE');
      }

      if (collection === 'providers') {
        if (name === undefined) {
          if (method === 'GET') return send(res, 200, deps.providers.list());
          if (method === 'POST') {
            const { name: pname, ...body } = await readJson(req);
            if (typeof pname !== 'string' || pname === '') throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'name is required (a string)', { param: 'name' });
            const created = await deps.providers.create(pname, body);
            deps.onChange('providers');
            return send(res, 201, created);
          }
          return methodNotAllowed(method, 'GET, POST');
        }
        if (method === 'GET') return send(res, 200, deps.providers.get(name));
        if (method === 'PATCH') {
          const body = await readJson(req);
          if ('name' in body) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', 'name cannot be changed; create a new provider instead');
          const updated = await deps.providers.update(name, body);
          deps.onChange('providers');
          return send(res, 200, updated);
        }
        if (method === 'DELETE') {
          await deps.providers.delete(name);
          deps.onChange('providers');
          return send(res, 204);
        }
        return methodNotAllowed(method, 'GET, PATCH, DELETE');
      }
      throw new GatewayError('LLMUX_ERR_NOT_FOUND', `no admin route for ${method} ${path}`);
    } catch (e) {
      const err = isGatewayError(e) ? e : new GatewayError('LLMUX_ERR_INTERNAL', `internal error: ${(e as Error).message}`);
      if (!res.headersSent) send(res, err.status, openAIErrorBody(err));
    }
  };
}
