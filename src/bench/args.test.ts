import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseBenchArgs } from './args.js';

test('--quick is chat and stream at 1000 and 2000/s, 5 s legs, direct, floor and llmux, no soak', () => {
  const r = parseBenchArgs(['--quick'], 2);
  assert.ok('options' in r);
  const o = r.options;
  assert.deepEqual(o.scenarios, ['chat', 'stream']);
  assert.deepEqual(o.targets, ['direct', 'floor', 'llmux']);
  assert.deepEqual(o.rates, [1000, 2000]);
  assert.equal(o.durationS, 5);
  assert.equal(o.warmupS, 1);
  assert.equal(o.primeS, 2);
  assert.equal(o.soakS, 0);
  assert.equal(o.rounds, 1, 'one round: the scenario legs themselves');
  assert.equal(o.quick, true);
});

test('the full run covers every scenario and target, crabllm rates, 30 s legs and a 10-minute soak', () => {
  const r = parseBenchArgs([], 4);
  assert.ok('options' in r);
  assert.equal(r.options.scenarios.length, 8);
  assert.ok(r.options.targets.includes('portkey'));
  assert.deepEqual(r.options.rates, [100, 500, 1000, 2000, 5000]);
  assert.deepEqual(r.options.payloadRates, [100, 500, 1000]);
  assert.equal(r.options.durationS, 30);
  assert.equal(r.options.soakS, 600);
  assert.equal(r.options.rounds, 5);
  assert.equal(r.options.workers, 4);
});

test('flags narrow a run, in either --flag value or --flag=value form', () => {
  const r = parseBenchArgs(['--quick', '--rates', '500,5000', '--duration=2', '--targets', 'direct,portkey', '--scenarios=embeddings', '--workers', '3', '--rounds=3', '--profile', '--no-docs'], 2);
  assert.ok('options' in r);
  assert.deepEqual(r.options.rates, [500, 5000]);
  assert.deepEqual(r.options.payloadRates, [500, 5000]);
  assert.equal(r.options.durationS, 2);
  assert.deepEqual(r.options.targets, ['direct', 'portkey']);
  assert.deepEqual(r.options.scenarios, ['embeddings']);
  assert.equal(r.options.workers, 3);
  assert.equal(r.options.rounds, 3);
  assert.equal(r.options.profile, true);
  assert.equal(r.options.docs, false);
});

test('bad values are refused with the flag named', () => {
  const err = (argv: string[]): string => {
    const r = parseBenchArgs(argv, 2);
    assert.ok('error' in r, `expected an error for ${argv.join(' ')}`);
    return r.error;
  };
  assert.match(err(['--rates', '100,fast']), /--rates/);
  assert.match(err(['--duration', '0']), /--duration/);
  assert.match(err(['--targets', 'direct,nginx']), /unknown "nginx"/);
  assert.match(err(['--scenarios', '']), /--scenarios/);
  assert.match(err(['--workers', '1.5']), /whole number/);
  assert.match(err(['--rounds', '2.5']), /--rounds: expected a whole number/);
  assert.match(err(['--rounds', '0']), /--rounds/);
  assert.match(err(['--duration']), /needs a value/);
  assert.match(err(['--fast']), /unknown option/);
});

test('--soak 0 and --warmup 0 are allowed; --help answers with the usage', () => {
  const r = parseBenchArgs(['--soak', '0', '--warmup', '0'], 2);
  assert.ok('options' in r);
  assert.equal(r.options.soakS, 0);
  assert.equal(r.options.warmupS, 0);
  assert.equal(r.options.primeS, 0, 'no warm-up asked for, none given to first legs either');
  const w = parseBenchArgs(['--warmup', '2'], 2);
  assert.ok('options' in w);
  assert.equal(w.options.primeS, 6, 'first legs warm three times as long, up to the default');
  const h = parseBenchArgs(['--help'], 2);
  assert.ok('help' in h && h.help.includes('--quick'));
});

test('--render takes the results file to rebuild the report from', () => {
  const p = parseBenchArgs(['--render', 'bench/results/x.json'], 2);
  assert.ok('options' in p);
  assert.equal(p.options.render, 'bench/results/x.json');
  const q = parseBenchArgs(['--render=bench/reference.json', '--no-docs'], 2);
  assert.ok('options' in q);
  assert.equal(q.options.render, 'bench/reference.json');
  assert.equal(q.options.docs, false);
  assert.deepEqual(parseBenchArgs(['--render'], 2), { error: '--render needs a value' });
});
