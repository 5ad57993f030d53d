// The trainer's jobs: persisted records and events, a FIFO queue with a bound on jobs running at
// once, one worker thread per running job, watch subscriptions, and resume after a restart.
import { JobState, StartTrainingRequest, type TrainingEvent, type TrainingJob } from '@fmwiss/contracts';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, UnavailableError } from '@fmwiss/service-kit';
import type { BackendChoice } from '@fmwiss/tensor-runtime';
import type { ModelConfig } from '@fmwiss/segmentation-models';
import type { Logger } from 'pino';
import { AsyncQueue } from './async-queue';
import { fingerprint } from './fingerprint';
import { hyperparametersMessage, isTerminalState, jobStateName, modelConfigMessage, progressMessage, stepKindMessage } from './messages';
import { shouldRecordProgress, type RecordedProgress } from './progress-throttle';
import type { StepProgress, StepResult } from './step-api';
import type { EventLog } from './store/event-log';
import { JobStore, type StoredJob, type TrainingWork } from './store/job-store';
import { acquireStateLock, type StateLock } from './store/state-lock';
import type { MemoryBankRetrySettings, TrainingWorkerInput } from './worker/protocol';
import { TrainingWorkerRun, type WorkerOutcome } from './worker/worker-run';
import { TRAINING_WORKER_MODULE } from './worker/modules';

export const DEFAULT_MEMORY_BANK_RETRY: MemoryBankRetrySettings = { attempts: 6, initialBackoffMs: 500, maxBackoffMs: 8000, deadlineMs: 60_000 };

export interface JobManagerOptions {
  /** Folder of the job records (`jobs/<job_id>/job.json`, `events.jsonl`) and the lock file. */
  stateDir: string;
  /** Jobs running at once; more wait QUEUED. */
  maxConcurrentJobs: number;
  logger: Logger;
  /** The worker module each job runs in (default: the step-training worker). */
  workerModule?: string;
  /** tfjs backend of the workers (default 'auto'). */
  backend?: BackendChoice;
  memoryBankRetry?: MemoryBankRetrySettings;
  /** At most one progress event per this many ms is recorded (besides epoch ends and phase changes). Default 1000. */
  progressIntervalMs?: number;
  /** How long a cancelled job's worker may take to stop before it is terminated. Default 30 s. */
  cancelGraceMs?: number;
  now?: () => Date;
}

/** A job to create: the request (kept for idempotency) and the resolved work. */
export interface NewJob {
  jobId: string;
  request: StartTrainingRequest;
  work: TrainingWork;
  /** The model's shape as far as it is known before training (BASE, JOINT); the result's replaces it. */
  effectiveModel?: Partial<ModelConfig>;
}

/** A live view of a job's events; close() when done reading. */
export interface JobSubscription {
  events: AsyncIterable<TrainingEvent>;
  close(): void;
}

interface JobEntry {
  stored: StoredJob;
  log: EventLog;
  watchers: Set<AsyncQueue<TrainingEvent>>;
  run: TrainingWorkerRun | undefined;
  lastRecorded: RecordedProgress | undefined;
  cancelReason: string | undefined;
}

/** The fingerprint StartTraining compares: the request as proto JSON (defaults omitted), keys sorted. */
export function requestFingerprint(request: StartTrainingRequest): string {
  return fingerprint(StartTrainingRequest.toJSON(request));
}

export class JobManager {
  private readonly jobs = new Map<string, JobEntry>();
  private readonly queue: string[] = [];
  private readonly running = new Set<string>();
  private readonly store: JobStore;
  private readonly lock: StateLock;
  private readonly logger: Logger;
  private readonly now: () => Date;
  private closing = false;

