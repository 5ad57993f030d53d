// The coordinator: records runs (one folder each, found again after a restart through
// <runs-dir>/.index), runs at most `maxConcurrentRuns` of them at once in the background, and answers
// the PipelineService's calls. A run that was QUEUED or RUNNING when the coordinator stopped is
// resumed when it starts again.
import { setMaxListeners } from 'node:events';
import { access, mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Run, RunState, StartRunRequest, type RunEvent } from '@fmwiss/contracts';
import { taskProblems, classIdsOf } from '@fmwiss/datasets';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError, UnavailableError } from '@fmwiss/service-kit';
import type { Logger } from 'pino';
import { BaseStepCache } from './base-step-cache';
import { canonicalJson } from './content-key';
import { executeRun } from './run-executor';
import { CoordinatorStoppingError, RunCancelledError } from './run-errors';
import { CacheFolder, RunFolder, writeFileAtomic } from './run-folder';
import { RunRecord } from './run-record';
import { generateRunId, resolveRunRequest, type ResolvedRun, type RunDefaults } from './run-request';
import { ConnectionPool } from './run-services';
import { openDatasetRef } from './run-datasets';
import { sleep, type RetryPolicy } from './retry';

export interface CoordinatorOptions {
  runsDir: string;
  cacheDir: string;
  maxConcurrentRuns: number;
  retry: RetryPolicy;
  /** Deadline of each unary call to a service, in ms. */
  callDeadlineMs: number;
  defaults: Omit<RunDefaults, 'runsDir'>;
  sampleImages: number;
  logger: Logger;
  /** How long CancelRun waits for the run to end before answering (default 10 s). */
  cancelWaitMs?: number;
}

interface Entry {
  record: RunRecord;
  controller?: AbortController;
  done?: Promise<void>;
}

const copy = (run: Run): Run => Run.decode(Run.encode(run).finish());

/** The top-level fields in which two requests differ. */
function differingFields(a: StartRunRequest, b: StartRunRequest): string[] {
  const left = StartRunRequest.toJSON(a) as Record<string, unknown>;
  const right = StartRunRequest.toJSON(b) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
  return keys.filter((key) => canonicalJson(left[key]) !== canonicalJson(right[key]));
}

export class Coordinator {
  private readonly runs = new Map<string, Entry>();
  private readonly creating = new Map<string, Promise<Run>>();
  private readonly queue: string[] = [];
  private readonly pool: ConnectionPool;
  private readonly cache: CacheFolder;
  private readonly baseSteps: BaseStepCache;
  private readonly closing = new AbortController();
  private active = 0;

  private constructor(private readonly options: CoordinatorOptions) {
    this.pool = new ConnectionPool({ policy: options.retry, deadlineMs: options.callDeadlineMs });
    this.cache = new CacheFolder(resolve(options.cacheDir));
    this.baseSteps = new BaseStepCache(this.cache);
    // Every WatchRun call listens to it: no leak warning at the 11th watcher.
    setMaxListeners(0, this.closing.signal);
  }

  /** Opens the runs folder, loads every recorded run and resumes the unfinished ones. */
  static async open(options: CoordinatorOptions): Promise<Coordinator> {
    const coordinator = new Coordinator(options);
    await coordinator.load();
    return coordinator;
  }

  private get indexDir(): string {
    return join(resolve(this.options.runsDir), '.index');
  }

  private get defaults(): RunDefaults {
    return { ...this.options.defaults, runsDir: resolve(this.options.runsDir) };
  }

