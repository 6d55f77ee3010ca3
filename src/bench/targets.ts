/**
 * What the bench measures: the simulator itself (direct), the floor, llmux (one worker, one worker
 * with the info access log, N workers) and peer gateways. Each target is started once, pinned to
 * the gateway core, and the legs then alternate between them.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { request } from 'undici';
import type { ProcessGroup } from './processes.js';
import { portkeyEntry } from './peers.js';
import type { RequestShape, Scenario } from './scenarios.js';

export type TargetName = 'direct' | 'floor' | 'llmux' | 'llmux-info' | 'llmux-workers' | 'portkey';
export const TARGET_NAMES: readonly TargetName[] = ['direct', 'floor', 'llmux', 'llmux-info', 'llmux-workers', 'portkey'];

/** The secret clients send to llmux (a [[keys]] entry), and the one gateways send upstream. */
export const LLMUX_KEY = 'sk-llmux-bench';
export const UPSTREAM_KEY = 'sk-bench-upstream';

export interface Endpoint {
  origin: string;
  headers: Record<string, string>;
  request: RequestShape;
}

export interface Target {
  name: TargetName;
  /** What the target is, for the report. */
  label: string;
  /** Roots of the process trees measured as "the gateway" (empty for direct). */
  pids: number[];
  /** Where and what to send for a scenario; undefined when the target does not run it. */
  endpoint(s: Scenario): Endpoint | undefined;
  /** The processes that serve a scenario, when not all of `pids` do (default: all of them). */
  pidsFor?(s: Scenario): number[];
}

export interface Upstreams {
  /** Origins of the simulators (http://127.0.0.1:PORT). */
  default: string;
  long: string | undefined;
}

