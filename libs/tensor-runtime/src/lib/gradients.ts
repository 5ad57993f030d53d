/**
 * Gradient registrations that tfjs-core lacks, for every backend:
 * - Conv2D and DepthwiseConv2dNative with dilations > 1 (tfjs-core asserts dilation 1, so atrous
 *   convolutions, i.e. ASPP, cannot be trained). Where the backend's backprop kernel is one of ours it
 *   receives `dilations`; elsewhere the gradient is taken through the equivalent undilated
 *   convolution with a zero-inserted filter (exact, slower).
 * - GatherNd (tfjs-core registers no gradient at all): scatterND of dy, duplicates summed.
 * - tf.fused.conv2d / tf.fused.depthwiseConv2d with dilations > 1 and a linear activation while a
 *   gradient is being recorded: their custom gradient asserts dilation 1, and tf.layers' Conv2D
 *   with dilationRate goes through them. Those calls are routed to the unfused op plus bias add
 *   (the path tfjs itself takes for non-linear activations), whose gradient is fixed above.
 */
import * as tf from '@tensorflow/tfjs';
import type { GradConfig, NamedAttrMap, Tensor, Tensor4D } from '@tensorflow/tfjs';
import { isDilationAwareKernel } from './kernels/register';

type Pair = [number, number];
type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

function pair(v: number | number[] | undefined): Pair {
  if (v == null) return [1, 1];
  if (typeof v === 'number') return [v, v];
  return [v[0], v.length > 1 ? v[1] : v[0]];
}

/** filter [KH,KW,I,O] -> [(KH-1)*dh+1, (KW-1)*dw+1, I, O] with zeros between the taps. */
export function dilateFilter(filter: Tensor4D, [dh, dw]: Pair): Tensor4D {
  return tf.tidy(() => {
    const [kh, kw, ci, co] = filter.shape;
    const spaced = tf.pad(tf.reshape(filter, [kh, 1, kw, 1, ci, co]), [
      [0, 0],
      [0, dh - 1],
      [0, 0],
      [0, dw - 1],
      [0, 0],
      [0, 0],
    ]);
    const full = tf.reshape(spaced, [kh * dh, kw * dw, ci, co]);
    return tf.slice(full, [0, 0, 0, 0], [(kh - 1) * dh + 1, (kw - 1) * dw + 1, ci, co]) as Tensor4D;
  });
}

/** Keeps every dh-th / dw-th tap of a gradient taken w.r.t. a dilated filter. */
function undilateFilterGrad(grad: Tensor4D, [dh, dw]: Pair): Tensor4D {
  const [eh, ew, ci, co] = grad.shape;
  return tf.stridedSlice(grad, [0, 0, 0, 0], [eh, ew, ci, co], [dh, dw, 1, 1]) as Tensor4D;
}

interface ConvAttrs {
  strides: Pair;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: Pair;
  dimRoundingMode?: Rounding;
}

function runKernel(kernelName: string, inputs: Record<string, Tensor>, attrs: Record<string, unknown>): Tensor4D {
  const defined = Object.fromEntries(Object.entries(attrs).filter(([, v]) => v !== undefined)) as NamedAttrMap;
  return tf.engine().runKernel(kernelName, inputs, defined) as Tensor4D;
}

function convAttrs(a: ConvAttrs, dilations: Pair, depthwise: boolean): Record<string, unknown> {
  const common = { strides: a.strides, pad: a.pad, dimRoundingMode: a.dimRoundingMode, dilations };
  return depthwise ? common : { ...common, dataFormat: a.dataFormat };
}

/** Input and filter gradients of a (depthwise) convolution, dilations handled as described above. */
function convGradients(
  names: { input: string; filter: string },
  depthwise: boolean,
  x: Tensor4D,
  filter: Tensor4D,
  dy: Tensor4D,
  a: ConvAttrs,
): { x: () => Tensor; filter: () => Tensor } {
  const dil = pair(a.dilations);
  const plain = dil[0] === 1 && dil[1] === 1;
  const backend = tf.getBackend();
  const one: Pair = [1, 1];
  return {
    x: () => {
      if (plain || isDilationAwareKernel(names.input, backend)) {
        return runKernel(names.input, { dy, filter }, { ...convAttrs(a, dil, depthwise), inputShape: x.shape });
      }
      return tf.tidy(() =>
        runKernel(names.input, { dy, filter: dilateFilter(filter, dil) }, { ...convAttrs(a, one, depthwise), inputShape: x.shape }),
      );
    },
    filter: () => {
      if (plain || isDilationAwareKernel(names.filter, backend)) {
        return runKernel(names.filter, { x, dy }, { ...convAttrs(a, dil, depthwise), filterShape: filter.shape });
      }
      return tf.tidy(() => {
        const [kh, kw, ci, co] = filter.shape;
        const filterShape = [(kh - 1) * dil[0] + 1, (kw - 1) * dil[1] + 1, ci, co];
        return undilateFilterGrad(runKernel(names.filter, { x, dy }, { ...convAttrs(a, one, depthwise), filterShape }), dil);
      });
    },
  };
}

