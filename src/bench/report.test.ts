import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBenchArgs } from './args.js';
import type { LatencySummary } from './percentiles.js';
import { checkTargets, cpuRounds, held, highestRateHeld, overhead, overwhelmed, p50Rounds, p99Rounds, renderTables, skipReason } from './report.js';
import type { BenchResults, Leg } from './results.js';
import type { ScenarioName } from './scenarios.js';
import type { TargetName } from './targets.js';

const lat = (p50: number, p99: number): LatencySummary => ({ count: 1000, min: p50 / 2, mean: p50, p50, p90: (p50 + p99) / 2, p99, max: p99 * 2 });

function leg(target: TargetName, scenario: ScenarioName, rate: number, o: { p50: number; p99: number; cpu?: number; achieved?: number; errors?: number; hwmMb?: number }): Leg {
  return {
    target,
    scenario,
    rate,
    durationS: 5,
    scheduled: rate * 5,
    sent: rate * 5,
    ok: rate * 5 - (o.errors ?? 0),
    errors: { status: o.errors ?? 0, transport: 0, body: 0 },
    statusCounts: { '200': rate * 5 },
    achievedRate: o.achieved ?? rate,
    ttfb: lat(o.p50 * 0.9, o.p99 * 0.9),
    ttlb: lat(o.p50, o.p99),
    service: lat(o.p50 - 0.5, o.p99 - 0.5),
    sendLag: lat(0.5, 1.5),
    maxInFlight: 10,
    cpu: { gatewayUsPerReq: target === 'direct' ? Number.NaN : (o.cpu ?? 100), gatewayCores: 0.4, simulatorUsPerReq: 60, loadgenCores: 0.2 },
    memory: { gatewayHwmKb: (o.hwmMb ?? 80) * 1024, gatewayRssKb: 70 * 1024, gatewayProcesses: 1 },
  };
}

function results(legs: Leg[]): BenchResults {
  const parsed = parseBenchArgs(['--quick'], 2);
  assert.ok('options' in parsed);
  return {
    version: 1,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:02:00.000Z',
    command: 'npm run bench -- --quick',
    machine: { nproc: 2, cpuModel: 'test cpu', node: 'v20', kernel: '6', memoryGb: 24, pinned: true },
    options: parsed.options,
    targets: [],
    peers: [],
    legs,
  };
}

/** The leg as run in `round` (round 1 is the scenario's own leg, unmarked). */
const at = (round: number, l: Leg): Leg => (round === 1 ? l : { ...l, round });

/** Results whose legs are the round-1 legs of `all` and whose rounds are the rest. */
function withRounds(all: Leg[]): BenchResults & { rounds: Leg[] } {
  return { ...results(all.filter((l) => l.round === undefined)), rounds: all.filter((l) => l.round !== undefined) };
}

test('a leg holds its rate only with no errors and 95% of the rate achieved', () => {
  assert.equal(held(leg('llmux', 'chat', 1000, { p50: 1, p99: 3 })), true);
  assert.equal(held(leg('llmux', 'chat', 1000, { p50: 1, p99: 3, achieved: 949 })), false);
  assert.equal(held(leg('llmux', 'chat', 1000, { p50: 1, p99: 3, achieved: 950 })), true);
  assert.equal(held(leg('llmux', 'chat', 1000, { p50: 1, p99: 3, errors: 1 })), false);
});

test('overhead is the target minus the direct leg of the same scenario and rate', () => {
  const legs = [leg('direct', 'chat', 1000, { p50: 0.9, p99: 3 }), leg('direct', 'chat', 2000, { p50: 5, p99: 50 }), leg('llmux', 'chat', 1000, { p50: 1.2, p99: 4.5 })];
  const o = overhead(legs, legs[2]!);
  assert.ok(o);
  assert.ok(Math.abs(o.p50 - 0.3) < 1e-9);
  assert.ok(Math.abs(o.p99 - 1.5) < 1e-9);
  assert.equal(overhead(legs, legs[0]!), undefined, 'direct has no overhead over itself');
  assert.equal(overhead([legs[2]!], legs[2]!), undefined, 'no direct leg, no overhead');
});

test('the highest rate held needs P99 under 10 ms as well as the rate', () => {
  const legs = [
    leg('llmux', 'chat', 1000, { p50: 1, p99: 3 }),
    leg('llmux', 'chat', 2000, { p50: 1, p99: 9.9 }),
    leg('llmux', 'chat', 5000, { p50: 4, p99: 40 }),
    leg('floor', 'chat', 5000, { p50: 1, p99: 2, achieved: 4000 }),
  ];
  assert.equal(highestRateHeld(legs, 'llmux', 'chat'), 2000);
  assert.equal(highestRateHeld(legs, 'floor', 'chat'), undefined);
  assert.equal(highestRateHeld(legs, 'llmux', 'stream'), undefined);
});

