/**
 * Providers: those declared in the config file (read-only through the API) and those created at
 * run time (persisted in storage, namespace `prv:`, secrets included since they must be sent
 * upstream; the storage file is mode 0600). Every change is validated before it is stored, and
 * listeners (the gateway's routing table) rebuild from `all()`.
 */
import { GatewayError } from '../core/errors.js';
import { canonicalKind, effectiveBaseUrl, kindInfo, providerProblems } from '../config/kinds.js';
import { formatIssues } from '../config/load.js';
import { ProviderSchema, type ProviderConfig } from '../config/schema.js';
import type { Storage } from '../storage/types.js';

export type ProviderSource = 'config' | 'dynamic';

export interface ProviderEntry {
  name: string;
  config: ProviderConfig;
  source: ProviderSource;
}

/** What the admin API shows: secrets reduced to prefixes, secret_key and session_token never. */
export interface ProviderView {
  name: string;
  kind: string;
  api_key_prefix?: string;
  base_url?: string;
  models: string[];
  weight: number;
  max_retries: number;
  api_version?: string;
  timeout: number;
  connect_timeout: number;
  idle_timeout: number;
  total_timeout: number;
  region?: string;
  access_key_prefix?: string;
  source: ProviderSource;
}

const NS = 'prv:';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function prefix(secret: string): string {
  return secret.length > 8 ? `${secret.slice(0, 8)}...` : '***';
}

export function providerView(e: ProviderEntry): ProviderView {
  const c = e.config;
  return {
    name: e.name,
    kind: c.kind,
    ...(c.api_key ? { api_key_prefix: prefix(c.api_key) } : {}),
    ...(c.base_url ? { base_url: c.base_url } : {}),
    models: c.models,
    weight: c.weight,
    max_retries: c.max_retries,
    ...(c.api_version ? { api_version: c.api_version } : {}),
    timeout: c.timeout,
    connect_timeout: c.connect_timeout,
    idle_timeout: c.idle_timeout,
    total_timeout: c.total_timeout,
    ...(c.region ? { region: c.region } : {}),
    ...(c.access_key ? { access_key_prefix: prefix(c.access_key) } : {}),
    source: e.source,
  };
}

function validate(raw: unknown, where: string): ProviderConfig {
  const r = ProviderSchema.safeParse(raw);
  if (!r.success) {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `${where}: ${formatIssues(r.error, ProviderSchema).join('; ')}`);
  }
  const problems = providerProblems(r.data);
  if (problems.length) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `${where}: ${problems.join('; ')}`);
  return r.data;
}

export type DiscoverFn = (p: ProviderConfig) => Promise<string[]>;

/** Lists a provider's models with `GET {base_url}/models` (OpenAI-compatible services). */
export const discoverModels: DiscoverFn = async (p) => {
  const base = effectiveBaseUrl(p);
  if (!base || !kindInfo(p.kind).discoverable) {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `models is required for kind "${p.kind}" (it has no model listing to read); pass --models a,b`, { param: 'models' });
  }
  const url = `${base}/models`;
  let status: number;
  let text: string;
  try {
    // Loaded here, not at start: the gateway's hot path loads only undici's Agent (gateway/undici-agent.ts).
    const { request } = await import('undici');
    const res = await request(url, {
      method: 'GET',
      headers: p.api_key ? { authorization: `Bearer ${p.api_key}` } : {},
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (e) {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `could not list models at ${url}: ${(e as Error).message}; pass --models a,b`, { param: 'models' });
  }
  if (status < 200 || status >= 300) {
    throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `listing models at ${url} answered ${status}; check the API key or pass --models a,b`, { param: 'models' });
  }
  let ids: string[] = [];
  try {
    const data = (JSON.parse(text) as { data?: Array<{ id?: unknown }> }).data;
    ids = Array.isArray(data) ? data.map((m) => m.id).filter((id): id is string => typeof id === 'string') : [];
  } catch {
    // handled below
  }
  if (ids.length === 0) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `${url} listed no models; pass --models a,b`, { param: 'models' });
  return ids;
};