export interface StartContext {
  group: ProcessGroup;
  root: string;
  workDir: string;
  /** CPU list for the gateway under test. */
  gatewayCpus: string;
  upstreams: Upstreams;
  workers: number;
  /** Node flags for the one-worker llmux (e.g. --cpu-prof). */
  llmuxNodeFlags: string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

const json = { 'content-type': 'application/json' };
const upstreamOrigin = (u: Upstreams, s: Scenario): string | undefined => (s.upstream === 'long' ? u.long : u.default);
const upstreamHeaders = (s: Scenario): Record<string, string> =>
  s.protocol === 'anthropic' ? { ...json, 'x-api-key': UPSTREAM_KEY, 'anthropic-version': '2023-06-01' } : { ...json, authorization: `Bearer ${UPSTREAM_KEY}` };

export function directTarget(u: Upstreams): Target {
  return {
    name: 'direct',
    label: 'the simulator itself (harness baseline)',
    pids: [],
    endpoint: (s) => {
      const origin = upstreamOrigin(u, s);
      return origin ? { origin, headers: upstreamHeaders(s), request: s.upstreamRequest } : undefined;
    },
  };
}

/** Waits until a real POST through the target answers 2xx, or the process exits, or time runs out. */
export async function waitReady(child: ChildProcess | undefined, e: Endpoint, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    try {
      const r = await request(`${e.origin}${e.request.path}`, { method: 'POST', headers: e.headers, body: e.request.body, headersTimeout: 5000, bodyTimeout: 5000 });
      const text = await r.body.text();
      if (r.statusCode >= 200 && r.statusCode < 300) return;
      last = `HTTP ${r.statusCode}: ${text.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`not ready after ${timeoutMs / 1000} s (${last})`);
}

export async function startFloor(ctx: StartContext): Promise<Target> {
  // One floor per simulator: the floor forwards to exactly one upstream, as the simplest proxy would.
  const floors = new Map<string, string>();
  const pidOf = new Map<string, number>();
  for (const [which, up] of [['default', ctx.upstreams.default], ['long', ctx.upstreams.long]] as const) {
    if (!up) continue;
    const port = await freePort();
    const child = ctx.group.node([join(ctx.root, 'dist/bench/floor.js'), '--port', String(port), '--upstream', up], { cpus: ctx.gatewayCpus });
    if (child.pid !== undefined) pidOf.set(up, child.pid);
    floors.set(up, `http://127.0.0.1:${port}`);
    await waitReady(child, { origin: `http://127.0.0.1:${port}`, headers: json, request: floorProbe(which).upstreamRequest });
  }
  // A leg measures only the floor that forwards it: counting the idle one too would add its
  // resident set (~60 MB) to the floor's peak RSS.
  const target: Target = {
    name: 'floor',
    label: 'bare node:http + undici Pool forwarder (src/bench/floor.ts)',
    pids: [...pidOf.values()],
    endpoint: (s) => {
      const up = upstreamOrigin(ctx.upstreams, s);
      const origin = up ? floors.get(up) : undefined;
      return origin ? { origin, headers: upstreamHeaders(s), request: s.upstreamRequest } : undefined;
    },
    pidsFor: (s) => {
      const up = upstreamOrigin(ctx.upstreams, s);
      const pid = up ? pidOf.get(up) : undefined;
      return pid !== undefined ? [pid] : [];
    },
  };
  return target;
}

/** A tiny non-stream request to probe a floor's readiness. */
function floorProbe(upstream: 'default' | 'long'): Scenario {
  const r: RequestShape = { path: '/v1/chat/completions', body: JSON.stringify({ model: upstream === 'long' ? 'bench-slow' : 'bench-chat', messages: [{ role: 'user', content: 'hi' }] }) };
  return { name: 'chat', what: 'probe', upstream, protocol: 'openai', stream: false, gateway: r, upstreamRequest: r };
}

export interface LlmuxVariant {
  name: 'llmux' | 'llmux-info' | 'llmux-workers';
  logLevel: 'warn' | 'info';
  workers: number;
}

/** The benchmark's llmux config: one OpenAI-kind provider per simulator, an Anthropic-kind one for translation, keys on. */
export function llmuxConfig(port: number, u: Upstreams, v: LlmuxVariant): string {
  const lines = [
    `listen = "127.0.0.1:${port}"`,
    `log_level = "${v.logLevel}"`,
    `workers = ${v.workers}`,
    '',
    '[storage]',
    // More than one worker needs storage the workers share (memory is per process).
    v.workers > 1 ? `kind = "sqlite"\npath = "${v.name}.db"` : 'kind = "memory"',
    '',
    '[providers.sim]',
    'kind = "openai"',
    `base_url = "${u.default}/v1"`,
    `api_key = "${UPSTREAM_KEY}"`,
    'models = ["bench-chat", "bench-embed"]',
    '',
    '[providers.sim-anthropic]',
    'kind = "anthropic"',
    `base_url = "${u.default}/v1"`,
    `api_key = "${UPSTREAM_KEY}"`,
    'models = ["bench-claude"]',
  ];
  if (u.long) lines.push('', '[providers.sim-long]', 'kind = "openai"', `base_url = "${u.long}/v1"`, `api_key = "${UPSTREAM_KEY}"`, 'models = ["bench-slow"]');
  lines.push('', '[[keys]]', 'name = "bench"', `key = "${LLMUX_KEY}"`, '');
  return lines.join('\n');
}

export async function startLlmux(ctx: StartContext, v: LlmuxVariant): Promise<Target> {
  const port = await freePort();
  const configPath = join(ctx.workDir, `${v.name}.toml`);
  writeFileSync(configPath, llmuxConfig(port, ctx.upstreams, v), { mode: 0o600 });
  const main = join(ctx.root, 'dist/main.js');
  if (!existsSync(main)) throw new Error('dist/main.js is missing: run npm run build first');
  const flags = v.name === 'llmux' ? ctx.llmuxNodeFlags : [];
  const cpus = v.workers > 1 ? Array.from({ length: v.workers }, (_, i) => i).join(',') : ctx.gatewayCpus;
  const child = ctx.group.node([...flags, main, 'serve', '--config', configPath, '--workers', String(v.workers)], {
    cpus,
    cwd: ctx.workDir,
    // The access log goes to a file, as it would in production; the bench never reads it.
    logFile: join(ctx.workDir, `${v.name}.log`),
  });
  const origin = `http://127.0.0.1:${port}`;
  const headers = { ...json, authorization: `Bearer ${LLMUX_KEY}` };
  const only = v.name === 'llmux' ? undefined : new Set(['chat', 'stream']);
  const target: Target = {
    name: v.name,
    label:
      v.name === 'llmux'
        ? `llmux, 1 worker, log_level warn`
        : v.name === 'llmux-info'
          ? 'llmux, 1 worker, default info access log (to a file)'
          : `llmux, ${v.workers} workers (cluster, SQLite storage), log_level warn`,
    pids: child.pid !== undefined ? [child.pid] : [],
    endpoint: (s) => {
      if (only && !only.has(s.name)) return undefined;
      if (s.upstream === 'long' && !ctx.upstreams.long) return undefined;
      return { origin, headers, request: s.gateway };
    },
  };
  await waitReady(child, { origin, headers, request: floorProbe('default').gateway });
  return target;
}

export async function startPortkey(ctx: StartContext): Promise<Target> {
  const entry = portkeyEntry(ctx.root);
  if (!entry) throw new Error('not installed');
  const port = await freePort();
  const shim = join(ctx.root, 'dist/bench/portkey-shim.js');
  const child = ctx.group.node(['--import', pathToFileURL(shim).href, entry, `--port=${port}`, '--headless'], {
    cpus: ctx.gatewayCpus,
    cwd: ctx.workDir,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port) },
    logFile: join(ctx.workDir, 'portkey.log'),
  });
  const origin = `http://127.0.0.1:${port}`;
  const target: Target = {
    name: 'portkey',
    label: 'Portkey AI Gateway (@portkey-ai/gateway, Node, with its immutable-headers fix preloaded)',
    pids: child.pid !== undefined ? [child.pid] : [],
    endpoint: (s) => {
      const up = upstreamOrigin(ctx.upstreams, s);
      if (!up) return undefined;
      return {
        origin,
        headers: {
          ...json,
          authorization: `Bearer ${UPSTREAM_KEY}`,
          'x-portkey-provider': s.protocol === 'anthropic' ? 'anthropic' : 'openai',
          'x-portkey-custom-host': `${up}/v1`,
        },
        request: s.gateway,
      };
    },
  };
  await waitReady(child, target.endpoint(floorProbe('default'))!);
  return target;
}
