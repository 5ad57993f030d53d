/** Registers the kernels of this library on the wasm backend (and the one cpu fix). */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';
import { batchMatMulWasm, fusedMatMulWasm } from './batch-mat-mul';
import { conv2DBackpropFilterWasm, conv2DBackpropInputWasm } from './conv2d-backprop';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './depthwise-backprop';
import { equalWasm } from './equal';
import { GroupNormGrad, groupNormGrad } from './group-norm-grad';
import { castWasm, identityWasm } from './identity';
import { resizeBilinearGrad } from './resize-bilinear-grad';
import { unsortedSegmentSum } from './unsorted-segment-sum';
import { conv2DSameFixed, depthwiseSameFixed, fusedConv2DSameFixed, fusedDepthwiseSameFixed } from './same-pad-fix';
import { optionalRequire } from '../optional-require';
import { sliceWasm, splitVWasm } from './slice';
import { rememberStockKernel, stockKernel } from './wasm-ops';

export type KernelReason = 'missing' | 'slow' | 'incorrect';

export interface SuppliedKernel {
  kernelName: string;
  backendName: 'wasm' | 'cpu';
  /** Why the stock kernel is replaced: absent, slow, or giving wrong results. */
  reason: KernelReason;
  note: string;
  /** Also accepts a `dilations` attribute (used by this library's Conv2D / depthwise gradients). */
  dilationAware: boolean;
  kernelFunc: KernelFunc;
}

export const SUPPLIED_KERNELS: readonly SuppliedKernel[] = [
  {
    kernelName: tf.Conv2DBackpropFilter,
    backendName: 'wasm',
    reason: 'missing',
    note: 'conv2d filter gradient: transposed im2col one tap at a time + XNNPACK matmuls (padding rows skipped, stride phases)',
    dilationAware: true,
    kernelFunc: conv2DBackpropFilterWasm,
  },
  {
    kernelName: tf.Conv2DBackpropInput,
    backendName: 'wasm',
    reason: 'slow',
    note: 'conv2d input gradient: XNNPACK forward conv(s) with the flipped filter (strided: one per input phase), else one matmul + col2im',
    dilationAware: true,
    kernelFunc: conv2DBackpropInputWasm,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropFilter,
    backendName: 'wasm',
    reason: 'missing',
    note: 'depthwise filter gradient: one pass over dy',
    dilationAware: true,
    kernelFunc: depthwiseBackpropFilter,
  },
  {
    kernelName: tf.DepthwiseConv2dNativeBackpropInput,
    backendName: 'wasm',
    reason: 'missing',
    note: 'depthwise input gradient: one pass over dy',
    dilationAware: true,
    kernelFunc: depthwiseBackpropInput,
  },
  {
    kernelName: tf.UnsortedSegmentSum,
    backendName: 'wasm',
    reason: 'missing',
    note: 'gradient of gather: one scatter-add pass',
    dilationAware: false,
    kernelFunc: unsortedSegmentSum,
  },
  {
    kernelName: GroupNormGrad,
    backendName: 'wasm',
    reason: 'missing',
    note: 'whole GroupNorm backward pass (no tfjs-core op): two passes over x and dy instead of ~30 ops with transposes',
    dilationAware: false,
    kernelFunc: groupNormGrad,
  },
  {
    kernelName: tf.BatchMatMul,
    backendName: 'wasm',
    reason: 'slow',
    note: 'batch > 1 or transposed operands: materialised transposes + XNNPACK 2-D matmuls; also guards the stale-operator cache (see _FusedMatMul)',
    dilationAware: false,
    kernelFunc: batchMatMulWasm,
  },
  {
    kernelName: tf._FusedMatMul,
    backendName: 'wasm',
    reason: 'incorrect',
    note: 'XNNPACK operator cached per rhs data id ignoring shape: a reshaped rhs reusing the data gave wrong results',
    dilationAware: false,
    kernelFunc: fusedMatMulWasm,
  },
  {
    kernelName: tf.Slice,
    backendName: 'wasm',
    reason: 'slow',
    note: 'stock kernel copies the whole input out of the heap (readSync) on every call',
    dilationAware: false,
    kernelFunc: sliceWasm,
  },
  {
    kernelName: tf.SplitV,
    backendName: 'wasm',
    reason: 'slow',
    note: 'stock kernel runs the copying Slice once per piece (gradient of concat)',
    dilationAware: false,
    kernelFunc: splitVWasm,
  },
  ...[
    [tf.Conv2D, conv2DSameFixed],
    [tf.FusedConv2D, fusedConv2DSameFixed],
    [tf.DepthwiseConv2dNative, depthwiseSameFixed],
    [tf.FusedDepthwiseConv2D, fusedDepthwiseSameFixed],
  ].map(
    ([kernelName, kernelFunc]): SuppliedKernel => ({
      kernelName: kernelName as string,
      backendName: 'wasm',
      reason: 'incorrect',
      note: "pad 'same' reaches XNNPACK's TF-SAME flag, wrong for e.g. a [1,3] filter at stride 2: passed as explicit pads",
      dilationAware: false,
      kernelFunc: kernelFunc as KernelFunc,
    }),
  ),
  {
    kernelName: tf.Identity,
    backendName: 'wasm',
    reason: 'slow',
    note: 'stock kernel copies the data; the engine clones every tensor saved for a backward pass through it: shared by reference count, as on cpu',
    dilationAware: false,
    kernelFunc: identityWasm,
  },
  {
    kernelName: tf.Equal,
    backendName: 'wasm',
    reason: 'slow',
    note: 'stock comparison walks a generic broadcast loop (~70 ns an element; gradient of max / min): one pass over the heap',
    dilationAware: false,
    kernelFunc: equalWasm,
  },
  {
    kernelName: tf.Cast,
    backendName: 'wasm',
    reason: 'slow',
    note: 'stock kernel copies even to the same dtype (every relu gradient casts its float mask to float): shared by reference count',
    dilationAware: false,
    kernelFunc: castWasm,
  },
  {
    kernelName: tf.ResizeBilinearGrad,
    backendName: 'wasm',
    reason: 'incorrect',
    note: 'stock kernel ignores halfPixelCenters',
    dilationAware: false,
    kernelFunc: resizeBilinearGrad,
  },
  {
    kernelName: tf.ResizeBilinearGrad,
    backendName: 'cpu',
    reason: 'incorrect',
    note: 'stock kernel ignores halfPixelCenters and returns [B,W,H,C] for non-square images',
    dilationAware: false,
    kernelFunc: resizeBilinearGrad,
  },
];

