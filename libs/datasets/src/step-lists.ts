import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, errorCode } from './errors';
import { writeFileAtomic } from './fs-utils';
import type { LabelIndex } from './label-index';
import { newClasses, oldClasses, type TaskDefinition } from './tasks';

/** How a step's training images are chosen (WILSS protocol). */
export type IncrementalSetting = 'overlap' | 'disjoint';

/**
 * The training images of step `step`, in the dataset's order. With L(x) the classes of x's ground
 * truth (0 and 255 ignored), new = the step's classes, old = the classes of earlier steps:
 * overlap: L(x) ∩ new ≠ ∅ (other classes may be old or future);
 * disjoint: additionally L(x) ⊆ old ∪ new (no future class).
 * Each step is computed on its own: in the overlap setting an image can be in several steps' lists.
 */
export function stepImageIds(
  index: LabelIndex,
  task: TaskDefinition,
  step: number,
  setting: IncrementalSetting,
): string[] {
  if (setting !== 'overlap' && setting !== 'disjoint') {
    throw new RangeError(`setting must be overlap or disjoint, got ${String(setting)}`);
  }
  const added = new Set(newClasses(task, step));
  const allowed = new Set([...oldClasses(task, step), ...added]);
  const used = (classes: readonly number[]): boolean =>
    classes.some((c) => added.has(c)) && (setting === 'overlap' || classes.every((c) => allowed.has(c)));
  return index.images.filter((image) => used(image.classes)).map((image) => image.id);
}

/** How many training images each step of a task gets, in both settings. */
export interface StepCount {
  step: number;
  /** The classes the step learns (background not included). */
  classIds: number[];
  overlap: number;
  disjoint: number;
}

export function stepCounts(index: LabelIndex, task: TaskDefinition): StepCount[] {
  return task.steps.map((_, step) => ({
    step,
    classIds: newClasses(task, step),
    overlap: stepImageIds(index, task, step, 'overlap').length,
    disjoint: stepImageIds(index, task, step, 'disjoint').length,
  }));
}

/** The sha256 (hex) of some bytes. */
export function sha256Hex(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface WrittenStepList {
  readonly path: string;
  readonly sha256: string;
  readonly count: number;
}

/** Writes one id per line with a trailing newline (an empty file for no ids), atomically. */
export async function writeStepList(path: string, ids: readonly string[]): Promise<WrittenStepList> {
  for (const id of ids) {
    if (id === '' || /[\r\n]/.test(id)) {
      throw new RangeError(`step list ids must be non-empty single-line strings, got ${JSON.stringify(id)}`);
    }
  }
  const text = ids.length > 0 ? `${ids.join('\n')}\n` : '';
  await writeFileAtomic(path, text);
  return { path, sha256: sha256Hex(text), count: ids.length };
}

/**
 * Reads a step list. With `expectedSha256` (from lists.json or a run's record), a file whose bytes
 * changed since it was written is refused: a run must train on exactly the images it recorded.
 */
export async function readStepList(path: string, expectedSha256?: string): Promise<{ ids: string[]; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = errorCode(error);
    const problem = code === 'ENOENT' ? 'step list not found' : `cannot read step list (${code})`;
    throw new DatasetError(path, problem, { cause: error });
  }
  const sha256 = sha256Hex(bytes);
  if (expectedSha256 !== undefined && sha256 !== expectedSha256.toLowerCase()) {
    throw new DatasetError(
      path,
      `step list changed since it was written (sha256 ${sha256}, expected ${expectedSha256}); ` +
        'restore it or regenerate the lists and start the run again',
    );
  }
  const ids = bytes
    .toString('utf8')
    .split('\n')
    .map((line) => line.replace(/\r$/, ''))
    .filter((line) => line !== '');
  return { ids, sha256 };
}

/** lists.json: what a step-list folder holds. */
export interface TaskListsSummary {
  readonly format: 'fmwiss-step-lists';
  readonly version: 1;
  readonly task: TaskDefinition;
  readonly setting: IncrementalSetting;
  readonly dataset: string;
  /** The fingerprint of the label index the lists were computed from. */
  readonly indexFingerprint: string;
  readonly steps: readonly {
    readonly step: number;
    /** new(t): the classes learned at this step. */
    readonly classes: readonly number[];
    readonly file: string;
    readonly count: number;
    readonly sha256: string;
  }[];
}

/** The file name of step t's list in a step-list folder. */
export const stepListFile = (step: number): string => `step-${step}.txt`;

/**
 * Writes step-<t>.txt for every step of the task, then lists.json (task, setting, dataset, and per
 * step its classes, image count and the list's sha256). Returns the summary.
 */
export async function writeTaskLists(
  dir: string,
  index: LabelIndex,
  task: TaskDefinition,
  setting: IncrementalSetting,
): Promise<TaskListsSummary> {
  const steps: TaskListsSummary['steps'][number][] = [];
  for (let step = 0; step < task.steps.length; step++) {
    const file = stepListFile(step);
    const written = await writeStepList(join(dir, file), stepImageIds(index, task, step, setting));
    steps.push({ step, classes: newClasses(task, step), file, count: written.count, sha256: written.sha256 });
  }
  const summary: TaskListsSummary = {
    format: 'fmwiss-step-lists',
    version: 1,
    task: { name: task.name, classSpace: task.classSpace, steps: task.steps.map((s) => [...s]) },
    setting,
    dataset: index.dataset,
    indexFingerprint: index.fingerprint,
    steps,
  };
  await writeFileAtomic(join(dir, 'lists.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

/** Reads lists.json of a step-list folder and the list of `step`, checked against its recorded sha256. */
export async function readTaskStepList(
  dir: string,
  step: number,
): Promise<{ summary: TaskListsSummary; ids: string[] }> {
  const summaryPath = join(dir, 'lists.json');
  let summary: TaskListsSummary;
  try {
    summary = JSON.parse(await readFile(summaryPath, 'utf8')) as TaskListsSummary;
  } catch (error) {
    const code = errorCode(error);
    const problem = code === 'ENOENT' ? 'lists.json not found' : `unreadable lists.json (${code ?? (error as Error).message})`;
    throw new DatasetError(summaryPath, problem, { cause: error });
  }
  const entry = Array.isArray(summary.steps) ? summary.steps.find((s) => s.step === step) : undefined;
  if (summary.format !== 'fmwiss-step-lists' || !entry || entry.file !== stepListFile(step)) {
    throw new DatasetError(summaryPath, `not a step-list summary with step ${step}`);
  }
  const { ids } = await readStepList(join(dir, entry.file), entry.sha256);
  return { summary, ids };
}
