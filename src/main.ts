#!/usr/bin/env node
/**
 * The `llmux` command: `serve` (the default), `init` and `simulate` are handled here; every
 * other command is the admin CLI (src/cli). Wiring only: argv → config → app → listen; signals;
 * drain; worker processes.
 */
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { pino } from 'pino';
import { startApp, type App, type Logger } from './app.js';
import { ConfigExistsError, generateConfig, writeConfigFile } from './config/init.js';
import { ConfigError, loadConfigFile } from './config/load.js';
import { flagsNotGiven, givenNodeFlags, RUNTIME_V8_FLAGS } from './core/heap-flags.js';

type Msg = { type: 'llmux:changed'; what: 'keys' | 'providers' } | { type: 'llmux:reload' } | { type: 'llmux:listening'; url: string };

function flag(argv: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    for (const n of names) {
      if (a === n) return argv[i + 1];
      if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
    }
  }
  return undefined;
}

function has(argv: string[], ...names: string[]): boolean {
  return argv.some((a) => names.includes(a));
}

function verbosity(argv: string[]): 'info' | 'debug' | 'trace' | undefined {
  if (has(argv, '-vv', '-vvv')) return 'trace';
  if (has(argv, '-v', '--verbose')) return 'debug';
  return undefined;
}

const SERVE_HELP = `usage: llmux serve [--config PATH] [--bind HOST:PORT] [--workers N] [-v|-vv]

Serves the gateway. Without --config it uses ./llmux.toml, else ./crabllm.toml, and writes a new
./llmux.toml (mode 0600) when neither exists. --workers defaults to one process per core.`;

const INIT_HELP = `usage: llmux init [--out PATH] [--force]

Writes a new config file (default ./llmux.toml, mode 0600) with an admin token, a default key,
SQLite storage, and a provider for each API key found in the environment.`;

