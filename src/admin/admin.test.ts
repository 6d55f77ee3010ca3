/**
 * End to end: the admin API and the llmux CLI against a running gateway with SQLite storage;
 * runtime keys and providers surviving a restart; file keys and providers read-only; a
 * crabllm.toml loading unchanged; reloading the config.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import OpenAI from 'openai';
import { runCli } from '../cli/index.js';
import { startApp } from '../app.js';
import { captureLogger, startTestGateway, tempDir, TEST_ADMIN, TEST_KEY, type TestGateway } from '../testing/gateway.js';
import { okChat, startMockUpstream, type MockUpstream } from '../testing/mock-upstream.js';

const cleanups: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function cli(gw: TestGateway, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    stdout: (s: string) => void (out += s),
    stderr: (s: string) => void (err += s),
    env: { LLMUX_URL: gw.url, LLMUX_TOKEN: TEST_ADMIN },
    cwd: gw.dir,
  });
  return { code, out, err };
}

function baseConfig(upUrl: string): string {
  return `
admin_token = "${TEST_ADMIN}"
[storage]
kind = "sqlite"
path = "state.db"

[[keys]]
name = "file-key"
key = "${TEST_KEY}"
models = ["*"]

[providers.filed]
base_url = "${upUrl}/v1"
models = ["file-model"]
`;
}

async function admin(gw: TestGateway, method: string, path: string, body?: unknown, token = TEST_ADMIN): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${gw.url}/v1/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

describe('admin API and CLI', () => {
  let up: MockUpstream;

  it('creates providers and keys at run time, and they survive a restart', async () => {
    up = await startMockUpstream(okChat('hello'));
    cleanups.push(() => up.close());
    const dir = tempDir();
    let gw = await startTestGateway(baseConfig(up.url), { dir });

    // A provider created with the CLI, models discovered from the upstream's /models.
    const created = await cli(gw, 'providers', 'create', 'runtime', '--kind', 'openai', '--base-url', `${up.url}/v1`, '--api-key', 'sk-upstream-secret-1');
    assert.equal(created.code, 0, created.err);
    assert.ok(!created.out.includes('sk-upstream-secret-1'), 'the provider secret is never printed');
    const listed = await cli(gw, 'providers', 'list', '--json');
    const providers = JSON.parse(listed.out) as Array<{ name: string; models: string[]; source: string; api_key_prefix?: string }>;
    const rt = providers.find((p) => p.name === 'runtime')!;
    assert.deepEqual(rt.models, ['mock-a', 'mock-b']);
    assert.equal(rt.source, 'dynamic');
    assert.equal(rt.api_key_prefix, 'sk-upstr...');

    // A key created with the CLI, limited to one model, works at once.
    const k = await cli(gw, 'keys', 'create', 'team-a', '--models', 'mock-a', '--json');
    assert.equal(k.code, 0, k.err);
    const secret = (JSON.parse(k.out) as { key: string }).key;
    assert.match(secret, /^sk-[0-9a-f]{64}$/);
    const team = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: secret, maxRetries: 0 });
    assert.equal((await team.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'x' }] })).choices[0]?.message.content, 'hello');
    await assert.rejects(team.chat.completions.create({ model: 'mock-b', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => (e as { status: number }).status === 403);

    // Restart on the same SQLite file.
    await gw.close({ keepDir: true });
    gw = await startTestGateway(baseConfig(up.url), { dir });
    cleanups.push(() => gw.close());
    const again = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: secret, maxRetries: 0 });
    assert.equal((await again.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'x' }] })).choices[0]?.message.content, 'hello');
    const plist = (await admin(gw, 'GET', '/providers')).json as Array<{ name: string }>;
    assert.deepEqual(plist.map((p) => p.name), ['filed', 'runtime']);

    // Update and delete through the CLI; a deleted key stops working at once.
    const upd = await cli(gw, 'keys', 'update', 'team-a', '--models', 'mock-a,mock-b');
    assert.equal(upd.code, 0, upd.err);
    assert.equal((await again.chat.completions.create({ model: 'mock-b', messages: [{ role: 'user', content: 'x' }] })).choices[0]?.message.content, 'hello');
    assert.equal((await cli(gw, 'keys', 'delete', 'team-a')).code, 0);
    await assert.rejects(again.chat.completions.create({ model: 'mock-a', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => (e as { status: number }).status === 401);
    assert.equal((await cli(gw, 'providers', 'delete', 'runtime')).code, 0);
    const gone = await admin(gw, 'GET', '/providers/runtime');
    assert.equal(gone.status, 404);
  });

  it('file-defined keys and providers are read-only; bad input gets precise errors', async () => {
    const gw = await startTestGateway(baseConfig(up.url));
    cleanups.push(() => gw.close());
    assert.equal((await admin(gw, 'DELETE', '/keys/file-key')).status, 403);
    assert.equal((await admin(gw, 'PATCH', '/providers/filed', { weight: 2 })).status, 403);
    assert.equal((await admin(gw, 'POST', '/keys', { name: 'file-key' })).status, 409);
    const bad = await admin(gw, 'POST', '/providers', { name: 'x', kind: 'openai', weight: 'heavy', models: ['a'] });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.json), /weight/);
    const typo = await admin(gw, 'POST', '/providers', { name: 'y', kind: 'openai', api_kye: 'k', models: ['a'] });
    assert.match(JSON.stringify(typo.json), /did you mean \\"api_key\\"/);
    const custom = await admin(gw, 'POST', '/providers', { name: 'z', kind: 'groq', models: ['a'] });
    assert.match(JSON.stringify(custom.json), /base_url: required/);
    const listedKey = ((await admin(gw, 'GET', '/keys/file-key')).json as Record<string, unknown>);
    assert.equal(listedKey['key_prefix'], 'sk-test-...');
    assert.ok(!JSON.stringify(listedKey).includes(TEST_KEY), 'a key secret is never returned');
  });

  it('every admin route needs the admin token; the CLI says so with exit code 4', async () => {
    const gw = await startTestGateway(baseConfig(up.url));
    cleanups.push(() => gw.close());
    for (const [method, path] of [['GET', '/keys'], ['POST', '/keys'], ['GET', '/providers'], ['DELETE', '/providers/filed']] as const) {
      assert.equal((await admin(gw, method, path, method === 'POST' ? { name: 'n' } : undefined, 'wrong')).status, 401, `${method} ${path}`);
    }
    assert.equal((await admin(gw, 'GET', '/keys', undefined, TEST_KEY)).status, 401, 'a client key is not an admin token');
    let err = '';
    const code = await runCli(['keys', 'list'], { stdout: () => undefined, stderr: (s: string) => void (err += s), env: { LLMUX_URL: gw.url, LLMUX_TOKEN: 'wrong' }, cwd: gw.dir });
    assert.equal(code, 4);
    assert.match(err, /token/i);
    const unreachable = await runCli(['keys', 'list'], { stdout: () => undefined, stderr: () => undefined, env: { LLMUX_URL: 'http://127.0.0.1:9', LLMUX_TOKEN: 'x' }, cwd: gw.dir });
    assert.equal(unreachable, 3);
  });

  it('the CLI finds the gateway and token in the config file of the working directory', async () => {
    const dir = tempDir();
    const gw = await startTestGateway(baseConfig(up.url), { dir });
    cleanups.push(() => gw.close());
    // The test gateway listens on an ephemeral port: point the file's listen at it.
    writeFileSync(join(dir, 'llmux.toml'), baseConfig(up.url).replace('admin_token', `listen = "127.0.0.1:${gw.app.port}"\nadmin_token`));
    let out = '';
    const code = await runCli(['keys', 'list'], { stdout: (s: string) => void (out += s), stderr: () => undefined, env: {}, cwd: dir });
    assert.equal(code, 0);
    assert.match(out, /file-key/);
  });
});

describe('config', () => {
  it('loads a crabllm.toml unchanged, with warnings for keys crabllm documented but ignored', async () => {
    const up = await startMockUpstream(okChat('from crabllm config'));
    cleanups.push(() => up.close());
    process.env['LLMUX_TEST_OPENAI_KEY'] = 'sk-from-env';
    const gw = await startTestGateway(`
listen = "127.0.0.1:5632"
admin_token = "${TEST_ADMIN}"
shutdown_timeout = 5
openapi = true

[providers.openai]
kind = "openai"
api_key = "\${LLMUX_TEST_OPENAI_KEY}"
base_url = "${up.url}/v1"
models = ["gpt-4o"]
weight = 2
max_retries = 1
timeout = 30

[providers.azure1]
kind = "azure"
api_key = "az"
base_url = "${up.url}"
api_version = "2024-02-15-preview"
models = ["gpt-35"]

[[keys]]
name = "crab"
key = "${TEST_KEY}"
models = ["*"]
rate_limit = { requests_per_minute = 60, tokens_per_minute = 100000 }

[storage]
kind = "memory"

[aliases]
smart = "gpt-4o"

[models."gpt-4o"]
context_length = 128000
vision = true
[models."gpt-4o".pricing]
prompt_cost_per_million = 2.5
completion_cost_per_million = 10.0

[extensions]
rate_limit = { requests_per_minute = 60 }
usage = {}
cache = { ttl_seconds = 300 }
budget = { default_budget = 10.0 }
audit = {}

[extensions.logging]
level = "info"

[pricing.old]
prompt = 1
`);
    cleanups.push(() => gw.close());
    assert.ok(gw.logs.some((l) => /extensions\.logging\.level: ignored/.test(String(l['msg']))));
    assert.ok(gw.logs.some((l) => /pricing: ignored/.test(String(l['msg']))));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: TEST_KEY, maxRetries: 0 });
    const before = up.requests.length;
    const r = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.choices[0]?.message.content, 'from crabllm config');
    assert.equal(up.requests[before]!.headers['authorization'], 'Bearer sk-from-env', '${VAR} expanded');
    await client.chat.completions.create({ model: 'gpt-35', messages: [{ role: 'user', content: 'x' }] });
    const az = up.requests[before + 1]!;
    assert.equal(az.path, '/openai/deployments/gpt-35/chat/completions?api-version=2024-02-15-preview');
    assert.equal(az.headers['api-key'], 'az');
  });

  it('reload applies new aliases and keys; a key removed from the file stops working', async () => {
    const up = await startMockUpstream(okChat('reloaded'));
    cleanups.push(() => up.close());
    const toml = (extra: string) => `[[keys]]\nname = "k"\nkey = "${TEST_KEY}"\nmodels = ["*"]\n${extra}\n[providers.p]\nbase_url = "${up.url}/v1"\nmodels = ["m"]\n`;
    const gw = await startTestGateway(toml(''));
    cleanups.push(() => gw.close());
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: TEST_KEY, maxRetries: 0 });
    await assert.rejects(client.chat.completions.create({ model: 'nick', messages: [] }), (e: unknown) => (e as { status: number }).status === 404);
    gw.writeConfig(toml('[aliases]\nnick = "m"\n[[keys]]\nname = "k2"\nkey = "sk-second-key-000000"\nmodels = ["*"]\n'));
    const r = await gw.app.reload();
    assert.deepEqual(r.restartNeeded, []);
    assert.equal((await client.chat.completions.create({ model: 'nick', messages: [{ role: 'user', content: 'x' }] })).choices[0]?.message.content, 'reloaded');
    gw.writeConfig(`[[keys]]\nname = "k2"\nkey = "sk-second-key-000000"\nmodels = ["*"]\n[providers.p]\nbase_url = "${up.url}/v1"\nmodels = ["m"]\nlisten = "127.0.0.1:1"\n`.replace('listen = "127.0.0.1:1"\n', ''));
    await gw.app.reload();
    await assert.rejects(client.chat.completions.create({ model: 'm', messages: [] }), (e: unknown) => (e as { status: number }).status === 401);
  });

  it('a change to the file is picked up without a signal; an invalid edit keeps the previous config', async () => {
    const up = await startMockUpstream(okChat('watched'));
    cleanups.push(() => up.close());
    const toml = (aliases: string) => `${aliases}\n[providers.p]\nbase_url = "${up.url}/v1"\nmodels = ["m"]\n`;
    const gw = await startTestGateway(toml(''), { watchConfig: true, configPollMs: 50 });
    cleanups.push(() => gw.close());
    const ask = (model: string) => fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x' }] }) });
    assert.equal((await ask('nick')).status, 404);
    gw.writeConfig(toml('aliases = { nick = "m" }'));
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status = (await ask('nick')).status;
    }
    assert.equal(status, 200, 'the alias added to the file works without a restart');
    gw.writeConfig(toml('aliases = { nick = "m" }\nlisten_typo = 1'));
    for (let i = 0; i < 100 && !gw.logs.some((l) => /reload failed/.test(String(l['msg']))); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(gw.logs.some((l) => /reload failed/.test(String(l['msg'])) && /listen_typo/.test(String(l['err']))), 'the bad edit is reported');
    assert.equal((await ask('nick')).status, 200, 'the previous config stays in force');
  });

  it('writes to other files in the config file’s folder cause no reload', async () => {
    const gw = await startTestGateway('[providers.p]\nbase_url = "http://127.0.0.1:1/v1"\nmodels = ["m"]\n', { watchConfig: true, configPollMs: 50 });
    cleanups.push(() => gw.close());
    const reloads = (): number => gw.logs.filter((l) => l['msg'] === 'config reloaded').length;
    // `mux.toml` is a suffix of `llmux.toml`; a reload would follow the 200 ms debounce.
    writeFileSync(join(dirname(gw.configPath), 'mux.toml'), 'x = 1\n');
    writeFileSync(join(dirname(gw.configPath), 'access.log'), 'line\n');
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(reloads(), 0, 'no reload for other files');
    gw.writeConfig('[providers.p]\nbase_url = "http://127.0.0.1:1/v1"\nmodels = ["m", "n"]\n');
    for (let i = 0; i < 100 && reloads() === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(reloads(), 1, 'the config file itself is reloaded');
  });

  it('a Kubernetes ConfigMap update (a swapped ..data symlink) is reloaded', async () => {
    const dir = tempDir();
    const version = (n: number, models: string) => {
      mkdirSync(join(dir, `..v${n}`));
      writeFileSync(join(dir, `..v${n}`, 'llmux.toml'), `[providers.p]\nbase_url = "http://127.0.0.1:1/v1"\nmodels = [${models}]\n`);
    };
    version(1, '"m"');
    symlinkSync('..v1', join(dir, '..data'));
    symlinkSync(join('..data', 'llmux.toml'), join(dir, 'llmux.toml'));
    const logs: Array<Record<string, unknown>> = [];
    const app = await startApp({ configPath: join(dir, 'llmux.toml'), bind: '127.0.0.1:0', logger: captureLogger(logs), watchConfig: true, configPollMs: 50 });
    cleanups.push(async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    });
    // The kubelet's update: a new version folder, a new symlink renamed over ..data.
    version(2, '"m", "n"');
    symlinkSync('..v2', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    rmSync(join(dir, '..v1'), { recursive: true });
    for (let i = 0; i < 100 && !logs.some((l) => l['msg'] === 'config reloaded'); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(logs.some((l) => l['msg'] === 'config reloaded'), 'the swap is noticed');
    assert.deepEqual(app.config().providers['p']?.models, ['m', 'n']);
  });

  it('a config with an unknown key fails with the path and a suggestion', async () => {
    await assert.rejects(startTestGateway('[providers.p]\nbase_url = "http://127.0.0.1:1/v1"\nmodels = ["m"]\nmax_retires = 3\n'), (e: unknown) => {
      const msg = (e as Error).message;
      assert.match(msg, /llmux\.toml: invalid config/);
      assert.match(msg, /providers\.p\.max_retires: unknown key; did you mean "max_retries"\?/);
      return true;
    });
  });
});
