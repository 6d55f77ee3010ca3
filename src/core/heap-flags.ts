/**
 * V8 settings for a gateway process, applied at the start of `serve` (V8 reads both when it next
 * needs them, so they need not be on node's command line). A gateway's heap is a small live set
 * (config, keys, the requests in flight) and a fast stream of short-lived garbage:
 *
 * - Under overload, requests in flight live long enough to be promoted, and V8 lets old space
 *   grow to four times what the last full collection kept before collecting again: 160–250 MB
 *   where the live set is 20 MB. Capping the growth at 2× keeps that near 140–160 MB with the
 *   same throughput; at rates the process holds, full collections are rare and nothing changes.
 *   Tighter caps (25%, 50%) collect so often at saturation that the process falls behind.
 * - undici's HTTP parser is WebAssembly, and V8 recompiles it with TurboFan once it is hot: a
 *   ~35 MB spike on the first upstream requests that is the peak of a process at moderate load.
 *   The baseline (Liftoff) code parses response heads no measurably slower.
 *
 * The young generation (two 16 MB semi-spaces) is left alone: 8 MB ones cut 10 MB from the peak
 * but cost 10–15% more CPU per request at 5000 requests/s. docs/benchmarks.md has the method.
 * A flag the operator gives on node's command line or in NODE_OPTIONS wins over these.
 */
export const RUNTIME_V8_FLAGS: readonly string[] = ['--heap-growing-percent=100', '--liftoff-only'];

/** `--max_semi_space_size=8` and `--no-liftoff-only` name the same settings as ours. */
function flagName(flag: string): string {
  const eq = flag.indexOf('=');
  return (eq < 0 ? flag : flag.slice(0, eq)).replace(/_/g, '-').replace(/^--no-/, '--');
}

/** The flags of `wanted` whose name the operator did not already set in `given`. */
export function flagsNotGiven(wanted: readonly string[], given: readonly string[]): string[] {
  const set = new Set(given.filter((a) => a.startsWith('--')).map(flagName));
  return wanted.filter((f) => !set.has(flagName(f)));
}

/** Node's own flags, as given on the command line and in NODE_OPTIONS. */
export function givenNodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/).filter(Boolean)];
}
