/**
 * Class weights w_c = f_c^-power of pixel counts per channel (f_c = count_c / total, floored at 1e-4),
 * scaled so that the pixel-weighted mean weight is 1, capped at `cap`. A channel without pixels gets 1.
 * power 0 gives all ones.
 */
export function classBalanceWeights(counts: readonly number[], power: number, cap: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0 || power === 0) return counts.map(() => 1);
  const raw = counts.map((n) => (n > 0 ? Math.max(n / total, 1e-4) ** -power : 0));
  const mean = raw.reduce((sum, w, c) => sum + (w * counts[c]!) / total, 0);
  return raw.map((w) => (w === 0 ? 1 : Math.min(w / mean, cap)));
}
