/**
 * Wiring: config → storage → services → routing table → servers. No logic of its own beyond
 * deciding what a reload may change without a restart.
 */
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createAdminHandler } from './admin/router.js';
import { canonicalKind, providerProtocol } from './config/kinds.js';
import { loadConfigFile } from './config/load.js';
import { configFileState, watchConfigFile } from './config/watch.js';
import type { Config } from './config/schema.js';
import type { AdapterEnv } from './core/types.js';
import { KeepAliveSweeper } from './gateway/keepalive.js';
import { AgentPool, RoutingTable } from './gateway/registry.js';
import { createGatewayServer, type AccessLog, type GatewayServer } from './gateway/server.js';
import type { GatewayState } from './gateway/state.js';
import { sseDecoder, type DecoderFactory } from './gateway/stream.js';
import { KeyService } from './services/keys.js';
import { ProviderService, type DiscoverFn, type ProviderEntry } from './services/providers.js';
import { EventStreamDecoder } from './core/eventstream.js';
import type { SimulatorOptions } from './simulator/index.js';
import { openStorage, type Storage } from './storage/index.js';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  /** Whether a line at this level would be written (absent: always). */
  isLevelEnabled?(level: 'info' | 'warn'): boolean;
}

export interface AppOptions {
  configPath: string;
  /** Overrides `listen` (host:port); port 0 picks a free port. */
  bind?: string;
  logger: Logger;
  /** Tells other worker processes that keys or providers changed. */
  broadcast?: (what: 'keys' | 'providers') => void;
  /** Watch the config file and reload on change. */
  watchConfig?: boolean;
  /** How often the watched config file is checked (tests shorten it); default CONFIG_POLL_MS. */
  configPollMs?: number;
  /** Model discovery for providers created without models (tests replace it). */
  discover?: DiscoverFn;
  /** Silence on a stream before a keep-alive frame is sent (tests shorten it). */
  keepAliveMs?: number;
}

/** Streams silent this long get a keep-alive frame (SSE comment, or Anthropic's ping event). */
const KEEPALIVE_MS = 15_000;

export interface App {
  url: string;
  port: number;
  config(): Config;
  /** Re-reads the config file; returns what was applied and what needs a restart. */
  reload(): Promise<{ applied: string[]; restartNeeded: string[] }>;
  /** Another worker changed keys or providers in storage. */
  refresh(what: 'keys' | 'providers'): Promise<void>;
  close(): Promise<void>;
  gateway: GatewayServer;
}

interface RunningSimulator {
  sig: string;
  url: string;
  close(): Promise<void>;
}

const SIM_PATH: Record<string, string> = { 'openai-chat': '/v1', 'anthropic-messages': '/v1', gemini: '/v1beta', 'bedrock-converse': '' };

function splitListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port: Number(listen.slice(i + 1)) };
}

