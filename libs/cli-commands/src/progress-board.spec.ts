import { CapturedOutput } from './cli-io';
import { ProgressBoard, ttyFrame } from './progress-board';

describe('progress board', () => {
  it('builds terminal frames: cursor up over the old lines, erase, new lines cut to the width', () => {
    expect(ttyFrame(0, ['a', 'b'], 80)).toBe('\r\u001b[Ja\nb\n');
    expect(ttyFrame(2, ['abcdefgh'], 5)).toBe('\u001b[2A\r\u001b[Jabc…\n');
  });

  it('redraws in place on a terminal, at most once per interval, with a trailing redraw scheduled', () => {
    const out = new CapturedOutput(true, 40);
    let now = 0;
    const scheduled: (() => void)[] = [];
    const board = new ProgressBoard(out, { now: () => now, redrawMs: 100, schedule: (fn) => (scheduled.push(fn), () => undefined) });
    board.set('a', 'run a  step 0');
    board.set('b', 'run b  step 0');
    expect(out.text).toBe('\r\u001b[Jrun a  step 0\n');
    expect(scheduled).toHaveLength(1);
    now = 100;
    scheduled[0]!();
    expect(out.text.endsWith('\u001b[1A\r\u001b[Jrun a  step 0\nrun b  step 0\n')).toBe(true);
    board.log('run a: warning: retrying');
    expect(out.text.endsWith('\u001b[2A\r\u001b[Jrun a: warning: retrying\n\r\u001b[Jrun a  step 0\nrun b  step 0\n')).toBe(true);
  });

  it('prints plain lines when not a terminal: milestones at once, other changes every interval', () => {
    const out = new CapturedOutput(false);
    let now = 0;
    const board = new ProgressBoard(out, { now: () => now, plainIntervalMs: 5000 });
    board.set('a', 'a step 0 training');
    expect(out.text).toBe('a step 0 training\n');
    now = 1000;
    board.set('a', 'a step 0 training it 2');
    board.set('b', 'b queued', true);
    expect(out.text).toBe('a step 0 training\nb queued\n');
    now = 6000;
    board.set('a', 'a step 0 training it 9');
    expect(out.text).toBe('a step 0 training\nb queued\na step 0 training it 9\n');
    board.set('a', 'a done', true);
    board.close();
    board.set('a', 'ignored after close');
    expect(out.text).toBe('a step 0 training\nb queued\na step 0 training it 9\na done\n');
    expect(out.text).not.toContain('\u001b');
  });
});
