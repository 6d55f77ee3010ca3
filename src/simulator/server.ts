/**
 * The simulator's HTTP server: node:http on loopback, TCP_NODELAY, keep-alive. Per request it
 * reads the body (slowly when asked), rolls the injected faults, waits the TTFB, then writes a
 * prepared response: whole, tick by tick, cut short, or not at all.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSimulatorOptions, resolveOptions, type ResolvedOptions, type SimulatorOptions } from './options.js';
import type { Prepared, PreparedBody, PreparedStream } from './prepared.js';
import { createRng, type Rng } from './rng.js';
import { buildRoutes, Canned, type RouteDef } from './routes.js';
import { StatsRecorder, type SimulatorStats } from './stats.js';

export interface SimulatorListenOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface RunningSimulator {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:40123 (append /v1 for OpenAI clients). */
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): SimulatorStats;
}

/** Per-request state the timers and close handler share. */
interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  timer: NodeJS.Timeout | undefined;
  /** The response ended or the connection closed: write nothing more. */
  closed: boolean;
  /** We closed the connection on purpose (reset or drop): not a client abort. */
  killed: boolean;
}

interface Faults {
  drop: boolean;
  malformed: boolean;
}

class Simulator {
  readonly stats = new StatsRecorder();
  private readonly rng: Rng;
  private readonly route: (method: string, path: string) => RouteDef;
  private readonly canned: Canned;

  constructor(private readonly o: ResolvedOptions) {
    this.rng = createRng(o.seed);
    this.canned = new Canned(o);
    this.route = buildRoutes(this.canned);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    const def = this.route(method, path);
    this.stats.request(def.route);

    const x: Exchange = { req, res, timer: undefined, closed: false, killed: false };
    res.on('finish', () => {
      this.stats.completed++;
    });
    res.on('close', () => {
      if (!res.writableFinished && !x.killed) this.stats.aborted++;
      x.closed = true;
      if (x.timer) clearTimeout(x.timer);
    });
    req.on('error', () => {}); // a client that goes away mid-body is counted by res 'close'

    const chunks: Buffer[] = [];
    const slow = this.o.slowReadMs;
    req.on('data', (c: Buffer) => {
      chunks.push(c);
      if (slow > 0) {
        // Stop reading the socket for a while, so the sender's writes back up (backpressure).
        req.pause();
        setTimeout(() => req.resume(), slow).unref();
      }
    });
    req.on('end', () => {
      if (x.closed) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      this.stats.body(def.route, { method, url, headers: req.headers, body, bodyChunks: chunks.length });
      this.answer(x, def, { method, path, query, headers: req.headers, body });
    });
  }

  private answer(x: Exchange, def: RouteDef, info: Parameters<RouteDef['handle']>[0]): void {
    const o = this.o;
    if (!def.faults) {
      this.send(x, def.handle(info), { drop: false, malformed: false });
      return;
    }
    // Draw in a fixed order, and only for configured faults, so a seed replays the same run.
    const reset = o.resetRate > 0 && this.rng() < o.resetRate;
    const error = !reset && o.errorRate > 0 && this.rng() < o.errorRate;
    let reply: Prepared;
    if (error) {
      const statuses = o.errorStatuses;
      const status = statuses.length === 1 ? statuses[0]! : statuses[Math.floor(this.rng() * statuses.length)]!;
      reply = this.canned.injectedError(def, status);
      this.stats.injected.errors++;
    } else {
      reply = def.handle(info);
    }
    const faults: Faults = { drop: false, malformed: false };
    if (!reset && !error && reply.status < 400) {
      faults.drop = o.dropRate > 0 && this.rng() < o.dropRate;
      faults.malformed = !faults.drop && o.malformedRate > 0 && this.rng() < o.malformedRate;
      if (faults.drop) this.stats.injected.drops++;
      if (faults.malformed) this.stats.injected.malformed++;
    }
    const go = reset
      ? () => {
          this.stats.injected.resets++;
          x.killed = true;
          x.req.socket.resetAndDestroy();
        }
      : () => this.send(x, reply, faults);
    if (o.ttfbMs > 0) x.timer = setTimeout(go, o.ttfbMs);
    else go();
  }

  private send(x: Exchange, reply: Prepared, faults: Faults): void {
    x.timer = undefined;
    if (x.closed) return;
    if (reply.kind === 'body') this.sendBody(x, reply, faults);
    else this.sendStream(x, reply, faults);
  }

  private sendBody(x: Exchange, r: PreparedBody, faults: Faults): void {
    const { res } = x;
    if (faults.malformed) {
      res.writeHead(r.status, { ...r.headers, 'content-length': String(r.malformed.length) });
      res.end(r.malformed);
    } else if (faults.drop) {
      // Promise the whole body, send half, then close: the client sees a premature end.
      res.writeHead(r.status, r.headers);
      res.write(r.body.subarray(0, Math.floor(r.body.length / 2)));
      this.kill(x);
    } else {
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    }
  }

  private sendStream(x: Exchange, s: PreparedStream, faults: Faults): void {
    const { res } = x;
    const ticks = faults.malformed ? s.malformedTicks : s.ticks;
    res.writeHead(s.status, s.headers);
    const limit = faults.drop ? Math.min(this.o.dropAfterChunks, ticks.length - 1) : ticks.length;
    if (limit === 0) {
      res.flushHeaders();
      this.kill(x);
      return;
    }
    const interval = this.o.chunkIntervalMs;
    if (interval === 0) {
      if (!faults.drop) {
        res.end(faults.malformed ? s.malformedWhole : s.whole);
      } else {
        res.write(Buffer.concat(ticks.slice(0, limit)));
        this.kill(x);
      }
      return;
    }
    let i = 0;
    const step = (): void => {
      x.timer = undefined;
      if (x.closed) return;
      const ok = res.write(ticks[i++]!);
      if (i >= limit) {
        if (faults.drop) this.kill(x);
        else res.end();
        return;
      }
      const later = () => {
        if (!x.closed) x.timer = setTimeout(step, interval);
      };
      if (ok) later();
      else res.once('drain', later);
    };
    step();
  }

  /** Ends the connection mid-response: pending bytes are flushed, then FIN, then the socket closes. */
  private kill(x: Exchange): void {
    x.killed = true;
    x.res.socket?.destroySoon();
  }
}

/** Starts the simulator; options are validated (an Error names each bad key). */
export async function startSimulator(opts: SimulatorOptions & SimulatorListenOptions = {}): Promise<RunningSimulator> {
  const { port = 0, host = '127.0.0.1', ...rest } = opts;
  const sim = new Simulator(resolveOptions(parseSimulatorOptions(rest)));
  const server = createServer({ noDelay: true }, (req, res) => sim.handle(req, res));
  // Longer than clients' idle keep-alive (undici: 4 s), so the client closes idle sockets first.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${hostPart}:${addr.port}`,
    port: addr.port,
    stats: () => sim.stats.snapshot(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
