import { checkAddress, parseChoiceList, parseClassIds, parseSteps } from './value-parsers';

describe('flag value parsers', () => {
  it('reads class ids and ranges, sorted and distinct', () => {
    expect(parseClassIds('16-20', '--new-classes')).toEqual([16, 17, 18, 19, 20]);
    expect(parseClassIds('5, 1-3,2', '--x')).toEqual([1, 2, 3, 5]);
  });

  it('names the flag and the bad part', () => {
    expect(() => parseClassIds('1-x', '--base-classes')).toThrow('--base-classes: "1-x" is not a class id or a range like 1-15 (got "1-x")');
    expect(() => parseClassIds('9-3', '--base-classes')).toThrow(/"9-3" must be ids in 1..254, low-high/);
    expect(() => parseClassIds('0', '--base-classes')).toThrow(/1..254/);
  });

  it('reads custom steps and refuses a class in two steps or a single step', () => {
    expect(parseSteps('1-2/3/4,5', '--steps')).toEqual([[1, 2], [3], [4, 5]]);
    expect(() => parseSteps('1-5/5-6', '--steps')).toThrow('--steps: class 5 is in step 0 and step 1');
    expect(() => parseSteps('1-5', '--steps')).toThrow(/at least one more/);
  });

  it('reads choice lists with "all", in the allowed order', () => {
    const sets = ['fusion', 'lambda', 'seeds'] as const;
    expect(parseChoiceList('seeds,fusion', sets, '--set')).toEqual(['fusion', 'seeds']);
    expect(parseChoiceList('all', sets, '--set')).toEqual(['fusion', 'lambda', 'seeds']);
    expect(() => parseChoiceList('fusion,colour', sets, '--set')).toThrow('--set: unknown "colour"; choose from fusion, lambda, seeds or all');
  });

  it('checks host:port addresses', () => {
    expect(checkAddress('127.0.0.1:50055', '--coordinator')).toBe('127.0.0.1:50055');
    expect(() => checkAddress('localhost', '--trainer')).toThrow('--trainer: "localhost" is not a host:port address');
    expect(() => checkAddress('h:70000', '--trainer')).toThrow(/not a host:port/);
  });
});
