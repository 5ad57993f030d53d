// Small formatters shared by the progress lines and the summaries.

/** 0 -> "0s", 75 -> "1m15s", 4000 -> "1h06m"; negative or non-finite -> "?". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A value in [0,1] as a percentage with one decimal: 0.6123 -> "61.2"; "–" when not a number. */
export function percent(value: number): string {
  return Number.isFinite(value) ? (value * 100).toFixed(1) : '–';
}

/** A loss or rate in about 3 significant digits: 0.41234 -> "0.412", 0.00012 -> "1.2e-4". */
export function shortNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 0.01 && magnitude < 1000) return Number(value.toPrecision(3)).toString();
  const [mantissa, exponent] = value.toExponential(1).split('e');
  return `${(mantissa as string).replace(/\.0$/, '')}e${Number(exponent)}`;
}

/** "total" first, then the other terms in name order, at most `max` of them: "loss 0.41 (seg 0.3, dcl 0.05)". */
export function formatLosses(losses: Record<string, number>, max = 4): string {
  const names = Object.keys(losses).sort();
  if (names.length === 0) return '';
  const total = losses.total;
  const terms = names.filter((n) => n !== 'total').slice(0, total === undefined ? max : max - 1);
  const parts = terms.map((n) => `${n} ${shortNumber(losses[n] as number)}`);
  if (total === undefined) return `loss ${parts.join(', ')}`;
  return parts.length > 0 ? `loss ${shortNumber(total)} (${parts.join(', ')})` : `loss ${shortNumber(total)}`;
}

/** Cuts a line to `width` characters (an ellipsis marks the cut). */
export function fitWidth(line: string, width: number): string {
  if (width <= 0 || line.length <= width) return line;
  return width === 1 ? line.slice(0, 1) : `${line.slice(0, width - 1)}…`;
}