  private constructor(private readonly options: JobManagerOptions) {
    this.store = new JobStore(options.stateDir);
    this.lock = acquireStateLock(options.stateDir);
    this.logger = options.logger;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Opens the state dir (taking its lock), loads every job, re-queues the jobs a previous trainer
   * left QUEUED or RUNNING (resumes + 1) and starts the queue.
   */
  static open(options: JobManagerOptions): JobManager {
    if (!(Number.isInteger(options.maxConcurrentJobs) && options.maxConcurrentJobs >= 1)) {
      throw new Error(`maxConcurrentJobs must be an integer >= 1, got ${options.maxConcurrentJobs}`);
    }
    const manager = new JobManager(options);
    try {
      manager.load();
    } catch (error) {
      manager.lock.release();
      throw error;
    }
    manager.pump();
    return manager;
  }

  private load(): void {
    const { jobs, unreadable } = this.store.loadAll();
    for (const problem of unreadable) this.logger.error({ jobId: problem.jobId, reason: problem.reason }, 'job folder unreadable; ignored');
    const resumable: JobEntry[] = [];
    for (const stored of jobs) {
      const log = this.store.eventLog(stored.job.jobId);
      for (const problem of log.problems) this.logger.warn({ jobId: stored.job.jobId, ...problem }, 'events.jsonl repaired');
      const entry: JobEntry = { stored, log, watchers: new Set(), run: undefined, lastRecorded: undefined, cancelReason: undefined };
      this.jobs.set(stored.job.jobId, entry);
      if (!isTerminalState(stored.job.state)) resumable.push(entry);
      else if (log.lastState !== stored.job.state) {
        // A crash between job.json and events.jsonl: the log gets the final state event it lacks.
        this.record(entry, { $case: 'state', state: stored.job.state }, true);
      }
    }
    resumable.sort((a, b) => (a.stored.job.createdAt?.getTime() ?? 0) - (b.stored.job.createdAt?.getTime() ?? 0));
    for (const entry of resumable) {
      const job = entry.stored.job;
      const was = jobStateName(job.state);
      job.resumes += 1;
      job.state = JobState.JOB_STATE_QUEUED;
      this.record(entry, {
        $case: 'warning',
        warning: `the trainer restarted with the job ${was}; it is queued again (resume ${job.resumes}) and continues after its last complete epoch checkpoint`,
      });
      this.record(entry, { $case: 'state', state: JobState.JOB_STATE_QUEUED });
      this.queue.push(job.jobId);
      this.logger.info({ jobId: job.jobId, was, resumes: job.resumes }, 'job resumed after restart');
    }
  }

  /** The stored job with this id, if any (for the idempotency check before a request is validated). */
  find(jobId: string): TrainingJob | undefined {
    return this.jobs.get(jobId)?.stored.job;
  }

  /**
   * The existing job when `jobId` exists and was started by an equal request (same fingerprint);
   * ALREADY_EXISTS when it was started by another one; undefined when there is no such job.
   */
  existing(jobId: string, requestFingerprint: string): TrainingJob | undefined {
    const entry = this.jobs.get(jobId);
    if (!entry) {
      if (jobId !== '' && this.store.has(jobId)) {
        throw new AlreadyExistsError(`job_id "${jobId}" names a job folder this trainer cannot read; pick another job_id`);
      }
      return undefined;
    }
    if (entry.stored.requestFingerprint !== requestFingerprint) {
      throw new AlreadyExistsError(
        `job "${jobId}" already exists (${jobStateName(entry.stored.job.state)}) with a different request; ` +
          'use another job_id, or send the identical request to get the existing job',
      );
    }
    return { ...entry.stored.job };
  }

  /** Creates a QUEUED job (or returns the existing one of an equal request) and starts the queue. */
  start(newJob: NewJob, requestFingerprint: string): { job: TrainingJob; created: boolean } {
    if (this.closing) throw new UnavailableError('the trainer is shutting down');
    const found = this.existing(newJob.jobId, requestFingerprint);
    if (found) return { job: found, created: false };
    const now = this.now();
    const { spec } = newJob.work;
    const job: TrainingJob = {
      jobId: newJob.jobId,
      runId: spec.runId,
      step: spec.step,
      kind: stepKindMessage(spec.kind),
      state: JobState.JOB_STATE_QUEUED,
      progress: undefined,
      checkpoint: '',
      error: '',
      effectiveHyperparameters: hyperparametersMessage(spec.hyperparameters),
      effectiveModel: newJob.effectiveModel ? modelConfigMessage(newJob.effectiveModel) : undefined,
      createdAt: now,
      updatedAt: now,
      resumes: 0,
    };
    const stored: StoredJob = { job, requestFingerprint, request: newJob.request, work: newJob.work };
    this.store.write(stored);
    const entry: JobEntry = {
      stored,
      log: this.store.eventLog(job.jobId),
      watchers: new Set(),
      run: undefined,
      lastRecorded: undefined,
      cancelReason: undefined,
    };
    this.jobs.set(job.jobId, entry);
    this.record(entry, { $case: 'state', state: JobState.JOB_STATE_QUEUED });
    this.queue.push(job.jobId);
    this.logger.info({ jobId: job.jobId, runId: job.runId, step: job.step, kind: spec.kind, queued: this.queue.length }, 'job queued');
    this.pump();
    return { job: { ...entry.stored.job }, created: true };
  }

  get(jobId: string): TrainingJob {
    return { ...this.require(jobId).stored.job };
  }

  /** Every job, oldest first. */
  list(): TrainingJob[] {
    return [...this.jobs.values()]
      .map((entry) => ({ ...entry.stored.job }))
      .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
  }

  /** Jobs waiting and running now. */
  counts(): { queued: number; running: number } {
    return { queued: this.queue.length, running: this.running.size };
  }

  /**
   * Cancels a job: a QUEUED one ends CANCELLED at once; a RUNNING one is asked to stop at its next
   * iteration (it ends CANCELLED shortly); an ended one is returned unchanged.
   */
  cancel(jobId: string, reason = 'cancelled by a CancelTraining call'): TrainingJob {
    const entry = this.require(jobId);
    const job = entry.stored.job;
    if (isTerminalState(job.state)) return { ...job };
    if (job.state === JobState.JOB_STATE_QUEUED) {
      const at = this.queue.indexOf(jobId);
      if (at >= 0) this.queue.splice(at, 1);
      this.finishJob(entry, JobState.JOB_STATE_CANCELLED, '');
      return { ...job };
    }
    if (entry.cancelReason === undefined) {
      entry.cancelReason = reason;
      this.record(entry, { $case: 'warning', warning: `cancellation requested: ${reason}; the job stops at its next iteration` });
      entry.run?.cancel(reason);
    }
    return { ...job };
  }

  /**
   * The job's events with a sequence number above `afterSequence` (the recorded ones first, then the
   * live ones); the stream ends after the job's final state event. NOT_FOUND for an unknown job.
   */
  watch(jobId: string, afterSequence: number): JobSubscription {
    if (!Number.isInteger(afterSequence) || afterSequence < 0) {
      throw new InvalidArgumentError(`after_sequence must be 0 or a positive sequence number, got ${afterSequence}`);
    }
    if (this.closing) throw new UnavailableError('the trainer is shutting down; watch again once it has restarted');
    const entry = this.require(jobId);
    const queue = new AsyncQueue<TrainingEvent>();
    // Replay and subscription happen in one synchronous step, so no event falls between them.
    for (const event of entry.log.readAfter(afterSequence)) queue.push(event);
    if (isTerminalState(entry.stored.job.state)) queue.close();
    else entry.watchers.add(queue);
    return {
      events: queue,
      close: () => {
        entry.watchers.delete(queue);
        queue.close();
      },
    };
  }

  /**
   * Stops every worker (running jobs stay RUNNING on disk and resume when a trainer opens this state
   * dir again), ends every watch stream with UNAVAILABLE and releases the state dir.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    const runs: Promise<void>[] = [];
    for (const jobId of this.running) {
      const entry = this.jobs.get(jobId)!;
      this.record(entry, { $case: 'warning', warning: 'the trainer is shutting down; the job resumes when a trainer starts again on this state dir' });
      if (entry.run) runs.push(entry.run.stop());
    }
    await Promise.all(runs);
    for (const entry of this.jobs.values()) {
      for (const watcher of entry.watchers) {
        watcher.fail(
          new UnavailableError(
            `the trainer is shutting down; watch job "${entry.stored.job.jobId}" again after sequence ${entry.log.lastSequence} once it has restarted`,
          ),
        );
      }
      entry.watchers.clear();
    }
    this.lock.release();
  }

  private require(jobId: string): JobEntry {
    const entry = this.jobs.get(jobId);
    if (!entry) throw new NotFoundError(`no training job "${jobId}"`);
    return entry;
  }

  /** Starts queued jobs while fewer than maxConcurrentJobs run. */
  private pump(): void {
    while (!this.closing && this.running.size < this.options.maxConcurrentJobs && this.queue.length > 0) {
      const entry = this.jobs.get(this.queue.shift()!)!;
      this.startWorker(entry);
    }
  }

  private startWorker(entry: JobEntry): void {
    const job = entry.stored.job;
    job.state = JobState.JOB_STATE_RUNNING;
    job.error = '';
    this.record(entry, { $case: 'state', state: JobState.JOB_STATE_RUNNING });
    this.running.add(job.jobId);
    const input: TrainingWorkerInput = {
      jobId: job.jobId,
      work: entry.stored.work,
      backend: this.options.backend ?? 'auto',
      memoryBankRetry: this.options.memoryBankRetry ?? DEFAULT_MEMORY_BANK_RETRY,
    };
    const log = this.logger.child({ jobId: job.jobId });
    let run: TrainingWorkerRun;
    try {
      run = new TrainingWorkerRun(
        this.options.workerModule ?? TRAINING_WORKER_MODULE,
        input,
        {
          onProgress: (progress) => this.onProgress(entry, progress),
          onCheckpoint: (epoch, path) => {
            job.checkpoint = path;
            this.record(entry, { $case: 'checkpoint', checkpoint: { epoch, path } }, true);
            log.info({ epoch, path }, 'checkpoint saved');
          },
          onWarning: (message) => {
            this.record(entry, { $case: 'warning', warning: message });
            log.warn({ warning: message }, 'job warning');
          },
        },
        { cancelGraceMs: this.options.cancelGraceMs ?? 30_000 },
      );
    } catch (error) {
      this.running.delete(job.jobId);
      this.finishJob(entry, JobState.JOB_STATE_FAILED, `the training worker could not start: ${(error as Error).message}`);
      this.pump();
      return;
    }
    entry.run = run;
    log.info({ resumes: job.resumes }, 'job running');
    void run.outcome.then((outcome) => this.onOutcome(entry, outcome));
  }

  private onProgress(entry: JobEntry, progress: StepProgress): void {
    const job = entry.stored.job;
    job.progress = progressMessage(progress);
    const nowMs = this.now().getTime();
    if (shouldRecordProgress(entry.lastRecorded, progress, nowMs, this.options.progressIntervalMs ?? 1000)) {
      entry.lastRecorded = { progress, atMs: nowMs };
      this.record(entry, { $case: 'progress', progress: job.progress });
    }
  }

  private onOutcome(entry: JobEntry, outcome: WorkerOutcome): void {
    const job = entry.stored.job;
    entry.run = undefined;
    this.running.delete(job.jobId);
    if (outcome.status === 'stopped') return; // shutdown: the job stays as it is on disk
    switch (outcome.status) {
      case 'succeeded':
        this.applyResult(entry, outcome.result);
        this.finishJob(entry, JobState.JOB_STATE_SUCCEEDED, '');
        break;
      case 'cancelled':
        this.finishJob(entry, JobState.JOB_STATE_CANCELLED, '');
        break;
      case 'invalid':
        this.finishJob(entry, JobState.JOB_STATE_FAILED, `the step's specification was refused: ${outcome.message}`);
        break;
      case 'precondition':
        this.finishJob(entry, JobState.JOB_STATE_FAILED, `a precondition of the step does not hold: ${outcome.message}`);
        break;
      case 'failed':
        this.finishJob(entry, JobState.JOB_STATE_FAILED, entry.cancelReason ? `${outcome.message} (after ${entry.cancelReason})` : outcome.message);
        break;
    }
    this.pump();
  }

  private applyResult(entry: JobEntry, result: StepResult): void {
    const job = entry.stored.job;
    job.checkpoint = result.checkpoint;
    job.effectiveHyperparameters = hyperparametersMessage(result.hyperparameters);
    if (result.model) job.effectiveModel = modelConfigMessage(result.model);
    if (result.resumedFromEpoch !== null && result.resumedFromEpoch !== undefined) {
      this.record(entry, {
        $case: 'warning',
        warning: `resumed from the checkpoint of epoch ${result.resumedFromEpoch}; ${result.epochsRun} epoch(s) run after it`,
      });
    }
  }

  private finishJob(entry: JobEntry, state: JobState, error: string): void {
    const job = entry.stored.job;
    job.state = state;
    job.error = error;
    if (error) this.record(entry, { $case: 'warning', warning: `job failed: ${error}` });
    this.record(entry, { $case: 'state', state }, true);
    this.logger[state === JobState.JOB_STATE_FAILED ? 'warn' : 'info']({ jobId: job.jobId, state: jobStateName(state), error: error || undefined }, 'job ended');
  }

  /** Appends an event (next sequence number), saves job.json, and hands the event to the watchers. */
  private record(entry: JobEntry, event: NonNullable<TrainingEvent['event']>, durable = false): void {
    const time = this.now();
    const job = entry.stored.job;
    job.updatedAt = time;
    const full: TrainingEvent = { sequence: entry.log.nextSequence(), time, event };
    const ends = event.$case === 'state' && isTerminalState(event.state);
    // job.json first: after a crash between the two writes the log lacks an event, never the state
    // (load() appends a missing final state event). Progress and warnings are not fsynced.
    const sync = durable || event.$case === 'state';
    this.store.write(entry.stored, sync);
    entry.log.append(full, sync);
    for (const watcher of entry.watchers) {
      watcher.push(full);
      if (ends) watcher.close();
    }
    if (ends) entry.watchers.clear();
  }
}
