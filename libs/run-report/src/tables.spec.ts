import { ablationTable, resultsTable } from './tables';
import type { ResultRow } from './types';

const rows: ResultRow[] = [
  { label: 'fmwiss (ours)', miouOld: 0.7333, miouNew: 0.4, miouAll: 0.65 },
  { label: 'joint', miouOld: 0.755, miouNew: 0.735, miouAll: 0.754, note: 'upper bound' },
  { label: 'fine-tuning', miouOld: Number.NaN, miouNew: null, miouAll: 0.183 },
];

describe('resultsTable', () => {
  it('writes an aligned text table with percentages of one decimal and "–" for undefined figures', () => {
    expect(resultsTable(rows, 'text')).toBe(
      [
        'method         mIoU old  mIoU new  mIoU all  note',
        '-------------  --------  --------  --------  -----------',
        'fmwiss (ours)      73.3      40.0      65.0',
        'joint              75.5      73.5      75.4  upper bound',
        'fine-tuning           –         –      18.3',
      ].join('\n'),
    );
  });

  it('writes an aligned Markdown table with right-aligned numbers', () => {
    expect(resultsTable(rows, 'markdown')).toBe(
      [
        '| method        | mIoU old | mIoU new | mIoU all | note        |',
        '|---------------|---------:|---------:|---------:|-------------|',
        '| fmwiss (ours) |     73.3 |     40.0 |     65.0 |             |',
        '| joint         |     75.5 |     73.5 |     75.4 | upper bound |',
        '| fine-tuning   |        – |        – |     18.3 |             |',
      ].join('\n'),
    );
  });

  it('leaves the note column out when no row has a note, and escapes pipes in Markdown', () => {
    const table = resultsTable([{ label: 'a|b', miouOld: 1, miouNew: 0, miouAll: 0.5 }], 'markdown');
    expect(table.split('\n')).toEqual([
      '| method | mIoU old | mIoU new | mIoU all |',
      '|--------|---------:|---------:|---------:|',
      '| a\\|b   |    100.0 |      0.0 |     50.0 |',
    ]);
    expect(resultsTable([], 'text')).toBe('method  mIoU old  mIoU new  mIoU all\n------  --------  --------  --------');
  });

  it('keeps every line of a text table the same width up to the last column', () => {
    const lines = resultsTable(rows, 'text').split('\n');
    const allColumn = lines[0]!.indexOf('mIoU all') + 'mIoU all'.length;
    for (const line of lines.slice(2)) expect(line.slice(allColumn - 4, allColumn)).toMatch(/^( {3}–|\d\d\.\d)$/);
  });
});

describe('ablationTable', () => {
  it('has a column per setting name in the order first seen, empty where a row does not set it', () => {
    const table = ablationTable(
      [
        { variant: 'default', settings: { fusion: 'union', lambda: '0.1' }, miouOld: 0.7, miouNew: 0.45, miouAll: 0.65 },
        { variant: 'no-dcl', settings: { lambda: '0' }, miouOld: 0.69, miouNew: 0.4, miouAll: 0.63 },
        { variant: 'no-teacher', settings: { teacher: 'off' }, miouOld: 0.68, miouNew: 0.3, miouAll: 0.6 },
      ],
      'text',
    );
    expect(table).toBe(
      [
        'variant     fusion  lambda  teacher  mIoU old  mIoU new  mIoU all',
        '----------  ------  ------  -------  --------  --------  --------',
        'default     union   0.1                  70.0      45.0      65.0',
        'no-dcl              0                    69.0      40.0      63.0',
        'no-teacher                  off          68.0      30.0      60.0',
      ].join('\n'),
    );
  });

  it('writes Markdown with the same columns', () => {
    const table = ablationTable([{ variant: 'seeds 9', settings: { seeds: '9' }, miouOld: 0.5, miouNew: 0.25, miouAll: 0.45, note: 'n=1' }], 'markdown');
    expect(table.split('\n')).toEqual([
      '| variant | seeds | mIoU old | mIoU new | mIoU all | note |',
      '|---------|-------|---------:|---------:|---------:|------|',
      '| seeds 9 | 9     |     50.0 |     25.0 |     45.0 | n=1  |',
    ]);
  });
});
