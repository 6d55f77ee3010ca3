/**
 * The routing table: model name → the deployments that serve it, rebuilt whenever providers or
 * aliases change and swapped in one assignment (requests in flight keep the table they started
 * with). Each provider gets one undici Agent (keep-alive pool per origin), reused across rebuilds
 * while its connection settings are unchanged.
 */
import type { Agent as UndiciAgent, Dispatcher } from 'undici';
import { Agent } from './undici-agent.js';
import { GatewayError } from '../core/errors.js';
import { effectiveBaseUrl, providerProtocol } from '../config/kinds.js';
import type { ModelInfo, ProviderConfig } from '../config/schema.js';
import { upstreamAdapter, type ProtocolId, type UpstreamAdapter, type UpstreamTarget } from '../protocols/index.js';
import type { ProviderEntry } from '../services/providers.js';

export interface Timeouts {
  connectMs: number;
  firstByteMs: number;
  idleMs: number;
  totalMs: number;
}

export interface Deployment {
  provider: string;
  kind: string;
  protocol: ProtocolId;
  adapter: UpstreamAdapter;
  /** Target with `model` set to the real upstream model name. */
  target: UpstreamTarget;
  weight: number;
  maxRetries: number;
  timeouts: Timeouts;
  dispatcher: Dispatcher;
}

export interface Resolved {
  /** The model name after alias resolution. */
  model: string;
  deployments: Deployment[];
}

export interface TableInput {
  providers: ProviderEntry[];
  aliases: Record<string, string>;
  models: Record<string, ModelInfo>;
  /** Base URL override (the simulator's loopback address); undefined → the config's. */
  baseUrlFor?: (e: ProviderEntry) => string | undefined;
}

const s2ms = (s: number): number => Math.round(s * 1000);

function timeoutsOf(c: ProviderConfig): Timeouts {
  return { connectMs: s2ms(c.connect_timeout), firstByteMs: s2ms(c.timeout), idleMs: s2ms(c.idle_timeout), totalMs: s2ms(c.total_timeout) };
}

/** Agents keyed by provider name and connection settings, shared between successive tables. */
export class AgentPool {
  private agents = new Map<string, { sig: string; agent: Agent }>();

  get(provider: string, t: Timeouts): Agent {
    const sig = `${t.connectMs}`;
    const cur = this.agents.get(provider);
    if (cur && cur.sig === sig) return cur.agent;
    const agent = new Agent({
      connect: { timeout: t.connectMs || null, noDelay: true } as UndiciAgent.Options['connect'],
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      // Timeouts are set per request from the deployment; these are only fallbacks.
      headersTimeout: t.firstByteMs,
      bodyTimeout: t.idleMs,
    });
    if (cur) void cur.agent.close().catch(() => undefined);
    this.agents.set(provider, { sig, agent });
    return agent;
  }

  /** Closes agents of providers that no longer exist (after their requests finish). */
  retain(names: Set<string>): void {
    for (const [name, { agent }] of this.agents) {
      if (!names.has(name)) {
        this.agents.delete(name);
        void agent.close().catch(() => undefined);
      }
    }
  }

  async closeAll(): Promise<void> {
    const all = [...this.agents.values()].map(({ agent }) => agent.close().catch(() => undefined));
    this.agents.clear();
    await Promise.all(all);
  }
}

export class RoutingTable {
  readonly byModel = new Map<string, Deployment[]>();
  /** `prefix*` model patterns, longest prefix first. */
  private readonly patterns: Array<{ prefix: string; deployments: Deployment[] }> = [];
  /** Resolved pattern matches, so a hot model name does not allocate per request. */
  private readonly patternCache = new Map<string, Deployment[]>();
  readonly aliases: Map<string, string>;
  readonly models: Record<string, ModelInfo>;
  /** Providers that could not be used, with the reason (e.g. a protocol not built in). */
  readonly problems: string[] = [];

