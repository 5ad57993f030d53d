import type { StepPhase, StepProgress } from './types';

export interface IterationReport {
  phase: StepPhase;
  epoch: number;
  iteration: number;
  losses: Record<string, number>;
  learningRate: number;
  batchSize: number;
  /** Seconds the iteration took. */
  seconds: number;
}

/**
 * Throttles progress to about once a second (plus every epoch end) and estimates images/s and the
 * time left from this call's own iterations: a moving average of seconds per iteration for each kind
 * of phase (a warm-up iteration is cheaper than a teacher-and-student one).
 */
export class ProgressReporter {
  private lastEmit = -Infinity;
  private readonly rate = new Map<StepPhase, number>();

  constructor(
    private readonly onProgress: ((progress: StepProgress) => void) | undefined,
    private readonly epochs: number,
    private readonly iterationsPerEpoch: number,
    /** Iterations left in each phase, counted down as they run. */
    private readonly remaining: Map<StepPhase, number>,
    private readonly now: () => number = () => performance.now() / 1000,
  ) {}

  iterationDone(report: IterationReport, force = false): void {
    const previous = this.rate.get(report.phase);
    this.rate.set(report.phase, previous === undefined ? report.seconds : 0.9 * previous + 0.1 * report.seconds);
    this.remaining.set(report.phase, Math.max(0, (this.remaining.get(report.phase) ?? 0) - 1));
    const time = this.now();
    if (!force && time - this.lastEmit < 1) return;
    this.lastEmit = time;
    const perIteration = this.rate.get(report.phase)!;
    this.onProgress?.({
      phase: report.phase,
      epoch: report.epoch,
      epochs: this.epochs,
      iteration: report.iteration,
      iterationsPerEpoch: this.iterationsPerEpoch,
      losses: { ...report.losses },
      learningRate: report.learningRate,
      imagesPerSecond: perIteration > 0 ? report.batchSize / perIteration : 0,
      etaSeconds: this.eta(perIteration),
    });
  }

  /** A phase-only message (loading, saving); it does not delay the next iteration's report. */
  phase(phase: StepPhase, epoch: number, iteration: number): void {
    this.onProgress?.({
      phase,
      epoch,
      epochs: this.epochs,
      iteration,
      iterationsPerEpoch: this.iterationsPerEpoch,
      losses: {},
      learningRate: 0,
      imagesPerSecond: 0,
      etaSeconds: this.eta(undefined),
    });
  }

  private eta(fallback: number | undefined): number {
    const known = [...this.rate.values()];
    const any = fallback ?? (known.length > 0 ? Math.max(...known) : 0);
    let seconds = 0;
    for (const [phase, left] of this.remaining) seconds += left * (this.rate.get(phase) ?? any);
    return seconds;
  }
}
