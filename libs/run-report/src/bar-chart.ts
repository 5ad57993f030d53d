// A horizontal bar chart of fractions in [0,1] as inline SVG, bars in titled groups.
import { escapeHtml, formatPercent, isDefined } from './format';
import type { Fraction } from './types';

export interface Bar {
  label: string;
  value: Fraction;
  colour: string;
  /** Shown on hover (an SVG <title>). */
  tooltip: string;
}

export interface BarGroup {
  title: string;
  bars: Bar[];
}

const ROW = 18;
const LABEL_WIDTH = 150;
const BAR_WIDTH = 380;
const VALUE_WIDTH = 56;
const TOP = 22;
const MAX_LABEL = 22;

const shorten = (text: string) => (text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text);

/** One <svg>: per group a heading row, then one row per bar: label, bar (absent when the value is undefined), value. */
export function barChartSvg(groups: BarGroup[], title: string): string {
  const rows = groups.reduce((n, g) => n + 1 + g.bars.length, 0);
  const width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH;
  const height = TOP + rows * ROW + 6;
  const parts: string[] = [
    `<svg class="chart" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-size="11" font-family="sans-serif">`,
    `<title>${escapeHtml(title)}</title>`,
  ];
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const x = LABEL_WIDTH + tick * BAR_WIDTH;
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${TOP - 4}" y2="${height - 6}" stroke="${tick === 0 ? '#333' : '#ddd'}"/>`,
      `<text x="${x}" y="${TOP - 8}" text-anchor="middle" fill="#555">${tick * 100}%</text>`,
    );
  }
  let row = 0;
  for (const group of groups) {
    parts.push(`<text class="group" x="4" y="${TOP + row * ROW + ROW * 0.7}" font-weight="bold">${escapeHtml(group.title)}</text>`);
    row++;
    for (const bar of group.bars) {
      const y = TOP + row * ROW;
      const mid = y + ROW / 2;
      const defined = isDefined(bar.value);
      const length = defined ? Math.max(0, Math.min(1, bar.value as number)) * BAR_WIDTH : 0;
      parts.push(
        '<g class="bar">',
        `<title>${escapeHtml(bar.tooltip)}</title>`,
        `<text x="${LABEL_WIDTH - 6}" y="${mid}" text-anchor="end" dominant-baseline="middle">${escapeHtml(shorten(bar.label))}</text>`,
      );
      if (defined) parts.push(`<rect x="${LABEL_WIDTH}" y="${y + 3}" width="${Math.round(length * 10) / 10}" height="${ROW - 6}" fill="${bar.colour}"/>`);
      parts.push(`<text x="${LABEL_WIDTH + length + 4}" y="${mid}" dominant-baseline="middle">${formatPercent(bar.value)}</text>`, '</g>');
      row++;
    }
  }
  parts.push('</svg>');
  return parts.join('');
}
