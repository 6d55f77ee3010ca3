import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { runCli } from './run.js';
import { captureIO, startStubAdmin, type StubAdmin } from './stub-admin.js';

let stub: StubAdmin;
let dir: string;
before(async () => {
  stub = await startStubAdmin('tok-0123456789-admin');
  dir = mkdtempSync(join(tmpdir(), 'llmux-cli-run-'));
});
after(async () => {
  await stub.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  stub.requests.length = 0;
  stub.override = undefined;
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('a wrong admin token: 401 → exit 4, naming where the token came from, never printing it', async () => {
  const c = captureIO({ LLMUX_URL: stub.url, LLMUX_TOKEN: 'tok-wrong-wrong-wrong' });
  assert.equal(await runCli(['keys', 'list', '-vv'], c.io), 4);
  assert.equal(stub.requests[0]!.headers.authorization, 'Bearer tok-wrong-wrong-wrong');
  assert.match(c.err(), /^error: 401 invalid admin token$/m);
  assert.match(c.err(), /^hint: the admin token came from LLMUX_TOKEN; it must match admin_token in the gateway's config$/m);
  assert.match(c.err(), /^hint: set it with --token, LLMUX_TOKEN, or admin_token in llmux\.toml/m);
  assert.ok(!c.err().includes('tok-wrong') && !c.out().includes('tok-wrong'));
});

test('no admin token anywhere: 401 → exit 4 with how to set one', async () => {
  const c = captureIO({ LLMUX_URL: stub.url }, dir);
  assert.equal(await runCli(['providers', 'list'], c.io), 4);
  assert.equal(stub.requests[0]!.headers.authorization, undefined);
  assert.equal(
    c.err(),
    'error: 401 missing or invalid Authorization header\n' +
      'hint: no admin token was found: pass --token, set LLMUX_TOKEN, or set admin_token in llmux.toml (or the file given with --config)\n',
  );
});

test('a 403 with no error envelope (a proxy in front) counts as an auth failure', async () => {
  stub.override = () => ({ status: 403, text: '<html>Forbidden</html>' });
  const c = captureIO({ LLMUX_URL: stub.url, LLMUX_TOKEN: stub.token });
  assert.equal(await runCli(['keys', 'list'], c.io), 4);
  assert.match(c.err(), /^error: 403 <html>Forbidden<\/html>$/m);
});

test('URL and token from llmux.toml in the working folder, ${VAR} expanded, listen 0.0.0.0 → loopback', async () => {
  const port = new URL(stub.url).port;
  const d = mkdtempSync(join(dir, 'cfg-'));
  writeFileSync(join(d, 'llmux.toml'), `listen = "0.0.0.0:${port}"\nadmin_token = "\${MY_ADMIN}"\n[providers.bad]\nkind = 7\n`);
  const c = captureIO({ MY_ADMIN: stub.token }, d);
  assert.equal(await runCli(['keys', 'list', '-v'], c.io), 0);
  assert.equal(stub.requests[0]!.headers.authorization, `Bearer ${stub.token}`);
  assert.match(c.err(), new RegExp(`^\\* llmux at http://127\\.0\\.0\\.1:${port} \\(from listen in .*llmux\\.toml\\); admin token from admin_token in .*llmux\\.toml$`, 'm'));
  assert.match(c.err(), new RegExp(`^> GET http://127\\.0\\.0\\.1:${port}/v1/admin/keys$`, 'm'));
  assert.match(c.err(), /^< 200 OK \(\d+ ms\)$/m);
  assert.ok(!c.err().includes(stub.token));
});

test('connection refused → exit 3 with the address and how to start llmux', async () => {
  const port = await closedPort();
  const c = captureIO({ LLMUX_URL: `http://127.0.0.1:${port}`, LLMUX_TOKEN: 'x' });
  assert.equal(await runCli(['keys', 'list'], c.io), 3);
  assert.equal(c.err(), `error: cannot reach llmux at http://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} — is it running? (npm start)\n`);
});

test('no answer within LLMUX_CLI_TIMEOUT_MS counts as unreachable (exit 3)', async () => {
  const silent: Server = createServer(() => {
    // never answers
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  try {
    const c = captureIO({ LLMUX_URL: url, LLMUX_TOKEN: 'x', LLMUX_CLI_TIMEOUT_MS: '150' });
    const started = Date.now();
    assert.equal(await runCli(['providers', 'list'], c.io), 3);
    assert.ok(Date.now() - started < 5000);
    assert.equal(c.err(), `error: cannot reach llmux at ${url}: no answer within 150 ms (set LLMUX_CLI_TIMEOUT_MS to wait longer) — is it running? (npm start)\n`);
  } finally {
    silent.closeAllConnections();
    await new Promise<void>((r) => silent.close(() => r()));
  }
  const bad = captureIO({ LLMUX_URL: url, LLMUX_CLI_TIMEOUT_MS: 'soon' });
  assert.equal(await runCli(['keys', 'list'], bad.io), 2);
  assert.match(bad.err(), /LLMUX_CLI_TIMEOUT_MS must be a whole number/);
});

test('a 500 is a refusal (exit 1); an answer that is not JSON is reported, not printed as data', async () => {
  stub.override = () => ({ status: 500, body: { error: { message: 'storage unavailable', type: 'server_error' } } });
  const c = captureIO({ LLMUX_URL: stub.url, LLMUX_TOKEN: stub.token });
  assert.equal(await runCli(['keys', 'get', 'x'], c.io), 1);
  assert.equal(c.err(), 'error: 500 storage unavailable\n');

  stub.override = () => ({ status: 200, text: '<html>welcome</html>' });
  const html = captureIO({ LLMUX_URL: stub.url, LLMUX_TOKEN: stub.token });
  assert.equal(await runCli(['keys', 'list'], html.io), 1);
  assert.match(html.err(), new RegExp(`^error: 200 the answer from ${stub.url}/v1/admin/keys is not JSON$`, 'm'));
  assert.equal(html.out(), '');
});

test('a redirect is not followed (it would carry the token elsewhere): exit 1 naming the target', async () => {
  stub.override = (r) => (r.method === 'GET' ? { status: 308, body: { error: { message: 'moved' } } } : undefined);
  const c = captureIO({ LLMUX_URL: stub.url, LLMUX_TOKEN: stub.token });
  assert.equal(await runCli(['keys', 'list'], c.io), 1);
  assert.equal(stub.requests.length, 1);
  assert.match(c.err(), /^error: 308 the gateway redirected the request/m);
});

test('a --url with a path prefix is joined without doubled slashes', async () => {
  stub.override = (r) => ({ status: 200, body: r.path === '/prefix/v1/admin/keys' ? [] : { error: { message: `wrong path ${r.path}` } } });
  const c = captureIO({ LLMUX_TOKEN: stub.token });
  assert.equal(await runCli(['keys', 'list', '--url', `${stub.url}/prefix/`], c.io), 0);
  assert.equal(stub.requests[0]!.path, '/prefix/v1/admin/keys');
  assert.equal(c.out(), '(no results)\n');
});
