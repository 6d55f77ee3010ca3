import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DEFAULT_URL, listenToUrl, normaliseUrl, resolveConnection } from './connection.js';
import { CliFailure, EXIT } from './failure.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A fresh folder holding the given files. */
function folder(files: Record<string, string> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'llmux-cli-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const LLMUX = 'listen = "127.0.0.1:7001"\nadmin_token = "from-llmux-toml"\n';
const CRAB = 'listen = "0.0.0.0:7002"\nadmin_token = "from-crabllm-toml"\n';

test('with nothing set: the default URL and no token', () => {
  const c = resolveConnection({}, {}, folder());
  assert.equal(c.url, DEFAULT_URL);
  assert.equal(c.url, 'http://127.0.0.1:5632');
  assert.equal(c.urlSource, 'the default');
  assert.equal(c.token, undefined);
  assert.equal(c.tokenSource, undefined);
});

test('order: flags > LLMUX_URL/LLMUX_TOKEN > llmux.toml > crabllm.toml > default', () => {
  const both = folder({ 'llmux.toml': LLMUX, 'crabllm.toml': CRAB });
  const env = { LLMUX_URL: 'http://env-host:7100', LLMUX_TOKEN: 'from-env' };

  const flags = resolveConnection({ url: 'http://flag-host:7200', token: 'from-flag' }, env, both);
  assert.deepEqual([flags.url, flags.urlSource, flags.token, flags.tokenSource], ['http://flag-host:7200', '--url', 'from-flag', '--token']);

  const fromEnv = resolveConnection({}, env, both);
  assert.deepEqual([fromEnv.url, fromEnv.urlSource, fromEnv.token, fromEnv.tokenSource], ['http://env-host:7100', 'LLMUX_URL', 'from-env', 'LLMUX_TOKEN']);

  const fromLlmux = resolveConnection({}, {}, both);
  assert.equal(fromLlmux.url, 'http://127.0.0.1:7001');
  assert.equal(fromLlmux.token, 'from-llmux-toml');
  assert.equal(fromLlmux.tokenSource, `admin_token in ${join(both, 'llmux.toml')}`);
  assert.equal(fromLlmux.urlSource, `listen in ${join(both, 'llmux.toml')}`);

  const crabOnly = folder({ 'crabllm.toml': CRAB });
  const fromCrab = resolveConnection({}, {}, crabOnly);
  assert.equal(fromCrab.url, 'http://127.0.0.1:7002');
  assert.equal(fromCrab.token, 'from-crabllm-toml');

  // Each setting falls through on its own: the URL from the env, the token from the file.
  const mixed = resolveConnection({}, { LLMUX_URL: 'http://env-host:7100' }, both);
  assert.deepEqual([mixed.url, mixed.token], ['http://env-host:7100', 'from-llmux-toml']);
  // An empty variable counts as unset.
  assert.equal(resolveConnection({}, { LLMUX_TOKEN: '' }, both).token, 'from-llmux-toml');
});

test('--config names the file, relative to the working folder, instead of the discovered ones', () => {
  const d = folder({ 'llmux.toml': LLMUX, 'other.toml': 'listen = "127.0.0.1:7300"\nadmin_token = "other"\n' });
  const c = resolveConnection({ config: 'other.toml' }, {}, d);
  assert.deepEqual([c.url, c.token, c.configPath], ['http://127.0.0.1:7300', 'other', join(d, 'other.toml')]);
  assert.throws(
    () => resolveConnection({ config: 'missing.toml', url: 'http://x:1', token: 't' }, {}, d),
    (e: unknown) => e instanceof CliFailure && e.exitCode === EXIT.USAGE && e.message.includes('missing.toml') && e.message.includes('ENOENT'),
  );
});

test('wildcard listen addresses connect to loopback', () => {
  assert.equal(listenToUrl('0.0.0.0:5632'), 'http://127.0.0.1:5632');
  assert.equal(listenToUrl('[::]:8080'), 'http://[::1]:8080');
  assert.equal(listenToUrl(':9000'), 'http://127.0.0.1:9000');
  assert.equal(listenToUrl('localhost:5632'), 'http://localhost:5632');
  assert.equal(listenToUrl('[::1]:5632'), 'http://[::1]:5632');
  assert.throws(() => listenToUrl('5632'), (e: unknown) => e instanceof CliFailure && e.exitCode === EXIT.USAGE);
  const d = folder({ 'llmux.toml': 'listen = "[::]:7400"\n' });
  assert.equal(resolveConnection({}, {}, d).url, 'http://[::1]:7400');
});

test('${VAR} in admin_token (and listen) is expanded from the environment', () => {
  const d = folder({ 'llmux.toml': 'listen = "${HOST:-127.0.0.2}:7500"\nadmin_token = "${ADMIN_TOKEN}"\n' });
  const c = resolveConnection({}, { ADMIN_TOKEN: 'tok-from-var' }, d);
  assert.equal(c.token, 'tok-from-var');
  assert.equal(c.url, 'http://127.0.0.2:7500');
  assert.deepEqual(c.warnings, []);

  // Unset: no token is sent, and the user is told why.
  const unset = resolveConnection({}, {}, d);
  assert.equal(unset.token, undefined);
  assert.equal(unset.tokenSource, undefined);
  assert.equal(unset.warnings.length, 1);
  assert.match(unset.warnings[0]!, /llmux\.toml: admin_token: environment variable ADMIN_TOKEN is not set/);
});

test('only listen and admin_token are read: the rest of the file may have problems', () => {
  const d = folder({
    'llmux.toml': 'listen = "127.0.0.1:7600"\nadmin_token = "t"\nnot_a_setting = 1\n[providers.x]\nkind = 42\nweight = "heavy"\n',
  });
  const c = resolveConnection({}, {}, d);
  assert.deepEqual([c.url, c.token], ['http://127.0.0.1:7600', 't']);
});

test('a file with broken TOML is an error only when it is needed', () => {
  const d = folder({ 'llmux.toml': 'listen = "127.0.0.1:7700\n' });
  assert.throws(
    () => resolveConnection({}, {}, d),
    (e: unknown) => e instanceof CliFailure && e.exitCode === EXIT.USAGE && /llmux\.toml:\d+:\d+: invalid TOML/.test(e.message),
  );
  const c = resolveConnection({ url: 'http://127.0.0.1:1234', token: 'ok' }, {}, d);
  assert.deepEqual([c.url, c.token, c.configPath], ['http://127.0.0.1:1234', 'ok', undefined]);
});

test('URLs: a scheme is added when missing, trailing slashes and a path prefix are kept clean', () => {
  assert.equal(normaliseUrl('localhost:5632', 'x'), 'http://localhost:5632');
  assert.equal(normaliseUrl('https://gw.example/llmux/', 'x'), 'https://gw.example/llmux');
  assert.equal(normaliseUrl('http://127.0.0.1:5632///', 'x'), 'http://127.0.0.1:5632');
  for (const bad of ['ftp://h/', 'http://user:pw@h/', 'http://h/?a=1', 'http://[nope']) {
    assert.throws(() => normaliseUrl(bad, '--url'), (e: unknown) => e instanceof CliFailure && e.exitCode === EXIT.USAGE, bad);
  }
  assert.throws(() => normaliseUrl('http://user:hunter2@h/', '--url'), (e: unknown) => e instanceof Error && !e.message.includes('hunter2'));
});
