/** The CLI's public surface, for main.ts and the end-to-end tests. */
export { runCli } from './run.js';
export { processIO, type CliIO } from './io.js';
export { EXIT, type ExitCode } from './failure.js';
