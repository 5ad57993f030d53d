// Schedules as pure functions of the step: learning rate (linear warm-up, then cosine), the cosine
// ramps DINO uses for its EMA momentum and weight decay, and a linear warm-up of a value.

/** Half a cosine from `start` (step 0) to `end` (step `total`), clamped outside [0, total]. */
export function cosineRamp(step: number, total: number, start: number, end: number): number {
  if (total <= 0) return end;
  const progress = Math.min(1, Math.max(0, step / total));
  return end + (start - end) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

export interface WarmupCosine {
  /** The peak learning rate, reached at the end of the warm-up. */
  base: number;
  /** Steps of linear warm-up from base / warmupSteps (step 0) to base. */
  warmupSteps: number;
  /** The learning rate at the end of the cosine (default 0). */
  final?: number;
}

/**
 * Linear warm-up over the first `warmupSteps` steps (step s gets base * (s + 1) / warmupSteps), then
 * a cosine from base down to `final` at step `total`.
 */
export function warmupCosine(step: number, total: number, schedule: WarmupCosine): number {
  const { base, warmupSteps, final = 0 } = schedule;
  if (step < warmupSteps) return (base * (step + 1)) / warmupSteps;
  return cosineRamp(step - warmupSteps, Math.max(1, total - warmupSteps), base, final);
}

/** Linear from `start` at step 0 to `end` at step `steps`, then `end`. */
export function linearWarmup(step: number, steps: number, start: number, end: number): number {
  if (steps <= 0 || step >= steps) return end;
  return start + ((end - start) * step) / steps;
}
