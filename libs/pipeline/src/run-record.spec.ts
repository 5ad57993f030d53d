import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Run, RunState, type RunEvent } from '@fmwiss/contracts';
import { RunFolder } from './run-folder';
import { RunRecord } from './run-record';

const newRun = (runId: string, dir: string): Run => ({
  runId,
  state: RunState.RUN_STATE_QUEUED,
  request: undefined,
  steps: [],
  currentStep: 0,
  runDir: dir,
  error: '',
  createdAt: new Date(),
  updatedAt: new Date(),
});

describe('RunRecord', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-record-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('numbers events, writes run.json and events.jsonl, replays and follows until the run ends', async () => {
    const record = await RunRecord.create(new RunFolder(dir), newRun('r', dir));
    record.setState(RunState.RUN_STATE_RUNNING);
    record.emit(0, { $case: 'warning', warning: 'first' });
    const controller = new AbortController();
    const seen: RunEvent[] = [];
    const following = (async () => {
      for await (const event of record.follow(1, controller.signal)) seen.push(event);
    })();
    await new Promise((resolve) => setImmediate(resolve));
    record.emit(0, { $case: 'warning', warning: 'live' });
    record.setState(RunState.RUN_STATE_FAILED, 'trainer at t:4 is unreachable');
    await following;
    expect(seen.map((e) => e.sequence)).toEqual([2, 3, 4]);
    const lines = (await readFile(join(dir, 'events.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(4); // on disk before the follower heard the end
    expect(JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'))).toMatchObject({ state: 'RUN_STATE_FAILED', error: 'trainer at t:4 is unreachable' });
  });

  it('loads a run written earlier, skipping a torn last line of events.jsonl', async () => {
    const record = await RunRecord.create(new RunFolder(dir), newRun('r', dir));
    record.emit(0, { $case: 'state', state: RunState.RUN_STATE_QUEUED });
    record.emit(0, { $case: 'warning', warning: 'kept' });
    await record.flush();
    await appendFile(join(dir, 'events.jsonl'), '{"sequence":3,"time":"2026');
    const loaded = await RunRecord.load(new RunFolder(dir));
    expect((await loaded.allEvents()).map((e) => e.sequence)).toEqual([1, 2]);
    expect(loaded.emit(0, { $case: 'warning', warning: 'next' }).sequence).toBe(3);
  });

  it('stops following when the watcher goes away', async () => {
    const record = await RunRecord.create(new RunFolder(dir), newRun('r', dir));
    const controller = new AbortController();
    const following = (async () => {
      const seen: number[] = [];
      for await (const event of record.follow(0, controller.signal)) seen.push(event.sequence);
      return seen;
    })();
    record.emit(0, { $case: 'warning', warning: 'one' });
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(following).resolves.toEqual([1]);
  });
});
