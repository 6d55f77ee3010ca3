/**
 * The `llmux` command as a user runs it: first start writes a config and serves the demo
 * simulator, several workers share keys created at run time, SIGTERM drains requests in flight.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import OpenAI from 'openai';
import { projectRoot } from './testing/fixtures.js';
import { tempDir } from './testing/gateway.js';

const MAIN = join(projectRoot, 'dist', 'main.js');
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const k of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'GOOGLE_API_KEY', 'LLMUX_URL', 'LLMUX_TOKEN']) if (!(k in extra)) delete env[k];
  return env;
}

interface Running {
  child: ChildProcess;
  url: string;
  stderr(): string;
}

async function serve(cwd: string, args: string[], env = cleanEnv()): Promise<Running> {
  const child = spawn(process.execPath, [MAIN, 'serve', ...args], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`llmux did not start:\n${err}`)), 15_000);
    const check = (): void => {
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', check);
    child.once('exit', (code) => reject(new Error(`llmux exited with ${code}:\n${err}`)));
  });
  return { child, url, stderr: () => err };
}

/** The exit code, or the signal's name when a signal ended the process. */
function exited(child: ChildProcess, ms = 15_000): Promise<number | string | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode ?? child.signalCode);
    const t = setTimeout(() => reject(new Error('process did not exit')), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      resolve(code ?? signal);
    });
  });
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('llmux serve', () => {
  it('first start: writes llmux.toml (0600) with a default key and the demo simulator, and serves it', async () => {
    const dir = tempDir();
    const run = await serve(dir, ['--bind', '127.0.0.1:0', '--workers', '1']);
    const file = join(dir, 'llmux.toml');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    const key = /name = "default"\nkey = "(sk-[0-9a-f]{64})"/.exec(text)?.[1];
    assert.ok(key, 'a default key is generated');
    assert.match(text, /admin_token = "sk-[0-9a-f]{64}"/);
    assert.match(text, /\[providers\.demo\]\nkind = "simulator"/);
    assert.match(run.stderr(), new RegExp(`default key: +${key}`), 'the default key is printed');
    assert.match(run.stderr(), /npx llmux providers create openai --kind openai --api-key/);
    assert.ok(!run.stderr().includes(/admin_token = "(sk-[0-9a-f]+)"/.exec(text)![1]!), 'the admin token is not printed');

    const client = new OpenAI({ baseURL: `${run.url}/v1`, apiKey: key, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello' }] });
    assert.ok((r.choices[0]?.message.content ?? '').length > 20);
    const stream = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello' }], stream: true, stream_options: { include_usage: true } });
    let text2 = '';
    let usage;
    for await (const c of stream) {
      text2 += c.choices[0]?.delta.content ?? '';
      if (c.usage) usage = c.usage;
    }
    assert.ok(text2.length > 20);
    assert.ok(usage && usage.completion_tokens > 0);

    // A request in flight when SIGTERM arrives still completes; then the process exits 0.
    const slow = client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'Hello' }], stream: true });
    const got = (async () => {
      let s = '';
      for await (const c of await slow) s += c.choices[0]?.delta.content ?? '';
      return s;
    })();
    await new Promise((res) => setTimeout(res, 150));
    run.child.kill('SIGTERM');
    assert.ok((await got).length > 20, 'the stream in flight finished');
    assert.equal(await exited(run.child), 0);
  });

  it('declares providers for API keys found in the environment, as ${VAR} references', async () => {
    const dir = tempDir();
    const run = await serve(dir, ['--bind', '127.0.0.1:0', '--workers', '1'], cleanEnv({ OPENAI_API_KEY: 'sk-env-openai', ANTHROPIC_API_KEY: 'sk-ant-env' }));
    const text = readFileSync(join(dir, 'llmux.toml'), 'utf8');
    assert.match(text, /\[providers\.openai\]\nkind = "openai"\napi_key = "\$\{OPENAI_API_KEY\}"/);
    assert.match(text, /\[providers\.anthropic\]\nkind = "anthropic"\napi_key = "\$\{ANTHROPIC_API_KEY\}"/);
    assert.ok(!text.includes('sk-env-openai'), 'the secret itself is not copied into the file');
    assert.ok(!text.includes('[providers.demo]'));
    run.child.kill('SIGTERM');
    assert.equal(await exited(run.child), 0, run.stderr());
  });

  it('--workers 2: a key created through one worker works on every worker at once', async () => {
    const dir = tempDir();
    const port = await freePort();
    const run = await serve(dir, ['--bind', `127.0.0.1:${port}`, '--workers', '2']);
    assert.match(run.stderr(), /\(2 workers\)/);
    const token = /admin_token = "(sk-[0-9a-f]+)"/.exec(readFileSync(join(dir, 'llmux.toml'), 'utf8'))![1]!;
    const created = await fetch(`${run.url}/v1/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: JSON.stringify({ name: 'shared' }) });
    assert.equal(created.status, 201);
    const secret = ((await created.json()) as { key: string }).key;
    await new Promise((r) => setTimeout(r, 300)); // the change is broadcast to the other worker
    const statuses = new Set<number>();
    const pids = new Set<string>();
    for (let i = 0; i < 40; i++) {
      // A new connection each time, so both workers are reached.
      const res = await fetch(`${run.url}/v1/models`, { headers: { authorization: `Bearer ${secret}`, connection: 'close' } });
      statuses.add(res.status);
      await res.arrayBuffer();
    }
    assert.deepEqual([...statuses], [200]);
    void pids;
    run.child.kill('SIGTERM');
    assert.equal(await exited(run.child), 0);
  });
});

describe('llmux init', () => {
  it('refuses to overwrite without --force, and writes mode 0600', async () => {
    const dir = tempDir();
    const run = (args: string[]) =>
      new Promise<number | null>((resolve) => {
        const c = spawn(process.execPath, [MAIN, 'init', ...args], { cwd: dir, env: cleanEnv(), stdio: 'ignore' });
        c.once('exit', resolve);
      });
    assert.equal(await run(['--out', 'conf/x.toml']), 0);
    assert.equal(statSync(join(dir, 'conf/x.toml')).mode & 0o777, 0o600);
    assert.equal(await run(['--out', 'conf/x.toml']), 1);
    assert.equal(await run(['--out', 'conf/x.toml', '--force']), 0);
  });
});

describe('npx llmux', () => {
  it("runs this checkout's CLI (the README's quick start uses it), never a package from the registry", async () => {
    const out = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const c = spawn('npx', ['--no-install', 'llmux', 'help'], { cwd: projectRoot, env: cleanEnv(), stdio: ['ignore', 'pipe', 'ignore'] });
      let text = '';
      c.stdout!.on('data', (d: Buffer) => (text += d.toString()));
      c.once('exit', (code) => resolve({ code, text }));
    });
    assert.equal(out.code, 0);
    assert.match(out.text, /manage a running llmux gateway/);
  });
});
