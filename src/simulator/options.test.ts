import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import { parseSimulateArgs } from './cli-args.js';
import { DEMO_SIMULATOR } from './demo.js';
import { parseSimulatorOptions, resolveOptions } from './options.js';

test('defaults are crabllm mock defaults', () => {
  const o = resolveOptions(parseSimulatorOptions({}));
  assert.equal(o.chunks, 20);
  assert.equal(o.ttfbMs, 0);
  assert.equal(o.chunkIntervalMs, 0);
  assert.equal(o.promptTokens, 10);
  assert.equal(o.completionTokens, 20);
  assert.equal(o.embeddingTokens, 5);
  assert.equal(o.embeddingDims, 1536);
  assert.deepEqual(o.errorStatuses, [500]);
  assert.equal(o.retryAfterS, 1);
  assert.equal(o.dropAfterChunks, 10);
  assert.deepEqual(o.models, ['bench-chat', 'bench-embed']);
  assert.equal(o.model, 'bench-chat');
  assert.equal(o.fixedModel, false);
});

test('a TOML [providers.X.simulator] table validates as it is', () => {
  const doc = parseToml(`
[providers.sim]
kind = "simulator"
models = ["bench-chat"]

[providers.sim.simulator]
protocol = "anthropic"
ttfb_ms = 25
chunks = 8
chunk_interval_ms = 5
error_rate = 0.25
error_statuses = [429, 503]
retry_after_s = 2
seed = 7
usage = { prompt_tokens = 3, completion_tokens = 4 }
`) as { providers: { sim: { simulator: unknown } } };
  const opts = parseSimulatorOptions(doc.providers.sim.simulator);
  assert.equal(opts.protocol, 'anthropic');
  const o = resolveOptions(opts);
  assert.equal(o.ttfbMs, 25);
  assert.equal(o.chunks, 8);
  assert.equal(o.dropAfterChunks, 4);
  assert.deepEqual(o.errorStatuses, [429, 503]);
  assert.equal(o.promptTokens, 3);
  assert.equal(o.completionTokens, 4);
  assert.equal(o.embeddingTokens, 5);
});

test('bad settings are rejected with the key path', () => {
  assert.throws(() => parseSimulatorOptions({ error_rate: 1.5 }), /error_rate: error_rate must be at most 1/);
  assert.throws(() => parseSimulatorOptions({ chunks: 0 }), /chunks: chunks must be at least 1/);
  assert.throws(() => parseSimulatorOptions({ error_statuses: [200] }), /error_statuses\.0: error statuses must be 400-599/);
  assert.throws(() => parseSimulatorOptions({ ttfb: 5 }), /ttfb/);
  assert.throws(() => parseSimulatorOptions({ usage: { prompt_tokens: -1 } }), /usage\.prompt_tokens/);
});

test('an empty models list (a config provider without models) falls back to the defaults', () => {
  assert.deepEqual(resolveOptions(parseSimulatorOptions({ models: [] })).models, ['bench-chat', 'bench-embed']);
});

test('preset demo starts from DEMO_SIMULATOR and lets given keys win', () => {
  const o = resolveOptions(parseSimulatorOptions({ preset: 'demo', chunk_interval_ms: 0 }));
  assert.equal(o.content, DEMO_SIMULATOR.content);
  assert.equal(o.chunks, DEMO_SIMULATOR.chunks);
  assert.equal(o.chunkIntervalMs, 0);
  assert.equal(o.completionTokens, DEMO_SIMULATOR.usage?.completion_tokens);
});

test('DEMO_SIMULATOR streams one word per chunk at reading pace, with realistic usage', () => {
  const words = DEMO_SIMULATOR.content!.split(/\s+/);
  assert.ok(words.length > 30 && words.length < 200);
  assert.equal(DEMO_SIMULATOR.chunks, words.length + 1);
  assert.ok(DEMO_SIMULATOR.chunk_interval_ms! >= 30 && DEMO_SIMULATOR.chunk_interval_ms! <= 50);
  assert.match(DEMO_SIMULATOR.content!, /llmux/);
  assert.match(DEMO_SIMULATOR.content!, /provider/);
  const u = DEMO_SIMULATOR.usage!;
  assert.ok(u.completion_tokens! >= words.length && u.completion_tokens! <= words.length * 2);
  assert.doesNotThrow(() => parseSimulatorOptions(DEMO_SIMULATOR));
});

test('parseSimulateArgs maps flags to options', () => {
  const r = parseSimulateArgs([
    '--port', '8123', '--chunks', '7', '--ttfb-ms=15', '--chunk-interval-ms', '3', '--error-rate', '0.5',
    '--error-statuses', '429,503', '--retry-after-s', '4', '--seed', '9', '--models', 'a,b', '--prompt-tokens', '11',
    '--slow-read-ms', '2', '--content', 'hello there',
  ]);
  assert.ok('options' in r, JSON.stringify(r));
  assert.deepEqual(r.options, {
    port: 8123,
    host: '127.0.0.1',
    chunks: 7,
    ttfb_ms: 15,
    chunk_interval_ms: 3,
    error_rate: 0.5,
    error_statuses: [429, 503],
    retry_after_s: 4,
    seed: 9,
    models: ['a', 'b'],
    usage: { prompt_tokens: 11 },
    slow_read_ms: 2,
    content: 'hello there',
  });
});

test('parseSimulateArgs keeps crabllm-bench short flags and defaults', () => {
  const r = parseSimulateArgs(['-p', '9000', '-c', '5', '-d', '50', '-e', '0.1']);
  assert.ok('options' in r);
  assert.equal(r.options.port, 9000);
  assert.equal(r.options.chunks, 5);
  assert.equal(r.options.ttfb_ms, 50);
  assert.equal(r.options.chunk_interval_ms, 50);
  assert.equal(r.options.error_rate, 0.1);
  const d = parseSimulateArgs([]);
  assert.ok('options' in d);
  assert.equal(d.options.port, 9999);
  const demo = parseSimulateArgs(['--demo', '--port', '0']);
  assert.ok('options' in demo);
  assert.equal(demo.options.preset, 'demo');
  assert.equal(demo.options.port, 0);
});

test('parseSimulateArgs reports usage errors and help', () => {
  const unknown = parseSimulateArgs(['--bogus', '1']);
  assert.ok('error' in unknown && unknown.error.startsWith('unknown option "--bogus"'));
  const nan = parseSimulateArgs(['--chunks', 'many']);
  assert.ok('error' in nan && /--chunks: expected a number/.test(nan.error));
  const frac = parseSimulateArgs(['--chunks', '2.5']);
  assert.ok('error' in frac && /whole number/.test(frac.error));
  const missing = parseSimulateArgs(['--port']);
  assert.ok('error' in missing && /--port needs a value/.test(missing.error));
  const range = parseSimulateArgs(['--error-rate', '2']);
  assert.ok('error' in range && /error_rate/.test(range.error));
  const port = parseSimulateArgs(['--port', '70000']);
  assert.ok('error' in port && /0-65535/.test(port.error));
  const help = parseSimulateArgs(['--help']);
  assert.ok('help' in help && help.help.includes('--error-statuses'));
});
