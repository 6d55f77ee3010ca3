/**
 * A loopback stand-in for the admin API, for the CLI's tests: it keeps keys and providers in
 * memory and answers with the shapes and status codes crabllm documents (201 on create, 204 on
 * delete, 400/403/404/409 with an `{error:{message,type}}` envelope, 401 for a wrong admin
 * token), and records every request so tests can assert what the CLI sent.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  /** The raw request target, percent-encoding kept. */
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface Answer {
  status: number;
  body?: unknown;
  /** Raw text instead of JSON. */
  text?: string;
}

type Obj = Record<string, unknown>;

export interface StubAdmin {
  url: string;
  token: string;
  requests: Recorded[];
  /** Stored items by name; tests seed and inspect them. Secrets are kept whole here, as a server would. */
  keys: Map<string, Obj & { source: 'config' | 'dynamic' }>;
  providers: Map<string, Obj & { source: 'config' | 'dynamic' }>;
  /** Answers before the normal handling when it returns something (for 500s, odd bodies…). */
  override?: (r: Recorded) => Answer | undefined;
  close(): Promise<void>;
}

const PROVIDER_FIELDS = new Set([
  'kind', 'api_key', 'base_url', 'models', 'weight', 'max_retries', 'api_version', 'timeout', 'connect_timeout', 'idle_timeout',
  'total_timeout', 'region', 'access_key', 'secret_key', 'session_token', 'headers',
]);

const err = (status: number, message: string, type = 'invalid_request_error'): Answer => ({ status, body: { error: { message, type, param: null, code: null } } });

function prefix(secret: unknown): string | undefined {
  if (typeof secret !== 'string') return undefined;
  return secret.length > 8 ? `${secret.slice(0, 8)}...` : '***';
}

function keySummary(k: Obj): Obj {
  const out: Obj = { name: k.name, key_prefix: prefix(k.key), models: k.models };
  if (k.rate_limit !== undefined) out.rate_limit = k.rate_limit;
  out.source = k.source;
  return out;
}

function providerSummary(p: Obj): Obj {
  const out: Obj = { name: p.name, kind: p.kind };
  if (p.api_key !== undefined) out.api_key_prefix = prefix(p.api_key);
  for (const f of ['base_url', 'models', 'weight', 'max_retries', 'api_version', 'timeout', 'connect_timeout', 'idle_timeout', 'total_timeout', 'region']) {
    if (p[f] !== undefined) out[f] = p[f];
  }
  if (p.access_key !== undefined) out.access_key_prefix = prefix(p.access_key);
  out.source = p.source;
  return out;
}

function handle(stub: StubAdmin, r: Recorded): Answer {
  if (r.headers.authorization === undefined || !r.headers.authorization.startsWith('Bearer ')) return err(401, 'missing or invalid Authorization header', 'authentication_error');
  if (r.headers.authorization !== `Bearer ${stub.token}`) return err(401, 'invalid admin token', 'authentication_error');
  const m = /^\/v1\/admin\/(keys|providers)(?:\/([^/]+))?$/.exec(r.path);
  if (!m) return err(404, 'not found', 'not_found_error');
  const collection = m[1] as 'keys' | 'providers';
  const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  const store = collection === 'keys' ? stub.keys : stub.providers;
  const summary = collection === 'keys' ? keySummary : providerSummary;
  const what = collection === 'keys' ? 'key' : 'provider';
  const body = (r.body ?? {}) as Obj;

  if (name === undefined && r.method === 'GET') return { status: 200, body: [...store.values()].map(summary) };
  if (name === undefined && r.method === 'POST') {
    const n = body.name;
    if (typeof n !== 'string' || n === '') return err(400, 'name is required');
    const existing = store.get(n);
    if (existing) return err(409, existing.source === 'config' ? `${what} '${n}' is managed by config file` : `${what} '${n}' already exists`);
    if (collection === 'keys') {
      const k = { name: n, key: `sk-${randomBytes(32).toString('hex')}`, models: body.models ?? ['*'], rate_limit: body.rate_limit, source: 'dynamic' as const };
      store.set(n, k);
      const out: Obj = { name: k.name, key: k.key, models: k.models };
      if (k.rate_limit !== undefined) out.rate_limit = k.rate_limit;
      return { status: 201, body: out };
    }
    for (const f of Object.keys(body)) if (f !== 'name' && !PROVIDER_FIELDS.has(f)) return err(400, `unknown field \`${f}\``);
    const p: Obj & { source: 'dynamic' } = { ...body, kind: body.kind ?? 'openai', source: 'dynamic' };
    if (p.kind === 'azure' && p.base_url === undefined) return err(400, 'failed to rebuild registry: azure provider requires base_url');
    store.set(n, p);
    return { status: 201, body: summary(p) };
  }
  if (name === undefined) return err(405, 'method not allowed');

  const item = store.get(name);
  if (!item) return err(404, `${what} '${name}' not found`);
  if (r.method === 'GET') return { status: 200, body: summary(item) };
  if (item.source === 'config') return err(403, `${what} '${name}' is managed by config file and cannot be changed via API`);
  if (r.method === 'DELETE') {
    store.delete(name);
    return { status: 204 };
  }
  if (r.method === 'PATCH') {
    if ('name' in body || 'key' in body) return err(400, 'name and key are immutable');
    const allowed = collection === 'keys' ? new Set(['models', 'rate_limit']) : PROVIDER_FIELDS;
    for (const [f, v] of Object.entries(body)) {
      if (!allowed.has(f)) return err(400, `unknown field \`${f}\``);
      if (v === null) delete item[f];
      else item[f] = v;
    }
    return { status: 200, body: summary(item) };
  }
  return err(405, 'method not allowed');
}

export async function startStubAdmin(token = 'admin-secret-token'): Promise<StubAdmin> {
  const stub: StubAdmin = {
    url: '',
    token,
    requests: [],
    keys: new Map(),
    providers: new Map(),
    close: async () => {},
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = text;
      }
      const rec: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      stub.requests.push(rec);
      const a = stub.override?.(rec) ?? handle(stub, rec);
      if (a.text !== undefined) {
        res.writeHead(a.status, { 'content-type': 'text/html' }).end(a.text);
      } else if (a.body === undefined) {
        res.writeHead(a.status).end();
      } else {
        res.writeHead(a.status, { 'content-type': 'application/json', 'x-request-id': 'req-test-1' }).end(JSON.stringify(a.body));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}

/** A CliIO that records what the CLI prints; the working folder holds no config file by default. */
export function captureIO(env: Record<string, string | undefined>, cwd = '/nonexistent-llmux-cwd'): {
  io: { stdout(s: string): void; stderr(s: string): void; env: Record<string, string | undefined>; cwd: string };
  out: () => string;
  err: () => string;
} {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env, cwd },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}
