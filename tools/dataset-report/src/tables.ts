import type { ClassInfo, LabelIndex, StepCount } from '@fmwiss/datasets';

/** A plain-text table with right-aligned numeric columns. */
export function formatTable(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 || Number.isNaN(Number(cell)) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

/** Images per step of a task, both settings side by side. */
export function stepTable(counts: StepCount[], classes: ReadonlyMap<number, ClassInfo>): string {
  const describe = (ids: number[]) =>
    ids.length <= 3 ? ids.map((id) => classes.get(id)?.name ?? String(id)).join(', ') : `${ids[0]}-${ids.at(-1)} (${ids.length} classes)`;
  return formatTable(
    ['step', 'classes', 'overlap', 'disjoint'],
    counts.map((c) => [String(c.step), describe(c.classIds), c.overlap, c.disjoint]),
  );
}

/** Per class: images holding it and its share of the labelled (non-ignore) pixels. */
export function classFrequencyTable(index: LabelIndex, classes: ReadonlyMap<number, ClassInfo>): string {
  return formatTable(
    ['class', 'id', 'images', 'pixels %'],
    index.classStats.map((s) => [classes.get(s.id)?.name ?? String(s.id), s.id, s.images, (100 * s.frequency).toFixed(2)]),
  );
}
