/**
 * Reads a V8 .cpuprofile (written by node --cpu-prof) and lists where the time went: self time
 * per function and per file, so a missed target comes with the functions to look at.
 */

export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }>;
  samples?: number[];
  timeDeltas?: number[];
  startTime?: number;
  endTime?: number;
}

export interface ProfileEntry {
  /** "function (file:line)" or "file". */
  name: string;
  /** Share of all samples, 0-100. */
  selfPct: number;
  selfMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle: what the shares below are shares of. */
  busyMs: number;
  /** Share of the whole profile spent idle (waiting for I/O). */
  idlePct: number;
  /** Share of busy time in the garbage collector. */
  gcPct: number;
  /** Top functions and files by self time, idle left out; selfPct is of busy time. */
  functions: ProfileEntry[];
  files: ProfileEntry[];
}

/** Shortens a file URL to what identifies it: the part from node_modules/, dist/ or node: on. */
export function shortFile(url: string): string {
  if (url === '') return '(native)';
  for (const marker of ['node_modules/', '/dist/']) {
    const i = url.lastIndexOf(marker);
    if (i >= 0) return url.slice(marker === '/dist/' ? i + 1 : i);
  }
  return url.replace(/^file:\/\//, '');
}

export function summarizeProfile(p: CpuProfile, top = 15): ProfileSummary {
  // Time per node: from the sample deltas when present (exact), else from hit counts.
  const selfUs = new Map<number, number>();
  if (p.samples && p.timeDeltas && p.samples.length === p.timeDeltas.length) {
    for (let i = 0; i < p.samples.length; i++) {
      // A sample's delta is the time since the previous one; it is charged to this sample's node.
      const id = p.samples[i]!;
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, p.timeDeltas[i]!));
    }
  } else {
    const span = (p.endTime ?? 0) - (p.startTime ?? 0);
    const hits = p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
    for (const n of p.nodes) selfUs.set(n.id, ((n.hitCount ?? 0) * span) / hits);
  }
  let total = 0;
  for (const v of selfUs.values()) total += v;
  const byFn = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idle = 0;
  let gc = 0;
  for (const n of p.nodes) {
    const t = selfUs.get(n.id) ?? 0;
    if (t === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') {
      idle += t;
      continue;
    }
    if (functionName === '(garbage collector)') gc += t;
    const file = shortFile(url);
    const fn = `${functionName || '(anonymous)'}${url ? ` (${file}:${lineNumber + 1})` : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
    byFile.set(file, (byFile.get(file) ?? 0) + t);
  }
  const busy = total - idle;
  const rank = (m: Map<string, number>): ProfileEntry[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, selfMs: us / 1000, selfPct: busy ? (100 * us) / busy : 0 }));
  return {
    totalMs: total / 1000,
    busyMs: busy / 1000,
    idlePct: total ? (100 * idle) / total : 0,
    gcPct: busy ? (100 * gc) / busy : 0,
    functions: rank(byFn),
    files: rank(byFile),
  };
}
