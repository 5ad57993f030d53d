/**
 * The stock wasm convolutions (Conv2D, FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2D)
 * hand pad='same' to XNNPACK as its TensorFlow-SAME flag, which returns wrong values (relative
 * error ~1, no warning) when one spatial dim needs padding and the other does not under a stride
 * > 1, e.g. a [1,3] filter with stride 2 or a [2,2] filter with strides [3,1]. These wrappers pass
 * the same padding as explicit pads computed by tfjs (the path the stock kernels get right).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { callWasmKernel } from './wasm-ops';

function explicitSamePad(kernelName: string, depthwise: boolean): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    if (attrs == null || attrs.pad !== 'same') return callWasmKernel(kernelName, backend, inputs, attrs);
    const x = inputs.x as TensorInfo;
    const filter = inputs.filter as TensorInfo;
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides as [number, number],
      (attrs.dilations as [number, number] | undefined) ?? 1,
      'same',
      undefined,
      depthwise,
    );
    const { top, bottom, left, right } = info.padInfo;
    const explicit: NamedAttrMap = {
      ...attrs,
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
    };
    return callWasmKernel(kernelName, backend, inputs, explicit);
  };
}

export const conv2DSameFixed = explicitSamePad(tf.Conv2D, false);
export const fusedConv2DSameFixed = explicitSamePad(tf.FusedConv2D, false);
export const depthwiseSameFixed = explicitSamePad(tf.DepthwiseConv2dNative, true);
export const fusedDepthwiseSameFixed = explicitSamePad(tf.FusedDepthwiseConv2D, true);