const conv2DGrad: GradConfig = {
  kernelName: tf.Conv2D,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const names = { input: tf.Conv2DBackpropInput, filter: tf.Conv2DBackpropFilter };
    return convGradients(names, false, x, filter, dy as Tensor4D, attrs as unknown as ConvAttrs);
  },
};

const depthwiseGrad: GradConfig = {
  kernelName: tf.DepthwiseConv2dNative,
  inputsToSave: ['x', 'filter'],
  gradFunc: (dy, saved, attrs) => {
    const [x, filter] = saved as [Tensor4D, Tensor4D];
    const a = attrs as unknown as ConvAttrs;
    const dil = pair(a.dilations);
    const strides = pair(a.strides);
    if ((dil[0] > 1 || dil[1] > 1) && (strides[0] > 1 || strides[1] > 1)) {
      throw new Error(`depthwiseConv2d gradient: strides ${strides} and dilations ${dil} cannot both exceed 1`);
    }
    const names = { input: tf.DepthwiseConv2dNativeBackpropInput, filter: tf.DepthwiseConv2dNativeBackpropFilter };
    return convGradients(names, true, x, filter, dy as Tensor4D, a);
  },
};

const gatherNdGrad: GradConfig = {
  kernelName: tf.GatherNd,
  inputsToSave: ['params', 'indices'],
  gradFunc: (dy, saved) => {
    const [params, indices] = saved;
    return {
      params: () => tf.scatterND(indices, dy as Tensor, params.shape),
      indices: () => tf.zerosLike(indices),
    };
  },
};

type FusedConvArgs = {
  x: Tensor;
  filter: Tensor;
  strides: Pair | number;
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations?: Pair | number;
  dimRoundingMode?: Rounding;
  bias?: Tensor;
  activation?: string;
};
type FusedConvFn = (args: FusedConvArgs) => Tensor;

function routesUnfused(args: FusedConvArgs): boolean {
  const d = pair(args.dilations);
  return (d[0] > 1 || d[1] > 1) && tf.engine().state.gradientDepth > 0 && (args.activation == null || args.activation === 'linear');
}

function withBias(y: Tensor, bias: Tensor | undefined): Tensor {
  return bias == null ? y : tf.add(y, bias);
}

const fusedOps = tf.fused as unknown as { conv2d: FusedConvFn; depthwiseConv2d: FusedConvFn };
const fusedOriginal = { conv2d: fusedOps.conv2d, depthwiseConv2d: fusedOps.depthwiseConv2d };

const fusedConv2d: FusedConvFn = (args) =>
  routesUnfused(args)
    ? withBias(
        tf.conv2d(args.x as Tensor4D, args.filter as Tensor4D, args.strides, args.pad, args.dataFormat ?? 'NHWC', args.dilations, args.dimRoundingMode),
        args.bias,
      )
    : fusedOriginal.conv2d(args);

const fusedDepthwiseConv2d: FusedConvFn = (args) =>
  routesUnfused(args)
    ? withBias(
        tf.depthwiseConv2d(args.x as Tensor4D, args.filter as Tensor4D, args.strides, args.pad, 'NHWC', args.dilations, args.dimRoundingMode),
        args.bias,
      )
    : fusedOriginal.depthwiseConv2d(args);

/** Installs the tf.fused wrappers described above. Idempotent; returns whether it changed anything. */
function patchFusedDilatedConvs(): boolean {
  if (fusedOps.conv2d === fusedConv2d && fusedOps.depthwiseConv2d === fusedDepthwiseConv2d) return false;
  fusedOps.conv2d = fusedConv2d;
  fusedOps.depthwiseConv2d = fusedDepthwiseConv2d;
  return true;
}

export const GRADIENT_FIXES: ReadonlyArray<{ kernelName: string; note: string; config: GradConfig }> = [
  { kernelName: tf.Conv2D, note: 'dilations > 1 (tfjs-core asserts dilation 1)', config: conv2DGrad },
  { kernelName: tf.DepthwiseConv2dNative, note: 'dilations > 1 (tfjs-core asserts dilation 1)', config: depthwiseGrad },
  { kernelName: tf.GatherNd, note: 'no gradient registered in tfjs-core', config: gatherNdGrad },
];

/**
 * Registers the gradients in `GRADIENT_FIXES` (global: all backends) and the tf.fused wrappers for
 * dilated convolutions. Idempotent; returns what this call changed.
 */
export function registerGradientFixes(): string[] {
  const registered: string[] = [];
  if (patchFusedDilatedConvs()) registered.push('fused.conv2d', 'fused.depthwiseConv2d');
  for (const fix of GRADIENT_FIXES) {
    if (tf.getGradient(fix.kernelName) === fix.config) continue;
    tf.registerGradient(fix.config);
    registered.push(fix.kernelName);
  }
  return registered;
}
