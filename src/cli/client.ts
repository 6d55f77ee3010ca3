/**
 * The admin API client: one request function that turns every way a call can go wrong into a
 * CliFailure with the right exit code, and that logs requests on -v without ever showing the
 * admin token or a provider secret.
 */
import type { Connection } from './connection.js';
import { CliFailure, EXIT } from './failure.js';
import type { CliIO } from './io.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface ApiAnswer {
  status: number;
  /** The parsed JSON body; undefined for an empty body (204). */
  json: unknown;
}

export interface ClientOptions {
  conn: Connection;
  io: CliIO;
  verbose: number;
  timeoutMs: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/** Fields whose values are secrets wherever they appear in a request or answer we log. */
const SECRET_FIELDS = new Set(['api_key', 'secret_key', 'session_token', 'admin_token', 'token']);

/** `/v1/admin/<collection>[/<name>]`, with the name percent-encoded as one path segment. */
export function adminPath(collection: 'keys' | 'providers', name?: string): string {
  return `/v1/admin/${collection}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

/** LLMUX_CLI_TIMEOUT_MS, else 10 s. */
export function timeoutFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const raw = env.LLMUX_CLI_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_TIMEOUT_MS;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < 1) {
    throw new CliFailure(EXIT.USAGE, `LLMUX_CLI_TIMEOUT_MS must be a whole number of milliseconds (1 or more), got '${raw}'`);
  }
  return n;
}

export class AdminClient {
  constructor(private readonly opts: ClientOptions) {}

  get conn(): Connection {
    return this.opts.conn;
  }

  async call(method: Method, path: string, body?: unknown): Promise<ApiAnswer> {
    const { conn, io, verbose, timeoutMs } = this.opts;
    const url = conn.url + path;
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'llmux-cli' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (conn.token !== undefined) headers.authorization = `Bearer ${conn.token}`;

    if (verbose >= 1) io.stderr(`> ${method} ${url}\n`);
    if (verbose >= 2) {
      for (const [k, v] of Object.entries(headers)) {
        io.stderr(`> ${k}: ${k === 'authorization' ? `Bearer <hidden, from ${conn.tokenSource}>` : v}\n`);
      }
      if (body !== undefined) io.stderr(`> ${JSON.stringify(redact(body))}\n`);
    }

    const fetchImpl = io.fetchImpl ?? fetch;
    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetchImpl(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        // A redirect would carry the token to wherever it points; report it instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw unreachable(conn.url, e, timeoutMs);
    }

    if (verbose >= 1) io.stderr(`< ${res.status} ${res.statusText} (${Math.round(performance.now() - started)} ms)\n`);
    if (verbose >= 2) {
      const rid = res.headers.get('x-request-id');
      if (rid) io.stderr(`< x-request-id: ${rid}\n`);
      if (text) io.stderr(`< ${safeBodyForLog(text)}\n`);
    }

    let json: unknown;
    let isJson = false;
    if (text !== '') {
      try {
        json = JSON.parse(text);
        isJson = true;
      } catch {
        // not JSON: handled below with the status
      }
    }

    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.get('location');
      throw new CliFailure(EXIT.REFUSED, `${res.status} the gateway redirected the request${to ? ` to ${to}` : ''}`, [
        'point --url (or LLMUX_URL) at the final address',
      ]);
    }
    if (res.status >= 400) throw refused(res.status, res.statusText, isJson ? json : undefined, text, conn);
    if (text !== '' && !isJson) {
      throw new CliFailure(EXIT.REFUSED, `${res.status} the answer from ${url} is not JSON`, [`is llmux listening at ${conn.url}? (${conn.urlSource})`]);
    }
    return { status: res.status, json };
  }
}

function unreachable(url: string, e: unknown, timeoutMs: number): CliFailure {
  const err = e as { name?: string; message?: string; cause?: unknown };
  let reason: string;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') {
    reason = `no answer within ${timeoutMs} ms (set LLMUX_CLI_TIMEOUT_MS to wait longer)`;
  } else {
    reason = causeText(err.cause) ?? err.message ?? String(e);
  }
  return new CliFailure(EXIT.UNREACHABLE, `cannot reach llmux at ${url}: ${reason} — is it running? (npm start)`);
}

/** undici puts the socket error in `cause`; for localhost it may be an AggregateError of both families. */
function causeText(cause: unknown): string | undefined {
  if (cause === null || typeof cause !== 'object') return undefined;
  const c = cause as { message?: string; code?: string; errors?: unknown[] };
  if (c.message) return c.message;
  if (Array.isArray(c.errors) && c.errors.length) return causeText(c.errors[0]) ?? c.code;
  return c.code;
}

/** The message from an error envelope: OpenAI `{error:{message}}`, Anthropic `{type:"error",error:{message}}`, or a bare `{message}`. */
export function envelopeMessage(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const o = json as { error?: unknown; message?: unknown };
  if (typeof o.error === 'string') return o.error;
  if (o.error && typeof o.error === 'object' && typeof (o.error as { message?: unknown }).message === 'string') return (o.error as { message: string }).message;
  if (typeof o.message === 'string') return o.message;
  return undefined;
}

function envelopeType(json: unknown): string | undefined {
  const err = (json as { error?: unknown } | undefined)?.error;
  if (err && typeof err === 'object') {
    const t = (err as { type?: unknown }).type;
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

function refused(status: number, statusText: string, json: unknown, text: string, conn: Connection): CliFailure {
  const message = envelopeMessage(json) ?? (text.trim() ? text.trim().slice(0, 200) : statusText || 'error');
  // 403 also answers a change to a resource the config file manages; that is a refusal of the
  // change, not of the token. Only an authentication-typed 403, or one with no envelope at all
  // (a proxy in front), is treated as an auth failure.
  const auth = status === 401 || (status === 403 && (json === undefined || envelopeType(json) === 'authentication_error'));
  if (auth) {
    const hints =
      conn.tokenSource === undefined
        ? ['no admin token was found: pass --token, set LLMUX_TOKEN, or set admin_token in llmux.toml (or the file given with --config)']
        : [
            `the admin token came from ${conn.tokenSource}; it must match admin_token in the gateway's config`,
            'set it with --token, LLMUX_TOKEN, or admin_token in llmux.toml (or the file given with --config)',
          ];
    return new CliFailure(EXIT.AUTH, `${status} ${message}`, hints);
  }
  return new CliFailure(EXIT.REFUSED, `${status} ${message}`);
}

/** Replaces secret fields anywhere in a JSON value with a marker. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELDS.has(k) && typeof v === 'string' ? '<hidden>' : redact(v);
    return out;
  }
  return value;
}

function safeBodyForLog(text: string): string {
  try {
    return JSON.stringify(redact(JSON.parse(text)));
  } catch {
    return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  }
}
