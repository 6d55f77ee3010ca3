/**
 * Starts a throwaway redis-server on a free loopback port, for the Redis storage tests (CI
 * installs redis-server; a machine without it fails those tests, it does not skip them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RedisServer {
  port: number;
  url: string;
  child: ChildProcess;
  /** SIGKILLs the server and waits for it to exit (bounded). */
  kill(): Promise<void>;
}

export function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  await once(srv, 'close');
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

/** Starts redis-server on `port` (a free one if absent) and waits until it accepts connections. */
export async function startRedis(port?: number): Promise<RedisServer> {
  if (!redisServerOnPath()) {
    throw new Error(
      'redis-server is not on PATH: the Redis storage tests need a real server. Install it (apt-get install -y redis-server); .ci/run does.',
    );
  }
  const p = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!/Ready to accept connections/.test(output)) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start within 10 s:\n${output}`);
    }
    await sleep(20);
  }
  const kill = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5_000)]);
  };
  return { port: p, url: `redis://127.0.0.1:${p}`, child, kill };
}
