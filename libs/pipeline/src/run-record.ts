// One run as the coordinator holds it: the Run message, its numbered events, and their files
// (run.json rewritten atomically on every change, events.jsonl appended), plus live following of
// the events for WatchRun.
import { appendFile, readFile } from 'node:fs/promises';
import { Run, RunEvent, RunState } from '@fmwiss/contracts';
import { RunFolder, writeFileAtomic, writeJsonAtomic } from './run-folder';

export type RunEventBody = NonNullable<RunEvent['event']>;

const TERMINAL = new Set([RunState.RUN_STATE_SUCCEEDED, RunState.RUN_STATE_FAILED, RunState.RUN_STATE_CANCELLED]);

export function isTerminal(state: RunState): boolean {
  return TERMINAL.has(state);
}

export class RunRecord {
  private events: RunEvent[] | undefined;
  private loadingEvents: Promise<RunEvent[]> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private writeError: unknown;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly folder: RunFolder,
    private current: Run,
    events: RunEvent[] | undefined,
  ) {
    this.events = events;
  }

  /** A new run: writes run.json and an empty events.jsonl. */
  static async create(folder: RunFolder, run: Run): Promise<RunRecord> {
    const record = new RunRecord(folder, run, []);
    await writeFileAtomic(folder.eventsJsonl, '');
    await writeJsonAtomic(folder.runJson, Run.toJSON(run));
    return record;
  }

  /** A run recorded earlier (its events are read when first needed). */
  static async load(folder: RunFolder): Promise<RunRecord> {
    const run = Run.fromJSON(JSON.parse(await readFile(folder.runJson, 'utf8')));
    return new RunRecord(folder, run, undefined);
  }

  get run(): Run {
    return this.current;
  }

  get runId(): string {
    return this.current.runId;
  }

  get terminal(): boolean {
    return isTerminal(this.current.state);
  }

  /** Every event so far, read from events.jsonl the first time (a torn last line is skipped). */
  async allEvents(): Promise<RunEvent[]> {
    if (this.events) return this.events;
    this.loadingEvents ??= readFile(this.folder.eventsJsonl, 'utf8')
      .catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '' : Promise.reject(error)))
      .then((text) => {
        const parsed: RunEvent[] = [];
        for (const line of text.split('\n')) {
          if (line.trim() === '') continue;
          try {
            const event = RunEvent.fromJSON(JSON.parse(line));
            if (event.sequence === parsed.length + 1) parsed.push(event);
          } catch {
            // a line torn by a crash: the events before it stand
          }
        }
        this.events ??= parsed;
        return this.events;
      });
    return this.loadingEvents;
  }

  /** Changes the Run and rewrites run.json (writes are serialized). */
  update(mutate: (run: Run) => void): void {
    mutate(this.current);
    this.current.updatedAt = new Date();
    const snapshot = Run.toJSON(this.current);
    this.enqueue(() => writeJsonAtomic(this.folder.runJson, snapshot));
    this.notify();
  }

  /**
   * Appends an event (the events must be loaded: allEvents() first for a loaded run) and tells the
   * followers. Returns the event with its sequence number and time.
   */
  emit(step: number, event: RunEventBody): RunEvent {
    const events = this.events;
    if (!events) throw new Error(`events of run ${this.runId} are not loaded`);
    const recorded: RunEvent = { sequence: events.length + 1, time: new Date(), step, event };
    events.push(recorded);
    const line = `${JSON.stringify(RunEvent.toJSON(recorded))}\n`;
    this.enqueue(() => appendFile(this.folder.eventsJsonl, line));
    this.notify();
    return recorded;
  }

  /** Sets the state and records it as an event, in one step (followers see both together). */
  setState(state: RunState, error = ''): void {
    this.update((run) => {
      run.state = state;
      if (error !== '' || isTerminal(state)) run.error = error;
    });
    this.emit(this.current.currentStep, { $case: 'state', state });
  }

  /** Resolves once every write so far is on disk; throws the first write error. */
  async flush(): Promise<void> {
    await this.writes;
    if (this.writeError !== undefined) throw this.writeError;
  }

  /**
   * The events after `afterSequence`, then live ones, until the run has ended and every event was
   * yielded. Stops (without error) when `signal` aborts.
   */
  async *follow(afterSequence: number, signal: AbortSignal): AsyncGenerator<RunEvent> {
    const events = await this.allEvents();
    let next = Math.max(0, Math.min(afterSequence, events.length));
    while (!signal.aborted) {
      while (next < events.length) yield events[next++]!;
      if (this.terminal) {
        // The run folder is complete before a watcher hears the end.
        await this.flush().catch(() => undefined);
        if (next >= events.length) return;
        continue;
      }
      await this.changed(signal);
    }
  }

  private changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private enqueue(write: () => Promise<void>): void {
    this.writes = this.writes.then(write).catch((error: unknown) => {
      this.writeError ??= error;
    });
  }
}
