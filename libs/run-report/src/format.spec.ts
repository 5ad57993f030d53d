import { escapeHtml, formatDuration, formatPercent, formatPointDifference } from './format';

describe('format', () => {
  it('formats fractions as percentages with one decimal, undefined as "–"', () => {
    expect(formatPercent(0.73333)).toBe('73.3');
    expect(formatPercent(0)).toBe('0.0');
    expect(formatPercent(1)).toBe('100.0');
    expect(formatPercent(Number.NaN)).toBe('–');
    expect(formatPercent(null)).toBe('–');
    expect(formatPercent(undefined)).toBe('–');
  });

  it('formats differences in points with a sign', () => {
    expect(formatPointDifference(0.754, 0.713)).toBe('+4.1');
    expect(formatPointDifference(0.183, 0.713)).toBe('-53.0');
    expect(formatPointDifference(0.5, 0.5)).toBe('0.0');
    expect(formatPointDifference(0.5, 0.50001)).toBe('0.0');
    expect(formatPointDifference(null, 0.5)).toBe('–');
  });

  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3720)).toBe('1h 02m');
    expect(formatDuration(Number.NaN)).toBe('–');
  });

  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
