/**
 * `npm run bench`: starts the simulators (harness core), the targets (gateway core), then runs
 * every scenario × rate, alternating targets leg by leg so slow drift (thermal, noisy neighbours)
 * hits them all alike; writes bench/results/<timestamp>.json and .md, and regenerates
 * docs/benchmarks.md. Every process it starts is stopped at the end, on errors and on Ctrl-C too.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs, type BenchOptions } from './args.js';
import { renderDocs } from './docs.js';
import type { LoadJob, LoadResult } from './loadgen.js';
import { installPeers, portkeyVersion, UNAVAILABLE_PEERS, type PeerStatus } from './peers.js';
import { clockTicksPerSecond, processTree, sampleProcesses } from './proc.js';
import { freezeGroups, hasTaskset, ProcessGroup } from './processes.js';
import { summarizeProfile, type CpuProfile } from './profile.js';
import { CPU_RATES, overwhelmed, P50_RATE, P99_RATE, renderTables, skipReason } from './report.js';
import type { BenchResults, Leg, Machine, SkippedLeg, SoakResult, SoakSample, TargetInfo } from './results.js';
import { LONG_STREAM_INTERVAL_MS, scenario, type Scenario, type ScenarioName } from './scenarios.js';
import { directTarget, freePort, startFloor, startLlmux, startPortkey, waitReady, type StartContext, type Target, type TargetName, type Upstreams } from './targets.js';

/** The gateway under test gets CPU 0; the load generator and the simulators share CPU 1. */
const GATEWAY_CPUS = '0';
/** The last full (non-quick) run, committed, shown in the docs beside a quick run's figures. */
const REFERENCE = 'bench/reference.json';
const HARNESS_CPUS = '1';
/** The targets of a round leg; the first is the one llmux is judged against. */
const LATENCY_TARGETS: readonly TargetName[] = ['direct', 'floor', 'llmux'];
const CPU_TARGETS: readonly TargetName[] = ['floor', 'llmux'];
/**
 * The legs the P50, P99 and CPU targets read, run again in extra rounds (--rounds), with the
 * targets each verdict compares. A P50 or CPU round is at most ROUND_MAX_S long; a P99 round is
 * as long as the scenario's leg, since at 5000/s one 50 ms pause alone delays the whole top 1% of
 * a 5 s leg. The CPU verdict also reads the 5000/s chat rounds.
 */
const ROUND_LEGS: readonly { scenario: ScenarioName; rate: number; fullLength: boolean; targets: readonly TargetName[] }[] = [
  { scenario: 'chat', rate: P50_RATE, fullLength: false, targets: LATENCY_TARGETS },
  { scenario: 'stream', rate: P50_RATE, fullLength: false, targets: LATENCY_TARGETS },
  { scenario: 'chat', rate: P99_RATE, fullLength: true, targets: LATENCY_TARGETS },
  ...CPU_RATES.filter((rate) => rate !== P99_RATE).map((rate) => ({ scenario: 'chat' as const, rate, fullLength: false, targets: CPU_TARGETS })),
  ...CPU_RATES.map((rate) => ({ scenario: 'stream' as const, rate, fullLength: false, targets: CPU_TARGETS })),
];
const ROUND_MAX_S = 5;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const say = (s: string): void => void process.stderr.write(`${s}\n`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function machine(): Machine {
  return {
    nproc: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    kernel: release(),
    memoryGb: Math.round(totalmem() / 2 ** 30),
    pinned: hasTaskset(),
  };
}

async function startSimulator(group: ProcessGroup, extra: string[]): Promise<{ origin: string; pid: number }> {
  const port = await freePort();
  const child = group.node([join(root, 'dist/main.js'), 'simulate', '--port', String(port), ...extra], { cpus: HARNESS_CPUS });
  const origin = `http://127.0.0.1:${port}`;
  const probe = { path: '/v1/chat/completions', body: JSON.stringify({ model: 'bench-chat', messages: [{ role: 'user', content: 'hi' }] }) };
  // The long simulator answers non-stream chat after its TTFB only; its chunk spacing is what matters.
  await waitReady(child, { origin, headers: { 'content-type': 'application/json' }, request: probe });
  return { origin, pid: child.pid! };
}

/** Runs one leg in a fresh load-generator process on the harness core. */
async function runLoadProcess(group: ProcessGroup, job: LoadJob): Promise<LoadResult> {
  const child = group.piped([join(root, 'dist/bench/loadgen-main.js')], { cpus: HARNESS_CPUS });
  let out = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => (out += d));
  child.stdin!.end(JSON.stringify(job));
  const limitMs = (job.warmupS + job.durationS) * 1000 + 2 * job.timeoutMs + 30_000;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let timeout: NodeJS.Timeout | undefined;
  const timer = new Promise<'timeout'>((r) => (timeout = setTimeout(() => r('timeout'), limitMs)));
  // Cleared, or the last leg's limit would hold the finished bench open for up to a minute.
  const code = await Promise.race([exited, timer]).finally(() => clearTimeout(timeout));
  if (code === 'timeout') {
    await group.stop(child);
    throw new Error(`the load generator did not finish within ${Math.round(limitMs / 1000)} s`);
  }
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(out) as LoadResult;
}

