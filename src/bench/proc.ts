/**
 * Linux /proc readers for the gateway's cost: CPU time from /proc/PID/stat (utime + stime, in
 * clock ticks), memory from /proc/PID/status (VmHWM = peak resident set, VmRSS = now), and the
 * process tree (so a gateway with N workers is measured as the sum of all its processes).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcStat {
  pid: number;
  ppid: number;
  /** User-mode CPU time in clock ticks. */
  utime: number;
  /** Kernel-mode CPU time in clock ticks. */
  stime: number;
}

/**
 * Parses one /proc/PID/stat line. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error('not a /proc/PID/stat line');
  const pid = Number(text.slice(0, open).trim());
  // After ')': field 3 (state) is rest[0], so field k is rest[k - 3].
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const field = (k: number): number => {
    const v = Number(rest[k - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc/PID/stat field ${k} is missing`);
    return v;
  };
  return { pid, ppid: field(4), utime: field(14), stime: field(15) };
}

export interface ProcMemory {
  /** Peak resident set size (VmHWM), kB. */
  hwmKb: number;
  /** Current resident set size (VmRSS), kB. */
  rssKb: number;
}

/** Reads VmHWM and VmRSS (kB) from /proc/PID/status text; a missing line counts as 0. */
export function parseProcStatus(text: string): ProcMemory {
  const kb = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
}

/** `root` and every process below it, given (pid, ppid) pairs. */
export function descendants(root: number, procs: ReadonlyArray<{ pid: number; ppid: number }>): number[] {
  const children = new Map<number, number[]>();
  for (const p of procs) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const out: number[] = [];
  const stack = [root];
  const seen = new Set<number>();
  while (stack.length) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

export function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined; // the process has gone
  }
}

export function readMemory(pid: number): ProcMemory | undefined {
  try {
    return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The live processes of the tree rooted at `root` (the root included, if alive). */
export function processTree(root: number): number[] {
  const all: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const s = readStat(Number(name));
    if (s) all.push(s);
  }
  return descendants(root, all).filter((pid) => all.some((p) => p.pid === pid));
}

export interface TreeSample {
  /** utime + stime summed over the tree, in clock ticks. */
  ticks: number;
  /** VmHWM summed over the tree, kB (for one process, its true peak). */
  hwmKb: number;
  rssKb: number;
  pids: number[];
}

/** CPU ticks and memory of the listed processes, summed. */
export function sampleProcesses(pids: readonly number[]): TreeSample {
  let ticks = 0;
  let hwmKb = 0;
  let rssKb = 0;
  const alive: number[] = [];
  for (const pid of pids) {
    const s = readStat(pid);
    if (!s) continue;
    alive.push(pid);
    ticks += s.utime + s.stime;
    const m = readMemory(pid);
    if (m) {
      hwmKb += m.hwmKb;
      rssKb += m.rssKb;
    }
  }
  return { ticks, hwmKb, rssKb, pids: alive };
}

let clkTck: number | undefined;
/** Clock ticks per second (getconf CLK_TCK; 100 on practically every Linux). */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}
