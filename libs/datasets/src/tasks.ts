import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { BACKGROUND_ID, COCO_CATEGORIES, IGNORE_VALUE, VOC_COCO_IDS } from './classes';
import { DatasetError, describeIds, errorCode, TaskError } from './errors';

/**
 * An incremental task: the classes learned at each step. `steps[0]` holds the base classes WITHOUT
 * background (background 0 is implicitly learned at step 0); ids are label values of `classSpace`.
 */
export interface TaskDefinition {
  readonly name: string;
  /** The label space of the ids: VOC ids, or COCO category ids. A custom task says 'voc' by default. */
  readonly classSpace: 'voc' | 'coco';
  readonly steps: readonly (readonly number[])[];
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

const VOC_COCO_SORTED = [...VOC_COCO_IDS].sort((a, b) => a - b);

/** The tasks of the WILSS protocol. */
export const TASKS: readonly TaskDefinition[] = Object.freeze(
  (
  [
  { name: '15-5', classSpace: 'voc', steps: [range(1, 15), range(16, 20)] },
  { name: '15-1', classSpace: 'voc', steps: [range(1, 15), [16], [17], [18], [19], [20]] },
  { name: '10-10', classSpace: 'voc', steps: [range(1, 10), range(11, 20)] },
  { name: '19-1', classSpace: 'voc', steps: [range(1, 19), [20]] },
  { name: '10-5', classSpace: 'voc', steps: [range(1, 10), range(11, 15), range(16, 20)] },
  { name: '10-2', classSpace: 'voc', steps: [range(1, 10), [11, 12], [13, 14], [15, 16], [17, 18], [19, 20]] },
  {
    name: 'coco-to-voc',
    classSpace: 'coco',
    steps: [COCO_CATEGORIES.map((c) => c.id).filter((id) => !VOC_COCO_SORTED.includes(id)), VOC_COCO_SORTED],
  },
] satisfies TaskDefinition[]
  ).map((task) => Object.freeze({ ...task, steps: Object.freeze(task.steps.map((step) => Object.freeze(step))) })),
);

/** The names of the protocol's tasks. */
export const TASK_NAMES: readonly string[] = Object.freeze(TASKS.map((task) => task.name));

/** A protocol task by name; TaskError listing the known names for any other name. */
export function taskByName(name: string): TaskDefinition {
  const task = TASKS.find((t) => t.name === name);
  if (!task) {
    throw new TaskError(`unknown task "${name}"; known tasks: ${TASK_NAMES.join(', ')} (or a custom task file)`);
  }
  return task;
}

/**
 * Every problem of a task for a dataset with the given class ids: no steps, an empty step, a class
 * in two steps (or twice in one), background 0 or ignore 255 in a step, a class the dataset lacks.
 */
export function taskProblems(task: TaskDefinition, classIds: readonly number[]): string[] {
  const problems: string[] = [];
  if (task.steps.length === 0) return ['the task has no steps'];
  const known = new Set(classIds);
  const stepOf = new Map<number, number>();
  const missing: number[] = [];
  task.steps.forEach((step, t) => {
    if (step.length === 0) problems.push(`step ${t} has no classes`);
    for (const id of step) {
      if (!Number.isInteger(id)) {
        problems.push(`step ${t}: ${id} is not an integer class id`);
        continue;
      }
      if (id === BACKGROUND_ID) {
        problems.push(`step ${t}: 0 is the background, learned implicitly at step 0; do not list it`);
        continue;
      }
      if (id === IGNORE_VALUE) {
        problems.push(`step ${t}: 255 is the ignore value, not a class`);
        continue;
      }
      const earlier = stepOf.get(id);
      if (earlier !== undefined) {
        problems.push(
          earlier === t ? `step ${t}: class ${id} is listed twice` : `class ${id} is in step ${earlier} and step ${t}`,
        );
        continue;
      }
      stepOf.set(id, t);
      if (!known.has(id)) missing.push(id);
    }
  });
  if (missing.length > 0) {
    const sorted = missing.sort((a, b) => a - b);
    const all = describeIds([...known].sort((a, b) => a - b));
    problems.push(`class(es) ${describeIds(sorted)} not in the dataset (classes ${all})`);
  }
  return problems;
}

/** Throws a TaskError with every problem of taskProblems. */
export function validateTask(task: TaskDefinition, classIds: readonly number[]): void {
  const problems = taskProblems(task, classIds);
  if (problems.length > 0) throw new TaskError(`task "${task.name}" does not fit the dataset`, problems);
}

const customTaskSchema = z.strictObject({
  name: z.string().trim().min(1, 'must be a non-empty string'),
  classSpace: z.enum(['voc', 'coco']).default('voc'),
  steps: z.array(z.array(z.number().int('must be an integer class id'))).min(1, 'must list at least one step'),
});

/**
 * Reads a custom task, JSON { "name": "3-3", "steps": [[1, 2, 3], [4, 5], [6]], "classSpace"?: "voc" }.
 * Checks its form (DatasetError listing every problem); check it against a dataset with validateTask.
 */
export async function loadCustomTask(path: string): Promise<TaskDefinition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    const problem = code === 'ENOENT' ? 'task file not found' : `cannot read task file (${code})`;
    throw new DatasetError(path, problem, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(path, `task file is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = customTaskSchema.safeParse(value);
  if (!parsed.success) {
    const details = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`,
    );
    throw new DatasetError(path, `task file has ${details.length} problem(s)`, { details });
  }
  const task: TaskDefinition = parsed.data;
  // Form checks that do not depend on a dataset: every id a possible class value.
  const problems = taskProblems(task, range(1, 254));
  if (problems.length > 0) {
    throw new DatasetError(path, `task file has ${problems.length} problem(s)`, { details: problems });
  }
  return task;
}

function checkStep(task: TaskDefinition, step: number): void {
  if (!Number.isInteger(step) || step < 0 || step >= task.steps.length) {
    throw new RangeError(`task "${task.name}" has steps 0..${task.steps.length - 1}, got step ${step}`);
  }
}

const sorted = (ids: Iterable<number>): number[] => [...ids].sort((a, b) => a - b);

/** C^{0:t}: background 0 and every class of steps 0..t, sorted. */
export function seenClasses(task: TaskDefinition, step: number): number[] {
  checkStep(task, step);
  return sorted([BACKGROUND_ID, ...task.steps.slice(0, step + 1).flat()]);
}

/** old(t): the classes of steps before t (without background), sorted; empty at step 0. */
export function oldClasses(task: TaskDefinition, step: number): number[] {
  checkStep(task, step);
  return sorted(task.steps.slice(0, step).flat());
}

/** new(t) = C^t: the classes of step t (without background), sorted. */
export function newClasses(task: TaskDefinition, step: number): number[] {
  checkStep(task, step);
  return sorted(task.steps[step]);
}