const fixed = (v: number | null, digits: number): string => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '-');

function describeLeg(l: Leg): string {
  const e = l.errors;
  const errs = e.status + e.transport + e.body;
  return `${l.scenario.padEnd(16)} ${(l.load ?? `${l.rate}/s`).padStart(12)} ${l.target.padEnd(14)} ok ${String(l.ok).padStart(7)}  ${Math.round(l.achievedRate).toString().padStart(5)}/s  P50 ${fixed(l.ttlb.p50, 2)}  P99 ${fixed(l.ttlb.p99, 2)} ms  cpu ${fixed(l.cpu.gatewayUsPerReq, 0)} µs/req${errs ? `  errors ${e.status}/${e.transport}/${e.body}${l.firstError ? ` (${l.firstError})` : ''}` : ''}`;
}

/**
 * Waits until the gateways are idle (under 5% of a core over 250 ms; at most 30 s, 3 s when quick): a target that
 * fell behind may still be chewing on abandoned requests, which would tax the next leg's target.
 */
async function settle(targets: readonly Target[], maxMs: number): Promise<void> {
  const pids = targets.flatMap((t) => t.pids.flatMap((p) => processTree(p)));
  const tickUs = 1e6 / clockTicksPerSecond();
  const deadline = Date.now() + maxMs;
  let before = sampleProcesses(pids).ticks;
  while (Date.now() < deadline) {
    await sleep(250);
    const now = sampleProcesses(pids).ticks;
    if ((now - before) * tickUs < 0.05 * 250_000) return;
    before = now;
  }
}

/**
 * Runs a leg with every other gateway frozen, so that the one under test has the gateway core to
 * itself: idle gateways still wake for timers and collect garbage there. They run again before
 * the next settle(), which then waits out whatever they deferred.
 */
async function alone<T>(targets: readonly Target[], active: readonly number[], leg: () => Promise<T>): Promise<T> {
  const others = targets.flatMap((t) => t.pids).filter((p) => !active.includes(p));
  freezeGroups(others, true);
  try {
    return await leg();
  } finally {
    freezeGroups(others, false);
  }
}

function ratesFor(s: Scenario, o: BenchOptions): Array<{ rate: number; load?: string }> {
  if (s.fixed) return [{ rate: s.fixed.rate, load: s.fixed.label }];
  // Ascending, so that a target overwhelmed at one rate is spared only the higher ones.
  return [...(s.name === 'large-context' || s.name === 'tools' ? o.payloadRates : o.rates)].sort((a, b) => a - b).map((rate) => ({ rate }));
}

function newestProfile(dir: string): string | undefined {
  try {
    const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
    return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  } catch {
    return undefined;
  }
}

