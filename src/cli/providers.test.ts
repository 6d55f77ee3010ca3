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
  stub.providers.clear();
  stub.providers.set('openai', { name: 'openai', kind: 'openai', api_key: 'sk-proj-abcdefghijkl', models: ['gpt-4o', 'gpt-4o-mini'], weight: 1, source: 'config' });
  stub.providers.set('local', { name: 'local', kind: 'ollama', base_url: 'http://127.0.0.1:11434/v1', models: ['llama3'], weight: 3, max_retries: 1, source: 'dynamic' });
});

const env = () => ({ LLMUX_URL: stub.url, LLMUX_TOKEN: stub.token });
const SECRET = 'sk-ant-api03-VERYSECRETVALUE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCY';
const STS = 'FwoGZXIvYXdzEJr//////////wEaDG';

test('providers list: crabctl’s columns, key prefix only', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['providers', 'list'], c.io), 0);
  assert.deepEqual([stub.requests[0]!.method, stub.requests[0]!.path], ['GET', '/v1/admin/providers']);
  assert.equal(
    c.out(),
    [
      'NAME    KIND    MODELS               BASE URL                   API KEY      WEIGHT  SOURCE',
      '------  ------  -------------------  -------------------------  -----------  ------  -------',
      'openai  openai  gpt-4o, gpt-4o-mini  -                          sk-proj-...  1       config',
      'local   ollama  llama3               http://127.0.0.1:11434/v1  -            3       dynamic',
      '',
    ].join('\n'),
  );
});

test('providers create: every flag becomes its field; secrets are sent but never printed', async () => {
  const c = captureIO(env());
  const argv = [
    'providers', 'create', 'claude', '--kind', 'anthropic', '--api-key', SECRET, '--models', 'claude-sonnet-4,claude-haiku-4',
    '--weight', '2', '--max-retries', '4', '--timeout', '45', '--connect-timeout', '5', '--idle-timeout', '90.5', '--total-timeout', '900', '-vv',
  ];
  assert.equal(await runCli(argv, c.io), 0);
  const r = stub.requests[0]!;
  assert.deepEqual([r.method, r.path], ['POST', '/v1/admin/providers']);
  assert.deepEqual(r.body, {
    name: 'claude',
    kind: 'anthropic',
    api_key: SECRET,
    models: ['claude-sonnet-4', 'claude-haiku-4'],
    weight: 2,
    max_retries: 4,
    timeout: 45,
    connect_timeout: 5,
    idle_timeout: 90.5,
    total_timeout: 900,
  });
  assert.match(c.out(), /^API Key: +sk-ant-a\.\.\.$/m);
  assert.match(c.out(), /^Idle Timeout: +90\.5s$/m);
  assert.match(c.out(), /^Source: +dynamic$/m);
  assert.ok(!c.out().includes(SECRET) && !c.err().includes(SECRET), 'the api key is never printed');
  assert.ok(!c.err().includes(stub.token), 'the admin token is never printed');
  assert.match(c.err(), new RegExp(`^> POST ${stub.url}/v1/admin/providers$`, 'm'));
  assert.match(c.err(), /^> authorization: Bearer <hidden, from LLMUX_TOKEN>$/m);
  assert.match(c.err(), /"api_key":"<hidden>"/);
  assert.match(c.err(), /^< 201 Created \(\d+ ms\)$/m);
});

test('providers create for bedrock sends region, access key, secret key and session token', async () => {
  const c = captureIO(env());
  const argv = ['providers', 'create', 'bed', '--kind', 'bedrock', '--region', 'eu-west-1', '--access-key', 'AKIAIOSFODNN7EXAMPLE', '--secret-key', AWS_SECRET, '--session-token', STS, '--models', 'anthropic.claude-3-haiku'];
  assert.equal(await runCli(argv, c.io), 0);
  assert.deepEqual(stub.requests[0]!.body, {
    name: 'bed',
    kind: 'bedrock',
    region: 'eu-west-1',
    access_key: 'AKIAIOSFODNN7EXAMPLE',
    secret_key: AWS_SECRET,
    session_token: STS,
    models: ['anthropic.claude-3-haiku'],
  });
  assert.match(c.out(), /^Access Key: +AKIAIOSF\.\.\.$/m);
  for (const s of [AWS_SECRET, STS, 'AKIAIOSFODNN7EXAMPLE']) assert.ok(!c.out().includes(s) && !c.err().includes(s), s);
});

