// The loss curves of one step: one line per loss term over the step's iterations, phases shaded.
import { lineChartSvg, type LineSeries, type XBand } from './line-chart';
import type { LossPoint } from './types';

/** The most points drawn per loss term; longer curves are averaged over equal runs of points. */
export const MAX_POINTS_PER_TERM = 400;

/** Loss term names in the order first seen ("total" first when present). */
export function lossTerms(points: ReadonlyArray<LossPoint>): string[] {
  const names: string[] = [];
  for (const point of points) for (const name of Object.keys(point.losses)) if (!names.includes(name)) names.push(name);
  return names.includes('total') ? ['total', ...names.filter((n) => n !== 'total')] : names;
}

/** Phases that only frame the training (reading data, writing a checkpoint): not marked as bands. */
const BOOKKEEPING_PHASES = new Set(['loading', 'saving']);

/**
 * Consecutive runs of the same training phase as x bands: from a run's first iteration to the next
 * run's first (the last to its own last). "loading" and "saving" points do not start a band.
 */
export function phaseBands(points: ReadonlyArray<LossPoint>): XBand[] {
  const sorted = points.filter((p) => !BOOKKEEPING_PHASES.has(p.phase)).sort((a, b) => a.iteration - b.iteration);
  const bands: XBand[] = [];
  for (const point of sorted) {
    const last = bands.at(-1);
    if (last && last.label === point.phase) last.to = point.iteration;
    else {
      if (last) last.to = point.iteration;
      bands.push({ from: point.iteration, to: point.iteration, label: point.phase });
    }
  }
  return bands;
}

/** [iteration, value] of one term where it is finite, averaged down to at most `maxPoints` points. */
export function termPoints(points: ReadonlyArray<LossPoint>, term: string, maxPoints = MAX_POINTS_PER_TERM): Array<[number, number]> {
  const raw: Array<[number, number]> = [];
  for (const point of points) {
    const value = point.losses[term];
    if (typeof value === 'number' && Number.isFinite(value) && Number.isFinite(point.iteration)) raw.push([point.iteration, value]);
  }
  raw.sort((a, b) => a[0] - b[0]);
  if (raw.length <= maxPoints) return raw;
  const out: Array<[number, number]> = [];
  for (let k = 0; k < maxPoints; k++) {
    const start = Math.floor((k * raw.length) / maxPoints);
    const end = Math.floor(((k + 1) * raw.length) / maxPoints);
    let x = 0;
    let y = 0;
    for (let i = start; i < end; i++) {
      x += raw[i]![0];
      y += raw[i]![1];
    }
    out.push([x / (end - start), y / (end - start)]);
  }
  return out;
}

/** The SVG chart of one step's losses; `colourOf` keeps a term's colour the same across steps. */
export function lossCurveSvg(step: number, points: ReadonlyArray<LossPoint>, colourOf: (term: string) => string, maxPoints = MAX_POINTS_PER_TERM): string {
  const series: LineSeries[] = lossTerms(points).map((term) => ({ name: term, colour: colourOf(term), points: termPoints(points, term, maxPoints) }));
  return lineChartSvg({
    series,
    bands: phaseBands(points),
    xLabel: `iteration of step ${step}`,
    yLabel: 'loss',
    title: `losses of step ${step}`,
  });
}
