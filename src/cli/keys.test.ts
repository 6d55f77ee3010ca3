import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { runCli } from './run.js';
import { captureIO, startStubAdmin, type StubAdmin } from './stub-admin.js';

let stub: StubAdmin;
before(async () => {
  stub = await startStubAdmin();
});
after(() => stub.close());
beforeEach(() => {
  stub.requests.length = 0;
  stub.override = undefined;
  stub.keys.clear();
  stub.keys.set('default', { name: 'default', key: 'sk-cfg0123456789abcdef', models: ['*'], rate_limit: { requests_per_minute: 60 }, source: 'config' });
  stub.keys.set('ci', { name: 'ci', key: 'sk-dyn9876543210fedcba', models: ['gpt-4o', 'claude-sonnet-4'], rate_limit: { requests_per_minute: 10, tokens_per_minute: 1000 }, source: 'dynamic' });
});

const env = () => ({ LLMUX_URL: stub.url, LLMUX_TOKEN: stub.token });

test('keys list: GET /v1/admin/keys with the admin token, printed as crabctl’s table', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'list'], c.io), 0);
  assert.equal(stub.requests.length, 1);
  const r = stub.requests[0]!;
  assert.equal(r.method, 'GET');
  assert.equal(r.path, '/v1/admin/keys');
  assert.equal(r.headers.authorization, `Bearer ${stub.token}`);
  assert.equal(r.headers.accept, 'application/json');
  assert.equal(r.body, undefined);
  assert.equal(
    c.out(),
    [
      'NAME     PREFIX       MODELS                   RPM  TPM   SOURCE',
      '-------  -----------  -----------------------  ---  ----  -------',
      'default  sk-cfg01...  *                        60   -     config',
      'ci       sk-dyn98...  gpt-4o, claude-sonnet-4  10   1000  dynamic',
      '',
    ].join('\n'),
  );
  assert.equal(c.err(), '');
});

test('keys list --json prints the server’s JSON unchanged, fields the CLI does not know included', async () => {
  stub.override = (r) => (r.method === 'GET' ? { status: 200, body: [{ name: 'a', key_prefix: 'sk-aaaaa...', models: ['*'], source: 'dynamic', expires_at: 1767225600000 }] } : undefined);
  const c = captureIO(env());
  assert.equal(await runCli(['keys', '--json', 'list'], c.io), 0);
  assert.deepEqual(JSON.parse(c.out()), [{ name: 'a', key_prefix: 'sk-aaaaa...', models: ['*'], source: 'dynamic', expires_at: 1767225600000 }]);
  assert.ok(c.out().includes('\n  {\n    "name": "a"'), 'pretty-printed');
});

test('keys list with no keys prints (no results)', async () => {
  stub.keys.clear();
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'list'], c.io), 0);
  assert.equal(c.out(), '(no results)\n');
});

test('keys create: POST body from the flags, 201, the secret shown once with a warning', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'create', 'team-a', '--models', 'gpt-4o,gpt-4o-mini', '--rpm', '30', '--url', stub.url], c.io), 0);
  const r = stub.requests[0]!;
  assert.equal(r.method, 'POST');
  assert.equal(r.path, '/v1/admin/keys');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.deepEqual(r.body, { name: 'team-a', models: ['gpt-4o', 'gpt-4o-mini'], rate_limit: { requests_per_minute: 30 } });
  const secret = stub.keys.get('team-a')!.key as string;
  assert.match(secret, /^sk-[0-9a-f]{64}$/);
  assert.equal(c.out(), `Name:    team-a\nKey:     ${secret}\nModels:  gpt-4o, gpt-4o-mini\nRPM:     30\nTPM:     -\n`);
  assert.match(c.err(), /^warning: this is the only time the full key is shown/);
});

test('keys create without flags sends only the name (the server defaults models to ["*"])', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'create', 'plain', '--json'], c.io), 0);
  assert.deepEqual(stub.requests[0]!.body, { name: 'plain' });
  const answer = JSON.parse(c.out()) as { name: string; key: string; models: string[] };
  assert.deepEqual(answer, { name: 'plain', key: stub.keys.get('plain')!.key, models: ['*'] });
  assert.match(c.err(), /only time the full key is shown/);
});

