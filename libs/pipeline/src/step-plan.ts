// Which training steps a run makes and on which images (pure functions of the label index).
import { StepKind } from '@fmwiss/contracts';
import { newClasses, oldClasses, stepImageIds, type IncrementalSetting, type LabelIndex, type TaskDefinition } from '@fmwiss/datasets';
import type { MethodName } from './run-request';

export interface PlannedStep {
  step: number;
  kind: StepKind;
  /** The classes the step learns (no background), ascending. */
  newClassIds: number[];
  /** The classes of earlier steps (no background), ascending; empty at step 0 and for joint training. */
  oldClassIds: number[];
  /** Training images in the dataset's order. */
  ids: string[];
  /** Evaluation after the step: "old" = step-0 classes, "new" = classes added after step 0 seen so far. */
  evaluation: { baseClassIds: number[]; newClassIds: number[] };
}

const ascending = (ids: Iterable<number>): number[] => [...new Set(ids)].sort((a, b) => a - b);

/**
 * The steps of a run. fmwiss: step 0 BASE, then WEAK steps (image-level labels, pseudo labels);
 * finetune: step 0 BASE, then FINETUNE steps with pixel labels; joint: one JOINT step on every class
 * over the union of every step's images (in the dataset's order), evaluated like the final step.
 */
export function planSteps(index: LabelIndex, task: TaskDefinition, setting: IncrementalSetting, method: MethodName): PlannedStep[] {
  const base = newClasses(task, 0);
  const addedUpTo = (t: number): number[] => ascending(task.steps.slice(1, t + 1).flat());
  if (method === 'joint') {
    const used = new Set(task.steps.flatMap((_, t) => stepImageIds(index, task, t, setting)));
    const last = task.steps.length - 1;
    return [
      {
        step: 0,
        kind: StepKind.STEP_KIND_JOINT,
        newClassIds: ascending(task.steps.flat()),
        oldClassIds: [],
        ids: index.images.map((image) => image.id).filter((id) => used.has(id)),
        evaluation: { baseClassIds: base, newClassIds: addedUpTo(last) },
      },
    ];
  }
  const later = method === 'fmwiss' ? StepKind.STEP_KIND_WEAK : StepKind.STEP_KIND_FINETUNE;
  return task.steps.map((_, step) => ({
    step,
    kind: step === 0 ? StepKind.STEP_KIND_BASE : later,
    newClassIds: newClasses(task, step),
    oldClassIds: oldClasses(task, step),
    ids: stepImageIds(index, task, step, setting),
    evaluation: { baseClassIds: base, newClassIds: addedUpTo(step) },
  }));
}

/** "base", "weak", "finetune", "joint". */
export function stepKindName(kind: StepKind): string {
  switch (kind) {
    case StepKind.STEP_KIND_BASE:
      return 'base';
    case StepKind.STEP_KIND_WEAK:
      return 'weak';
    case StepKind.STEP_KIND_FINETUNE:
      return 'finetune';
    case StepKind.STEP_KIND_JOINT:
      return 'joint';
    default:
      return 'unspecified';
  }
}
