import { createHash } from 'node:crypto';
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SegmentationDataset } from '@fmwiss/datasets';
import type { ResolvedModelConfig } from '@fmwiss/segmentation-models';
import { openData } from './data-source';
import { StepPreconditionError, StepSpecError } from './errors';
import { hyperparameterProblems } from './hyperparameters';
import { isEmptyModel, resolveStepModel } from './model-config';
import { foreignCheckpoints, readStepCheckpointMetadata, type StepCheckpointMetadata } from './step-checkpoint';
import { STEP_KINDS, type ClassRef, type StepSpec } from './types';

const RUN_ID = /^[A-Za-z0-9._-]{1,128}$/;
const FORMATS = ['voc', 'coco', 'manifest'];

/** JSON with object keys sorted at every level (a stable text to hash). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 of everything that decides a step's result: the spec without outputDir, with the model
 * resolved (base, joint) and image labels sorted. Checkpoints carry it; a resume continues only
 * checkpoints with the same hash.
 */
export function specHash(spec: StepSpec, model: ResolvedModelConfig | null): string {
  const { outputDir: _outputDir, model: _model, ...rest } = spec;
  const text = canonical({ ...rest, pseudoLabelDir: spec.pseudoLabelDir || undefined, previousCheckpoint: spec.previousCheckpoint || undefined, model });
  return createHash('sha256').update(text).digest('hex');
}

function classProblems(field: string, classes: unknown): string[] {
  if (!Array.isArray(classes)) return [`${field} must be a list of classes`];
  const problems: string[] = [];
  classes.forEach((c: ClassRef, i) => {
    if (!c || !Number.isInteger(c.id) || c.id < 1 || c.id > 254) problems.push(`${field}[${i}].id must be a class id in 1..254 (background 0 is implicit), got ${JSON.stringify(c?.id)}`);
    if (!c || typeof c.name !== 'string' || c.name.trim() === '') problems.push(`${field}[${i}].name must be a non-empty name`);
    if (i > 0 && c && classes[i - 1] && c.id <= (classes[i - 1] as ClassRef).id) problems.push(`${field} must have ascending, distinct ids (${classes.map((x: ClassRef) => x?.id).join(', ')})`);
  });
  return [...new Set(problems)];
}

