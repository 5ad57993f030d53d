// StartTrainingRequest -> the job's work (StepSpec + memory bank), every field checked.
import { randomUUID } from 'node:crypto';
import { StepKind, type StartTrainingRequest } from '@fmwiss/contracts';
import { FailedPreconditionError, InvalidArgumentError } from '@fmwiss/service-kit';
import {
  hyperparameterOverrides,
  modelConfigOverrides,
  stepKindName,
  type StepHyperparameters,
  type StepKind as StepKindName,
  type StepSpec,
  type StepValidation,
  type TrainingWork,
} from '@fmwiss/training-jobs';
import { checkClasses, checkDataset, checkId, requirePath } from './fields';

/** The job id of a request: its own (checked), or a new one when empty. */
export function jobIdOf(request: StartTrainingRequest): string {
  return request.jobId === '' ? `job-${randomUUID()}` : checkId(request.jobId, 'job_id');
}

const isNamed = (error: unknown, name: string): boolean =>
  error instanceof Error && (error.name === name || error.constructor?.name === name);

function resolveHyperparameters(validation: StepValidation, kind: StepKindName, request: StartTrainingRequest): StepHyperparameters {
  try {
    return validation.resolveHyperparameters(kind, hyperparameterOverrides(request.hyperparameters));
  } catch (error) {
    if (isNamed(error, 'StepSpecError')) {
      const message = (error as Error).message;
      throw new InvalidArgumentError(/hyperparameters/.test(message) ? message : `hyperparameters: ${message}`, { cause: error });
    }
    throw error;
  }
}

function checkModel(request: StartTrainingRequest, kind: StepKindName): StepSpec['model'] {
  const model = modelConfigOverrides(request.model);
  const set = Object.keys(model).length > 0;
  if (!set) return undefined;
  if (kind === 'weak' || kind === 'finetune') {
    throw new InvalidArgumentError(`model is set, but a ${kind.toUpperCase()} step takes its model's shape from previous_checkpoint; leave model unset`);
  }
  for (const key of ['imageSize', 'encoderWidth', 'asppChannels', 'embeddingDim'] as const) {
    const value = model[key];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new InvalidArgumentError(`model.${snake(key)} must be a positive integer, got ${value}`);
  }
  if (model.outputStride !== undefined && ![4, 8, 16].includes(model.outputStride)) {
    throw new InvalidArgumentError(`model.output_stride must be 4, 8 or 16, got ${model.outputStride}`);
  }
  for (const [index, rate] of (model.asppRates ?? []).entries()) {
    if (!(Number.isInteger(rate) && rate > 0)) throw new InvalidArgumentError(`model.aspp_rates[${index}] must be a positive integer, got ${rate}`);
  }
  return model;
}

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function checkImageLabels(request: StartTrainingRequest, kind: StepKindName, newIds: ReadonlySet<number>): Record<string, number[]> | undefined {
  const entries = Object.entries(request.imageLabels);
  if (entries.length === 0) return undefined;
  if (kind !== 'weak') throw new InvalidArgumentError(`image_labels is set, but only WEAK steps read image-level labels`);
  const labels: Record<string, number[]> = {};
  for (const [imageId, value] of entries) {
    if (imageId.trim() === '') throw new InvalidArgumentError('image_labels has an empty image id');
    const ids = value?.classIds ?? [];
    if (ids.length === 0) throw new InvalidArgumentError(`image_labels["${imageId}"].class_ids is empty; leave the image out instead`);
    for (const id of ids) {
      if (!newIds.has(id)) throw new InvalidArgumentError(`image_labels["${imageId}"].class_ids holds ${id}, which is not one of new_classes`);
    }
    labels[imageId] = [...new Set(ids)].sort((a, b) => a - b);
  }
  return labels;
}

/**
 * Checks every field of a StartTrainingRequest and builds the job's work. INVALID_ARGUMENT names the
 * field; FAILED_PRECONDITION lists what checkStepSpec found missing or incompatible on disk.
 */
