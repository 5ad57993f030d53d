import { StepKind } from '@fmwiss/contracts';
import type { LabelIndex, TaskDefinition } from '@fmwiss/datasets';
import { planSteps } from './step-plan';

const index = {
  images: [
    { id: 'a', classes: [1] },
    { id: 'b', classes: [3] },
    { id: 'c', classes: [1, 3] },
    { id: 'd', classes: [2, 4] },
    { id: 'e', classes: [5] },
  ],
} as unknown as LabelIndex;
const task: TaskDefinition = { name: 'custom', classSpace: 'voc', steps: [[1, 2], [3], [4]] };

describe('planSteps', () => {
  it('fmwiss: a base step, then weak steps, each on its own list, evaluated on the classes seen so far', () => {
    const plan = planSteps(index, task, 'overlap', 'fmwiss');
    expect(plan.map((p) => [p.step, p.kind, p.newClassIds, p.oldClassIds, p.ids])).toEqual([
      [0, StepKind.STEP_KIND_BASE, [1, 2], [], ['a', 'c', 'd']],
      [1, StepKind.STEP_KIND_WEAK, [3], [1, 2], ['b', 'c']],
      [2, StepKind.STEP_KIND_WEAK, [4], [1, 2, 3], ['d']],
    ]);
    expect(plan.map((p) => p.evaluation)).toEqual([
      { baseClassIds: [1, 2], newClassIds: [] },
      { baseClassIds: [1, 2], newClassIds: [3] },
      { baseClassIds: [1, 2], newClassIds: [3, 4] },
    ]);
  });

  it('disjoint drops images holding future classes', () => {
    expect(planSteps(index, task, 'disjoint', 'finetune').map((p) => [p.kind, p.ids])).toEqual([
      [StepKind.STEP_KIND_BASE, ['a']],
      [StepKind.STEP_KIND_FINETUNE, ['b', 'c']],
      [StepKind.STEP_KIND_FINETUNE, ['d']],
    ]);
  });

  it('joint: one step on every class over the union of the step lists, in the dataset order', () => {
    const [joint, ...rest] = planSteps(index, task, 'overlap', 'joint');
    expect(rest).toEqual([]);
    expect(joint).toMatchObject({ step: 0, kind: StepKind.STEP_KIND_JOINT, newClassIds: [1, 2, 3, 4], oldClassIds: [], ids: ['a', 'b', 'c', 'd'] });
    expect(joint!.evaluation).toEqual({ baseClassIds: [1, 2], newClassIds: [3, 4] });
  });
});
