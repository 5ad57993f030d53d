// The check every backend makes before running a model: the tensors given to `infer` against the
// model's declared inputs, and the requested output names against its declared outputs. One module,
// so that every backend refuses the same mistakes with the same words.
import type { ModelMetadata, TensorSpec } from './backend';
import { ModelInputError } from './errors';
import { elementCount, type NamedTensors, type TensorDType } from './tensor';

/** The typed array each dtype travels in (`bool` is bytes, 0 or 1). */
const ARRAY_TYPE_OF: Readonly<Record<TensorDType, { name: string; is: (data: unknown) => boolean }>> = {
  float32: { name: 'Float32Array', is: (data) => data instanceof Float32Array },
  int32: { name: 'Int32Array', is: (data) => data instanceof Int32Array },
  int64: { name: 'BigInt64Array', is: (data) => data instanceof BigInt64Array },
  uint8: { name: 'Uint8Array', is: (data) => data instanceof Uint8Array },
  bool: { name: 'Uint8Array', is: (data) => data instanceof Uint8Array },
};

/** `[B,3,224,224]`-style text of a declared shape (`?` for a dynamic dimension). */
export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((dim) => (dim === null ? '?' : String(dim))).join(',')}]`;
}

/**
 * The problems of one tensor against its spec, one line each (empty when it fits): dtype, typed
 * array, rank, every fixed dimension, and the element count of the data.
 */
export function tensorProblems(spec: TensorSpec, tensor: { dtype: unknown; shape: unknown; data: unknown }): string[] {
  const problems: string[] = [];
  const where = `input '${spec.name}'`;
  if (tensor.dtype !== spec.dtype) problems.push(`${where}: dtype ${String(tensor.dtype)}, the model declares ${spec.dtype}`);
  else if (!ARRAY_TYPE_OF[spec.dtype].is(tensor.data)) {
    problems.push(`${where}: ${spec.dtype} data must be a ${ARRAY_TYPE_OF[spec.dtype].name}`);
  }
  const shape = tensor.shape;
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isInteger(dim) && dim >= 0)) {
    problems.push(`${where}: shape must be a list of integers >= 0, got ${JSON.stringify(shape)}`);
    return problems;
  }
  if (shape.length !== spec.shape.length) {
    problems.push(`${where}: rank ${shape.length} (shape [${shape.join(',')}]), the model declares rank ${spec.shape.length} ${formatShape(spec.shape)}`);
  } else {
    spec.shape.forEach((declared, axis) => {
      if (declared !== null && shape[axis] !== declared) {
        problems.push(`${where}: dimension ${axis} is ${shape[axis]}, the model declares ${declared} ${formatShape(spec.shape)}`);
      }
    });
  }
  const length = (tensor.data as { length?: unknown } | null)?.length;
  const expected = elementCount(shape as number[]);
  if (typeof length === 'number' && length !== expected) {
    problems.push(`${where}: shape [${shape.join(',')}] needs ${expected} elements, the data holds ${length}`);
  }
  return problems;
}

/**
 * Checks the tensors given to `infer` against the model's declared inputs: every declared input
 * present and no other, each with the declared dtype (in its typed array), rank and fixed
 * dimensions, and data whose length matches its shape. Throws one `ModelInputError` that lists
 * every problem, one per line.
 */
export function validateInputs(model: Pick<ModelMetadata, 'name' | 'inputs'>, inputs: NamedTensors): void {
  const problems: string[] = [];
  const declared = new Set(model.inputs.map((spec) => spec.name));
  for (const spec of model.inputs) {
    const tensor = Object.prototype.hasOwnProperty.call(inputs, spec.name) ? inputs[spec.name] : undefined;
    if (tensor === undefined || tensor === null) {
      problems.push(`input '${spec.name}' is missing: the model declares ${spec.dtype} ${formatShape(spec.shape)}`);
      continue;
    }
    problems.push(...tensorProblems(spec, tensor));
  }
  for (const name of Object.keys(inputs)) {
    if (!declared.has(name)) problems.push(`input '${name}' is not an input of the model (it declares ${[...declared].map((n) => `'${n}'`).join(', ')})`);
  }
  if (problems.length > 0) {
    throw new ModelInputError(`inputs of model ${model.name} do not match its declared inputs:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Checks output names requested from `infer` against the model's declared outputs; returns them
 * (without duplicates, in the order given), or throws one `ModelInputError` naming the unknown ones.
 */
export function validateOutputNames(model: Pick<ModelMetadata, 'name' | 'outputs'>, names: readonly string[]): string[] {
  const declared = new Set(model.outputs.map((spec) => spec.name));
  const unknown = names.filter((name) => !declared.has(name));
  if (unknown.length > 0) {
    throw new ModelInputError(
      `model ${model.name} has no output ${unknown.map((n) => `'${n}'`).join(', ')}; it declares ${[...declared].map((n) => `'${n}'`).join(', ')}`,
    );
  }
  return [...new Set(names)];
}
