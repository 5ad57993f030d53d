import { fuseMasks, type FusionMode } from './fusion';

describe('fuseMasks', () => {
  // The four (init, seeds) combinations: (0,0), (0,1), (1,0), (1,1).
  const init = Uint8Array.of(0, 0, 1, 1);
  const seeds = Uint8Array.of(0, 1, 0, 1);
  const table: [FusionMode, number[]][] = [
    ['union', [0, 1, 1, 1]],
    ['intersection', [0, 0, 0, 1]],
    ['init-only', [0, 0, 1, 1]],
    ['seeds-only', [0, 1, 0, 1]],
  ];

  it.each(table)('%s follows its truth table', (mode, expected) => {
    expect(Array.from(fuseMasks(init, seeds, mode))).toEqual(expected);
  });

  it('returns a new 0/1 mask and rejects mismatched sizes or unknown modes', () => {
    const out = fuseMasks(Uint8Array.of(255), Uint8Array.of(0), 'init-only');
    expect(Array.from(out)).toEqual([1]);
    expect(() => fuseMasks(init, Uint8Array.of(1), 'union')).toThrow(/4 and 1 pixels/);
    expect(() => fuseMasks(init, seeds, 'xor' as FusionMode)).toThrow(/fusion must be one of/);
  });
});