const dilationAwareFuncs = new Set<KernelFunc>(SUPPLIED_KERNELS.filter((k) => k.dilationAware).map((k) => k.kernelFunc));

/** Whether the kernel now registered for (kernelName, backendName) is one of ours that takes `dilations`. */
export function isDilationAwareKernel(kernelName: string, backendName: string): boolean {
  const config = tf.getKernel(kernelName, backendName);
  return config != null && dilationAwareFuncs.has(config.kernelFunc);
}

function registerFor(backendName: 'wasm' | 'cpu'): string[] {
  if (backendName === 'wasm') {
    // The stock wasm kernels register on import: load the package first, or it would later
    // overwrite ours (and ours delegate to them).
    const loaded = optionalRequire('@tensorflow/tfjs-backend-wasm');
    if (!loaded.ok) throw new Error(`registerWasmKernels: @tensorflow/tfjs-backend-wasm ${loaded.reason}`);
  }
  const registered: string[] = [];
  for (const k of SUPPLIED_KERNELS) {
    if (k.backendName !== backendName) continue;
    const current = tf.getKernel(k.kernelName, backendName);
    if (current?.kernelFunc === k.kernelFunc) continue;
    const setupFunc = current?.setupFunc;
    if (current != null) {
      rememberStockKernel(current);
      tf.unregisterKernel(k.kernelName, backendName);
    }
    // Our kernels delegate to the stock one they replace: keep its setup (wasm cwrap) running when
    // the backend is initialised after this registration.
    tf.registerKernel({ kernelName: k.kernelName, backendName, kernelFunc: k.kernelFunc, setupFunc });
    registered.push(k.kernelName);
  }
  return registered;
}

/**
 * Registers the wasm kernels listed in `SUPPLIED_KERNELS` (replacing stock ones where they exist).
 * Idempotent; works before or after the wasm backend is initialised. Returns the kernel names
 * registered by this call.
 */
export function registerWasmKernels(): string[] {
  return registerFor('wasm');
}

/** Registers the cpu kernel fixes (ResizeBilinearGrad). Idempotent. */
export function registerCpuKernelFixes(): string[] {
  return registerFor('cpu');
}

/**
 * Puts the stock wasm kernels back for `kernelNames` (for A/B benchmarks and diagnostics); returns a
 * function that re-registers ours. Kernels missing from stock wasm stay ours.
 */
export function useStockWasmKernels(kernelNames: readonly string[]): () => void {
  registerWasmKernels();
  for (const name of kernelNames) {
    const stock = stockKernel(name);
    const current = tf.getKernel(name, 'wasm');
    if (stock == null || current == null || stock === current) continue;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(stock);
  }
  return () => {
    registerWasmKernels();
  };
}