export async function startApp(opts: AppOptions): Promise<App> {
  const log = opts.logger;
  // The file's state before it is read: a change made while the process starts is then seen.
  const fileState = configFileState(opts.configPath);
  let loaded = loadConfigFile(opts.configPath);
  for (const w of loaded.warnings) log.warn(w);
  let config = loaded.config;
  const storage: Storage = await openStorage(config.storage, {
    defaultSqlitePath: join(dirname(loaded.path), 'llmux.db'),
    onError: (e) => log.error({ err: e.message }, 'storage error'),
  });
  const ext = Object.keys(config.extensions ?? {});
  if (ext.length) log.warn(`extensions ${ext.join(', ')} are accepted for crabllm compatibility but not active in this llmux version`);
  if (config.storage.kind === 'memory') log.info({}, 'storage: memory (keys and providers created at run time are lost on restart)');

  const keys = new KeyService(storage);
  keys.setFileKeys(config.keys);
  await keys.reload();
  const providers = new ProviderService(storage, opts.discover);
  providers.setFileProviders(config.providers);
  for (const w of await providers.reload()) log.warn(w);

  // Simulator providers answer from a loopback server of their own, reached like any provider.
  const simulators = new Map<string, RunningSimulator>();
  async function ensureSimulators(entries: ProviderEntry[]): Promise<void> {
    const wanted = new Set<string>();
    for (const e of entries) {
      if (canonicalKind(e.config.kind) !== 'simulator') continue;
      wanted.add(e.name);
      const sigOpts = e.config.simulator ?? {};
      const sig = JSON.stringify(sigOpts);
      if (simulators.get(e.name)?.sig === sig) continue;
      await simulators.get(e.name)?.close();
      const { preset, protocol: _p, ...rest } = sigOpts as { preset?: string; protocol?: string };
      // Loaded only when a simulator is configured: its module graph costs memory otherwise.
      const { DEMO_SIMULATOR, startSimulator } = await import('./simulator/index.js');
      const simOpts = { ...(preset === 'demo' ? DEMO_SIMULATOR : {}), ...rest, models: e.config.models } as SimulatorOptions;
      const sim = await startSimulator({ ...simOpts, host: '127.0.0.1', port: 0 });
      simulators.set(e.name, { sig, url: `${sim.url}${SIM_PATH[providerProtocol(e.config)] ?? ''}`, close: () => sim.close() });
    }
    for (const [name, sim] of simulators) {
      if (!wanted.has(name)) {
        simulators.delete(name);
        void sim.close();
      }
    }
  }

  // A simulator speaking a signed protocol (Bedrock) needs credentials to sign with; any will do.
  const withSimulatorCredentials = (e: ProviderEntry): ProviderEntry =>
    canonicalKind(e.config.kind) === 'simulator'
      ? { ...e, config: { region: 'us-east-1', access_key: 'simulator', secret_key: 'simulator', api_key: 'simulator', ...e.config } }
      : e;
  const pool = new AgentPool();
  const buildTable = (): RoutingTable => {
    const t = new RoutingTable(
      { providers: providers.all().map(withSimulatorCredentials), aliases: config.aliases, models: config.models, baseUrlFor: (e) => simulators.get(e.name)?.url },
      pool,
    );
    for (const p of t.problems) log.warn(p);
    return t;
  };
  await ensureSimulators(providers.all());
  let table = buildTable();
  providers.onChange(() => {
    table = buildTable();
    // A new simulator provider needs its server first; the table is rebuilt once it is up.
    void ensureSimulators(providers.all()).then(() => {
      table = buildTable();
    }, (e: unknown) => log.error({ err: (e as Error).message }, 'could not start a simulator provider'));
  });

  const decoders: Partial<Record<'sse' | 'aws-eventstream', DecoderFactory>> = {
    sse: sseDecoder,
    'aws-eventstream': () => {
      const d = new EventStreamDecoder();
      return { push: (b) => d.push(b), end: () => (d.end(), []) };
    },
  };
  const env: AdapterEnv = { now: () => Date.now(), newId: (prefix) => `${prefix}${randomUUID().replace(/-/g, '')}` };
  const state: GatewayState = {
    table: () => table,
    keys,
    adminTokenSet: () => config.admin_token !== undefined,
    maxBodyBytes: () => config.max_body_bytes,
    env,
    rand: Math.random,
    decoders,
    keepAlive: new KeepAliveSweeper(opts.keepAliveMs ?? KEEPALIVE_MS),
  };

  const admin = createAdminHandler({
    keys,
    providers,
    adminToken: () => config.admin_token,
    onChange: (what) => opts.broadcast?.(what),
    now: () => new Date(),
  });
  const gateway = createGatewayServer(state, {
    mounts: [{ prefix: '/v1/admin/', handle: (req, res) => admin(req, res) }],
    onLog: (line: AccessLog) => (line.status >= 500 ? log.warn(line, 'request') : log.info(line, 'request')),
    ...(log.isLevelEnabled ? { logs: (status: number) => log.isLevelEnabled!(status >= 500 ? 'warn' : 'info') } : {}),
  });

  const { host, port } = splitListen(opts.bind ?? config.listen);
  await new Promise<void>((resolve, reject) => {
    gateway.server.once('error', reject);
    gateway.server.listen(port, host, () => {
      gateway.server.off('error', reject);
      resolve();
    });
  });
  const addr = gateway.server.address();
  const boundPort = typeof addr === 'object' && addr ? addr.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;

  async function reload(): Promise<{ applied: string[]; restartNeeded: string[] }> {
    const next = loadConfigFile(opts.configPath);
    for (const w of next.warnings) log.warn(w);
    const prev = config;
    const c = next.config;
    const restartNeeded: string[] = [];
    if (c.listen !== prev.listen && opts.bind === undefined) restartNeeded.push('listen');
    if (JSON.stringify(c.storage) !== JSON.stringify(prev.storage)) restartNeeded.push('storage');
    if (c.workers !== prev.workers) restartNeeded.push('workers');
    // Keep what needs a restart as it was, apply the rest.
    config = { ...c, listen: prev.listen, storage: prev.storage, workers: prev.workers };
    loaded = next;
    keys.setFileKeys(config.keys);
    await keys.reload();
    providers.setFileProviders(config.providers);
    for (const w of await providers.reload()) log.warn(w);
    const applied = ['providers', 'keys', 'aliases', 'models', 'admin_token', 'max_body_bytes', 'shutdown_timeout'];
    return { applied, restartNeeded };
  }

  const unwatch = opts.watchConfig
    ? watchConfigFile(
        loaded.path,
        {
          changed: () =>
            reload().then(
              (r) => log.info({ applied: r.applied, restart_needed: r.restartNeeded }, 'config reloaded'),
              (e: unknown) => log.error({ err: (e as Error).message }, 'config reload failed; keeping the previous config'),
            ),
          missing: () => log.warn({ path: loaded.path }, 'the config file is gone; the running config stays in force'),
        },
        opts.configPollMs,
        fileState,
      )
    : undefined;

  return {
    url,
    port: boundPort,
    gateway,
    config: () => config,
    reload,
    async refresh(what) {
      if (what === 'keys') await keys.reload();
      else for (const w of await providers.reload()) log.warn(w);
    },
    async close() {
      unwatch?.();
      await gateway.drain(config.shutdown_timeout * 1000);
      await pool.closeAll();
      await Promise.all([...simulators.values()].map((s) => s.close()));
      await storage.close();
    },
  };
}
