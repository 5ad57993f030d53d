import { RunState, StepStage, TrainingPhase, type RunEvent } from '@fmwiss/contracts';
import { evaluationJson, lossCurves, stepTimings } from './run-outputs';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));
const stage = (sequence: number, step: number, value: StepStage, seconds: number): RunEvent => ({ sequence, step, time: at(seconds), event: { $case: 'stage', stage: value } });
const progress = (sequence: number, step: number, epoch: number, iteration: number, total: number): RunEvent => ({
  sequence,
  step,
  time: at(0),
  event: { $case: 'training', training: { phase: TrainingPhase.TRAINING_PHASE_BASE, epoch, epochs: 2, iteration, iterationsPerEpoch: 10, losses: { total }, learningRate: 0.1, imagesPerSecond: 1, etaSeconds: 1 } },
});

describe('run outputs', () => {
  it('times the pseudo-label and training stages of each step from the stage events', () => {
    const events: RunEvent[] = [
      stage(1, 0, StepStage.STEP_STAGE_TRAINING, 0),
      stage(2, 0, StepStage.STEP_STAGE_EVALUATING, 30),
      stage(3, 1, StepStage.STEP_STAGE_PSEUDO_LABELS, 40),
      stage(4, 1, StepStage.STEP_STAGE_TRAINING, 45),
      { sequence: 5, step: 1, time: at(50), event: { $case: 'state', state: RunState.RUN_STATE_CANCELLED } },
    ];
    expect(Object.fromEntries(stepTimings(events))).toEqual({
      0: { pseudoLabelSeconds: 0, trainingSeconds: 30 },
      1: { pseudoLabelSeconds: 5, trainingSeconds: 5 },
    });
  });

  it('makes loss curves with iterations counted within the step, keeping the latest of a repeated point', () => {
    const curves = lossCurves([progress(1, 0, 1, 5, 3), progress(2, 0, 2, 1, 2), progress(3, 0, 2, 1, 1.5), progress(4, 1, 1, 1, 9)]);
    expect(curves.map((c) => [c.step, c.points.map((p) => [p.iteration, p.losses.total, p.phase])])).toEqual([
      [0, [[5, 3, 'base'], [11, 1.5, 'base']]],
      [1, [[1, 9, 'base']]],
    ]);
  });

  it('thins long curves to the maximum, keeping the last point', () => {
    const events = Array.from({ length: 1000 }, (_, i) => progress(i + 1, 0, 1 + Math.floor(i / 10), 1 + (i % 10), i));
    const [curve] = lossCurves(events, 100);
    expect(curve!.points).toHaveLength(100);
    expect(curve!.points.at(-1)!.losses.total).toBe(999);
  });

  it('stores an evaluation with null where a figure is undefined', () => {
    const json = evaluationJson({ miouOld: 0.5, miouNew: Number.NaN, miouAll: 0.6, pixelAccuracy: 0.9, classes: [{ classId: 3, name: 'bird', iou: 0, present: false }], images: 4, confusion: undefined }, false);
    expect(json).toEqual({ miouOld: 0.5, miouNew: null, miouAll: 0.6, pixelAccuracy: 0.9, classes: [{ classId: 3, name: 'bird', iou: null, present: false }], images: 4 });
  });
});
