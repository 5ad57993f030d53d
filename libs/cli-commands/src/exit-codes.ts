// What the fmwiss command's exit code means, and the errors that map to the non-zero ones.

export const ExitCode = {
  /** The command did what was asked (every run succeeded). */
  OK: 0,
  /** A run (or an evaluation, a prediction) failed; the message says why. */
  FAILED: 1,
  /** Bad arguments: a message and the usage were printed. */
  USAGE: 2,
  /** A service the command starts did not start (a model missing, a port taken...). */
  SERVICE_START: 3,
  /** Interrupted by Ctrl-C (SIGINT) or SIGTERM; runs in progress were cancelled. */
  INTERRUPTED: 130,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Exit codes as `--help` and docs/cli.md list them. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    a run, evaluation or prediction failed (the message says why)
  2    bad arguments (a message and the usage are printed)
  3    a service did not start (e.g. a model file missing; its last output is printed)
  130  interrupted (Ctrl-C): runs in progress are cancelled, started services stopped`;

/** Bad arguments: `message` names the problem(s); `usage` is the short usage of the command. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A service child process did not start; `output` holds its last lines. */
export class ServiceStartError extends Error {
  constructor(
    readonly service: string,
    message: string,
    readonly output: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ServiceStartError';
  }
}

/** The user interrupted the command (the AbortSignal given to it fired). */
export class InterruptedError extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'InterruptedError';
  }
}
