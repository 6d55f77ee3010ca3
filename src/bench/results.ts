/** The shape of bench/results/<timestamp>.json: everything the report and the docs are built from. */
import type { BenchOptions } from './args.js';
import type { LoadResult } from './loadgen.js';
import type { PeerStatus } from './peers.js';
import type { ProfileSummary } from './profile.js';
import type { ScenarioName } from './scenarios.js';
import type { TargetName } from './targets.js';

export interface Leg extends LoadResult {
  target: TargetName;
  scenario: ScenarioName;
  /** Set for the fixed-load scenario (e.g. "1000 streams"). */
  load?: string;
  /** Set on the extra rounds of the P50, P99 and CPU legs (2, 3, …); the scenario's own leg is round 1. */
  round?: number;
}

/** A rate not sent to a target because a lower rate of the same scenario overwhelmed it. */
export interface SkippedLeg {
  target: TargetName;
  scenario: ScenarioName;
  rate: number;
  reason: string;
}

export interface TargetInfo {
  name: TargetName;
  label: string;
  status: 'measured' | 'failed';
  reason?: string;
}

export interface SoakSample {
  /** Seconds since the soak started. */
  t: number;
  rssKb: number;
  hwmKb: number;
}

export interface SoakResult {
  target: TargetName;
  rate: number;
  durationS: number;
  samples: SoakSample[];
  leg: Leg | undefined;
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  kernel: string;
  memoryGb: number;
  /** Whether the processes could be pinned with taskset. */
  pinned: boolean;
}

export interface BenchResults {
  version: 1;
  startedAt: string;
  finishedAt: string;
  command: string;
  /** The llmux commit measured (git rev-parse --short HEAD; uncommitted changes are not shown). */
  revision?: string;
  machine: Machine;
  options: BenchOptions;
  targets: TargetInfo[];
  peers: PeerStatus[];
  legs: Leg[];
  /** Rounds 2… of the legs the P50, P99 and CPU verdicts read (see BenchOptions.rounds); not in `legs`. */
  rounds?: Leg[];
  skipped?: SkippedLeg[];
  soak?: SoakResult;
  profile?: ProfileSummary & { file: string };
}
