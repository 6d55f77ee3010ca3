/**
 * Virtual keys: those declared in the config file (read-only through the API) and those created
 * at run time (persisted in storage, namespace `key:`). Secrets are never kept: only a SHA-256
 * hash and a display prefix. A key removed from the file stops working, because file keys are
 * never written to storage.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../core/errors.js';
import type { KeyConfig, RateLimitConfig } from '../config/schema.js';
import type { Storage } from '../storage/types.js';

export type KeySource = 'config' | 'dynamic';

export interface KeyRecord {
  name: string;
  /** SHA-256 of the secret, hex. */
  hash: string;
  /** First 8 characters of the secret followed by `...`, for display. */
  key_prefix: string;
  models: string[];
  rate_limit?: RateLimitConfig;
  source: KeySource;
  created_at?: string;
}

/** What the admin API and CLI show: never the hash or the secret. */
export type KeyView = Omit<KeyRecord, 'hash'>;

const NS = 'key:';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function displayPrefix(secret: string): string {
  return secret.length > 8 ? `${secret.slice(0, 8)}...` : '***';
}

/** `sk-` + 64 hex characters (32 random bytes), crabllm's format. */
export function generateSecret(): string {
  return `sk-${randomBytes(32).toString('hex')}`;
}

/** Whether a key's model list allows a model: exact names, `*` for all, `prefix*` for a prefix. */
export function modelAllowed(patterns: readonly string[], model: string): boolean {
  for (const p of patterns) {
    if (p === '*' || p === model) return true;
    if (p.endsWith('*') && model.startsWith(p.slice(0, -1))) return true;
  }
  return false;
}

export function toView(r: KeyRecord): KeyView {
  const { hash: _h, ...view } = r;
  return view;
}

export class KeyService {
  private fileKeys = new Map<string, KeyRecord>();
  private dynamicKeys = new Map<string, KeyRecord>();
  /** hash → record, for authentication. */
  private byHash = new Map<string, KeyRecord>();
  /**
   * Secrets already verified → record, so a busy key is not hashed on every request. Bounded,
   * holds only keys that exist, and is emptied by every change to the key set.
   */
  private verified = new Map<string, KeyRecord>();

  constructor(private readonly storage: Storage) {}

  /** Replaces the keys declared in the config file (at start and on reload). */
  setFileKeys(keys: readonly KeyConfig[]): void {
    this.fileKeys.clear();
    for (const k of keys) {
      this.fileKeys.set(k.name, {
        name: k.name,
        hash: hashSecret(k.key),
        key_prefix: displayPrefix(k.key),
        models: k.models,
        ...(k.rate_limit ? { rate_limit: k.rate_limit } : {}),
        source: 'config',
      });
    }
    this.reindex();
  }

  /** Reloads the run-time keys from storage (at start, and when another worker changed them). */
  async reload(): Promise<void> {
    const rows = await this.storage.list(NS);
    this.dynamicKeys.clear();
    for (const [, value] of rows) {
      try {
        const r = JSON.parse(value) as KeyRecord;
        if (!this.fileKeys.has(r.name)) this.dynamicKeys.set(r.name, { ...r, source: 'dynamic' });
      } catch {
        // A corrupt row must not take every other key down with it.
      }
    }
    this.reindex();
  }

  private reindex(): void {
    this.verified.clear();
    this.byHash.clear();
    for (const r of this.dynamicKeys.values()) this.byHash.set(r.hash, r);
    for (const r of this.fileKeys.values()) this.byHash.set(r.hash, r); // file keys win
  }

  /** True when any key exists (no-auth mode needs none, and no admin token). */
  get count(): number {
    return this.byHash.size;
  }

  /** The key a secret belongs to, or undefined. The final comparison is constant-time. */
  authenticate(secret: string): KeyRecord | undefined {
    const hit = this.verified.get(secret);
    if (hit) return hit;
    const h = hashSecret(secret);
    const r = this.byHash.get(h);
    if (!r || !timingSafeEqual(Buffer.from(r.hash, 'hex'), Buffer.from(h, 'hex'))) return undefined;
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(secret, r);
    return r;
  }

  list(): KeyView[] {
    return [...this.fileKeys.values(), ...this.dynamicKeys.values()].map(toView).sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): KeyView {
    const r = this.fileKeys.get(name) ?? this.dynamicKeys.get(name);
    if (!r) throw new GatewayError('LLMUX_ERR_NOT_FOUND', `key '${name}' not found`);
    return toView(r);
  }

  /** Creates a run-time key; the secret is returned once and never stored. */
  async create(input: { name: string; models?: string[]; rate_limit?: RateLimitConfig | null }, now: Date): Promise<KeyView & { key: string }> {
    if (this.fileKeys.has(input.name)) throw new GatewayError('LLMUX_ERR_CONFLICT', `key '${input.name}' is defined in the config file`);
    if (this.dynamicKeys.has(input.name) || (await this.storage.get(NS + input.name)) !== undefined) {
      throw new GatewayError('LLMUX_ERR_CONFLICT', `key '${input.name}' already exists`);
    }
    const secret = generateSecret();
    const record: KeyRecord = {
      name: input.name,
      hash: hashSecret(secret),
      key_prefix: displayPrefix(secret),
      models: input.models ?? ['*'],
      ...(input.rate_limit ? { rate_limit: input.rate_limit } : {}),
      source: 'dynamic',
      created_at: now.toISOString(),
    };
    await this.storage.set(NS + record.name, JSON.stringify(record));
    this.dynamicKeys.set(record.name, record);
    this.reindex();
    return { ...toView(record), key: secret };
  }

  async update(name: string, patch: { models?: string[]; rate_limit?: RateLimitConfig | null }): Promise<KeyView> {
    if (this.fileKeys.has(name)) throw new GatewayError('LLMUX_ERR_READ_ONLY', `key '${name}' is defined in the config file; edit the file instead`);
    const cur = this.dynamicKeys.get(name);
    if (!cur) throw new GatewayError('LLMUX_ERR_NOT_FOUND', `key '${name}' not found`);
    const next: KeyRecord = { ...cur };
    if (patch.models !== undefined) next.models = patch.models;
    if (patch.rate_limit === null) delete next.rate_limit;
    else if (patch.rate_limit !== undefined) next.rate_limit = patch.rate_limit;
    await this.storage.set(NS + name, JSON.stringify(next));
    this.dynamicKeys.set(name, next);
    this.reindex();
    return toView(next);
  }

  async delete(name: string): Promise<void> {
    if (this.fileKeys.has(name)) throw new GatewayError('LLMUX_ERR_READ_ONLY', `key '${name}' is defined in the config file; remove it from the file instead`);
    if (!this.dynamicKeys.has(name)) throw new GatewayError('LLMUX_ERR_NOT_FOUND', `key '${name}' not found`);
    await this.storage.delete(NS + name);
    this.dynamicKeys.delete(name);
    this.reindex();
  }
}
