/**
 * The open-loop, fixed-rate load generator. Requests leave on the schedule (schedule.ts) whether
 * or not earlier ones have finished; each one's latency is measured from its *scheduled* time, so
 * queueing in the client, the network or the target is counted. The latency from the moment the
 * request was actually handed to the socket pool is kept too ("service time"), and the client's
 * own lateness is reported, so the harness's share of a figure is visible.
 *
 * undici's dispatch API with a plain handler object keeps the client's cost per request small:
 * no streams, no promises, no body buffering (only the last bytes are kept, to check that a
 * stream really finished).
 */
import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import { Samples, summarize, type LatencySummary } from './percentiles.js';
import { processTree, sampleProcesses, clockTicksPerSecond } from './proc.js';
import { makeSchedule } from './schedule.js';

export interface LoadJob {
  /** http://127.0.0.1:PORT */
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  /** Requests per second. */
  rate: number;
  /** Measured seconds. */
  durationS: number;
  /** Unmeasured seconds at the same rate first (JIT, connection pool, caches). */
  warmupS: number;
  /** Most sockets the client opens. */
  connections: number;
  /** Per-request limit for the headers and between body chunks; also the drain grace after the schedule. */
  timeoutMs: number;
  /** Text the end of a good body must contain (e.g. "[DONE]" for an OpenAI stream). */
  endMarker?: string;
  /** Process trees whose CPU and memory are measured over the leg. */
  watch: { gateway: number[]; simulator: number[] };
}

export interface CpuFigures {
  /** Gateway CPU (all its processes) per completed request, µs. */
  gatewayUsPerReq: number;
  /** Gateway CPU as a share of one core over the leg. */
  gatewayCores: number;
  simulatorUsPerReq: number;
  /** The load generator's own CPU as a share of one core (it shares its core with the simulator). */
  loadgenCores: number;
}

export interface LoadResult {
  rate: number;
  durationS: number;
  /** Requests the schedule called for / actually sent. */
  scheduled: number;
  sent: number;
  /** Responses with a 2xx status and a complete body. */
  ok: number;
  errors: {
    /** Non-2xx responses. */
    status: number;
    /** Connection errors, resets, timeouts, and requests still unanswered after the grace. */
    transport: number;
    /** 2xx responses whose body lacked the end marker (a stream cut short). */
    body: number;
  };
  statusCounts: Record<string, number>;
  /** Good responses per second, from the first good response to the last one. */
  achievedRate: number;
  /** From the scheduled send time to the first body byte / the last byte (ms). */
  ttfb: LatencySummary;
  ttlb: LatencySummary;
  /** From the actual send time to the last byte (ms): what an uncorrected client would report. */
  service: LatencySummary;
  /** How late the client sent (actual − scheduled, ms): the harness's own lag. */
  sendLag: LatencySummary;
  maxInFlight: number;
  cpu: CpuFigures;
  memory: { gatewayHwmKb: number; gatewayRssKb: number; gatewayProcesses: number };
  firstError?: string;
}

interface Phase {
  ttfb: Samples;
  ttlb: Samples;
  service: Samples;
  sendLag: Samples;
  ok: number;
  status: number;
  transport: number;
  body: number;
  statusCounts: Map<number, number>;
  inFlight: number;
  maxInFlight: number;
  lastEnd: number;
  /** When the first good response ended (0 = none yet). */
  firstOk: number;
  firstError: string | undefined;
}

function newPhase(expected: number): Phase {
  return {
    ttfb: new Samples(expected),
    ttlb: new Samples(expected),
    service: new Samples(expected),
    sendLag: new Samples(expected),
    ok: 0,
    status: 0,
    transport: 0,
    body: 0,
    statusCounts: new Map(),
    inFlight: 0,
    maxInFlight: 0,
    lastEnd: 0,
    firstOk: 0,
    firstError: undefined,
  };
}

/** One request's timing and outcome; also its undici handler. */
class Exchange implements Dispatcher.DispatchHandler {
  private statusCode = 0;
  private firstByte = 0;
  private tail = '';
  private errorBody = '';
  private done = false;

  constructor(
    private readonly phase: Phase,
    private readonly scheduled: number,
    private readonly sentAt: number,
    private readonly endMarker: string | undefined,
  ) {}

  onRequestStart(): void {}

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number): void {
    this.statusCode = statusCode;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.firstByte === 0) this.firstByte = performance.now();
    if ((this.statusCode < 200 || this.statusCode > 299) && this.phase.firstError === undefined && this.errorBody.length < 300) {
      this.errorBody += chunk.toString('utf8', 0, Math.min(chunk.length, 300));
    } else if (this.endMarker !== undefined) {
      // Only the tail matters; keep it short so long streams cost nothing extra.
      const s = chunk.length > 64 ? chunk.toString('latin1', chunk.length - 64) : chunk.toString('latin1');
      this.tail = (this.tail + s).slice(-64);
    }
  }

  onResponseEnd(): void {
    if (this.done) return;
    this.done = true;
    const end = performance.now();
    const p = this.phase;
    p.inFlight--;
    p.lastEnd = end;
    p.statusCounts.set(this.statusCode, (p.statusCounts.get(this.statusCode) ?? 0) + 1);
    if (this.statusCode < 200 || this.statusCode > 299) {
      p.status++;
      p.firstError ??= `HTTP ${this.statusCode}: ${this.errorBody.slice(0, 300)}`;
      return;
    }
    if (this.endMarker !== undefined && !this.tail.includes(this.endMarker)) {
      p.body++;
      return;
    }
    p.ok++;
    if (p.firstOk === 0) p.firstOk = end;
    p.ttfb.push((this.firstByte || end) - this.scheduled);
    p.ttlb.push(end - this.scheduled);
    p.service.push(end - this.sentAt);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.done) return;
    this.done = true;
    const p = this.phase;
    p.inFlight--;
    p.lastEnd = performance.now();
    p.transport++;
    p.firstError ??= `${(err as { code?: string }).code ?? err.name}: ${err.message}`;
  }
}

