export {
  initTensorRuntime,
  type BackendAttempt,
  type BackendChoice,
  type TensorRuntimeInfo,
  type TensorRuntimeOptions,
} from './lib/runtime';
export {
  registerCpuKernelFixes,
  registerWasmKernels,
  useStockWasmKernels,
  SUPPLIED_KERNELS,
  type KernelReason,
  type SuppliedKernel,
} from './lib/kernels/register';
export { GroupNormGrad, type GroupNormGradAttrs } from './lib/kernels/group-norm-grad';
export { dilateFilter, GRADIENT_FIXES, registerGradientFixes } from './lib/gradients';
export { wasmKernelTuning, type WasmKernelTuning } from './lib/kernels/tuning';
