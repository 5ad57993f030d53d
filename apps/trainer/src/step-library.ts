import { checkStepSpec, resolveHyperparameters, resolveStepModel } from '@fmwiss/step-training';
import type { StepValidation } from '@fmwiss/training-jobs';

/** step-training's request checks, run on the main thread. */
export const stepValidation: StepValidation = { resolveHyperparameters, checkStepSpec, resolveStepModel };
