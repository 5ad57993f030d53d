// What a finished run leaves for people: metrics.json (MetricsFile) and the data of report.html,
// both derived from the Run, its events (stage times, forwarded training progress) and the
// pseudo-label quality files, so a resumed run reports the same way.
import { RunState, StepStage, TrainingPhase, type EvaluationResult, type Run, type RunEvent } from '@fmwiss/contracts';
import type { EvaluationSummaryJSON, Fraction, LossPoint, MetricsFile, PseudoLabelQuality, ReportData } from '@fmwiss/run-report';

const fraction = (value: number): Fraction => (Number.isFinite(value) ? value : null);

/** An EvaluationResult as metrics.json stores it; "new" is undefined (null) while no class was added. */
export function evaluationJson(result: EvaluationResult | undefined, hasNewClasses: boolean): EvaluationSummaryJSON {
  if (!result) return { miouOld: null, miouNew: null, miouAll: null, pixelAccuracy: null, classes: [], images: 0 };
  return {
    miouOld: fraction(result.miouOld),
    miouNew: hasNewClasses ? fraction(result.miouNew) : null,
    miouAll: fraction(result.miouAll),
    pixelAccuracy: fraction(result.pixelAccuracy),
    classes: result.classes.map((c) => ({ classId: c.classId, name: c.name, iou: c.present ? fraction(c.iou) : null, present: c.present })),
    images: result.images,
  };
}

/** Seconds each step spent computing pseudo labels and training (from its stage events). */
export function stepTimings(events: readonly RunEvent[]): Map<number, { pseudoLabelSeconds: number; trainingSeconds: number }> {
  const timings = new Map<number, { pseudoLabelSeconds: number; trainingSeconds: number }>();
  const timing = (step: number) => {
    let found = timings.get(step);
    if (!found) timings.set(step, (found = { pseudoLabelSeconds: 0, trainingSeconds: 0 }));
    return found;
  };
  let open: { step: number; stage: StepStage; at: number } | undefined;
  const close = (at: number) => {
    if (!open) return;
    const seconds = Math.max(0, (at - open.at) / 1000);
    if (open.stage === StepStage.STEP_STAGE_PSEUDO_LABELS) timing(open.step).pseudoLabelSeconds += seconds;
    if (open.stage === StepStage.STEP_STAGE_TRAINING) timing(open.step).trainingSeconds += seconds;
    open = undefined;
  };
  for (const event of events) {
    const at = event.time?.getTime() ?? 0;
    if (event.event?.$case === 'stage') {
      close(at);
      open = { step: event.step, stage: event.event.stage, at };
    } else if (event.event?.$case === 'state') {
      close(at);
    }
  }
  return timings;
}

const PHASE_NAMES: Record<number, string> = {
  [TrainingPhase.TRAINING_PHASE_LOADING]: 'loading',
  [TrainingPhase.TRAINING_PHASE_BASE]: 'base',
  [TrainingPhase.TRAINING_PHASE_TEACHER_WARMUP]: 'teacher-warmup',
  [TrainingPhase.TRAINING_PHASE_TEACHER_AND_STUDENT]: 'teacher-and-student',
  [TrainingPhase.TRAINING_PHASE_SAVING]: 'saving',
};

/** The loss curve of each step from the forwarded training progress, thinned to at most `maxPoints` points. */
export function lossCurves(events: readonly RunEvent[], maxPoints = 400): ReportData['lossCurves'] {
  const byStep = new Map<number, LossPoint[]>();
  for (const event of events) {
    if (event.event?.$case !== 'training') continue;
    const progress = event.event.training;
    if (Object.keys(progress.losses).length === 0) continue;
    const points = byStep.get(event.step) ?? [];
    byStep.set(event.step, points);
    const iteration = Math.max(0, progress.epoch - 1) * progress.iterationsPerEpoch + progress.iteration;
    // A resumed watch may repeat points: keep the latest of an iteration.
    if (points.length > 0 && points.at(-1)!.iteration >= iteration) {
      while (points.length > 0 && points.at(-1)!.iteration >= iteration) points.pop();
    }
    points.push({ iteration, phase: PHASE_NAMES[progress.phase] ?? 'training', losses: { ...progress.losses }, learningRate: progress.learningRate });
  }
  return [...byStep.entries()]
    .sort(([a], [b]) => a - b)
    .map(([step, points]) => ({ step, points: thin(points, maxPoints) }));
}

function thin<T>(points: T[], maxPoints: number): T[] {
  if (points.length <= maxPoints) return points;
  const stride = points.length / maxPoints;
  const kept: T[] = [];
  for (let i = 0; i < maxPoints; i++) kept.push(points[Math.floor(i * stride)]!);
  kept[kept.length - 1] = points.at(-1)!;
  return kept;
}

/** Seconds from the run's first RUNNING state to its last event. */
export function runSeconds(events: readonly RunEvent[]): number {
  const first = events.find((e) => e.event?.$case === 'state' && e.event.state === RunState.RUN_STATE_RUNNING);
  const last = events.at(-1);
  if (!first?.time || !last?.time) return 0;
  return Math.max(0, (last.time.getTime() - first.time.getTime()) / 1000);
}

export interface RunSummaryInput {
  run: Run;
  events: readonly RunEvent[];
  task: string;
  setting: 'overlap' | 'disjoint';
  method: 'fmwiss' | 'joint' | 'finetune';
  label: string;
  /** Per step: the classes evaluated as "new" (empty at step 0). */
  newClassIdsAfter: Map<number, number[]>;
  pseudoLabelQuality: PseudoLabelQuality[];
}

export function buildMetricsFile(input: RunSummaryInput): MetricsFile {
  const timings = stepTimings(input.events);
  const steps = input.run.steps.map((status) => ({
    step: status.step,
    classIds: [...status.classIds],
    images: status.images,
    trainingSeconds: timings.get(status.step)?.trainingSeconds ?? 0,
    pseudoLabelSeconds: timings.get(status.step)?.pseudoLabelSeconds ?? 0,
    evaluation: evaluationJson(status.evaluation, (input.newClassIdsAfter.get(status.step) ?? []).length > 0),
  }));
  const last = steps.at(-1)?.evaluation;
  return {
    runId: input.run.runId,
    task: input.task,
    setting: input.setting,
    method: input.method,
    label: input.label,
    steps,
    final: { miouOld: last?.miouOld ?? null, miouNew: last?.miouNew ?? null, miouAll: last?.miouAll ?? null },
    pseudoLabelQuality: input.pseudoLabelQuality,
    totalSeconds: runSeconds(input.events),
  };
}

export function buildReportData(
  input: RunSummaryInput & {
    metrics: MetricsFile;
    configuration: unknown;
    classes: ReportData['classes'];
    samples: ReportData['samples'];
  },
): ReportData {
  return {
    title: `fmwiss run ${input.run.runId}: ${input.task} ${input.setting}, ${input.label}`,
    runId: input.run.runId,
    createdAt: (input.run.createdAt ?? new Date()).toISOString(),
    task: input.task,
    setting: input.setting,
    method: input.method,
    label: input.label,
    configuration: input.configuration,
    classes: input.classes,
    steps: input.metrics.steps.map(({ step, classIds, images, trainingSeconds, evaluation }) => ({ step, classIds, images, trainingSeconds, evaluation })),
    baselines: [],
    lossCurves: lossCurves(input.events),
    pseudoLabelQuality: input.pseudoLabelQuality,
    samples: input.samples,
  };
}
