/**
 * The errors a trainer maps to gRPC codes. Every message says what is wrong and, where it can, what to
 * do about it.
 */

/** The spec itself is wrong (a field's value, a missing field): INVALID_ARGUMENT. */
export class StepSpecError extends Error {
  /** Every problem found, one a line in the message too. */
  readonly problems: string[];

  constructor(message: string, problems: string[] = [message]) {
    super(message);
    this.name = new.target.name;
    this.problems = problems;
  }
}

/**
 * The spec is well formed but the world does not fit it: a missing or incompatible checkpoint, data
 * or pseudo-label files missing, an output folder of another step: FAILED_PRECONDITION.
 */
export class StepPreconditionError extends Error {
  readonly problems: string[];

  constructor(message: string, problems: string[] = [message]) {
    super(message);
    this.name = new.target.name;
    this.problems = problems;
  }
}

/** The step was cancelled through its AbortSignal; it stopped at an iteration boundary. */
export class StepCancelledError extends Error {
  constructor(message = 'the training step was cancelled') {
    super(message);
    this.name = new.target.name;
  }
}

/** Throws StepCancelledError when the signal is aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined, where: string): void {
  if (signal?.aborted) throw new StepCancelledError(`cancelled ${where}`);
}

/** "a; b; c" with a count when there are many. */
export function listProblems(problems: readonly string[]): string {
  return problems.length === 1 ? problems[0]! : `${problems.length} problems: ${problems.join('; ')}`;
}
