import { DEFAULT_MODEL_CONFIG, ModelError, resolveModelConfig, type ModelConfig, type ResolvedModelConfig } from '@fmwiss/segmentation-models';
import { StepSpecError } from './errors';

/** The trainer's default student: DEFAULT_MODEL_CONFIG with native dilated convs (about 2x faster a step on wasm). */
export const DEFAULT_STEP_MODEL: ResolvedModelConfig = Object.freeze({ ...DEFAULT_MODEL_CONFIG, atrous: 'native' }) as ResolvedModelConfig;

const MODEL_KEYS = new Set(Object.keys(DEFAULT_MODEL_CONFIG));

/** True when no field of `model` is set (undefined fields and an empty asppRates count as unset). */
export function isEmptyModel(model: Partial<ModelConfig> | undefined): boolean {
  if (model == null) return true;
  return Object.entries(model).every(([key, value]) => value === undefined || (key === 'asppRates' && Array.isArray(value) && value.length === 0));
}

/**
 * The student's shape of a base or joint step: the given fields over DEFAULT_STEP_MODEL (undefined
 * fields and an empty asppRates are unset). Throws StepSpecError naming the field ("model.outputStride ...").
 */
export function resolveStepModel(model: Partial<ModelConfig> | undefined): ResolvedModelConfig {
  const merged: Record<string, unknown> = { ...DEFAULT_STEP_MODEL };
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(model ?? {})) {
    if (!MODEL_KEYS.has(key)) unknown.push(`model.${key} is not a model field (${[...MODEL_KEYS].join(', ')})`);
    else if (value !== undefined && !(key === 'asppRates' && Array.isArray(value) && value.length === 0)) merged[key] = value;
  }
  if (unknown.length > 0) throw new StepSpecError(unknown.join('; '), unknown);
  try {
    return resolveModelConfig(merged as unknown as ModelConfig);
  } catch (error) {
    if (error instanceof ModelError) throw new StepSpecError(error.message.replace(/^config\./, 'model.'));
    throw error;
  }
}
