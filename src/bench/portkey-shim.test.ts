import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const shim = fileURLToPath(new URL('./portkey-shim.js', import.meta.url));

/** What Portkey does to an upstream response: fetch it, append a header, read the body. */
const PEER = `
const r = await fetch(process.argv[1]);
try { r.headers.append('x-portkey-trace-id', 't1'); } catch (e) { console.log('throws: ' + e.message); process.exit(0); }
console.log(JSON.stringify({ status: r.status, type: r.headers.get('content-type'), added: r.headers.get('x-portkey-trace-id'), body: await r.text() }));
`;

function runPeer(url: string, nodeArgs: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...nodeArgs, '--input-type=module', '-e', PEER, url], { timeout: 10_000 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout.trim());
    });
  });
}

test('the Portkey shim makes fetched responses take added headers, status, headers and body intact', async () => {
  const server: Server = createServer((_req, res) => {
    res.writeHead(201, { 'content-type': 'text/event-stream' });
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    // Without the shim, Node's fetch hands back immutable headers: the bug the shim mends.
    assert.equal(await runPeer(url, []), 'throws: immutable');
    assert.deepEqual(JSON.parse(await runPeer(url, ['--import', shim])), {
      status: 201,
      type: 'text/event-stream',
      added: 't1',
      body: 'data: [DONE]\n\n',
    });
  } finally {
    server.close();
  }
});
