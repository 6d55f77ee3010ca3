/**
 * Where the gateway and admin token come from, in order: flags; LLMUX_URL / LLMUX_TOKEN; the
 * config file (`--config`, else ./llmux.toml, else ./crabllm.toml); the default URL. Only
 * `listen` and `admin_token` are read from the file, without validating the rest, so the CLI still
 * works while the file has problems the gateway would refuse.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { expandEnv } from '../config/load.js';
import { CliFailure, EXIT } from './failure.js';

export const DEFAULT_URL = 'http://127.0.0.1:5632';
export const CONFIG_CANDIDATES = ['llmux.toml', 'crabllm.toml'] as const;

export interface Connection {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:5632 */
  url: string;
  /** Where the URL came from, for messages: "--url", "LLMUX_URL", "listen in /x/llmux.toml", "the default". */
  urlSource: string;
  token?: string;
  /** Where the token came from, or undefined when none was found. Never the token itself. */
  tokenSource?: string;
  /** The config file that was read, if any. */
  configPath?: string;
  /** Non-fatal problems to show the user (e.g. an unset variable in admin_token). */
  warnings: string[];
}

export interface ConnectionInput {
  url?: string;
  token?: string;
  config?: string;
}

interface FileSettings {
  path: string;
  listen?: string;
  adminToken?: string;
  warnings: string[];
}

export function resolveConnection(input: ConnectionInput, env: Readonly<Record<string, string | undefined>>, cwd: string): Connection {
  const envUrl = nonEmpty(env.LLMUX_URL);
  const envToken = nonEmpty(env.LLMUX_TOKEN);
  let url = input.url !== undefined ? { value: input.url, source: '--url' } : envUrl !== undefined ? { value: envUrl, source: 'LLMUX_URL' } : undefined;
  let token = input.token !== undefined ? { value: input.token, source: '--token' } : envToken !== undefined ? { value: envToken, source: 'LLMUX_TOKEN' } : undefined;

  const warnings: string[] = [];
  let file: FileSettings | undefined;
  // An explicit --config is always read (a wrong path should not pass unnoticed); a discovered
  // file only when something is still missing.
  if (input.config !== undefined || url === undefined || token === undefined) {
    const path = input.config !== undefined ? resolve(cwd, input.config) : findConfig(cwd);
    if (path !== undefined) file = readSettings(path, env);
  }
  if (file) {
    if (url === undefined && file.listen !== undefined) url = { value: listenToUrl(file.listen, file.path), source: `listen in ${file.path}` };
    if (token === undefined && file.adminToken !== undefined) {
      token = { value: file.adminToken, source: `admin_token in ${file.path}` };
      warnings.push(...file.warnings);
    }
  }
  url ??= { value: DEFAULT_URL, source: 'the default' };

  const conn: Connection = { url: normaliseUrl(url.value, url.source), urlSource: url.source, warnings };
  if (token !== undefined && token.value !== '') {
    conn.token = token.value;
    conn.tokenSource = token.source;
  }
  if (file) conn.configPath = file.path;
  return conn;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v === '' ? undefined : v;
}

function findConfig(cwd: string): string | undefined {
  for (const name of CONFIG_CANDIDATES) {
    const p = resolve(cwd, name);
    try {
      readFileSync(p);
      return p;
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}

function readSettings(path: string, env: Readonly<Record<string, string | undefined>>): FileSettings {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliFailure(EXIT.USAGE, `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, [
      'pass --config PATH, or give --url and --token',
    ]);
  }
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const where = e instanceof TomlError ? `${path}:${e.line}:${e.column}` : path;
    throw new CliFailure(EXIT.USAGE, `${where}: invalid TOML: ${(e as Error).message.split('\n')[0]}`, [
      'fix the file, or give --url and --token (or LLMUX_URL and LLMUX_TOKEN) so it is not needed',
    ]);
  }
  const out: FileSettings = { path, warnings: [] };
  for (const field of ['listen', 'admin_token'] as const) {
    const v = raw[field];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new CliFailure(EXIT.USAGE, `${path}: ${field} must be a string`);
    const expanded = expandEnv(v, env, field, out.warnings) as string;
    if (field === 'listen') out.listen = expanded;
    else out.adminToken = expanded;
  }
  out.warnings = out.warnings.map((w) => `${path}: ${w}`);
  return out;
}

/**
 * `host:port` as the gateway listens → the URL to connect to. A wildcard bind (0.0.0.0, [::] or
 * an empty host) accepts connections on loopback, so that is where the CLI connects.
 */
export function listenToUrl(listen: string, from = 'listen'): string {
  const m = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(listen.trim());
  if (!m) throw new CliFailure(EXIT.USAGE, `${from}: listen must be "host:port", got "${listen}"`);
  let host = m[1]!;
  if (host === '' || host === '0.0.0.0') host = '127.0.0.1';
  else if (host === '[::]' || host === '[::0]' || host === '[0:0:0:0:0:0:0:0]') host = '[::1]';
  return `http://${host}:${m[2]}`;
}

/** Accepts `host:port` without a scheme; drops trailing slashes so paths join cleanly. */
export function normaliseUrl(raw: string, source: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new CliFailure(EXIT.USAGE, `${source}: not a URL: "${raw}"`, ['e.g. --url http://127.0.0.1:5632']);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliFailure(EXIT.USAGE, `${source}: only http and https URLs are supported, got "${raw}"`);
  if (u.username || u.password) throw new CliFailure(EXIT.USAGE, `${source}: put the admin token in --token or LLMUX_TOKEN, not in the URL`);
  if (u.search || u.hash) throw new CliFailure(EXIT.USAGE, `${source}: the URL cannot carry a query or fragment: "${raw}"`);
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
}