/** Sends `rate` requests/s for `seconds`; resolves when every one has ended or the grace ran out. */
async function drive(pool: Pool, job: LoadJob, phase: Phase, seconds: number, body: Buffer): Promise<{ start: number; scheduled: number; sent: number; unanswered: number }> {
  const schedule = makeSchedule(job.rate, seconds);
  const opts: Dispatcher.DispatchOptions = { path: job.path, method: 'POST', headers: job.headers, body };
  const start = performance.now() + 5; // a little lead so request 0 is not already late
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = schedule.dueBy(now - start);
      while (sent < due) {
        const scheduled = start + schedule.dueAt(sent);
        const t = performance.now();
        phase.sendLag.push(t - scheduled);
        phase.inFlight++;
        if (phase.inFlight > phase.maxInFlight) phase.maxInFlight = phase.inFlight;
        pool.dispatch(opts, new Exchange(phase, scheduled, t, job.endMarker));
        sent++;
      }
      if (sent >= schedule.total) return resolve();
      // Timers fire no finer than 1 ms; anything due sooner goes out on the next tick, and its
      // lateness is counted in its latency (and in sendLag).
      const wait = start + schedule.dueAt(sent) - performance.now();
      setTimeout(tick, wait > 1 ? Math.floor(wait) : 0);
    };
    setTimeout(tick, 5);
  });
  const deadline = performance.now() + job.timeoutMs;
  while (phase.inFlight > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return { start, scheduled: schedule.total, sent, unanswered: phase.inFlight };
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const body = Buffer.from(job.body);
  const pool = new Pool(job.origin, {
    connections: job.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: job.timeoutMs,
    bodyTimeout: job.timeoutMs,
    connectTimeout: job.timeoutMs,
  });
  try {
    if (job.warmupS > 0) await drive(pool, job, newPhase(Math.ceil(job.rate * job.warmupS)), job.warmupS, body);

    const gatewayPids = job.watch.gateway.flatMap((p) => processTree(p));
    const simPids = job.watch.simulator.flatMap((p) => processTree(p));
    const g0 = sampleProcesses(gatewayPids);
    const s0 = sampleProcesses(simPids);
    const c0 = process.cpuUsage();
    const w0 = performance.now();

    const phase = newPhase(Math.ceil(job.rate * job.durationS));
    const run = await drive(pool, job, phase, job.durationS, body);
    const unanswered = run.unanswered;

    const wall = Math.max(1e-3, (performance.now() - w0) / 1000);
    const g1 = sampleProcesses(gatewayPids);
    const s1 = sampleProcesses(simPids);
    const c1 = process.cpuUsage(c0);
    const tick = 1e6 / clockTicksPerSecond();
    const completed = Math.max(1, phase.ok + phase.status + phase.body);
    // The span from the first good response to the last: a target that falls behind stretches it
    // (and its rate drops), while long streams, which all take the same time, do not.
    const legS = Math.max(job.durationS * (1 - 1 / Math.max(1, run.scheduled)), ((phase.lastEnd || run.start) - (phase.firstOk || run.start)) / 1000);

    const statusCounts: Record<string, number> = {};
    for (const [k, v] of phase.statusCounts) statusCounts[String(k)] = v;
    const result: LoadResult = {
      rate: job.rate,
      durationS: job.durationS,
      scheduled: run.scheduled,
      sent: run.sent,
      ok: phase.ok,
      errors: { status: phase.status, transport: phase.transport + unanswered, body: phase.body },
      statusCounts,
      achievedRate: phase.ok / legS,
      ttfb: summarize(phase.ttfb.sorted()),
      ttlb: summarize(phase.ttlb.sorted()),
      service: summarize(phase.service.sorted()),
      sendLag: summarize(phase.sendLag.sorted()),
      maxInFlight: phase.maxInFlight,
      cpu: {
        gatewayUsPerReq: gatewayPids.length ? ((g1.ticks - g0.ticks) * tick) / completed : Number.NaN,
        gatewayCores: gatewayPids.length ? ((g1.ticks - g0.ticks) * tick) / 1e6 / wall : Number.NaN,
        simulatorUsPerReq: simPids.length ? ((s1.ticks - s0.ticks) * tick) / completed : Number.NaN,
        loadgenCores: (c1.user + c1.system) / 1e6 / wall,
      },
      memory: { gatewayHwmKb: g1.hwmKb, gatewayRssKb: g1.rssKb, gatewayProcesses: g1.pids.length },
    };
    if (unanswered > 0) phase.firstError ??= `${unanswered} requests unanswered ${job.timeoutMs} ms after the schedule ended`;
    if (phase.firstError !== undefined) result.firstError = phase.firstError;
    return result;
  } finally {
    await pool.destroy().catch(() => {});
  }
}