async function bench(o: BenchOptions, argv: string[]): Promise<number> {
  const startedAt = new Date();
  // Taken now: a commit made while the run goes on did not change what it measures.
  const revision = gitRevision();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const resultsDir = join(root, 'bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const workDir = mkdtempSync(join(tmpdir(), 'llmux-bench-'));
  // Configs and logs of this run only; gone on any way out, Ctrl-C included.
  process.once('exit', () => rmSync(workDir, { recursive: true, force: true }));
  const profileDir = join(resultsDir, `profile-${stamp}`);
  const group = new ProcessGroup();
  const m = machine();
  if (!m.pinned) say('bench: taskset is not installed, so nothing is pinned (apt-get install util-linux); figures will be noisier');
  if (m.nproc < 2) say('bench: one CPU only: the gateway and the harness share it');

  const scenarios = o.scenarios.map(scenario);
  const legs: Leg[] = [];
  const rounds: Leg[] = [];
  const skipped: SkippedLeg[] = [];
  // Legs so far, rewritten after each one, so that a run cut short still leaves its figures.
  const partialPath = join(resultsDir, `${stamp}.partial.json`);
  const targetsInfo: TargetInfo[] = [];
  // peers[0] is Portkey's entry, updated as it is installed and started; the rest are fixed.
  const peers: PeerStatus[] = [{ name: 'Portkey AI Gateway', status: 'not selected' }, ...UNAVAILABLE_PEERS];
  let soak: SoakResult | undefined;
  try {
    say(`bench: ${o.quick ? 'quick run' : 'run'}: ${o.scenarios.join(', ')} × ${o.targets.join(', ')}; legs of ${o.durationS} s after ${o.warmupS} s warm-up`);
    const sim = await startSimulator(group, []);
    const needLong = scenarios.some((s) => s.upstream === 'long');
    const long = needLong ? await startSimulator(group, ['--chunk-interval-ms', String(LONG_STREAM_INTERVAL_MS)]) : undefined;
    const upstreams: Upstreams = { default: sim.origin, long: long?.origin };
    const simPids = [sim.pid, ...(long ? [long.pid] : [])];
    const ctx: StartContext = {
      group,
      root,
      workDir,
      gatewayCpus: GATEWAY_CPUS,
      upstreams,
      workers: o.workers,
      llmuxNodeFlags: o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    };

    if (o.targets.includes('portkey')) {
      const err = installPeers(root, say);
      if (err) {
        peers[0] = { name: 'Portkey AI Gateway', status: 'failed', reason: `npm install failed: ${err}` };
        say(`bench: Portkey could not be installed (${err}); going on without it`);
      }
    }

    const targets: Target[] = [];
    const llmuxChildren = new Map<TargetName, number>();
    for (const name of o.targets) {
      try {
        let t: Target;
        if (name === 'direct') t = directTarget(upstreams);
        else if (name === 'floor') t = await startFloor(ctx);
        else if (name === 'llmux') t = await startLlmux(ctx, { name, logLevel: 'warn', workers: 1 });
        else if (name === 'llmux-info') t = await startLlmux(ctx, { name, logLevel: 'info', workers: 1 });
        else if (name === 'llmux-workers') t = await startLlmux(ctx, { name, logLevel: 'warn', workers: o.workers });
        else {
          if (peers[0]?.status === 'failed') continue;
          t = await startPortkey(ctx);
          peers[0] = { name: 'Portkey AI Gateway', version: portkeyVersion(root), status: 'measured' };
        }
        if (name.startsWith('llmux') && t.pids[0] !== undefined) llmuxChildren.set(name, t.pids[0]);
        targets.push(t);
        targetsInfo.push({ name, label: t.label, status: 'measured' });
        say(`bench: ${name} ready (${t.label})`);
      } catch (e) {
        const reason = (e as Error).message;
        targetsInfo.push({ name, label: name, status: 'failed', reason });
        if (name === 'portkey') peers[0] = { name: 'Portkey AI Gateway', version: portkeyVersion(root), status: 'failed', reason };
        say(`bench: ${name} could not be started: ${reason}; the rest of the run goes on`);
      }
    }

    // The first leg of each target on each scenario warms longer: V8 has not yet compiled that
    // path, and measured CPU per request is about twice as high until it has.
    const primed = new Set<string>();
    /** One leg, alone on the gateway core after the others settled; undefined if it could not run. */
    const measure = async (t: Target, s: Scenario, rate: number, extra: { load?: string; round?: number; durationS?: number }): Promise<Leg | undefined> => {
      const ep = t.endpoint(s)!;
      if (o.cooldownS > 0) await sleep(o.cooldownS * 1000);
      await settle(targets, o.quick ? 3000 : 30_000);
      const long = s.upstream === 'long';
      const job: LoadJob = {
        origin: ep.origin,
        path: ep.request.path,
        headers: ep.headers,
        body: ep.request.body,
        rate,
        durationS: long ? Math.max(o.durationS, 8) : (extra.durationS ?? o.durationS),
        warmupS: long ? 0 : primed.has(`${t.name} ${s.name}`) ? o.warmupS : o.primeS,
        connections: long ? 1200 : 512,
        timeoutMs: long ? 20_000 : 10_000,
        ...(ep.request.endMarker !== undefined ? { endMarker: ep.request.endMarker } : {}),
        watch: { gateway: t.pidsFor?.(s) ?? t.pids, simulator: simPids },
      };
      primed.add(`${t.name} ${s.name}`);
      try {
        const res = await alone(targets, job.watch.gateway, () => runLoadProcess(group, job));
        const leg: Leg = { ...res, target: t.name, scenario: s.name, ...(extra.load ? { load: extra.load } : {}), ...(extra.round ? { round: extra.round } : {}) };
        say(`${describeLeg(leg)}${extra.round ? `  (round ${extra.round})` : ''}`);
        return leg;
      } catch (e) {
        say(`bench: ${s.name} ${rate}/s ${t.name}: ${(e as Error).message}`);
        return undefined;
      }
    };
    const savePartial = (): void =>
      writeFileSync(partialPath, `${JSON.stringify({ startedAt: startedAt.toISOString(), options: o, legs, rounds, skipped }, null, 2)}\n`);

    // "target scenario" → the leg that overwhelmed it; rates above it are not attempted (and said so).
    const beaten = new Map<string, Leg>();
    for (const s of scenarios) {
      for (const { rate, load } of ratesFor(s, o)) {
        for (const t of targets) {
          if (!t.endpoint(s)) continue;
          const lost = beaten.get(`${t.name} ${s.name}`);
          if (lost) {
            skipped.push({ target: t.name, scenario: s.name, rate, reason: skipReason(lost) });
            say(`${s.name.padEnd(16)} ${`${rate}/s`.padStart(12)} ${t.name.padEnd(14)} not attempted (${skipReason(lost)})`);
            continue;
          }
          const leg = await measure(t, s, rate, load ? { load } : {});
          if (!leg) continue;
          legs.push(leg);
          if (!load && overwhelmed(leg)) beaten.set(`${t.name} ${s.name}`, leg);
          savePartial();
        }
      }
    }

    // More rounds of the legs the P50, P99 and CPU targets read, alternating targets as above: one
    // 10 s leg's P50 moves by about ±0.2 ms on this kind of machine, as much as the overhead being
    // judged, its P99 at 5000/s turns on a handful of pauses, and CPU per request moves with the host.
    // A leg runs only where llmux and the target it is judged against (direct, or the floor) both run.
    const roundLegs = ROUND_LEGS.flatMap(({ scenario: name, rate, fullLength, targets: names }) => {
      const s = scenarios.find((x) => x.name === name);
      const ts = targets.filter((t) => names.includes(t.name));
      if (!s || !o.rates.includes(rate) || !ts.some((t) => t.name === 'llmux') || !ts.some((t) => t.name === names[0])) return [];
      return [{ s, rate, ts, durationS: fullLength ? o.durationS : Math.min(o.durationS, ROUND_MAX_S) }];
    });
    if (o.rounds > 1 && roundLegs.length) {
      say(`bench: ${o.rounds - 1} more round${o.rounds > 2 ? 's' : ''} of ${roundLegs.map((x) => `${x.s.name}@${x.rate} (${x.ts.map((t) => t.name).join(', ')})`).join(', ')}, for the P50, P99 and CPU verdicts`);
      for (let round = 2; round <= o.rounds; round++) {
        for (const { s, rate, ts, durationS } of roundLegs) {
          // A target this run already found overwhelmed at the rate is not sent it again.
          for (const t of ts.filter((x) => (beaten.get(`${x.name} ${s.name}`)?.rate ?? Infinity) > rate)) {
            const leg = await measure(t, s, rate, { round, durationS });
            if (!leg) continue;
            rounds.push(leg);
            savePartial();
          }
        }
      }
    }

    const soakTarget = targets.find((t) => t.name === 'llmux');
    if (o.soakS > 0 && soakTarget) {
      say(`bench: soak: llmux, chat at ${o.soakRate}/s for ${o.soakS} s, RSS sampled every 10 s`);
      const ep = soakTarget.endpoint(scenario('chat'))!;
      const samples: SoakSample[] = [];
      const t0 = Date.now();
      const pids = soakTarget.pids.flatMap((p) => processTree(p));
      const sample = (): void => {
        const x = sampleProcesses(pids);
        samples.push({ t: (Date.now() - t0) / 1000, rssKb: x.rssKb, hwmKb: x.hwmKb });
      };
      sample();
      const timer = setInterval(sample, 10_000);
      try {
        const job: LoadJob = {
          origin: ep.origin,
          path: ep.request.path,
          headers: ep.headers,
          body: ep.request.body,
          rate: o.soakRate,
          durationS: o.soakS,
          warmupS: 0,
          connections: 512,
          timeoutMs: 10_000,
          watch: { gateway: soakTarget.pids, simulator: simPids },
        };
        const res = await alone(targets, soakTarget.pids, () => runLoadProcess(group, job));
        sample();
        soak = { target: 'llmux', rate: o.soakRate, durationS: o.soakS, samples, leg: { ...res, target: 'llmux', scenario: 'chat', load: 'soak' } };
      } finally {
        clearInterval(timer);
      }
    }
  } finally {
    await group.stopAll();
  }

  // A peer that failed whole scenarios says so in the report, with its own words for it.
  const pk = peers.findIndex((p) => p.name === 'Portkey AI Gateway' && p.status === 'measured');
  if (pk >= 0) {
    const broken = legs.filter((l) => l.target === 'portkey' && l.ok === 0);
    if (broken.length) {
      const names = [...new Set(broken.map((l) => l.scenario))];
      const logLine = lastErrorLine(join(workDir, 'portkey.log'));
      peers[pk] = {
        ...peers[pk]!,
        reason: `answered every request with an error on ${names.join(', ')} (${broken[0]!.firstError ?? 'no detail'})${logLine ? `; its log says: ${logLine}` : ''}`,
      };
    }
  }

  let profile: BenchResults['profile'];
  if (o.profile) {
    const f = newestProfile(profileDir);
    if (f) profile = { ...summarizeProfile(JSON.parse(readFileSync(f, 'utf8')) as CpuProfile), file: relative(root, f) };
    else say('bench: no CPU profile was written (did llmux exit cleanly?)');
  }
  rmSync(workDir, { recursive: true, force: true });

  const results: BenchResults = {
    version: 1,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
    ...(revision ? { revision } : {}),
    machine: m,
    options: o,
    targets: targetsInfo,
    peers,
    legs,
    ...(rounds.length ? { rounds } : {}),
    ...(skipped.length ? { skipped } : {}),
    ...(soak ? { soak } : {}),
    ...(profile ? { profile } : {}),
  };
  const jsonPath = join(resultsDir, `${stamp}.json`);
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  rmSync(partialPath, { force: true });
  publish(results, jsonPath, o.docs);
  return legs.length ? 0 : 1;
}

/**
 * The tables (on the terminal, and as <results>.md beside a file in bench/results/) and, unless
 * told not to, docs/benchmarks.md.
 */
function publish(results: BenchResults, jsonPath: string, docs: boolean): void {
  const tables = renderTables(results);
  process.stdout.write(`\n${tables}\n`);
  if (dirname(jsonPath) === join(root, 'bench/results')) {
    const mdPath = jsonPath.replace(/\.json$/, '.md');
    writeFileSync(mdPath, `${tables}\n`);
    say(`bench: results in ${relative(root, jsonPath)} and ${relative(root, mdPath)}`);
  }
  if (!docs) return;
  // A wider run is kept (committed) as the reference the quick runs' docs show beside their own.
  const quick = results.options.quick;
  const refPath = join(root, REFERENCE);
  if (!quick) writeFileSync(refPath, `${JSON.stringify(results, null, 2)}\n`);
  let reference: BenchResults | undefined;
  try {
    reference = JSON.parse(readFileSync(refPath, 'utf8')) as BenchResults;
  } catch {
    reference = undefined;
  }
  writeFileSync(join(root, 'docs/benchmarks.md'), renderDocs(results, relative(root, jsonPath), reference && reference.startedAt !== results.startedAt ? { results: reference, path: REFERENCE } : undefined));
  say(`bench: docs/benchmarks.md regenerated${quick ? '' : `; ${REFERENCE} updated`}`);
}

/** `--render FILE`: the report of an earlier run again, after the report or docs code changed. */
function render(file: string, docs: boolean): number {
  const path = resolve(file);
  let results: BenchResults;
  try {
    results = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  } catch (e) {
    say(`bench: cannot read ${file}: ${(e as Error).message}`);
    return 1;
  }
  if (results.version !== 1 || !Array.isArray(results.legs)) {
    say(`bench: ${file} is not a results file of npm run bench (version 1)`);
    return 1;
  }
  publish(results, path, docs);
  return 0;
}

function lastErrorLine(path: string): string | undefined {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => /error/i.test(l) && !/^\s+at /.test(l));
    return lines.at(-1)?.trim().slice(0, 200);
  } catch {
    return undefined;
  }
}

function gitRevision(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const argv = process.argv.slice(2);
const parsed = parseBenchArgs(argv, availableParallelism());
if ('help' in parsed) {
  process.stdout.write(`${parsed.help}\n`);
} else if ('error' in parsed) {
  process.stderr.write(`bench: ${parsed.error}\n`);
  process.exitCode = 2;
} else if (parsed.options.render !== undefined) {
  process.exitCode = render(parsed.options.render, parsed.options.docs);
} else {
  bench(parsed.options, argv).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`bench: ${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
