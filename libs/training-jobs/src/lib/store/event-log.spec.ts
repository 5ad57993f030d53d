import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JobState, type TrainingEvent } from '@fmwiss/contracts';
import { EventLog } from './event-log';

const event = (sequence: number, warning = `w${sequence}`): TrainingEvent => ({
  sequence,
  time: new Date(Date.UTC(2025, 0, 1, 0, 0, sequence)),
  event: { $case: 'warning', warning },
});

describe('EventLog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'event-log-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('appends numbered events as JSON lines and reads them back after a sequence', () => {
    const path = join(dir, 'events.jsonl');
    const log = EventLog.open(path);
    expect(log.nextSequence()).toBe(1);
    log.append(event(1), false);
    log.append({ sequence: 2, time: new Date(0), event: { $case: 'state', state: JobState.JOB_STATE_RUNNING } }, true);
    log.append(event(3), false);
    expect(() => log.append(event(5), false)).toThrow('event sequence 5 does not follow 3');
    expect(readFileSync(path, 'utf8').split('\n')[1]).toBe('{"sequence":2,"time":"1970-01-01T00:00:00.000Z","state":"JOB_STATE_RUNNING"}');
    expect(log.readAfter(1).map((e) => e.sequence)).toEqual([2, 3]);
    expect(log.readAfter(1)[0]!.event).toEqual({ $case: 'state', state: JobState.JOB_STATE_RUNNING });
    expect(log.readAfter(3)).toEqual([]);
    const reopened = EventLog.open(path);
    expect(reopened.lastSequence).toBe(3);
    expect(reopened.readAfter(0)).toEqual([event(1), { sequence: 2, time: new Date(0), event: { $case: 'state', state: JobState.JOB_STATE_RUNNING } }, event(3)]);
  });

  it('cuts a torn last line on open and continues the numbering after the last whole event', () => {
    const path = join(dir, 'events.jsonl');
    const log = EventLog.open(path);
    log.append(event(1), false);
    log.append(event(2), false);
    appendFileSync(path, '{"sequence":3,"time":"2025-01-01T00:00:0'); // a crash mid-write
    const reopened = EventLog.open(path);
    expect(reopened.problems).toEqual([{ line: 3, reason: 'incomplete last line (cut off)' }]);
    expect(reopened.lastSequence).toBe(2);
    reopened.append(event(3), false);
    expect(reopened.readAfter(0).map((e) => e.sequence)).toEqual([1, 2, 3]);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
  });

  it('skips lines that are no event or out of order, and starts empty without a file', () => {
    const path = join(dir, 'events.jsonl');
    const lines = [event(1), event(2)].map((e) => JSON.stringify({ sequence: e.sequence, warning: 'x' }));
    writeFileSync(path, `${lines[0]}\nnot json\n${lines[0]}\n${lines[1]}\n`);
    const log = EventLog.open(path);
    expect(log.problems.map((p) => p.line)).toEqual([2, 3]);
    expect(log.readAfter(0).map((e) => e.sequence)).toEqual([1, 2]);
    expect(EventLog.open(join(dir, 'absent.jsonl')).lastSequence).toBe(0);
  });
});
