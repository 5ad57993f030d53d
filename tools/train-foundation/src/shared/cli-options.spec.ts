import { parseOptions, UsageError, usageText } from './cli-options';
import { reproduceCommand } from './common-options';

const TABLE = {
  minutes: { kind: 'float', default: 45, min: 0.01, help: 'budget' },
  'max-steps': { kind: 'int', min: 1, help: 'steps' },
  out: { kind: 'string', default: 'models/x', help: 'out' },
  fresh: { kind: 'boolean', help: 'fresh' },
} as const;

describe('parseOptions', () => {
  it('fills defaults, converts and validates', () => {
    expect(parseOptions(['--minutes', '1.5', '--fresh'], TABLE)).toEqual({ help: false, values: { minutes: 1.5, 'max-steps': undefined, out: 'models/x', fresh: true } });
    expect(() => parseOptions(['--max-steps', '2.5'], TABLE)).toThrow(UsageError);
    expect(() => parseOptions(['--max-steps', '0'], TABLE)).toThrow(/>= 1/);
    expect(() => parseOptions(['--nope'], TABLE)).toThrow(UsageError);
    expect(parseOptions(['--help'], TABLE).help).toBe(true);
    expect(usageText('usage: x', TABLE)).toContain('--minutes N');
  });
});

describe('reproduceCommand', () => {
  it('fixes the steps, lifts the budget and writes elsewhere', () => {
    const command = reproduceCommand('s.ts', ['--minutes', '45', '--lr=0.001', '--run-dir', 'tmp/a/', '--stop-after', '3', '--fresh'], 100, 600, { runDir: 'tmp/a/', out: 'models/m' });
    expect(command).toBe('npx tsx s.ts --lr=0.001 --run-dir tmp/a-replay --out models/m-replay --max-steps 100 --minutes 40 --fresh');
  });
});
