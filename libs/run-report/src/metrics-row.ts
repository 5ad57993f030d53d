import type { MetricsFile, ResultRow } from './types';

/** The old / new / all row of a finished run, from its metrics.json (label from the file unless given). */
export function resultRowFromMetrics(metrics: MetricsFile, options: { label?: string; note?: string } = {}): ResultRow {
  const row: ResultRow = {
    label: options.label ?? metrics.label,
    miouOld: metrics.final.miouOld,
    miouNew: metrics.final.miouNew,
    miouAll: metrics.final.miouAll,
  };
  if (options.note !== undefined) row.note = options.note;
  return row;
}