  constructor(input: TableInput, pool: AgentPool) {
    this.aliases = new Map(Object.entries(input.aliases));
    this.models = input.models;
    for (const e of input.providers) {
      const c = e.config;
      const protocol = providerProtocol(c);
      const adapter = upstreamAdapter(protocol);
      if (!adapter) {
        this.problems.push(`provider '${e.name}': kind "${c.kind}" (${protocol}) is not yet supported; its models answer 501`);
      }
      const baseUrl = input.baseUrlFor?.(e) ?? effectiveBaseUrl(c);
      if (!baseUrl) {
        this.problems.push(`provider '${e.name}': no base URL can be determined`);
        continue;
      }
      const timeouts = timeoutsOf(c);
      const dispatcher = pool.get(e.name, timeouts);
      for (const model of c.models) {
        const target: UpstreamTarget = {
          provider: e.name,
          kind: c.kind,
          baseUrl,
          model,
          ...(c.api_key ? { apiKey: c.api_key } : {}),
          ...(c.api_version ? { apiVersion: c.api_version } : {}),
          ...(c.region ? { region: c.region } : {}),
          ...(c.access_key ? { accessKey: c.access_key } : {}),
          ...(c.secret_key ? { secretKey: c.secret_key } : {}),
          ...(c.session_token ? { sessionToken: c.session_token } : {}),
          ...(c.headers ? { headers: c.headers } : {}),
        };
        const dep: Deployment = {
          provider: e.name,
          kind: c.kind,
          protocol,
          adapter: adapter ?? unsupportedAdapter(protocol, c.kind),
          target,
          weight: c.weight,
          maxRetries: c.max_retries,
          timeouts,
          dispatcher,
        };
        if (model.endsWith('*')) {
          const prefix = model.slice(0, -1);
          const pat = this.patterns.find((p) => p.prefix === prefix);
          if (pat) pat.deployments.push(dep);
          else this.patterns.push({ prefix, deployments: [dep] });
          continue;
        }
        const list = this.byModel.get(model);
        if (list) list.push(dep);
        else this.byModel.set(model, [dep]);
      }
    }
    this.patterns.sort((a, b) => b.prefix.length - a.prefix.length);
    pool.retain(new Set(input.providers.map((p) => p.name)));
  }

  /** Alias (one hop) → model → deployments; undefined when nothing serves it. */
  resolve(requested: string): Resolved | undefined {
    const model = this.aliases.get(requested) ?? requested;
    const deployments = this.byModel.get(model) ?? this.matchPattern(model);
    return deployments ? { model, deployments } : undefined;
  }

  /** Deployments of the longest `prefix*` pattern matching the model, with the model filled in. */
  private matchPattern(model: string): Deployment[] | undefined {
    if (this.patterns.length === 0) return undefined;
    const hit = this.patternCache.get(model);
    if (hit) return hit;
    const pat = this.patterns.find((p) => model.startsWith(p.prefix));
    if (!pat) return undefined;
    const deps = pat.deployments.map((d) => ({ ...d, target: { ...d.target, model } }));
    if (this.patternCache.size >= 1024) this.patternCache.clear();
    this.patternCache.set(model, deps);
    return deps;
  }

  /** Every routable model name and alias. */
  modelNames(): string[] {
    const names = new Set<string>(this.byModel.keys());
    for (const [alias, target] of this.aliases) if (this.byModel.has(target)) names.add(alias);
    return [...names].sort();
  }
}

/**
 * Attempt order: one deployment chosen by weighted random choice, then the others by descending
 * weight (ties keep config order). All weights 0 → config order.
 */
export function attemptOrder(deps: readonly Deployment[], rand: () => number): Deployment[] {
  if (deps.length === 1) return deps as Deployment[];
  let total = 0;
  for (const d of deps) total += d.weight;
  let first = 0;
  if (total > 0) {
    let r = rand() * total;
    for (let i = 0; i < deps.length; i++) {
      r -= deps[i]!.weight;
      if (r < 0) {
        first = i;
        break;
      }
    }
  }
  const rest = deps.filter((_, i) => i !== first).sort((a, b) => b.weight - a.weight);
  return [deps[first]!, ...rest];
}


/** Stands in for a protocol that is not built in, so its models answer a clear 501. */
function unsupportedAdapter(protocol: ProtocolId, kind: string): UpstreamAdapter {
  const fail = (): never => {
    throw new GatewayError('LLMUX_ERR_UNSUPPORTED', `provider kind "${kind}" (${protocol}) is not yet supported by this llmux version`);
  };
  return { protocol, framing: 'sse', chatRequest: fail, chatResponse: fail, chatStream: fail, error: fail };
}
