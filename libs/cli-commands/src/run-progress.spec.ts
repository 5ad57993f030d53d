import { Method, RunState, StepStage, TrainingPhase, type RunEvent } from '@fmwiss/contracts';
import { applyRun, applyRunEvent, initialRunProgress, isMilestone, renderRunLine } from './run-progress';

const event = (sequence: number, step: number, body: NonNullable<RunEvent['event']>): RunEvent => ({ sequence, time: undefined, step, event: body });

describe('run progress', () => {
  it('folds events into one line per stage: training, pseudo labels, evaluation, end', () => {
    let p = initialRunProgress('FMWISS (ours)');
    p = applyRunEvent(p, event(1, 0, { $case: 'state', state: RunState.RUN_STATE_RUNNING }));
    p = { ...p, lastStep: 1 };
    p = applyRunEvent(p, event(2, 0, { $case: 'stage', stage: StepStage.STEP_STAGE_TRAINING }));
    p = applyRunEvent(
      p,
      event(3, 0, {
        $case: 'training',
        training: {
          phase: TrainingPhase.TRAINING_PHASE_BASE,
          epoch: 2,
          epochs: 5,
          iteration: 7,
          iterationsPerEpoch: 40,
          losses: { total: 0.5, seg: 0.5 },
          learningRate: 0.001,
          imagesPerSecond: 9.5,
          etaSeconds: 130,
        },
      }),
    );
    expect(renderRunLine(p, 14)).toBe('FMWISS (ours)   step 0/1  training (base)  epoch 2/5  it 7/40  loss 0.5 (seg 0.5)  lr 1e-3  9.5 img/s  ETA 2m10s');

    p = applyRunEvent(p, event(4, 0, { $case: 'stage', stage: StepStage.STEP_STAGE_DONE }));
    expect(p.doneSteps).toEqual([0]);
    p = applyRunEvent(p, event(5, 1, { $case: 'stage', stage: StepStage.STEP_STAGE_PSEUDO_LABELS }));
    p = applyRunEvent(p, event(6, 1, { $case: 'pseudoLabels', pseudoLabels: { done: 40, cached: 10, total: 120, imagesPerSecond: 4 } }));
    p = applyRunEvent(p, event(7, 1, { $case: 'warning', warning: 'retrying' }));
    expect(p.training).toBeUndefined();
    expect(renderRunLine(p)).toBe('FMWISS (ours)  step 1/1  pseudo labels  pseudo labels 40/120, 10 cached 4 img/s  1 warning');

    p = applyRunEvent(p, event(8, 1, { $case: 'evaluation', evaluation: { miouOld: 0.7, miouNew: 0.4, miouAll: 0.65, pixelAccuracy: 0.9, classes: [], images: 5, confusion: undefined } }));
    p = applyRunEvent(p, event(9, 1, { $case: 'state', state: RunState.RUN_STATE_SUCCEEDED }));
    expect(renderRunLine(p)).toBe('FMWISS (ours)  succeeded: all 65.0% (old 70.0, new 40.0)');
    expect(p.lastSequence).toBe(9);
  });

  it('keeps the current step when a run-level event names another', () => {
    let p = applyRunEvent(initialRunProgress('x'), event(1, 1, { $case: 'stage', stage: StepStage.STEP_STAGE_TRAINING }));
    p = applyRunEvent(p, event(2, 0, { $case: 'state', state: RunState.RUN_STATE_FAILED }));
    expect(p.step).toBe(1);
  });

  it('takes state, steps and errors from a Run message', () => {
    const p = applyRun(initialRunProgress('joint'), {
      runId: 'r1',
      state: RunState.RUN_STATE_FAILED,
      request: { runId: 'r1', task: undefined, setting: 0, trainData: undefined, valData: undefined, services: undefined, config: { method: Method.METHOD_JOINT } as never, outputDir: '' },
      steps: [0, 1].map((step) => ({ step, classIds: [], stage: step === 0 ? StepStage.STEP_STAGE_DONE : StepStage.STEP_STAGE_TRAINING, images: 3, listSha256: '', pseudoLabelsDone: 0, pseudoLabelsCached: 0, trainingJobId: '', checkpoint: '', evaluation: undefined })),
      currentStep: 1,
      runDir: '',
      error: 'trainer gone after 6 attempts',
      createdAt: undefined,
      updatedAt: undefined,
    });
    expect(p).toMatchObject({ runId: 'r1', lastStep: 1, step: 1, doneSteps: [0] });
    expect(renderRunLine(p)).toBe('joint  FAILED at step 1/1: trainer gone after 6 attempts');
  });

  it('calls stage and state changes milestones, training ticks not', () => {
    const a = initialRunProgress('x');
    const b = applyRunEvent(a, event(1, 0, { $case: 'stage', stage: StepStage.STEP_STAGE_LISTING }));
    expect(isMilestone(a, b)).toBe(true);
    const c = applyRunEvent(b, event(2, 0, { $case: 'warning', warning: 'w' }));
    expect(isMilestone(b, c)).toBe(false);
  });
});