  private async load(): Promise<void> {
    await mkdir(this.indexDir, { recursive: true });
    const names = await readdir(this.indexDir);
    const unfinished: RunRecord[] = [];
    for (const name of names) {
      if (name.endsWith('.tmp')) continue;
      try {
        const dir = (await readFile(join(this.indexDir, name), 'utf8')).trim();
        const record = await RunRecord.load(new RunFolder(dir));
        this.runs.set(record.runId, { record });
        if (!record.terminal) unfinished.push(record);
      } catch (error) {
        this.options.logger.warn({ run: name, err: error }, 'a recorded run cannot be read; it is left out');
      }
    }
    unfinished.sort((a, b) => (a.run.createdAt?.getTime() ?? 0) - (b.run.createdAt?.getTime() ?? 0));
    for (const record of unfinished) {
      await record.allEvents();
      record.emit(record.run.currentStep, { $case: 'warning', warning: `the coordinator restarted while the run was ${RunState[record.run.state]}; resuming it` });
      this.options.logger.info({ runId: record.runId }, 'resuming run');
      this.queue.push(record.runId);
    }
    this.pump();
  }

  /** StartRun: validates, records and queues a run; the same run id with the same request returns the run. */
  async startRun(request: StartRunRequest): Promise<Run> {
    if (this.closing.signal.aborted) throw new UnavailableError('the coordinator is stopping');
    const runId = request.runId.trim() || this.freshRunId();
    const pending = this.creating.get(runId);
    if (pending) await pending.catch(() => undefined);
    const existing = this.runs.get(runId);
    const full: StartRunRequest = { ...request, runId };
    if (existing) return this.sameRequest(existing.record, full);
    const creation = this.create(full);
    this.creating.set(runId, creation);
    try {
      return await creation;
    } finally {
      this.creating.delete(runId);
    }
  }

  private freshRunId(): string {
    for (;;) {
      const id = generateRunId();
      if (!this.runs.has(id) && !this.creating.has(id)) return id;
    }
  }

  private sameRequest(record: RunRecord, request: StartRunRequest): Run {
    const stored = record.run.request ?? StartRunRequest.fromPartial({});
    const fields = differingFields(stored, request);
    if (fields.length > 0) {
      throw new AlreadyExistsError(`run ${record.runId} already exists with another request (differing: ${fields.join(', ')}); choose another run_id`);
    }
    return copy(record.run);
  }

  private async create(request: StartRunRequest): Promise<Run> {
    const resolved = resolveRunRequest(request, request.runId, this.defaults);
    // The datasets must open and fit the task before the run is accepted.
    const train = await openDatasetRef('train_data', resolved.trainData, resolved.task.classSpace);
    await openDatasetRef('val_data', resolved.valData, resolved.task.classSpace);
    const problems = taskProblems(resolved.task, classIdsOf(train.classes));
    if (problems.length > 0) throw new InvalidArgumentError(`task: does not fit the training set ${train.name}: ${problems.join('; ')}`);
    const folder = new RunFolder(resolved.runDir);
    const taken = await access(folder.runJson).then(
      () => true,
      () => false,
    );
    if (taken) throw new AlreadyExistsError(`run folder ${folder.dir} already holds a run; choose another run_id or output_dir`);

    const now = new Date();
    const run: Run = {
      runId: resolved.runId,
      state: RunState.RUN_STATE_QUEUED,
      request,
      steps: [],
      currentStep: 0,
      runDir: folder.dir,
      error: '',
      createdAt: now,
      updatedAt: now,
    };
    // The pointer first: a crash between the two leaves a pointer without run.json (skipped at load),
    // never a run folder that blocks a retried StartRun.
    await writeFileAtomic(join(this.indexDir, resolved.runId), `${folder.dir}\n`);
    const record = await RunRecord.create(folder, run);
    record.emit(0, { $case: 'state', state: RunState.RUN_STATE_QUEUED });
    await record.flush();
    this.runs.set(resolved.runId, { record });
    this.options.logger.info({ runId: resolved.runId, runDir: folder.dir, method: resolved.method, task: resolved.task.name }, 'run queued');
    this.queue.push(resolved.runId);
    this.pump();
    return copy(record.run);
  }

