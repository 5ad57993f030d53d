import { fitWidth, formatDuration, formatLosses, percent, shortNumber } from './format';

describe('formatters', () => {
  it('formats durations', () => {
    expect([0, 59, 75, 3599, 3600 + 6 * 60].map(formatDuration)).toEqual(['0s', '59s', '1m15s', '59m59s', '1h06m']);
    expect(formatDuration(-1)).toBe('?');
    expect(formatDuration(Infinity)).toBe('?');
  });

  it('formats numbers in about three significant digits', () => {
    expect([0.41234, 12.345, 0, 0.00012, 123456].map(shortNumber)).toEqual(['0.412', '12.3', '0', '1.2e-4', '1.2e5']);
    expect(percent(0.6123)).toBe('61.2');
    expect(percent(NaN)).toBe('–');
  });

  it('puts the total loss first and caps the terms', () => {
    expect(formatLosses({ seg: 0.3, total: 0.41234, dcl: 0.05 })).toBe('loss 0.412 (dcl 0.05, seg 0.3)');
    expect(formatLosses({ a: 1, b: 2, c: 3, d: 4, e: 5 })).toBe('loss a 1, b 2, c 3, d 4');
    expect(formatLosses({})).toBe('');
  });

  it('cuts long lines with an ellipsis', () => {
    expect(fitWidth('abcdef', 4)).toBe('abc…');
    expect(fitWidth('abc', 4)).toBe('abc');
  });
});
