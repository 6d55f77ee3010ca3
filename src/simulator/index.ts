/**
 * The built-in simulated LLM provider: a loopback HTTP server that speaks OpenAI, Anthropic,
 * Gemini and Bedrock wire formats, for benchmarks, key-less demos and fault-injection tests.
 */
export { startSimulator, type RunningSimulator, type SimulatorListenOptions } from './server.js';
export { parseSimulatorOptions, SimulatorOptionsSchema, type SimulatorOptions, type SimulatorUsage } from './options.js';
export { parseSimulateArgs, SIMULATE_USAGE, type SimulateArgs } from './cli-args.js';
export { DEMO_SIMULATOR } from './demo.js';
export type { SimulatorStats, SimRoute, LastRequest, InjectedCounts } from './stats.js';