export class ProviderService {
  private fileProviders = new Map<string, ProviderEntry>();
  private dynamicProviders = new Map<string, ProviderEntry>();
  private listeners: Array<() => void> = [];
  /** Serialises mutations, so two admin calls cannot interleave their check-then-write. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly storage: Storage,
    private readonly discover: DiscoverFn = discoverModels,
  ) {}

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  setFileProviders(providers: Record<string, ProviderConfig>): void {
    this.fileProviders.clear();
    for (const [name, config] of Object.entries(providers)) this.fileProviders.set(name, { name, config, source: 'config' });
    this.changed();
  }

  /** Reloads run-time providers from storage; returns warnings for rows that are skipped. */
  async reload(): Promise<string[]> {
    const warnings: string[] = [];
    const rows = await this.storage.list(NS);
    this.dynamicProviders.clear();
    for (const [key, value] of rows) {
      const name = key.slice(NS.length);
      if (this.fileProviders.has(name)) {
        warnings.push(`stored provider '${name}' is shadowed by the config file's provider of the same name`);
        continue;
      }
      try {
        this.dynamicProviders.set(name, { name, config: validate(JSON.parse(value), `stored provider '${name}'`), source: 'dynamic' });
      } catch (e) {
        warnings.push(`stored provider '${name}' skipped: ${(e as Error).message}`);
      }
    }
    this.changed();
    return warnings;
  }

  all(): ProviderEntry[] {
    return [...this.fileProviders.values(), ...this.dynamicProviders.values()];
  }

  list(): ProviderView[] {
    return this.all().map(providerView).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): ProviderView {
    const e = this.fileProviders.get(name) ?? this.dynamicProviders.get(name);
    if (!e) throw new GatewayError('LLMUX_ERR_NOT_FOUND', `provider '${name}' not found`);
    return providerView(e);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  create(name: string, body: Record<string, unknown>): Promise<ProviderView> {
    return this.serial(async () => {
      if (!NAME.test(name)) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `provider name '${name}' must be 1-64 letters, digits, '.', '_' or '-'`, { param: 'name' });
      if (this.fileProviders.has(name)) throw new GatewayError('LLMUX_ERR_CONFLICT', `provider '${name}' is defined in the config file`);
      if (this.dynamicProviders.has(name)) throw new GatewayError('LLMUX_ERR_CONFLICT', `provider '${name}' already exists`);
      const input = { ...body };
      if (typeof input['kind'] === 'string') input['kind'] = canonicalKind(input['kind']);
      let config = validate(input, `provider '${name}'`);
      if (config.models.length === 0) config = { ...config, models: await this.discover(config) };
      await this.storage.set(NS + name, JSON.stringify(config));
      const entry: ProviderEntry = { name, config, source: 'dynamic' };
      this.dynamicProviders.set(name, entry);
      this.changed();
      return providerView(entry);
    });
  }

  /** Merge-patch: present fields replace, `null` clears an optional field (back to its default). */
  update(name: string, patch: Record<string, unknown>): Promise<ProviderView> {
    return this.serial(async () => {
      if (this.fileProviders.has(name)) throw new GatewayError('LLMUX_ERR_READ_ONLY', `provider '${name}' is defined in the config file; edit the file instead`);
      const cur = this.dynamicProviders.get(name);
      if (!cur) throw new GatewayError('LLMUX_ERR_NOT_FOUND', `provider '${name}' not found`);
      const next: Record<string, unknown> = { ...cur.config };
      for (const [k, v] of Object.entries(patch)) {
        if (v === null) delete next[k];
        else next[k] = k === 'kind' && typeof v === 'string' ? canonicalKind(v) : v;
      }
      const config = validate(next, `provider '${name}'`);
      if (config.models.length === 0) throw new GatewayError('LLMUX_ERR_INVALID_REQUEST', `provider '${name}': models cannot be empty`, { param: 'models' });
      await this.storage.set(NS + name, JSON.stringify(config));
      const entry: ProviderEntry = { name, config, source: 'dynamic' };
      this.dynamicProviders.set(name, entry);
      this.changed();
      return providerView(entry);
    });
  }

  delete(name: string): Promise<void> {
    return this.serial(async () => {
      if (this.fileProviders.has(name)) throw new GatewayError('LLMUX_ERR_READ_ONLY', `provider '${name}' is defined in the config file; remove it from the file instead`);
      if (!this.dynamicProviders.has(name)) throw new GatewayError('LLMUX_ERR_NOT_FOUND', `provider '${name}' not found`);
      await this.storage.delete(NS + name);
      this.dynamicProviders.delete(name);
      this.changed();
    });
  }
}
