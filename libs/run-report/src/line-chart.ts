// A line chart as inline SVG: polylines with axes, a legend and shaded bands (training phases).
import { formatTick, niceDomain, niceTicks } from './axis-ticks';
import { escapeHtml } from './format';

export interface LineSeries {
  name: string;
  colour: string;
  /** [x, y] in data units, in drawing order; non-finite points are left out. */
  points: ReadonlyArray<readonly [number, number]>;
}

/** A stretch of the x axis shaded and named (a training phase). */
export interface XBand {
  from: number;
  to: number;
  label: string;
}

export interface LineChartOptions {
  series: LineSeries[];
  bands?: XBand[];
  xLabel: string;
  yLabel: string;
  /** Accessible name of the chart. */
  title: string;
  width?: number;
  height?: number;
}

const MARGIN = { left: 58, right: 150, top: 28, bottom: 42 };
const BAND_FILLS = ['#eef3fb', '#fbf3e9', '#eef7ee', '#f7eef7'];

const fixed = (value: number) => String(Math.round(value * 10) / 10);

/** One <svg> element; one <polyline> per series with a point for each finite [x, y]. */
export function lineChartSvg(options: LineChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 280;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const series = options.series.map((s) => ({ ...s, points: s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)) }));
  const xs = series.flatMap((s) => s.points.map(([x]) => x));
  const ys = series.flatMap((s) => s.points.map(([, y]) => y));
  for (const band of options.bands ?? []) xs.push(band.from, band.to);
  const [xMin, xMax] = xs.length ? extent(xs) : [0, 1];
  const [yLow, yHigh] = ys.length ? extent(ys) : [0, 1];
  const [yMin, yMax] = niceDomain(Math.min(0, yLow), yHigh);
  const [x0, x1] = xMax > xMin ? [xMin, xMax] : [xMin - 1, xMax + 1];
  const px = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * plotWidth;
  const py = (y: number) => MARGIN.top + plotHeight - ((y - yMin) / (yMax - yMin)) * plotHeight;

  const parts: string[] = [];
  parts.push(
    `<svg class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="11" font-family="sans-serif">`,
    `<title>${escapeHtml(options.title)}</title>`,
  );
  for (const [i, band] of (options.bands ?? []).entries()) {
    const left = px(band.from);
    const right = px(band.to);
    // Every band names its phase in a tooltip; on the chart only where there is room for the name.
    const label = escapeHtml(band.label);
    parts.push(
      `<rect class="phase" x="${fixed(left)}" y="${MARGIN.top}" width="${fixed(Math.max(0, right - left))}" height="${plotHeight}" fill="${BAND_FILLS[i % BAND_FILLS.length]}"><title>${label}</title></rect>`,
    );
    if (right - left >= Math.min(plotWidth, 6.5 * band.label.length)) parts.push(`<text x="${fixed(left + 3)}" y="${MARGIN.top - 6}" fill="#555">${label}</text>`);
    if (i > 0) parts.push(`<line x1="${fixed(left)}" x2="${fixed(left)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#888" stroke-dasharray="4 3"/>`);
  }
  // Axes, ticks and grid.
  const bottom = MARGIN.top + plotHeight;
  for (const tick of niceTicks(yMin, yMax)) {
    const y = fixed(py(tick));
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatTick(tick)}</text>`,
    );
  }
  for (const tick of niceTicks(x0, x1)) {
    const x = fixed(px(tick));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${bottom}" y2="${bottom + 4}" stroke="#333"/>`,
      `<text x="${x}" y="${bottom + 16}" text-anchor="middle">${formatTick(tick)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${bottom}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotWidth / 2}" y="${height - 6}" text-anchor="middle">${escapeHtml(options.xLabel)}</text>`,
    `<text transform="translate(14 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(options.yLabel)}</text>`,
  );
  // Lines and legend.
  for (const [i, s] of series.entries()) {
    if (s.points.length > 0) {
      const points = s.points.map(([x, y]) => `${fixed(px(x))},${fixed(py(y))}`).join(' ');
      parts.push(`<polyline class="series" data-series="${escapeHtml(s.name)}" fill="none" stroke="${s.colour}" stroke-width="1.5" points="${points}"/>`);
    }
    const ly = MARGIN.top + 8 + i * 16;
    const lx = MARGIN.left + plotWidth + 14;
    parts.push(
      `<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${s.colour}" stroke-width="2.5"/>`,
      `<text x="${lx + 24}" y="${ly}" dominant-baseline="middle">${escapeHtml(s.name)}${s.points.length ? '' : ' (no values)'}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

function extent(values: number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
