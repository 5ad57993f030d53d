import type { ClassGroup, MetricsSummary } from './summary';

/** JSON form of a {@link MetricsSummary}: fractions in [0, 1] at full precision, null for empty columns. */
export interface MetricsSummaryJSON {
  miouOld: number | null;
  miouNew: number | null;
  miouAll: number | null;
  pixelAccuracy: number | null;
  pixels: number;
  images?: number;
  oldClassIds: number[];
  newClassIds: number[];
  perClass: Array<{
    classId: number;
    name: string;
    group: ClassGroup;
    iou: number;
    present: boolean;
    truePositives: number;
    falsePositives: number;
    falseNegatives: number;
    groundTruthPixels: number;
    predictedPixels: number;
  }>;
}

/** A plain, JSON-safe copy (no NaN, no typed arrays, fixed key order) for reports and checkpoints. */
export function summaryToJSON(summary: MetricsSummary): MetricsSummaryJSON {
  const json: MetricsSummaryJSON = {
    miouOld: summary.miouOld,
    miouNew: summary.miouNew,
    miouAll: summary.miouAll,
    pixelAccuracy: summary.pixelAccuracy,
    pixels: summary.pixels,
    oldClassIds: [...summary.oldClassIds],
    newClassIds: [...summary.newClassIds],
    perClass: summary.perClass.map((e) => ({
      classId: e.classId,
      name: e.name,
      group: e.group,
      iou: e.iou,
      present: e.present,
      truePositives: e.truePositives,
      falsePositives: e.falsePositives,
      falseNegatives: e.falseNegatives,
      groundTruthPixels: e.groundTruthPixels,
      predictedPixels: e.predictedPixels,
    })),
  };
  if (summary.images !== undefined) json.images = summary.images;
  return json;
}

/** A reference row of the paper's table: mIoU in percent; null where the paper gives no figure. */
export interface BaselineRow {
  name: string;
  old: number | null;
  new: number | null;
  all: number | null;
}

export interface MarkdownOptions {
  /** Rendered as a "## title" heading above the tables. */
  title?: string;
  /** Reference rows listed above this run's row (e.g. the protocol's figures). */
  baselines?: readonly BaselineRow[];
  /** Name of this run's row. Default "this run". */
  method?: string;
}

/** Shown for a figure that does not exist (no present class), never 0. */
export const ABSENT = '–';

/**
 * Two Markdown tables: `| method | old | new | all |` (mIoU in percent, 1 decimal: baselines first,
 * then this run), and `| class | IoU | present |` per class. Absent classes and empty columns show "–".
 */
export function summaryToMarkdown(summary: MetricsSummary, options: MarkdownOptions = {}): string {
  const lines: string[] = [];
  if (options.title !== undefined) lines.push(`## ${options.title}`, '');
  lines.push('| method | old | new | all |', '| --- | ---: | ---: | ---: |');
  for (const b of options.baselines ?? []) {
    lines.push(row(cell(b.name), percent(b.old), percent(b.new), percent(b.all)));
  }
  lines.push(
    row(
      cell(options.method ?? 'this run'),
      fraction(summary.miouOld),
      fraction(summary.miouNew),
      fraction(summary.miouAll),
    ),
  );
  lines.push('', '| class | IoU | present |', '| --- | ---: | --- |');
  for (const e of summary.perClass) {
    lines.push(row(cell(e.name), e.present ? fraction(e.iou) : ABSENT, e.present ? 'yes' : 'no'));
  }
  return lines.join('\n') + '\n';
}

function row(...cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function fraction(value: number | null): string {
  return value === null ? ABSENT : percent(value * 100);
}

function percent(value: number | null): string {
  return value === null || !Number.isFinite(value) ? ABSENT : value.toFixed(1);
}

/** Escapes what would break a table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