test('keys create of an existing name: 409 → exit 1 with the server’s message', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'create', 'ci'], c.io), 1);
  assert.equal(c.err(), "error: 409 key 'ci' already exists\n");
  assert.equal(c.out(), '');
  const cfg = captureIO(env());
  assert.equal(await runCli(['keys', 'create', 'default'], cfg.io), 1);
  assert.equal(cfg.err(), "error: 409 key 'default' is managed by config file\n");
});

test('keys get: detail view; unknown name → 404 → exit 1', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'get', 'ci'], c.io), 0);
  assert.equal(stub.requests[0]!.path, '/v1/admin/keys/ci');
  assert.equal(c.out(), 'Name:    ci\nPrefix:  sk-dyn98...\nModels:  gpt-4o, claude-sonnet-4\nRPM:     10\nTPM:     1000\nSource:  dynamic\n');
  const missing = captureIO(env());
  assert.equal(await runCli(['keys', 'get', 'nope'], missing.io), 1);
  assert.equal(missing.err(), "error: 404 key 'nope' not found\n");
});

test('keys update --rpm alone keeps the existing tpm (crabctl cleared it)', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'update', 'ci', '--rpm', '20'], c.io), 0);
  assert.deepEqual(
    stub.requests.map((r) => [r.method, r.path]),
    [
      ['GET', '/v1/admin/keys/ci'],
      ['PATCH', '/v1/admin/keys/ci'],
    ],
  );
  assert.deepEqual(stub.requests[1]!.body, { rate_limit: { requests_per_minute: 20, tokens_per_minute: 1000 } });
  assert.deepEqual(stub.keys.get('ci')!.rate_limit, { requests_per_minute: 20, tokens_per_minute: 1000 });
  assert.match(c.out(), /^RPM: {5}20$/m);
  assert.match(c.out(), /^TPM: {5}1000$/m);
});

test('keys update --tpm alone on a key without a limit, and both numbers without a fetch', async () => {
  stub.keys.set('bare', { name: 'bare', key: 'sk-bare000000000', models: ['*'], source: 'dynamic' });
  assert.equal(await runCli(['keys', 'update', 'bare', '--tpm', '500'], captureIO(env()).io), 0);
  assert.deepEqual(stub.requests.at(-1)!.body, { rate_limit: { tokens_per_minute: 500 } });
  stub.requests.length = 0;
  assert.equal(await runCli(['keys', 'update', 'ci', '--rpm', '1', '--tpm', '2', '--models', 'gpt-4o'], captureIO(env()).io), 0);
  assert.deepEqual(stub.requests.map((r) => r.method), ['PATCH']);
  assert.deepEqual(stub.requests[0]!.body, { models: ['gpt-4o'], rate_limit: { requests_per_minute: 1, tokens_per_minute: 2 } });
});

test('keys update --clear-rate-limit sends rate_limit: null', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'update', 'ci', '--clear-rate-limit'], c.io), 0);
  assert.deepEqual(stub.requests.map((r) => [r.method, r.body]), [['PATCH', { rate_limit: null }]]);
  assert.equal(stub.keys.get('ci')!.rate_limit, undefined);
  assert.match(c.out(), /^RPM: {5}-$/m);
});

test('keys update of a config key: 403 refusal → exit 1, not an auth failure', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'update', 'default', '--models', 'gpt-4o', '--rpm', '1', '--tpm', '1'], c.io), 1);
  assert.equal(c.err(), "error: 403 key 'default' is managed by config file and cannot be changed via API\n");
});

test('keys delete: 204 → exit 0; the name is percent-encoded as one path segment', async () => {
  stub.keys.set('team a/b?', { name: 'team a/b?', key: 'sk-odd0000000000', models: ['*'], source: 'dynamic' });
  const c = captureIO(env());
  assert.equal(await runCli(['keys', 'delete', 'team a/b?'], c.io), 0);
  assert.equal(stub.requests[0]!.method, 'DELETE');
  assert.equal(stub.requests[0]!.path, '/v1/admin/keys/team%20a%2Fb%3F');
  assert.equal(c.out(), "Key 'team a/b?' deleted.\n");
  assert.equal(stub.keys.has('team a/b?'), false);
  const json = captureIO(env());
  assert.equal(await runCli(['keys', 'delete', 'ci', '--json'], json.io), 0);
  assert.equal(json.out(), '');
  const again = captureIO(env());
  assert.equal(await runCli(['keys', 'delete', 'ci'], again.io), 1);
  assert.equal(again.err(), "error: 404 key 'ci' not found\n");
});
