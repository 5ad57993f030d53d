// Why a run stops early: reasons given to its AbortController, and failures a person must read.

/** CancelRun was called: the run ends CANCELLED and its trainer job is cancelled. */
export class RunCancelledError extends Error {
  constructor(runId: string) {
    super(`run ${runId} was cancelled`);
    this.name = 'RunCancelledError';
  }
}

/** The coordinator is stopping: the run stays RUNNING on disk and is resumed at the next start. */
export class CoordinatorStoppingError extends Error {
  constructor() {
    super('the coordinator is stopping');
    this.name = 'CoordinatorStoppingError';
  }
}

/** A run failed for a reason that is no service call (a dataset problem, a trainer job that failed). */
export class RunFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RunFailure';
  }
}
