/**
 * Every process the bench starts goes through here, so every one of them is stopped at the end:
 * on success, on an error, and on Ctrl-C or SIGTERM. Each child gets its own process group, so a
 * gateway's worker processes go with it; they are stopped by that group's id, nothing broader.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';

export interface SpawnOptions {
  /** CPU list for taskset (e.g. "0" or "0,1"); undefined = not pinned. */
  cpus?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** File for the child's stdout and stderr; undefined = discarded. */
  logFile?: string;
}

let tasksetChecked: boolean | undefined;
export function hasTaskset(): boolean {
  tasksetChecked ??= spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  return tasksetChecked;
}

export class ProcessGroup {
  private readonly children = new Set<ChildProcess>();
  private handlersInstalled = false;

  /** Starts `node args…`, pinned to `cpus` when taskset is there. */
  node(args: string[], o: SpawnOptions = {}): ChildProcess {
    return this.start(process.execPath, args, o);
  }

  start(cmd: string, args: string[], o: SpawnOptions = {}): ChildProcess {
    this.installHandlers();
    const pinned = o.cpus !== undefined && hasTaskset();
    const fd = o.logFile ? openSync(o.logFile, 'a') : undefined;
    const child = spawn(pinned ? 'taskset' : cmd, pinned ? ['-c', o.cpus!, cmd, ...args] : args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      detached: true, // its own process group, so its workers can be stopped with it
      stdio: ['ignore', fd ?? 'ignore', fd ?? 'ignore'],
    });
    if (fd !== undefined) closeSync(fd);
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    child.once('error', () => this.children.delete(child));
    return child;
  }

  /** Starts a child whose stdin and stdout the caller uses (the load generator). */
  piped(args: string[], o: SpawnOptions = {}): ChildProcess {
    this.installHandlers();
    const pinned = o.cpus !== undefined && hasTaskset();
    const child = spawn(pinned ? 'taskset' : process.execPath, pinned ? ['-c', o.cpus!, process.execPath, ...args] : args, {
      cwd: o.cwd,
      env: o.env ?? process.env,
      detached: true,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  /** SIGTERM to one child's group, then SIGKILL if it has not gone within `graceMs`. */
  async stop(child: ChildProcess, graceMs = 5000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    signalGroup(child, 'SIGTERM');
    // A frozen group (see freezeGroups) acts on SIGTERM only once it runs again.
    signalGroup(child, 'SIGCONT');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), graceMs).unref());
    if ((await Promise.race([gone, timer])) === 'timeout') {
      signalGroup(child, 'SIGKILL');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 1000).unref())]);
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.children].map((c) => this.stop(c)));
  }

  /** Last resort on the way out: the process is exiting, so only synchronous kills work. */
  killAllNow(): void {
    for (const c of this.children) signalGroup(c, 'SIGKILL');
    this.children.clear();
  }

  private installHandlers(): void {
    if (this.handlersInstalled) return;
    this.handlersInstalled = true;
    const onSignal = (sig: NodeJS.Signals): void => {
      process.stderr.write(`\nbench: ${sig}: stopping every process the bench started\n`);
      void this.stopAll().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    process.once('exit', () => this.killAllNow());
  }
}

/**
 * SIGSTOP (frozen) or SIGCONT (not) to the process groups led by `pids`: the children started
 * here, each the leader of its own group, workers included. An idle gateway still runs timers and
 * V8's memory reducer (a full collection some seconds after its load stops: 100 ms and more for a
 * peer with a 300 MB heap), on the core the gateway under test is pinned to.
 */
export function freezeGroups(pids: readonly number[], frozen: boolean): void {
  for (const pid of pids) {
    try {
      process.kill(-pid, frozen ? 'SIGSTOP' : 'SIGCONT');
    } catch {
      /* gone, or not a group leader: nothing of ours to freeze */
    }
  }
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      /* already gone */
    }
  }
}
