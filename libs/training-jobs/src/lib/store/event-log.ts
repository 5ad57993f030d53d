import { closeSync, existsSync, fsyncSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { TrainingEvent, type JobState } from '@fmwiss/contracts';

/** What opening a log found wrong (a torn last line after a power loss, a line that is no event). */
export interface EventLogProblem {
  line: number;
  reason: string;
}

/**
 * A job's events.jsonl: one TrainingEvent (proto JSON) per line, sequence numbers increasing from 1.
 * Appends are whole lines; a torn last line (a crash mid-write) is cut off when the log is opened.
 */
export class EventLog {
  private constructor(
    readonly path: string,
    private last: number,
    readonly problems: readonly EventLogProblem[],
    private state: JobState | undefined,
  ) {}

  /** Opens (or starts) the log at `path`, repairing a torn tail. */
  static open(path: string): EventLog {
    if (!existsSync(path)) return new EventLog(path, 0, [], undefined);
    const bytes = readFileSync(path);
    const problems: EventLogProblem[] = [];
    let last = 0;
    let state: JobState | undefined;
    let goodEnd = 0;
    let start = 0;
    let line = 0;
    while (start < bytes.length) {
      const newline = bytes.indexOf(0x0a, start);
      line++;
      if (newline < 0) {
        problems.push({ line, reason: 'incomplete last line (cut off)' });
        break;
      }
      const text = bytes.subarray(start, newline).toString('utf8');
      const event = parseEvent(text);
      if (event === undefined || event.sequence <= last) {
        if (newline === bytes.length - 1) {
          problems.push({ line, reason: 'unreadable last line (cut off)' });
          break;
        }
        problems.push({ line, reason: event === undefined ? 'not an event (skipped)' : `sequence ${event.sequence} after ${last} (skipped)` });
      } else {
        last = event.sequence;
        if (event.event?.$case === 'state') state = event.event.state;
      }
      goodEnd = newline + 1;
      start = newline + 1;
    }
    if (goodEnd < bytes.length) truncateSync(path, goodEnd);
    return new EventLog(path, last, problems, state);
  }

  /** The sequence number of the last event written (0: none). */
  get lastSequence(): number {
    return this.last;
  }

  /** The state of the last state event written (undefined: none). */
  get lastState(): JobState | undefined {
    return this.state;
  }

  /** The next event's sequence number. */
  nextSequence(): number {
    return this.last + 1;
  }

  /** Appends one event (its sequence must be the next); `durable` fsyncs it. */
  append(event: TrainingEvent, durable: boolean): void {
    if (event.sequence !== this.last + 1) throw new Error(`event sequence ${event.sequence} does not follow ${this.last}`);
    const fd = openSync(this.path, 'a');
    try {
      writeSync(fd, `${JSON.stringify(TrainingEvent.toJSON(event))}\n`);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.last = event.sequence;
    if (event.event?.$case === 'state') this.state = event.event.state;
  }

  /** Every event with a sequence number above `after`, in order. */
  readAfter(after: number): TrainingEvent[] {
    if (after >= this.last || !existsSync(this.path)) return [];
    const events: TrainingEvent[] = [];
    let previous = 0;
    for (const text of readFileSync(this.path, 'utf8').split('\n')) {
      const event = parseEvent(text);
      if (event === undefined || event.sequence <= previous) continue;
      previous = event.sequence;
      if (event.sequence > after) events.push(event);
    }
    return events;
  }
}

function parseEvent(text: string): TrainingEvent | undefined {
  if (text.trim() === '') return undefined;
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json !== 'object' || json === null) return undefined;
    const event = TrainingEvent.fromJSON(json);
    return Number.isInteger(event.sequence) && event.sequence > 0 && event.event !== undefined ? event : undefined;
  } catch {
    return undefined;
  }
}
