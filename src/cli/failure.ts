/**
 * Exit codes scripts can rely on (documented in docs/cli.md), and the one error type that carries
 * them from wherever a command fails up to runCli, which prints it and returns the code.
 */
export const EXIT = {
  OK: 0,
  /** The server refused the request (4xx/5xx other than authentication). */
  REFUSED: 1,
  /** Bad command line or unusable connection settings; nothing was sent. */
  USAGE: 2,
  /** The gateway could not be reached, or did not answer in time. */
  UNREACHABLE: 3,
  /** The admin token was missing or rejected. */
  AUTH: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliFailure extends Error {
  override name = 'CliFailure';
  /**
   * @param message printed as `error: <message>`
   * @param hints extra lines printed after it, each as `hint: <line>`
   */
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    readonly hints: readonly string[] = [],
  ) {
    super(message);
  }
}

/** A usage error: exit 2, with a pointer to the relevant help. */
export function usageError(message: string, helpTopic = ''): CliFailure {
  return new CliFailure(EXIT.USAGE, message, [`run 'llmux ${helpTopic ? `${helpTopic} ` : ''}--help' for usage`]);
}