  /** Starts queued runs while fewer than maxConcurrentRuns run. */
  private pump(): void {
    while (this.active < this.options.maxConcurrentRuns && this.queue.length > 0 && !this.closing.signal.aborted) {
      const runId = this.queue.shift()!;
      const entry = this.runs.get(runId);
      if (!entry || entry.record.terminal) continue;
      this.active++;
      entry.controller = new AbortController();
      setMaxListeners(0, entry.controller.signal); // one listener per call in flight (mask_concurrency up to 64)
      entry.done = this.execute(entry, entry.controller.signal).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async execute(entry: Entry, signal: AbortSignal): Promise<void> {
    const { record } = entry;
    const { logger } = this.options;
    let resolved: ResolvedRun | undefined;
    try {
      resolved = { ...resolveRunRequest(record.run.request!, record.runId, this.defaults), runDir: record.folder.dir };
      await executeRun(record, resolved, { pool: this.pool, cache: this.cache, baseSteps: this.baseSteps, sampleImages: this.options.sampleImages, logger }, signal);
      logger.info({ runId: record.runId }, 'run succeeded');
    } catch (error) {
      const reason: unknown = signal.aborted ? signal.reason : undefined;
      if (reason instanceof CoordinatorStoppingError) {
        logger.info({ runId: record.runId }, 'run left to resume at the next start');
      } else if (reason instanceof RunCancelledError) {
        record.setState(RunState.RUN_STATE_CANCELLED);
        logger.info({ runId: record.runId }, 'run cancelled');
      } else {
        const message = error instanceof Error ? error.message : String(error);
        record.setState(RunState.RUN_STATE_FAILED, message);
        logger.warn({ runId: record.runId, err: error }, 'run failed');
      }
    } finally {
      await record.flush().catch((error: unknown) => logger.error({ runId: record.runId, err: error }, 'cannot write the run record'));
    }
  }

  private entry(runId: string): Entry {
    const entry = this.runs.get(runId);
    if (!entry) throw new NotFoundError(`no run ${JSON.stringify(runId)}`);
    return entry;
  }

  getRun(runId: string): Run {
    return copy(this.entry(runId).record.run);
  }

  /** Newest first, without request and steps. */
  listRuns(): Run[] {
    return [...this.runs.values()]
      .map(({ record }) => ({ ...copy(record.run), request: undefined, steps: [] }))
      .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  }

  /** Cancels a queued or running run (its trainer job and pending mask calls); an ended run is returned unchanged. */
  async cancelRun(runId: string): Promise<Run> {
    const entry = this.entry(runId);
    const { record } = entry;
    if (record.terminal) return copy(record.run);
    if (!entry.controller) {
      const queued = this.queue.indexOf(runId);
      if (queued >= 0) this.queue.splice(queued, 1);
      record.setState(RunState.RUN_STATE_CANCELLED);
      await record.flush();
      return copy(record.run);
    }
    entry.controller.abort(new RunCancelledError(runId));
    const waited = new AbortController();
    await Promise.race([entry.done, sleep(this.options.cancelWaitMs ?? 10_000, waited.signal).catch(() => undefined)]);
    waited.abort();
    return copy(record.run);
  }

  /**
   * WatchRun: the events after `afterSequence`, then live ones until the run ends. Ends with
   * UNAVAILABLE when the coordinator stops first (watch again after it restarts).
   */
  async *watchRun(runId: string, afterSequence: number, signal: AbortSignal): AsyncGenerator<RunEvent> {
    if (!Number.isInteger(afterSequence) || afterSequence < 0) throw new InvalidArgumentError(`after_sequence must be >= 0, got ${afterSequence}`);
    const { record } = this.entry(runId);
    const stop = AbortSignal.any([signal, this.closing.signal]);
    yield* record.follow(afterSequence, stop);
    if (this.closing.signal.aborted && !record.terminal && !signal.aborted) {
      throw new UnavailableError(`the coordinator is stopping; watch run ${runId} again after it restarts`);
    }
  }

  /** Stops running runs (left RUNNING, resumed at the next start), ends watchers, closes connections. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(new CoordinatorStoppingError());
    const running = [...this.runs.values()].filter((entry) => entry.controller && entry.done);
    for (const entry of running) entry.controller!.abort(new CoordinatorStoppingError());
    await Promise.all(running.map((entry) => entry.done));
    this.pool.close();
  }
}
