import { strict as assert } from 'node:assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Agent, leanUndici } from './undici-agent.js';

test('the Agent comes from undici internals, without the whole package', () => {
  // False means an undici upgrade moved its internal modules: the gateway still works (it falls
  // back to the package), but every process pays 3–4 MB of RSS for it. Update the paths in undici-agent.ts.
  assert.equal(leanUndici, true);
  const loaded = Object.keys(createRequire(import.meta.url).cache);
  assert.ok(loaded.some((p) => p.endsWith('/undici/lib/dispatcher/agent.js')));
  assert.ok(!loaded.some((p) => p.endsWith('/undici/index.js')), 'undici/index.js was loaded');
  const builtins = (process as unknown as { moduleLoadList: string[] }).moduleLoadList;
  assert.ok(!builtins.some((m) => m.includes('deps/undici')), "Node's bundled undici was loaded");
});

test('the lean Agent sends requests and reads bodies like the package', async () => {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const agent = new Agent();
  try {
    const res = await new Promise<{ statusCode: number; text: string }>((resolve, reject) => {
      agent.request({ origin: `http://127.0.0.1:${port}`, path: '/v1/x?y=1', method: 'POST', body: 'hello' }, (err, data) => {
        if (err) return reject(err);
        data.body.text().then((text) => resolve({ statusCode: data.statusCode, text }), reject);
      });
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(JSON.parse(res.text), { method: 'POST', url: '/v1/x?y=1', body: 'hello' });
    const viaPromise = await agent.request({ origin: `http://127.0.0.1:${port}`, path: '/', method: 'GET' });
    assert.equal((await viaPromise.body.json() as { method: string }).method, 'GET');
  } finally {
    await agent.close();
    server.close();
  }
});