test('providers create refused by the server (400) → exit 1 with its message; --api-version reaches it', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['providers', 'create', 'az', '--kind', 'azure', '--api-version', '2024-10-21', '--models', 'gpt-4o'], c.io), 1);
  assert.deepEqual(stub.requests[0]!.body, { name: 'az', kind: 'azure', api_version: '2024-10-21', models: ['gpt-4o'] });
  assert.equal(c.err(), 'error: 400 failed to rebuild registry: azure provider requires base_url\n');
  assert.equal(c.out(), '');
});

test('providers create of a name the config file manages → 409 → exit 1', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['providers', 'create', 'openai', '--models', 'gpt-4o'], c.io), 1);
  assert.equal(c.err(), "error: 409 provider 'openai' is managed by config file\n");
});

test('providers update sends only the given fields, and --clear sends null', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['providers', 'update', 'local', '--weight', '5', '--clear', 'max-retries', '--kind', 'openai', '--clear', 'base_url'], c.io), 0);
  assert.equal(stub.requests.length, 1);
  assert.equal(stub.requests[0]!.method, 'PATCH');
  assert.equal(stub.requests[0]!.path, '/v1/admin/providers/local');
  assert.deepEqual(stub.requests[0]!.body, { kind: 'openai', weight: 5, max_retries: null, base_url: null });
  assert.equal(stub.providers.get('local')!.max_retries, undefined);
  assert.match(c.out(), /^Kind: +openai$/m);
  assert.match(c.out(), /^Weight: +5$/m);
  assert.match(c.out(), /^Max Retries: +-$/m);
  assert.match(c.out(), /^Base URL: +-$/m);
});

test('providers update --json prints the server’s answer; config providers are refused with 403 → exit 1', async () => {
  const c = captureIO(env());
  assert.equal(await runCli(['providers', 'update', 'local', '--models', 'llama3,qwen2', '--json'], c.io), 0);
  assert.deepEqual(JSON.parse(c.out()), {
    name: 'local',
    kind: 'ollama',
    base_url: 'http://127.0.0.1:11434/v1',
    models: ['llama3', 'qwen2'],
    weight: 3,
    max_retries: 1,
    source: 'dynamic',
  });
  const cfg = captureIO(env());
  assert.equal(await runCli(['providers', 'update', 'openai', '--clear', 'api_key'], cfg.io), 1);
  assert.match(cfg.err(), /^error: 403 provider 'openai' is managed by config file/);
});

test('providers get and delete', async () => {
  const g = captureIO(env());
  assert.equal(await runCli(['providers', 'get', 'openai'], g.io), 0);
  assert.match(g.out(), /^Name: +openai\nKind: +openai\nModels: +gpt-4o, gpt-4o-mini\nBase URL: +-\nAPI Key: +sk-proj-\.\.\.\n/);
  assert.ok(!g.out().includes('sk-proj-abcdefghijkl'));
  const d = captureIO(env());
  assert.equal(await runCli(['providers', 'delete', 'local'], d.io), 0);
  assert.deepEqual([stub.requests.at(-1)!.method, stub.requests.at(-1)!.path], ['DELETE', '/v1/admin/providers/local']);
  assert.equal(d.out(), "Provider 'local' deleted.\n");
  const missing = captureIO(env());
  assert.equal(await runCli(['providers', 'get', 'local'], missing.io), 1);
  assert.equal(missing.err(), "error: 404 provider 'local' not found\n");
});

test('--json hides a provider secret even if a server sends it whole', async () => {
  stub.override = () => ({ status: 200, body: [{ name: 'leaky', kind: 'openai', api_key: SECRET, models: [], source: 'dynamic' }] });
  const c = captureIO(env());
  assert.equal(await runCli(['providers', 'list', '--json'], c.io), 0);
  assert.deepEqual(JSON.parse(c.out()), [{ name: 'leaky', kind: 'openai', api_key: '<hidden>', models: [], source: 'dynamic' }]);
});
