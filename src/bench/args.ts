/**
 * `npm run bench -- [flags]`: the quick run (before/after a change, under two minutes) and the
 * full run (every scenario, rate and target, plus the soak), and flags to narrow either.
 */
import { SCENARIO_NAMES, type ScenarioName } from './scenarios.js';
import { TARGET_NAMES, type TargetName } from './targets.js';

export interface BenchOptions {
  quick: boolean;
  scenarios: ScenarioName[];
  targets: TargetName[];
  /** Rates for the overhead scenarios (chat, stream, embeddings, translation). */
  rates: number[];
  /** Rates for the payload scenarios (large-context, tools); the same as `rates` when given. */
  payloadRates: number[];
  durationS: number;
  warmupS: number;
  /** Warm-up of a target's first leg on a scenario (V8 has not compiled that path yet). */
  primeS: number;
  cooldownS: number;
  /** Workers for the llmux-workers target. */
  workers: number;
  /** Soak length in seconds (0 = none) and its rate. */
  soakS: number;
  soakRate: number;
  /**
   * Rounds of the P50 legs (chat and stream at 1000/s) and the P99 leg (chat at 5000/s) of direct,
   * floor and llmux: the first is the scenario's own leg, the rest run after all scenarios, and the
   * P50 and P99 verdicts take the median.
   */
  rounds: number;
  /** Profile the one-worker llmux with --cpu-prof over the whole run. */
  profile: boolean;
  /** Regenerate docs/benchmarks.md from this run. */
  docs: boolean;
  /** Run nothing: rebuild the tables and docs from this earlier results file. */
  render?: string;
}

export const BENCH_USAGE = `usage: npm run bench -- [--quick] [flags]

  --quick                 chat + stream at 1000 and 2000/s, 5 s legs, direct + floor + llmux (< 2 min)
  --scenarios a,b         ${SCENARIO_NAMES.join(', ')}
  --targets a,b           ${TARGET_NAMES.join(', ')}
  --rates a,b             requests/s per leg (default 100,500,1000,2000,5000; payload scenarios 100,500,1000)
  --duration S            measured seconds per leg (default 30; quick 5)
  --warmup S              unmeasured seconds before each leg (default 3, and 10 before a target's
                          first leg on a scenario; quick 1 and 2)
  --cooldown S            pause between legs (default 2; quick 0.25), then until the gateways are idle
  --workers N             workers for the llmux-workers target (default: nproc)
  --soak S                soak llmux at --soak-rate for S seconds, sampling RSS (default 600; quick 0)
  --soak-rate R           (default 1000)
  --rounds N              rounds of the 1000/s chat and stream legs and the 5000/s chat leg of direct,
                          floor and llmux, and of the 2000/s and 5000/s chat and stream legs of the
                          floor and llmux, for the P50, P99 and CPU verdicts (their medians;
                          default 5; quick 1)
  --profile               run the one-worker llmux under node --cpu-prof and summarise the profile
  --no-docs               do not regenerate docs/benchmarks.md
  --render FILE           run nothing: rebuild the tables and docs/benchmarks.md (and bench/reference.json
                          for a full run) from an earlier run's results file`;

export type ParsedBenchArgs = { options: BenchOptions } | { error: string } | { help: string };

function list<T extends string>(flag: string, raw: string, allowed: readonly T[]): T[] | string {
  const out: T[] = [];
  for (const part of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(allowed as readonly string[]).includes(part)) return `${flag}: unknown "${part}" (one of ${allowed.join(', ')})`;
    out.push(part as T);
  }
  return out.length ? out : `${flag}: empty list`;
}

function positive(flag: string, raw: string | undefined, allowZero = false): number | string {
  const n = Number(raw);
  if (raw === undefined || raw.trim() === '' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) return `${flag}: expected a ${allowZero ? 'non-negative' : 'positive'} number, got "${raw ?? ''}"`;
  return n;
}

export function parseBenchArgs(argv: readonly string[], cores: number): ParsedBenchArgs {
  const quick = argv.includes('--quick');
  const o: BenchOptions = quick
    ? {
        quick,
        scenarios: ['chat', 'stream'],
        targets: ['direct', 'floor', 'llmux'],
        rates: [1000, 2000],
        payloadRates: [1000, 2000],
        durationS: 5,
        warmupS: 1,
        primeS: 2,
        cooldownS: 0.25,
        workers: cores,
        soakS: 0,
        soakRate: 1000,
        rounds: 1,
        profile: false,
        docs: true,
      }
    : {
        quick,
        scenarios: [...SCENARIO_NAMES],
        targets: [...TARGET_NAMES],
        rates: [100, 500, 1000, 2000, 5000],
        payloadRates: [100, 500, 1000],
        durationS: 30,
        warmupS: 3,
        primeS: 10,
        cooldownS: 2,
        workers: cores,
        soakS: 600,
        soakRate: 1000,
        rounds: 5,
        profile: false,
        docs: true,
      };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const takes = ['--scenarios', '--targets', '--rates', '--duration', '--warmup', '--cooldown', '--workers', '--soak', '--soak-rate', '--rounds', '--render'].includes(name);
    const value = takes ? (eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i]) : undefined;
    if (takes && value === undefined) return { error: `${name} needs a value` };
    switch (name) {
      case '--help':
      case '-h':
        return { help: BENCH_USAGE };
      case '--quick':
        break;
      case '--profile':
        o.profile = true;
        break;
      case '--no-docs':
        o.docs = false;
        break;
      case '--render':
        o.render = value!;
        break;
      case '--scenarios': {
        const v = list(name, value!, SCENARIO_NAMES);
        if (typeof v === 'string') return { error: v };
        o.scenarios = v;
        break;
      }
      case '--targets': {
        const v = list(name, value!, TARGET_NAMES);
        if (typeof v === 'string') return { error: v };
        o.targets = v;
        break;
      }
      case '--rates': {
        const rates: number[] = [];
        for (const part of value!.split(',').filter((s) => s.trim() !== '')) {
          const n = positive(name, part);
          if (typeof n === 'string') return { error: n };
          rates.push(n);
        }
        if (!rates.length) return { error: '--rates: empty list' };
        o.rates = rates;
        o.payloadRates = rates;
        break;
      }
      case '--duration':
      case '--warmup':
      case '--cooldown':
      case '--workers':
      case '--soak':
      case '--soak-rate':
      case '--rounds': {
        const zeroOk = name === '--warmup' || name === '--cooldown' || name === '--soak';
        const n = positive(name, value, zeroOk);
        if (typeof n === 'string') return { error: n };
        if (name === '--duration') o.durationS = n;
        else if (name === '--warmup') {
          o.warmupS = n;
          o.primeS = Math.max(n, Math.min(o.primeS, 3 * n));
        }
        else if (name === '--cooldown') o.cooldownS = n;
        else if (name === '--workers') {
          if (!Number.isInteger(n)) return { error: `--workers: expected a whole number, got "${value}"` };
          o.workers = n;
        } else if (name === '--rounds') {
          if (!Number.isInteger(n)) return { error: `--rounds: expected a whole number, got "${value}"` };
          o.rounds = n;
        } else if (name === '--soak') o.soakS = n;
        else o.soakRate = n;
        break;
      }
      default:
        return { error: `unknown option "${a}"\n\n${BENCH_USAGE}` };
    }
  }
  return { options: o };
}