function printFirstRun(path: string, gen: ReturnType<typeof generateConfig>, listen: string): void {
  const lines = [
    `llmux: wrote ${path} (mode 0600)`,
    `  default key:  ${gen.defaultKey}`,
    `  admin token:  in the file (admin_token); the llmux CLI reads it from there`,
    gen.demo
      ? `  providers:    demo (the built-in simulator: no API key needed; try model "demo")`
      : `  providers:    ${gen.providers.join(', ')} (keys read from the environment at start)`,
    `  add a provider:  npx llmux providers create openai --kind openai --api-key "$OPENAI_API_KEY"`,
    `  try it:       curl http://${listen}/v1/chat/completions -H "Authorization: Bearer ${gen.defaultKey}" \\`,
    `                  -H "content-type: application/json" -d '{"model":"${gen.demo ? 'demo' : 'gpt-4o-mini'}","messages":[{"role":"user","content":"Hello"}]}'`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}

/** The config file to serve: --config, ./llmux.toml, ./crabllm.toml, or a new ./llmux.toml. */
function resolveConfigPath(argv: string[]): string {
  const given = flag(argv, '--config', '-c');
  if (given) {
    if (!existsSync(given)) {
      const gen = generateConfig(process.env);
      const path = writeConfigFile(given, gen.text);
      printFirstRun(path, gen, '127.0.0.1:5632');
      return path;
    }
    return resolve(given);
  }
  for (const name of ['llmux.toml', 'crabllm.toml']) if (existsSync(name)) return resolve(name);
  const gen = generateConfig(process.env);
  const path = writeConfigFile('llmux.toml', gen.text);
  printFirstRun(path, gen, '127.0.0.1:5632');
  return path;
}

function makeLogger(level: string): Logger & { flush(): void } {
  const dest = pino.destination({ sync: false, minLength: 4096 });
  const l = pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
  return {
    info: (o, m) => l.info(o, m),
    warn: (o, m) => (typeof o === 'string' ? l.warn(o) : l.warn(o, m)),
    error: (o, m) => (typeof o === 'string' ? l.error(o) : l.error(o, m)),
    flush: () => dest.flushSync(),
    isLevelEnabled: (lv) => l.isLevelEnabled(lv),
  };
}

async function serveWorker(configPath: string, argv: string[], inCluster: boolean): Promise<void> {
  const { config } = loadConfigFile(configPath);
  const logger = makeLogger(verbosity(argv) ?? config.log_level);
  const bind = flag(argv, '--bind', '-b');
  // Changes announced by other workers while this one is still starting are kept and applied
  // once it is up; otherwise a key created meanwhile would stay unknown here.
  const pending = new Set<'keys' | 'providers'>();
  let app: App | undefined;
  let reloadRequested = false;
  process.on('message', (m: Msg) => {
    if (m?.type === 'llmux:changed') {
      if (!app) pending.add(m.what);
      else void app.refresh(m.what).catch((e: unknown) => logger.error({ err: (e as Error).message }, 'refresh failed'));
    } else if (m?.type === 'llmux:reload') {
      if (!app) reloadRequested = true;
      else reload();
    }
  });
  try {
    app = await startApp({
      configPath,
      ...(bind ? { bind } : {}),
      logger,
      watchConfig: true,
      ...(inCluster ? { broadcast: (what: 'keys' | 'providers') => process.send?.({ type: 'llmux:changed', what } satisfies Msg) } : {}),
    });
  } catch (e) {
    logger.flush();
    throw e;
  }
  const running = app;
  for (const what of pending) await running.refresh(what);

  function reload(): void {
    running.reload().then(
      (r) => {
        logger.info({ applied: r.applied, restart_needed: r.restartNeeded }, 'config reloaded');
        if (r.restartNeeded.length) logger.warn(`config: ${r.restartNeeded.join(', ')} changed; restart llmux to apply`);
      },
      (e: unknown) => logger.error({ err: (e as Error).message }, 'config reload failed; keeping the previous config'),
    );
  }
  process.on('SIGHUP', reload);
  if (reloadRequested) reload();
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.close().finally(() => {
      logger.flush();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Announced only now that the signal handlers are in place: a supervisor that stops llmux as
  // soon as it is up must get a drain, not the default kill.
  if (inCluster) process.send?.({ type: 'llmux:listening', url: running.url } satisfies Msg);
  else process.stderr.write(`llmux: listening on ${running.url} (1 worker)\n`);
}

async function servePrimary(configPath: string, argv: string[], workers: number): Promise<void> {
  let stopping = false;
  let listening = 0;
  const fork = (): void => {
    const w = cluster.fork();
    w.on('message', (m: Msg) => {
      if (m?.type === 'llmux:changed') {
        for (const other of Object.values(cluster.workers ?? {})) if (other && other !== w) other.send(m);
      } else if (m?.type === 'llmux:listening' && ++listening === workers) {
        process.stderr.write(`llmux: listening on ${m.url} (${workers} workers)\n`);
      }
    });
  };
  for (let i = 0; i < workers; i++) fork();
  let recentCrashes = 0;
  cluster.on('exit', (w, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    process.stderr.write(`llmux: worker ${w.process.pid} exited (${signal ?? code}); starting another\n`);
    recentCrashes++;
    setTimeout(() => recentCrashes--, 10_000).unref();
    if (recentCrashes > workers * 3) {
      process.stderr.write('llmux: workers keep crashing; giving up\n');
      process.exit(1);
    }
    fork();
  });
  process.on('SIGHUP', () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.send({ type: 'llmux:reload' } satisfies Msg);
  });
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    const { config } = loadConfigFile(configPath);
    setTimeout(() => process.exit(0), (config.shutdown_timeout + 5) * 1000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  void argv;
}

async function serve(argv: string[]): Promise<number> {
  if (has(argv, '-h', '--help')) {
    process.stdout.write(`${SERVE_HELP}\n`);
    return 0;
  }
  // Before the first upstream connection compiles undici's parser (see core/heap-flags.ts).
  for (const f of flagsNotGiven(RUNTIME_V8_FLAGS, givenNodeFlags(process.execArgv, process.env['NODE_OPTIONS']))) setFlagsFromString(f);
  if (cluster.isWorker) {
    await serveWorker(process.env['LLMUX_CONFIG_PATH']!, argv, true);
    return -1;
  }
  const configPath = resolveConfigPath(argv);
  const { config, warnings } = loadConfigFile(configPath);
  for (const w of warnings) process.stderr.write(`llmux: warning: ${w}\n`);
  const requested = flag(argv, '--workers', '-w');
  let workers = requested !== undefined ? Number(requested) : config.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0) {
    process.stderr.write(`llmux: --workers expects a whole number, got "${requested}"\n`);
    return 2;
  }
  if (workers === 0) workers = availableParallelism();
  if (workers > 1 && config.storage.kind === 'memory') {
    process.stderr.write('llmux: memory storage is per process, so keys and providers created at run time would not reach every worker; serving with 1 worker (use sqlite or redis storage for more)\n');
    workers = 1;
  }
  if (workers === 1) {
    await serveWorker(configPath, argv, false);
    return -1;
  }
  process.env['LLMUX_CONFIG_PATH'] = configPath;
  await servePrimary(configPath, argv, workers);
  return -1;
}

function init(argv: string[]): number {
  if (has(argv, '-h', '--help')) {
    process.stdout.write(`${INIT_HELP}\n`);
    return 0;
  }
  const gen = generateConfig(process.env);
  try {
    const path = writeConfigFile(flag(argv, '--out', '-o') ?? 'llmux.toml', gen.text, has(argv, '--force', '-f'));
    printFirstRun(path, gen, '127.0.0.1:5632');
    return 0;
  } catch (e) {
    process.stderr.write(`llmux: ${(e as Error).message}\n`);
    return e instanceof ConfigExistsError ? 1 : 2;
  }
}

async function simulate(argv: string[]): Promise<number> {
  const { parseSimulateArgs, startSimulator } = await import('./simulator/index.js');
  const parsed = parseSimulateArgs(argv);
  if ('error' in parsed) {
    process.stderr.write(`llmux simulate: ${parsed.error}\n`);
    return 2;
  }
  if ('help' in parsed) {
    process.stdout.write(`${parsed.help}\n`);
    return 0;
  }
  const sim = await startSimulator(parsed.options);
  process.stderr.write(`llmux simulate: serving the simulator on ${sim.url}\n`);
  const stop = (): void => void sim.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return -1;
}

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  if (cmd === undefined || cmd.startsWith('-')) return serve(argv);
  if (cmd === 'serve') return serve(argv.slice(1));
  if (cmd === 'init') return init(argv.slice(1));
  if (cmd === 'simulate') return simulate(argv.slice(1));
  // Loaded on use, like the simulator: a serving gateway never runs the admin CLI.
  const { runCli } = await import('./cli/index.js');
  return runCli(argv, {
    stdout: (s: string) => process.stdout.write(s),
    stderr: (s: string) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof ConfigError) process.stderr.write(`llmux: ${e.message}\n`);
    else process.stderr.write(`llmux: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exit(1);
  },
);
