import { ModelContractError, type HostTensor, type ModelBackend, type NamedTensors, type TensorDType } from '@fmwiss/model-backends';

/** An output the contract promises, with its dtype and rank checked (a model breaking it at run time is a contract error). */
export function requireOutput(outputs: NamedTensors, name: string, model: ModelBackend, dtypes: TensorDType | readonly TensorDType[], rank: number): HostTensor {
  const tensor = outputs[name];
  const allowed = typeof dtypes === 'string' ? [dtypes] : dtypes;
  if (!tensor) throw new ModelContractError(`model ${model.metadata().uri} returned no "${name}" output`);
  if (!allowed.includes(tensor.dtype) || tensor.shape.length !== rank) {
    throw new ModelContractError(
      `model ${model.metadata().uri} returned "${name}" as ${tensor.dtype} [${tensor.shape.join(',')}], expected ${allowed.join(' or ')} of rank ${rank}`,
    );
  }
  return tensor;
}
