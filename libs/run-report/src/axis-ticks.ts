// Axis ticks at "nice" values (1, 2 or 5 times a power of ten).

/** A step of 1, 2, 5 or 10 times a power of ten close to `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  return nice * power;
}

/** About `count` ticks covering [min, max] (min < max), multiples of a nice step, inside the range. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min) || !Number.isFinite(min) || !Number.isFinite(max)) return [min];
  const step = niceStep((max - min) / Math.max(1, count));
  const ticks: number[] = [];
  const first = Math.ceil(min / step - 1e-9);
  for (let k = first; k * step <= max + step * 1e-9; k++) ticks.push(roundTo(k * step, step));
  return ticks;
}

/** The range widened to whole multiples of a nice step: axes that start and end on a tick. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!(max > min)) return [min - 1, max + 1];
  const step = niceStep((max - min) / Math.max(1, count));
  return [roundTo(Math.floor(min / step + 1e-9) * step, step), roundTo(Math.ceil(max / step - 1e-9) * step, step)];
}

/** Removes floating-point noise (0.30000000000000004) using the step's decimals. */
function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(Math.min(20, decimals)));
}

/** A tick label: integers as they are, else up to 3 significant digits ("0.25", "1.5e-4"). */
export function formatTick(value: number): string {
  if (value === 0) return '0';
  if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e6) return String(Number(value.toPrecision(3)));
  return value.toExponential(1).replace('e+', 'e');
}
