import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLine, parseList, parseNumber, readFlags } from './args.js';
import { findCommand } from './commands.js';
import { CliFailure, EXIT } from './failure.js';
import { runCli } from './run.js';

const cmd = (g: string, a: string) => findCommand(g, a)!;

function usage(fn: () => unknown): CliFailure {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CliFailure);
    assert.equal(e.exitCode, EXIT.USAGE);
    return e;
  }
  assert.fail('expected a usage error');
}

test('global flags are accepted before, between and after the command words', () => {
  const p = parseLine(['--json', 'keys', '--url', 'http://gw:1', 'list', '-vv', '--token=t0k', '--config', 'x.toml']);
  assert.deepEqual(p.positionals, ['keys', 'list']);
  assert.deepEqual(p.globals, { json: true, url: 'http://gw:1', token: 't0k', config: 'x.toml', verbose: 2, help: false });
  assert.deepEqual(p.unknown, []);
  assert.equal(parseLine(['-v', 'keys', '-v', 'list']).globals.verbose, 2);
  assert.equal(parseLine(['keys', 'list', '-h']).globals.help, true);
});

test('command flags keep their raw values and order; -- ends flag parsing', () => {
  const p = parseLine(['providers', 'update', 'p1', '--clear', 'api_key', '--weight=3', '--clear', 'region', '--', '--odd-name']);
  assert.deepEqual(p.positionals, ['providers', 'update', 'p1', '--odd-name']);
  assert.deepEqual([...p.flags], [['clear', ['api_key', 'region']], ['weight', ['3']]]);
});

test('--models a,b becomes a list; spaces and empty items are dropped; no names is an error', () => {
  const flags = readFlags(cmd('keys', 'create'), parseLine(['keys', 'create', 'k', '--models', 'gpt-4o, claude-3,,']).flags);
  assert.deepEqual(flags.get('models'), ['gpt-4o', 'claude-3']);
  assert.deepEqual(parseList('models', 'a,b'), ['a', 'b']);
  usage(() => parseList('models', ' , '));
});

test('numbers are checked by kind: rpm ≥ 1, weight ≥ 0, timeouts may be fractional', () => {
  const f = readFlags(cmd('providers', 'create'), parseLine(['--weight', '0', '--max-retries', '5', '--timeout', '1.5', '--idle-timeout=0']).flags);
  assert.equal(f.get('weight'), 0);
  assert.equal(f.get('max_retries'), undefined);
  assert.equal(f.get('max-retries'), 5);
  assert.equal(f.get('timeout'), 1.5);
  assert.equal(f.get('idle-timeout'), 0);
  assert.equal(parseNumber('rpm', 'positive', '60'), 60);
  assert.match(usage(() => parseNumber('rpm', 'positive', '0')).message, /--rpm expects a whole number \(1 or more\), got '0'/);
  usage(() => parseNumber('rpm', 'positive', '1.5'));
  usage(() => parseNumber('weight', 'count', '-1'));
  usage(() => parseNumber('weight', 'count', '12abc'));
  usage(() => parseNumber('weight', 'count', '99999999999999999999'));
  usage(() => parseNumber('timeout', 'seconds', '1e3'));
});

test('a flag of another command, a repeated flag, or a value on a switch is a usage error', () => {
  assert.match(usage(() => readFlags(cmd('providers', 'create'), new Map([['rpm', ['5']]]))).message, /'llmux providers create' has no flag --rpm/);
  assert.match(usage(() => readFlags(cmd('keys', 'create'), new Map([['rpm', ['5', '6']]]))).message, /--rpm is given twice/);
  usage(() => parseLine(['keys', 'list', '--json=yes']));
  usage(() => parseLine(['keys', 'list', '--url']));
  usage(() => parseLine(['--url', 'a', '--url', 'b']));
  assert.match(usage(() => readFlags(cmd('providers', 'update'), new Map([['api-key', ['']]]))).message, /--clear api_key/);
});

test('unknown flags are collected and reported by runCli with exit 2 before anything is sent', async () => {
  assert.deepEqual(parseLine(['keys', 'list', '--modles', 'a', '-x']).unknown, ['--modles', '-x']);
  const err: string[] = [];
  let sent = 0;
  const io = {
    stdout: () => {},
    stderr: (s: string) => void err.push(s),
    env: { LLMUX_URL: 'http://127.0.0.1:9' },
    cwd: '/nonexistent-dir',
    fetchImpl: (async () => {
      sent++;
      throw new Error('must not be called');
    }) as typeof fetch,
  };
  assert.equal(await runCli(['keys', 'create', 'k', '--modles', 'a'], io), 2);
  assert.equal(err[0], "error: unknown flag --modles; did you mean --models?\n");
  assert.equal(err[1], "hint: run 'llmux keys create --help' for usage\n");
  for (const argv of [
    ['keys'],
    ['keyz', 'list'],
    ['keys', 'lst'],
    ['keys', 'get'],
    ['keys', 'get', 'a', 'b'],
    ['keys', 'create', 'k', '--rpm', 'ten'],
    ['providers', 'create', 'p', '--weight', '-2'],
    ['keys', 'update', 'k'],
    ['keys', 'update', 'k', '--rpm', '5', '--clear-rate-limit'],
    ['providers', 'update', 'p'],
    ['providers', 'update', 'p', '--clear', 'models'],
    ['providers', 'update', 'p', '--clear', 'region', '--region', 'eu-west-1'],
    [],
  ]) {
    err.length = 0;
    assert.equal(await runCli(argv, io), 2, argv.join(' '));
    assert.ok(err.at(-1)!.startsWith('hint: run '), `${argv.join(' ')}: ${err.join('')}`);
  }
  assert.equal(sent, 0);
});

test('help is printed to stdout with exit 0, per command too', async () => {
  const out: string[] = [];
  const io = { stdout: (s: string) => void out.push(s), stderr: () => {}, env: {}, cwd: '/' };
  assert.equal(await runCli(['--help'], io), 0);
  assert.match(out.join(''), /llmux providers update <name> \[flags\]/);
  assert.match(out.join(''), /4 {2}authentication failed/);
  out.length = 0;
  assert.equal(await runCli(['providers', 'update', '-h'], io), 0);
  const text = out.join('');
  for (const flag of ['--kind', '--api-key', '--base-url', '--models', '--weight', '--max-retries', '--timeout', '--api-version', '--region', '--access-key', '--secret-key', '--session-token', '--connect-timeout', '--idle-timeout', '--total-timeout', '--clear']) {
    assert.ok(text.includes(`  ${flag} `), flag);
  }
  out.length = 0;
  assert.equal(await runCli(['help', 'keys'], io), 0);
  assert.match(out.join(''), /^Usage: llmux keys <list\|get\|create\|update\|delete>/);
});