/** Problems of the spec's own fields (no file is read): each names the field. */
export function specFieldProblems(spec: StepSpec): string[] {
  const problems: string[] = [];
  if (typeof spec !== 'object' || spec === null) return ['the step spec must be an object'];
  const { kind } = spec;
  if (typeof spec.runId !== 'string' || !RUN_ID.test(spec.runId)) problems.push(`runId must be 1 to 128 characters of [A-Za-z0-9._-], got ${JSON.stringify(spec.runId)}`);
  if (!STEP_KINDS.includes(kind)) problems.push(`kind must be one of ${STEP_KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  if (!Number.isInteger(spec.step) || spec.step < 0) problems.push(`step must be a non-negative integer, got ${JSON.stringify(spec.step)}`);
  else if (kind === 'base' && spec.step !== 0) problems.push(`step must be 0 for a base step, got ${spec.step}`);
  else if ((kind === 'weak' || kind === 'finetune') && spec.step < 1) problems.push(`step must be at least 1 for a ${kind} step, got ${spec.step}`);
  problems.push(...classProblems('newClasses', spec.newClasses), ...classProblems('oldClasses', spec.oldClasses));
  if (Array.isArray(spec.newClasses) && spec.newClasses.length === 0) problems.push('newClasses is empty: a step must learn at least one class');
  if (Array.isArray(spec.oldClasses) && Array.isArray(spec.newClasses)) {
    const newIds = new Set(spec.newClasses.map((c) => c?.id));
    const both = spec.oldClasses.filter((c) => newIds.has(c?.id)).map((c) => c.id);
    if (both.length > 0) problems.push(`class(es) ${both.join(', ')} are in both oldClasses and newClasses`);
    if ((kind === 'base' || kind === 'joint') && spec.oldClasses.length > 0) {
      problems.push(`oldClasses must be empty for a ${kind} step (it learns every class of newClasses from scratch)`);
    }
    if ((kind === 'weak' || kind === 'finetune') && spec.oldClasses.length === 0) problems.push(`oldClasses must list the classes of the previous steps for a ${kind} step`);
  }
  const data = spec.trainData;
  if (!data || typeof data !== 'object') problems.push('trainData is missing');
  else {
    if (!FORMATS.includes(data.format)) problems.push(`trainData.format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(data.format)}`);
    if (typeof data.root !== 'string' || data.root === '') problems.push('trainData.root must name the dataset folder');
    if (data.listSha256 && !/^[0-9a-fA-F]{64}$/.test(data.listSha256)) problems.push(`trainData.listSha256 must be 64 hex digits, got ${JSON.stringify(data.listSha256)}`);
  }
  if (typeof spec.outputDir !== 'string' || spec.outputDir === '') problems.push('outputDir must name the folder for the checkpoints');
  const needsPrevious = kind === 'weak' || kind === 'finetune';
  if (needsPrevious && !spec.previousCheckpoint) problems.push(`previousCheckpoint is required for a ${kind} step (the previous step's final checkpoint)`);
  if (!needsPrevious && spec.previousCheckpoint) problems.push(`previousCheckpoint must be empty for a ${kind} step (it trains from scratch)`);
  if (kind === 'weak' && !spec.pseudoLabelDir) problems.push('pseudoLabelDir is required for a weak step (the folder of "<image_id>.png" pseudo labels)');
  if (kind !== 'weak' && spec.pseudoLabelDir) problems.push(`pseudoLabelDir is only for weak steps; a ${kind} step reads pixel labels`);
  if (kind !== 'weak' && spec.imageLabels && Object.keys(spec.imageLabels).length > 0) problems.push(`imageLabels are only for weak steps, not ${kind}`);
  if (spec.imageLabels && Array.isArray(spec.newClasses)) {
    const newIds = new Set(spec.newClasses.map((c) => c?.id));
    const bad = Object.entries(spec.imageLabels).filter(([, ids]) => !Array.isArray(ids) || ids.some((id) => !newIds.has(id)));
    if (bad.length > 0) {
      const [id, ids] = bad[0]!;
      problems.push(
        `imageLabels: ${bad.length} image(s) list classes outside newClasses, e.g. "${id}": ${JSON.stringify(ids)} (new classes: ${[...newIds].join(', ')})`,
      );
    }
  }
  if (STEP_KINDS.includes(kind)) {
    if (!spec.hyperparameters || typeof spec.hyperparameters !== 'object') problems.push('hyperparameters are missing (use resolveHyperparameters)');
    else if (!spec.hyperparameters.copyPaste) problems.push('hyperparameters.copyPaste is missing (use resolveHyperparameters)');
    else problems.push(...hyperparameterProblems(kind, spec.hyperparameters));
    if (needsPrevious && !isEmptyModel(spec.model)) problems.push(`model must be unset for a ${kind} step: the model's shape comes from previousCheckpoint`);
    if (!needsPrevious) {
      try {
        resolveStepModel(spec.model);
      } catch (error) {
        problems.push(...(error instanceof StepSpecError ? error.problems : [(error as Error).message]));
      }
    }
  }
  return problems;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Up to 5 ids, then "...". */
function someIds(ids: readonly string[]): string {
  return ids.slice(0, 5).map((id) => `"${id}"`).join(', ') + (ids.length > 5 ? ', ...' : '');
}

/** Files that must exist, checked with bounded concurrency; returns the missing ones. */
async function missingFiles(ids: readonly string[], pathOf: (id: string) => string): Promise<string[]> {
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i += 64) {
    const chunk = ids.slice(i, i + 64);
    const found = await Promise.all(chunk.map((id) => exists(pathOf(id))));
    chunk.forEach((id, k) => {
      if (!found[k]) missing.push(id);
    });
  }
  return missing;
}

/** What checkStepSpec learned, for the runner to reuse. */
export interface CheckedSpec {
  invalid: string[];
  preconditions: string[];
  dataset?: SegmentationDataset;
  previous?: StepCheckpointMetadata;
  model?: ResolvedModelConfig;
  hash?: string;
}

/** checkStepSpec with what it found along the way. */
export async function inspectStepSpec(spec: StepSpec): Promise<CheckedSpec> {
  const invalid = specFieldProblems(spec);
  if (invalid.length > 0) return { invalid, preconditions: [] };
  const preconditions: string[] = [];
  let dataset: SegmentationDataset | undefined;
  try {
    dataset = await openData(spec.trainData, 'trainData');
  } catch (error) {
    preconditions.push((error as Error).message);
  }
  if (dataset) {
    const ids = dataset.ids;
    if (ids.length === 0) preconditions.push(`trainData: the list of ${dataset.name} holds no image`);
    const noImage = await missingFiles(ids, (id) => dataset!.imagePath(id));
    if (noImage.length > 0) preconditions.push(`trainData: ${noImage.length} image file(s) missing, e.g. ${dataset.imagePath(noImage[0]!)}`);
    if (spec.kind === 'weak') {
      const dir = resolve(spec.pseudoLabelDir!);
      if (!(await exists(dir))) preconditions.push(`pseudoLabelDir ${dir} not found`);
      else {
        const noPseudo = await missingFiles(ids, (id) => join(dir, `${id}.png`));
        if (noPseudo.length > 0) {
          preconditions.push(`pseudoLabelDir: no pseudo label for ${noPseudo.length} of ${ids.length} image(s) (${someIds(noPseudo)}): expected ${join(dir, `${noPseudo[0]}.png`)}`);
        }
      }
      if (spec.imageLabels && Object.keys(spec.imageLabels).length > 0) {
        const unlabelled = ids.filter((id) => !(id in spec.imageLabels!));
        if (unlabelled.length > 0) preconditions.push(`imageLabels: no image-level labels for ${unlabelled.length} image(s) of the list (${someIds(unlabelled)})`);
      }
    }
    if (spec.kind !== 'weak' || !spec.imageLabels || Object.keys(spec.imageLabels).length === 0) {
      const noLabels = await missingFiles(ids, (id) => dataset!.labelPath(id));
      if (noLabels.length > 0) {
        const why = spec.kind === 'weak' ? ' (needed for the default image-level labels; or give imageLabels)' : '';
        preconditions.push(`trainData: ${noLabels.length} label file(s) missing${why}, e.g. ${dataset.labelPath(noLabels[0]!)}`);
      }
    }
  }
  let previous: StepCheckpointMetadata | undefined;
  let model: ResolvedModelConfig | undefined;
  if (spec.kind === 'weak' || spec.kind === 'finetune') {
    try {
      previous = await readStepCheckpointMetadata(resolve(spec.previousCheckpoint!));
      model = previous.model;
      const had = new Set(previous.classes.map((c) => c.id));
      const want = new Set(spec.oldClasses.map((c) => c.id));
      const same = had.size === want.size && [...want].every((id) => had.has(id));
      if (!same) {
        preconditions.push(
          `previousCheckpoint ${spec.previousCheckpoint} has classes ${[...had].sort((a, b) => a - b).join(', ')} but oldClasses are ${[...want].join(', ')}: pass the final checkpoint of the step before this one`,
        );
      }
    } catch (error) {
      preconditions.push(`previousCheckpoint: ${(error as Error).message}`);
    }
  } else {
    model = resolveStepModel(spec.model);
  }
  let hash: string | undefined;
  if (model) {
    hash = specHash(spec, spec.kind === 'base' || spec.kind === 'joint' ? model : null);
    const foreign = await foreignCheckpoints(spec.outputDir, hash);
    if (foreign.length > 0) {
      preconditions.push(
        `outputDir ${resolve(spec.outputDir)} holds checkpoints of a different step spec (${foreign.map((f) => f.split(/[\\/]/).pop()).join(', ')}): use an empty folder, or remove them to start over`,
      );
    }
  }
  return { invalid, preconditions, ...(dataset ? { dataset } : {}), ...(previous ? { previous } : {}), ...(model ? { model } : {}), ...(hash ? { hash } : {}) };
}

/** Checks a spec before a job is accepted: problems a person can act on (files missing, classes, ...). */
export async function checkStepSpec(spec: StepSpec): Promise<{ invalid: string[]; preconditions: string[] }> {
  const { invalid, preconditions } = await inspectStepSpec(spec);
  return { invalid, preconditions };
}

/** Throws StepSpecError for invalid fields, else StepPreconditionError for preconditions. */
export function throwIfProblems(checked: { invalid: string[]; preconditions: string[] }): void {
  const { invalid, preconditions } = checked;
  if (invalid.length > 0) throw new StepSpecError(invalid.length === 1 ? invalid[0]! : `${invalid.length} problems with the step spec: ${invalid.join('; ')}`, invalid);
  if (preconditions.length > 0) {
    throw new StepPreconditionError(preconditions.length === 1 ? preconditions[0]! : `${preconditions.length} problems before training: ${preconditions.join('; ')}`, preconditions);
  }
}