test('the issue targets are judged from the legs: CPU ratio to the floor, P50 overhead, RSS', () => {
  const legs = [
    leg('direct', 'chat', 1000, { p50: 1, p99: 3 }),
    leg('llmux', 'chat', 1000, { p50: 1.25, p99: 4, hwmMb: 90 }),
    leg('direct', 'chat', 2000, { p50: 1, p99: 3 }),
    leg('floor', 'chat', 2000, { p50: 1.1, p99: 3.2, cpu: 120 }),
    leg('llmux', 'chat', 2000, { p50: 1.3, p99: 4, cpu: 150, hwmMb: 130 }),
    leg('floor', 'stream', 2000, { p50: 1.1, p99: 3.2, cpu: 100 }),
    leg('llmux', 'stream', 2000, { p50: 1.3, p99: 4, cpu: 140 }),
  ];
  const checks = checkTargets(results(legs));
  const by = (prefix: string) => checks.find((c) => c.goal.startsWith(prefix))!;
  assert.equal(by('floor').verdict, 'reference');
  assert.match(by('floor').measured, /120 µs/);
  const ratio = by('llmux CPU');
  assert.equal(ratio.verdict, 'missed', 'stream is 1.4× the floor');
  assert.match(ratio.measured, /chat@2000: 1\.25×/);
  assert.match(ratio.measured, /stream@2000: 1\.40×/);
  assert.equal(by('P50 overhead').verdict, 'met');
  assert.match(by('P50 overhead').measured, /chat: \+0\.25 ms/);
  assert.equal(by('peak RSS').verdict, 'missed');
  assert.match(by('peak RSS').measured, /130\.0 MB/);
  assert.match(by('peak RSS').measured, /the floor's 80\.0 MB/);
  assert.equal(by('5000 chat/s').verdict, 'not measured');
  assert.equal(by('translation').verdict, 'not measured');
});

test('5000 chat/s is met only when held with P99 overhead under 2 ms', () => {
  const ok = [leg('direct', 'chat', 5000, { p50: 1, p99: 3 }), leg('llmux', 'chat', 5000, { p50: 1.4, p99: 4.9 })];
  assert.equal(checkTargets(results(ok)).find((c) => c.goal.startsWith('5000'))!.verdict, 'met');
  const slow = [leg('direct', 'chat', 5000, { p50: 1, p99: 3 }), leg('llmux', 'chat', 5000, { p50: 1.4, p99: 5.1 })];
  assert.equal(checkTargets(results(slow)).find((c) => c.goal.startsWith('5000'))!.verdict, 'missed');
});

test('worker scaling is measured once one worker is saturated, and inferred from CPU per request before that', () => {
  const unsaturated = [leg('llmux', 'chat', 2000, { p50: 1, p99: 3, cpu: 150 }), leg('llmux-workers', 'chat', 2000, { p50: 1, p99: 3, cpu: 180 })];
  const c1 = checkTargets(results(unsaturated)).find((c) => c.goal.includes('workers'))!;
  assert.equal(c1.verdict, 'met (inferred)', '2 × 150 / 180 = 1.67× ≥ 1.6×');
  assert.match(c1.measured, /not saturated/);
  assert.match(c1.measured, /1\.67× on 2 dedicated cores/);
  const costly = [leg('llmux', 'chat', 2000, { p50: 1, p99: 3, cpu: 150 }), leg('llmux-workers', 'chat', 2000, { p50: 1, p99: 3, cpu: 200 })];
  assert.equal(checkTargets(results(costly)).find((c) => c.goal.includes('workers'))!.verdict, 'missed (inferred)', '2 × 150 / 200 = 1.5× < 1.6×');
  const saturated = [leg('llmux', 'chat', 5000, { p50: 5, p99: 30, achieved: 3000 }), leg('llmux-workers', 'chat', 5000, { p50: 1, p99: 3, achieved: 5000 })];
  const c2 = checkTargets(results(saturated)).find((c) => c.goal.includes('workers'))!;
  assert.equal(c2.verdict, 'met', '5000/3000 = 1.67× ≥ 0.8 × 2 = 1.6×');
  assert.match(c2.measured, /1\.67×/);
  const weak = [leg('llmux', 'chat', 5000, { p50: 5, p99: 30, achieved: 3000 }), leg('llmux-workers', 'chat', 5000, { p50: 2, p99: 20, achieved: 4000 })];
  assert.equal(checkTargets(results(weak)).find((c) => c.goal.includes('workers'))!.verdict, 'missed', '1.33× < 1.6×');
});

test('unsaturated worker scaling compares CPU per request at the same rate per worker when the legs allow', () => {
  // One worker at 1000/s and at 2000/s; two workers at 2000/s, i.e. 1000/s each.
  const legs = [
    leg('llmux', 'chat', 1000, { p50: 1, p99: 3, cpu: 200 }),
    leg('llmux', 'chat', 2000, { p50: 1, p99: 3, cpu: 150 }),
    leg('llmux-workers', 'chat', 2000, { p50: 1, p99: 3, cpu: 220 }),
  ];
  const c = checkTargets(results(legs)).find((x) => x.goal.includes('workers'))!;
  assert.equal(c.verdict, 'met (inferred)', '2 × 200 / 220 = 1.82× at 1000/s per worker');
  assert.match(c.measured, /same rate per worker \(220 µs with 2 workers at 2000\/s, primary process included, vs 200 µs with one at 1000\/s\): 1\.82×/);
  assert.match(c.measured, /same total rate, 2000\/s, where each worker runs at 1\/2 of it: 1\.36× \(a lower bound\)/);
  const costly = [legs[0]!, legs[1]!, leg('llmux-workers', 'chat', 2000, { p50: 1, p99: 3, cpu: 260 })];
  assert.equal(checkTargets(results(costly)).find((x) => x.goal.includes('workers'))!.verdict, 'missed (inferred)', '2 × 200 / 260 = 1.54×');
});

test('translation CPU is compared with passthrough at the highest rate both held', () => {
  const legs = [
    leg('llmux', 'chat', 1000, { p50: 1, p99: 3, cpu: 200 }),
    leg('llmux', 'anthropic-chat', 1000, { p50: 1, p99: 3, cpu: 300 }),
    leg('llmux', 'chat', 2000, { p50: 1, p99: 3, cpu: 150 }),
    leg('llmux', 'anthropic-chat', 2000, { p50: 1, p99: 3, cpu: 400, errors: 5 }),
  ];
  const c = checkTargets(results(legs)).find((x) => x.goal.startsWith('translation'))!;
  assert.equal(c.verdict, 'met');
  assert.match(c.measured, /chat@1000: 1\.50×/);
});

test('the tables show each leg with its overhead and flag a rate not held', () => {
  const legs = [leg('direct', 'chat', 1000, { p50: 1, p99: 3 }), leg('llmux', 'chat', 1000, { p50: 1.5, p99: 5, achieved: 700, cpu: 210, hwmMb: 100 })];
  const md = renderTables(results(legs));
  assert.match(md, /### chat: chat completion/);
  assert.match(md, /\| 1000\/s \| llmux \| 700 ⚠ \| 0\/0\/0 \| 1\.50 ms \| 3\.25 ms \| 5\.00 ms \| \+0\.50 ms \| \+2\.00 ms \| 210 µs \| 40% \| 100\.0 MB \|/);
  assert.match(md, /### The harness itself/);
  assert.match(md, /\| llmux \| – \|/, 'llmux held no rate');
});

test('a leg overwhelms its target under half the rate or with most requests failed', () => {
  assert.equal(overwhelmed(leg('portkey', 'chat', 1000, { p50: 700, p99: 1400, achieved: 883 })), false, 'slow but answering');
  assert.equal(overwhelmed(leg('portkey', 'chat', 2000, { p50: 5000, p99: 10000, achieved: 953 })), true);
  const failing = leg('portkey', 'stream', 100, { p50: 1, p99: 3, errors: 500 });
  assert.equal(overwhelmed(failing), true);
  assert.equal(skipReason(failing), '500 of 500 requests failed at 100/s');
  assert.equal(skipReason(leg('portkey', 'chat', 2000, { p50: 5000, p99: 10000, achieved: 953 })), 'answered 953/s of 2000/s');
  assert.equal(overwhelmed(leg('llmux', 'chat', 5000, { p50: 1, p99: 4, errors: 3 })), false, 'a few errors are reported, not skipped over');
});

test('the tables say which rates were not attempted and why', () => {
  const r = results([leg('direct', 'chat', 1000, { p50: 1, p99: 2 }), leg('portkey', 'chat', 1000, { p50: 5000, p99: 9000, achieved: 400 })]);
  r.skipped = [
    { target: 'portkey', scenario: 'chat', rate: 2000, reason: 'answered 400/s of 1000/s' },
    { target: 'portkey', scenario: 'chat', rate: 5000, reason: 'answered 400/s of 1000/s' },
  ];
  assert.match(renderTables(r), /Not attempted: portkey at 2000\/s, 5000\/s \(answered 400\/s of 1000\/s\)\./);
});

test('stream P50 overhead is taken to the first byte; soak growth over the second half, trough to trough', () => {
  const d = leg('direct', 'stream', 1000, { p50: 1, p99: 3 });
  const l = leg('llmux', 'stream', 1000, { p50: 1.5, p99: 4 });
  l.ttfb = lat(1.05, 3);
  d.ttfb = lat(0.9, 2.5);
  const r = results([leg('direct', 'chat', 1000, { p50: 1, p99: 3 }), leg('llmux', 'chat', 1000, { p50: 1.2, p99: 4 }), d, l]);
  const p50 = checkTargets(r).find((c) => c.goal.startsWith('P50 overhead'))!;
  assert.equal(p50.verdict, 'met', 'TTFB +0.15 ms although the last byte is +0.5 ms');
  assert.match(p50.measured, /stream to the first byte: \+0\.15 ms \(to the last: \+0\.50 ms\)/);

  const soak = (mbs: number[]): BenchResults => ({
    ...r,
    soak: { target: 'llmux', rate: 1000, durationS: 600, leg: undefined, samples: mbs.map((m, i) => ({ t: i * 100, rssKb: m * 1024, hwmKb: 200 * 1024 })) },
  });
  const flat = checkTargets(soak([175, 117, 137, 136.8, 137.2, 137.7, 138])).find((c) => c.goal.startsWith('no RSS growth'))!;
  assert.equal(flat.verdict, 'met');
  assert.match(flat.measured, /lowest RSS 136\.8 MB \(at 300 s\) → 137\.7 MB \(at 500 s\) \(\+0\.9 MB\)/);
  const leak = checkTargets(soak([100, 110, 120, 130, 140, 150, 160])).find((c) => c.goal.startsWith('no RSS growth'))!;
  assert.equal(leak.verdict, 'missed');

  // The GC sawtooth (RSS up 30 MB, then back down after a full collection), sampled every 10 s
  // over 600 s: the last sample sits near a tooth's top and the middle one near its foot.
  const tooth = (t: number): number => 70 + 30 * (((t + 20) % 105) / 105);
  const saw = (leakMbPerS: number): BenchResults => ({
    ...r,
    soak: {
      target: 'llmux',
      rate: 1000,
      durationS: 600,
      leg: undefined,
      samples: Array.from({ length: 61 }, (_, i) => ({ t: i * 10, rssKb: (tooth(i * 10) + leakMbPerS * i * 10) * 1024, hwmKb: 200 * 1024 })),
    },
  });
  const s0 = saw(0).soak!.samples;
  assert.ok(s0.at(-1)!.rssKb - s0.find((x) => x.t === 300)!.rssKb > 20 * 1024, 'two single samples would see 20+ MB of growth');
  assert.equal(checkTargets(saw(0)).find((c) => c.goal.startsWith('no RSS growth'))!.verdict, 'met', 'a sawtooth without a leak');
  assert.equal(checkTargets(saw(0.1)).find((c) => c.goal.startsWith('no RSS growth'))!.verdict, 'missed', 'the same sawtooth on 6 MB a minute');
  assert.equal(checkTargets(r).some((c) => c.goal.startsWith('no RSS growth')), false, 'no soak, no row');

  // The sampler's last tick (600.1 s) and the closing reading (600.5 s): one row, the closing one.
  const closing = saw(0);
  closing.soak!.samples[60]!.t = 600.1;
  closing.soak!.samples.push({ t: 600.5, rssKb: 99 * 1024, hwmKb: 200 * 1024 });
  const rows = renderTables(closing).split('\n').filter((line) => /^\| \d+ s \|/.test(line));
  assert.deepEqual(rows.map((line) => line.split(' | ')[0]), ['| 0 s', '| 60 s', '| 120 s', '| 180 s', '| 240 s', '| 300 s', '| 360 s', '| 420 s', '| 480 s', '| 540 s', '| 601 s']);
  assert.match(rows.at(-1)!, /99\.0 MB/);
});

test('with extra rounds, the P50 verdict is the median of the per-round overheads, each against its own round\'s direct leg', () => {
  // Direct drifts from round to round; llmux's overhead is +0.5, +0.2, +0.25, +0.1, +0.28: median +0.25.
  const direct = [1.0, 1.4, 0.8, 1.2, 1.0];
  const over = [0.5, 0.2, 0.25, 0.1, 0.28];
  const chat = direct.flatMap((d, i) => [
    at(i + 1, leg('direct', 'chat', 1000, { p50: d, p99: 3 })),
    at(i + 1, leg('floor', 'chat', 1000, { p50: d + 0.3, p99: 3 })),
    at(i + 1, leg('llmux', 'chat', 1000, { p50: d + over[i]!, p99: 3 })),
  ]);
  const r = withRounds(chat);
  const mine = p50Rounds(r).find((x) => x.target === 'llmux' && x.scenario === 'chat')!;
  assert.deepEqual(mine.rounds, [1, 2, 3, 4, 5]);
  assert.deepEqual(mine.values.map((v) => Math.round(v * 100) / 100), over);
  const check = checkTargets(r).find((c) => c.goal.startsWith('P50 overhead'))!;
  assert.equal(check.verdict, 'met', 'round 1 alone (+0.50 ms) would have missed');
  assert.match(check.goal, /median of the rounds/);
  assert.match(check.measured, /chat: median \+0\.25 ms over 5 rounds \(\+0\.50 ms, \+0\.20 ms, \+0\.25 ms, \+0\.10 ms, \+0\.28 ms\); the floor's median \+0\.30 ms/);

  // The other way round: a good first leg and worse rounds after it miss.
  const bad = chat.map((l) => (l.target === 'llmux' && l.round !== undefined ? { ...l, ttlb: lat(l.ttlb.p50 + 0.3, 3) } : l));
  const r2 = withRounds(bad);
  assert.equal(checkTargets(r2).find((c) => c.goal.startsWith('P50 overhead'))!.verdict, 'missed');

  // A round whose direct leg is missing is left out, not paired with another round's.
  r.rounds = r.rounds.filter((l) => !(l.round === 3 && l.target === 'direct'));
  const gap = p50Rounds(r).find((x) => x.target === 'llmux')!;
  assert.deepEqual(gap.rounds, [1, 2, 4, 5]);
  const table = renderTables(r);
  assert.match(table, /### P50 overhead at 1000\/s, round by round/);
  const row = table.split('\n').find((line) => line.startsWith('| chat | llmux |'))!;
  assert.equal(row, '| chat | llmux | +0.50 ms | +0.20 ms | – | +0.10 ms | +0.28 ms | +0.24 ms |');
  assert.doesNotMatch(renderTables(results(chat.filter((l) => l.round === undefined))), /round by round/, 'one round, no table');
});

test('with extra rounds, the 5000/s P99 verdict is the median of the per-round overheads, and every round must hold the rate', () => {
  // llmux's P99 overhead is +3.1 (a pause in round 1), +1.2, +1.6, +9.0, +1.4: median +1.6.
  const direct = [2.4, 2.2, 3.0, 2.5, 2.3];
  const over = [3.1, 1.2, 1.6, 9.0, 1.4];
  const chat = direct.flatMap((d, i) => [
    at(i + 1, leg('direct', 'chat', 5000, { p50: 0.8, p99: d })),
    at(i + 1, leg('floor', 'chat', 5000, { p50: 1, p99: d + 4 })),
    at(i + 1, leg('llmux', 'chat', 5000, { p50: 1, p99: d + over[i]! })),
    // The 1000/s legs are not read by the P99 rounds.
    at(i + 1, leg('llmux', 'chat', 1000, { p50: 1, p99: 50 })),
  ]);
  const r = withRounds(chat);
  const mine = p99Rounds(r).find((x) => x.target === 'llmux')!;
  assert.deepEqual(mine.rounds, [1, 2, 3, 4, 5]);
  assert.deepEqual(mine.values.map((v) => Math.round(v * 100) / 100), over);
  assert.equal(Math.round(mine.median * 100) / 100, 1.6);
  const check = checkTargets(r).find((c) => c.goal.startsWith('5000 chat/s'))!;
  assert.equal(check.verdict, 'met', 'round 1 alone (+3.10 ms) would have missed');
  assert.match(check.goal, /median of the rounds/);
  assert.match(check.measured, /P99 overhead median \+1\.60 ms over 5 rounds \(\+3\.10 ms, \+1\.20 ms, \+1\.60 ms, \+9\.00 ms, \+1\.40 ms\); the floor's median \+4\.00 ms/);
  const table = renderTables(r);
  assert.match(table, /### P99 overhead at 5000\/s, round by round/);
  const row = table.split('\n').slice(table.split('\n').findIndex((line) => line.startsWith('### P99 overhead'))).find((line) => line.startsWith('| chat | llmux |'))!;
  assert.equal(row, '| chat | llmux | +3.10 ms | +1.20 ms | +1.60 ms | +9.00 ms | +1.40 ms | +1.60 ms |');

  // A round that does not hold the rate fails the target whatever the median, and says which.
  r.rounds = r.rounds.map((l) => (l.target === 'llmux' && l.rate === 5000 && l.round === 3 ? { ...l, achievedRate: 4000 } : l));
  const dropped = checkTargets(r).find((c) => c.goal.startsWith('5000 chat/s'))!;
  assert.equal(dropped.verdict, 'missed');
  assert.match(dropped.measured, /not held in round 3/);
  assert.match(renderTables(r), /\| \+1\.60 ms \(not held\) \|/);

  // Worse rounds after a good first leg miss too.
  const worse = chat.map((l) => (l.target === 'llmux' && l.rate === 5000 ? { ...l, ttlb: lat(1, l.ttlb.p99 + 1) } : l));
  const r2 = withRounds(worse);
  assert.equal(checkTargets(r2).find((c) => c.goal.startsWith('5000 chat/s'))!.verdict, 'missed', 'median +2.60 ms');
});

test('with extra rounds, the CPU verdict is the median of the per-round ratios to the floor, each against its own round', () => {
  // The host's cost moves from round to round for both; llmux/floor is 1.45 (round 1), 1.10, 1.20, 1.15, 1.50: median 1.20.
  const floor = [100, 80, 90, 120, 84];
  const ratio = [1.45, 1.1, 1.2, 1.15, 1.5];
  const all = floor.flatMap((f, i) => [
    at(i + 1, leg('floor', 'stream', 5000, { p50: 1, p99: 3, cpu: f })),
    at(i + 1, leg('llmux', 'stream', 5000, { p50: 1, p99: 3, cpu: f * ratio[i]! })),
    // Chat at 2000/s: 1.05 in every round.
    at(i + 1, leg('floor', 'chat', 2000, { p50: 1, p99: 3, cpu: 2 * f })),
    at(i + 1, leg('llmux', 'chat', 2000, { p50: 1, p99: 3, cpu: 2.1 * f })),
  ]);
  const r = withRounds(all);
  const stream = cpuRounds(r).find((x) => x.scenario === 'stream' && x.rate === 5000)!;
  assert.deepEqual(stream.rounds, [1, 2, 3, 4, 5]);
  assert.deepEqual(stream.values.map((v) => Math.round(v * 100) / 100), ratio);
  assert.equal(Math.round(stream.median * 100) / 100, 1.2);
  const check = checkTargets(r).find((c) => c.goal.startsWith('llmux CPU'))!;
  assert.equal(check.verdict, 'met', 'round 1 alone (1.45×) would have missed');
  assert.match(check.goal, /median of the rounds/);
  assert.match(check.measured, /stream@5000: median 1\.20× over 5 rounds \(1\.45×, 1\.10×, 1\.20×, 1\.15×, 1\.50×\)/);
  assert.match(check.measured, /chat@2000: median 1\.05×/);
  const table = renderTables(r);
  assert.match(table, /### CPU per request against the floor, round by round/);
  assert.ok(table.split('\n').includes('| stream@5000 | llmux | 1.45× | 1.10× | 1.20× | 1.15× | 1.50× | 1.20× |'));

  // A round whose floor leg is missing is left out, not paired with another round's.
  r.rounds = r.rounds.filter((l) => !(l.round === 3 && l.target === 'floor' && l.scenario === 'stream'));
  assert.deepEqual(cpuRounds(r).find((x) => x.scenario === 'stream')!.rounds, [1, 2, 4, 5]);

  // Uniformly worse rounds after a good first leg miss.
  const worse = all.map((l) => (l.target === 'llmux' && l.scenario === 'stream' && l.round !== undefined ? { ...l, cpu: { ...l.cpu, gatewayUsPerReq: l.cpu.gatewayUsPerReq * 1.2 } } : l));
  const r2 = withRounds(worse);
  assert.equal(checkTargets(r2).find((c) => c.goal.startsWith('llmux CPU'))!.verdict, 'missed');
});
