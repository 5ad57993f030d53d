// Number and text formatting shared by the tables and the HTML report.
import type { Fraction } from './types';

/** Shown for a figure that is not defined (null, NaN, an absent class). */
export const MISSING = '–';

/** Whether a figure is defined: a finite number (null, NaN and ±Infinity are not). */
export function isDefined(value: Fraction | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A fraction in [0,1] as a percentage with one decimal and no sign: 0.7333 -> "73.3"; undefined -> "–". */
export function formatPercent(value: Fraction | undefined): string {
  return isDefined(value) ? (100 * value).toFixed(1) : MISSING;
}

/** The difference of two fractions in percentage points with a sign: "+4.1", "-0.3"; "–" if either is missing. */
export function formatPointDifference(value: Fraction | undefined, reference: Fraction | undefined): string {
  if (!isDefined(value) || !isDefined(reference)) return MISSING;
  const points = 100 * (value - reference);
  const text = points.toFixed(1);
  return text === '-0.0' ? '0.0' : points > 0 && text !== '0.0' ? `+${text}` : text;
}

/** Seconds as "42s", "3m 05s" or "1h 02m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return MISSING;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML or SVG element content and quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
