/**
 * What the CLI needs from its process, passed in so tests run it in-process against a loopback
 * server and capture its output. `stdout`/`stderr` receive newline-terminated text.
 */
export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Defaults to the global fetch; tests and embedders may pass their own. */
  fetchImpl?: typeof fetch;
}

/** The real process's streams, environment and working folder. */
export function processIO(): CliIO {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  };
}
