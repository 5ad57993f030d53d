// The figures against their targets (issue 6 item 5), as a table for people and as JSON.
import type { QualityFigures } from './quality';

/** The targets the project's own models must meet. */
export const TARGETS = Object.freeze({
  mAP: 0.85,
  mIoUInitOnly: 0.4,
  seedIoU: 0.5,
});

export interface TargetRow {
  /** Stable key for JSON readers. */
  key: string;
  figure: string;
  value: number | null;
  /** 'fraction' prints as a percentage, 'score' as a 3-decimal number. */
  unit: 'fraction' | 'score';
  /** The target in words; empty for a figure shown for information only. */
  target: string;
  /** null: no target, or the figure could not be computed (no data). */
  met: boolean | null;
}

export interface ReportContext {
  dataset: string;
  images: number;
  models: { image: string; text: string; vit: string };
  classNames: readonly string[];
  wallSeconds: number;
}

const atLeast = (value: number | null, target: number): boolean | null => (value === null ? null : value >= target);

/** One row per figure, with its target and whether it is met. */
export function targetRows(f: QualityFigures): TargetRow[] {
  const unionMet = f.mIoUUnion === null || f.mIoUInitOnly === null ? null : f.mIoUUnion > f.mIoUInitOnly;
  return [
    { key: 'mAPGlobal', figure: '1. zero-shot mAP, global embedding', value: f.mAPGlobal, unit: 'score', target: `>= ${TARGETS.mAP}`, met: atLeast(f.mAPGlobal, TARGETS.mAP) },
    { key: 'mAPDense', figure: '   zero-shot mAP, dense (max over patches)', value: f.mAPDense, unit: 'score', target: `>= ${TARGETS.mAP}`, met: atLeast(f.mAPDense, TARGETS.mAP) },
    { key: 'mIoUInitOnly', figure: '2. M_init mIoU (init-only, true labels)', value: f.mIoUInitOnly, unit: 'fraction', target: `>= ${TARGETS.mIoUInitOnly * 100}%`, met: atLeast(f.mIoUInitOnly, TARGETS.mIoUInitOnly) },
    { key: 'seedIoUMean', figure: `3. seed-attention IoU, mean (N=${f.numSeeds}, K=${f.massFraction})`, value: f.seedIoUMean, unit: 'fraction', target: `>= ${TARGETS.seedIoU * 100}%`, met: atLeast(f.seedIoUMean, TARGETS.seedIoU) },
    { key: 'seedIoUMedian', figure: '   seed-attention IoU, median', value: f.seedIoUMedian, unit: 'fraction', target: '', met: null },
    { key: 'mIoUUnion', figure: '4. fused mIoU (union)', value: f.mIoUUnion, unit: 'fraction', target: '> init-only', met: unionMet },
  ];
}

function formatValue(value: number | null, unit: TargetRow['unit']): string {
  if (value === null) return 'n/a';
  return unit === 'fraction' ? `${(100 * value).toFixed(1)}%` : value.toFixed(3);
}

function formatResult(met: boolean | null, target: string): string {
  if (target === '') return '';
  if (met === null) return 'no data';
  return met ? 'met' : 'MISSED';
}

/** The table printed on stdout. */
export function formatReport(f: QualityFigures, context: ReportContext): string {
  const rows = targetRows(f);
  const widths = [Math.max(6, ...rows.map((r) => r.figure.length)), 8, 12];
  const line = (cells: string[]) => cells.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd();
  const out: string[] = [];
  out.push(`model quality on ${context.dataset}: ${f.images} images (${f.imagesWithoutObject} without an object class), ${f.seedPairs} (image, class) pairs, seed ${f.seed}`);
  out.push(`  image model  ${context.models.image}`);
  out.push(`  text model   ${context.models.text}`);
  out.push(`  vit model    ${context.models.vit}`);
  out.push('');
  out.push(line(['figure', 'value', 'target', 'result']));
  for (const row of rows) {
    let result = formatResult(row.met, row.target);
    if (row.key === 'mIoUUnion' && f.mIoUUnion !== null && f.mIoUInitOnly !== null) {
      const diff = 100 * (f.mIoUUnion - f.mIoUInitOnly);
      result += ` (${diff >= 0 ? '+' : ''}${diff.toFixed(1)} points vs init-only ${formatValue(f.mIoUInitOnly, 'fraction')})`;
    }
    out.push(line([row.figure, formatValue(row.value, row.unit), row.target, result]));
  }
  const missed = rows.filter((r) => r.met === false).length;
  const unknown = rows.filter((r) => r.target !== '' && r.met === null).length;
  out.push('');
  out.push(`targets: ${rows.filter((r) => r.met === true).length} met, ${missed} missed${unknown > 0 ? `, ${unknown} without data` : ''}`);
  out.push(`wall time ${context.wallSeconds.toFixed(1)} s`);
  return out.join('\n');
}

/** Everything in the table plus the per-class figures, for --json. */
export function reportJSON(f: QualityFigures, context: ReportContext): object {
  return {
    format: 'fmwiss.model-quality/v1',
    dataset: context.dataset,
    images: f.images,
    imagesWithoutObject: f.imagesWithoutObject,
    seedPairs: f.seedPairs,
    seed: f.seed,
    numSeeds: f.numSeeds,
    massFraction: f.massFraction,
    models: context.models,
    wallSeconds: context.wallSeconds,
    figures: {
      mAPGlobal: f.mAPGlobal,
      mAPDense: f.mAPDense,
      mIoUInitOnly: f.mIoUInitOnly,
      seedIoUMean: f.seedIoUMean,
      seedIoUMedian: f.seedIoUMedian,
      mIoUUnion: f.mIoUUnion,
      mIoUUnionMinusInitOnly: f.mIoUUnion !== null && f.mIoUInitOnly !== null ? f.mIoUUnion - f.mIoUInitOnly : null,
      backgroundIoUInitOnly: f.backgroundIoUInitOnly,
      backgroundIoUUnion: f.backgroundIoUUnion,
    },
    targets: targetRows(f).map(({ key, value, target, met }) => ({ key, value, target, met })),
    perClass: f.perClass.map((c) => ({ ...c, name: context.classNames[c.classId - 1] ?? String(c.classId) })),
  };
}
