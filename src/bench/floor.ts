/**
 * The floor: the least a Node gateway can do. A bare node:http server that forwards every request
 * to one upstream through an undici Pool (request API) and pipes the answer back. No auth, no
 * routing, no parsing, no logging: what is left of a gateway's cost is the runtime's own.
 *
 * usage: node dist/bench/floor.js --port N --upstream http://127.0.0.1:PORT
 */
import { createServer } from 'node:http';
import { Pool } from 'undici';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const upstream = new Pool(arg('--upstream') ?? 'http://127.0.0.1:9999', { connections: 1024, pipelining: 1 });

const server = createServer((req, res) => {
  upstream
    .request({ method: 'POST', path: req.url ?? '/', headers: { 'content-type': 'application/json' }, body: req })
    .then(({ statusCode, headers, body }) => {
      res.writeHead(statusCode, { 'content-type': String(headers['content-type'] ?? 'application/json') });
      body.pipe(res);
    })
    .catch((e: unknown) => {
      res.writeHead(502).end(String((e as Error).message));
    });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(arg('--port') ?? 0), '127.0.0.1', () => {
  const a = server.address();
  process.stdout.write(`floor listening on ${typeof a === 'object' && a ? a.port : '?'}\n`);
});
process.on('SIGTERM', () => process.exit(0));
