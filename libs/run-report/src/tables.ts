// The old / new / all table of runs and baselines, and the ablation table, as aligned text or Markdown.
import { formatPercent } from './format';
import type { AblationRow, ResultRow } from './types';

export type TableFormat = 'text' | 'markdown';

type Align = 'left' | 'right';
interface Column {
  header: string;
  align: Align;
}

const FIGURE_COLUMNS: Column[] = [
  { header: 'mIoU old', align: 'right' },
  { header: 'mIoU new', align: 'right' },
  { header: 'mIoU all', align: 'right' },
];

/**
 * The old / new / all table: one row per run or baseline, mean IoUs as percentages with one decimal
 * ("73.3"), "–" where undefined. Text: columns aligned with two spaces between them and a dashed rule
 * under the header. Markdown: a pipe table, aligned as well, numbers right-aligned. A note column is
 * added only when a row has a note.
 */
export function resultsTable(rows: ResultRow[], format: TableFormat): string {
  const withNote = rows.some((row) => row.note);
  const columns: Column[] = [{ header: 'method', align: 'left' }, ...FIGURE_COLUMNS];
  if (withNote) columns.push({ header: 'note', align: 'left' });
  const cells = rows.map((row) => {
    const line = [row.label, formatPercent(row.miouOld), formatPercent(row.miouNew), formatPercent(row.miouAll)];
    if (withNote) line.push(row.note ?? '');
    return line;
  });
  return formatTable(columns, cells, format);
}

/**
 * The ablation table of `fmwiss ablate`: the variant, one column per setting (the union of the rows'
 * setting names, in the order first seen; empty where a row does not set it), then old / new / all.
 */
export function ablationTable(rows: AblationRow[], format: TableFormat): string {
  const settingNames: string[] = [];
  for (const row of rows) for (const name of Object.keys(row.settings)) if (!settingNames.includes(name)) settingNames.push(name);
  const withNote = rows.some((row) => row.note);
  const columns: Column[] = [
    { header: 'variant', align: 'left' },
    ...settingNames.map((header): Column => ({ header, align: 'left' })),
    ...FIGURE_COLUMNS,
  ];
  if (withNote) columns.push({ header: 'note', align: 'left' });
  const cells = rows.map((row) => {
    const line = [
      row.variant,
      ...settingNames.map((name) => row.settings[name] ?? ''),
      formatPercent(row.miouOld),
      formatPercent(row.miouNew),
      formatPercent(row.miouAll),
    ];
    if (withNote) line.push(row.note ?? '');
    return line;
  });
  return formatTable(columns, cells, format);
}

/** Markdown cells: a pipe would end the cell, a line break the row. */
function markdownCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function plainCell(text: string): string {
  return text.replace(/\r?\n/g, ' ');
}

function formatTable(columns: Column[], rows: string[][], format: TableFormat): string {
  const clean = format === 'markdown' ? markdownCell : plainCell;
  const header = columns.map((c) => clean(c.header));
  const body = rows.map((row) => row.map(clean));
  const minimum = format === 'markdown' ? 3 : 1; // a Markdown rule needs at least "---"
  const widths = columns.map((_, c) => Math.max(minimum, header[c]!.length, ...body.map((row) => row[c]!.length)));
  const pad = (cell: string, c: number) => (columns[c]!.align === 'right' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!));
  if (format === 'markdown') {
    const line = (cells: string[]) => `| ${cells.map(pad).join(' | ')} |`;
    const rule = `|${columns.map((column, c) => (column.align === 'right' ? `${'-'.repeat(widths[c]! + 1)}:` : '-'.repeat(widths[c]! + 2))).join('|')}|`;
    return [line(header), rule, ...body.map(line)].join('\n');
  }
  const line = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