export async function workOfRequest(request: StartTrainingRequest, validation: StepValidation): Promise<TrainingWork> {
  const runId = checkId(request.runId, 'run_id');
  const kind = stepKindName(request.kind);
  if (!kind) throw new InvalidArgumentError(`kind must be STEP_KIND_BASE, STEP_KIND_WEAK, STEP_KIND_JOINT or STEP_KIND_FINETUNE, got ${StepKind[request.kind] ?? request.kind}`);
  if (!Number.isInteger(request.step) || request.step < 0) throw new InvalidArgumentError(`step must be 0 or more, got ${request.step}`);
  if (kind === 'base' && request.step !== 0) throw new InvalidArgumentError(`step is ${request.step}, but a BASE step is step 0`);
  if ((kind === 'weak' || kind === 'finetune') && request.step < 1) {
    throw new InvalidArgumentError(`step is ${request.step}, but a ${kind.toUpperCase()} step adds classes to a previous step: step must be 1 or more`);
  }

  if (request.newClasses.length === 0) throw new InvalidArgumentError('new_classes is empty: name the classes this step learns');
  const newClasses = checkClasses(request.newClasses, 'new_classes');
  const newIds = new Set(newClasses.map((c) => c.id));
  const oldClasses = checkClasses(request.oldClasses, 'old_classes', newIds);
  if (kind === 'base' && oldClasses.length > 0) throw new InvalidArgumentError('old_classes must be empty for a BASE step (step 0 has no earlier classes)');
  if ((kind === 'weak' || kind === 'finetune') && oldClasses.length === 0) {
    throw new InvalidArgumentError(`old_classes is empty, but a ${kind.toUpperCase()} step keeps the classes of the previous steps: list them`);
  }
  const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
  newClasses.sort(byId);
  oldClasses.sort(byId);

  const trainData = checkDataset(request.trainData, 'train_data');
  const outputDir = requirePath(request.outputDir, 'output_dir');

  let pseudoLabelDir: string | undefined;
  if (kind === 'weak') pseudoLabelDir = requirePath(request.pseudoLabelDir, 'pseudo_label_dir');
  else if (request.pseudoLabelDir !== '') throw new InvalidArgumentError(`pseudo_label_dir is set, but only WEAK steps read pseudo labels`);

  let previousCheckpoint: string | undefined;
  if (kind === 'weak' || kind === 'finetune') previousCheckpoint = requirePath(request.previousCheckpoint, 'previous_checkpoint');
  else if (request.previousCheckpoint !== '') {
    throw new InvalidArgumentError(`previous_checkpoint is set, but a ${kind.toUpperCase()} step trains from scratch; leave it empty`);
  }

  const model = checkModel(request, kind);
  const imageLabels = checkImageLabels(request, kind, newIds);
  const hyperparameters = resolveHyperparameters(validation, kind, request);

  let memoryBank: TrainingWork['memoryBank'];
  const bank = request.memoryBank;
  if (bank && (bank.address !== '' || bank.runId !== '' || bank.capacityPerClass !== 0)) {
    if (bank.address.trim() === '') throw new InvalidArgumentError('memory_bank.address is empty: give the host:port of a MemoryBankService');
    const bankRunId = checkId(bank.runId, 'memory_bank.run_id');
    if (!Number.isInteger(bank.capacityPerClass) || bank.capacityPerClass < 0 || bank.capacityPerClass > 100_000) {
      throw new InvalidArgumentError(`memory_bank.capacity_per_class must lie in 1..100000, got ${bank.capacityPerClass}`);
    }
    if (kind === 'base' && bank.capacityPerClass === 0) {
      throw new InvalidArgumentError('memory_bank.capacity_per_class is 0, but a BASE step creates the archive: give B (1..100000)');
    }
    memoryBank = { address: bank.address.trim(), runId: bankRunId, capacityPerClass: bank.capacityPerClass };
  }
  if (kind === 'weak' && hyperparameters.copyPaste.enabled && !memoryBank) {
    throw new InvalidArgumentError('memory_bank is missing, but a WEAK step with copy-paste (hyperparameters.copy_paste.enabled) samples old-class instances from it');
  }

  const spec: StepSpec = {
    runId,
    step: request.step,
    kind,
    newClasses,
    oldClasses,
    trainData,
    outputDir,
    hyperparameters,
    ...(pseudoLabelDir !== undefined ? { pseudoLabelDir } : {}),
    ...(previousCheckpoint !== undefined ? { previousCheckpoint } : {}),
    ...(model !== undefined ? { model } : {}),
    ...(imageLabels !== undefined ? { imageLabels } : {}),
  };
  const { invalid, preconditions } = await validation.checkStepSpec(spec);
  if (invalid.length > 0) throw new InvalidArgumentError(invalid.join('; '));
  if (preconditions.length > 0) throw new FailedPreconditionError(preconditions.join('; '));
  return { spec, ...(memoryBank ? { memoryBank } : {}) };
}
