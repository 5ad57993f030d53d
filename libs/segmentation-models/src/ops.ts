import * as tf from '@tensorflow/tfjs';
import type { AtrousImpl } from './config';

/**
 * A k x k convolution, stride 1 or 2, with "same"-sized output from symmetric explicit padding
 * dilation * (k - 1) / 2 (output ceil(H / stride)). Dilation > 1 (stride 1 only) goes through
 * `atrousConv2d` or tf.conv2d's `dilations`, per `atrous`.
 */
export function conv2d(
  x: tf.Tensor4D /* [B,H,W,Cin] */,
  kernel: tf.Tensor4D /* [k,k,Cin,Cout] */,
  stride: 1 | 2,
  dilation: number,
  atrous: AtrousImpl,
): tf.Tensor4D /* [B,ceil(H/stride),ceil(W/stride),Cout] */ {
  const k = kernel.shape[0];
  if (k === 1) return tf.conv2d(x, kernel, stride, 'valid');
  const pad = (dilation * (k - 1)) / 2;
  if (dilation > 1 && atrous === 'space-to-batch') return atrousConv2d(x, kernel, dilation);
  return tf.conv2d(
    x,
    kernel,
    stride,
    [
      [0, 0],
      [pad, pad],
      [pad, pad],
      [0, 0],
    ],
    'NHWC',
    dilation,
  );
}

/**
 * Dilated ("atrous") stride-1 convolution with symmetric "same" padding computed as TensorFlow's
 * atrous_conv2d does: pad and split the input into rate x rate phases (spaceToBatchND), a plain
 * VALID convolution on every phase, reassemble (batchToSpaceND). Exactly the dilated convolution,
 * at the same MAC count, and differentiable on every stock tfjs backend (the gradients of the two
 * reshuffles are each other).
 */
export function atrousConv2d(x: tf.Tensor4D /* [B,H,W,Cin] */, kernel: tf.Tensor4D /* [k,k,Cin,Cout] */, rate: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = x.shape;
    const pad = (rate * (kernel.shape[0] - 1)) / 2;
    // Extra bottom/right padding so the padded size is a multiple of the rate; cropped off afterwards.
    const extraH = (rate - ((height + 2 * pad) % rate)) % rate;
    const extraW = (rate - ((width + 2 * pad) % rate)) % rate;
    const phases = tf.spaceToBatchND(x, [rate, rate], [
      [pad, pad + extraH],
      [pad, pad + extraW],
    ]); // [B*rate*rate, (H+2pad+extraH)/rate, (W+2pad+extraW)/rate, Cin]
    const convolved = tf.conv2d(phases as tf.Tensor4D, kernel, 1, 'valid'); // [B*rate^2, ., ., Cout]
    return tf.batchToSpaceND(convolved, [rate, rate], [
      [0, extraH],
      [0, extraW],
    ]) as tf.Tensor4D; // [B,H,W,Cout]
  });
}

/**
 * GroupNorm (Wu & He 2018): per image, normalise each group of channels over space and the group's
 * channels, then a per-channel scale and shift. Batch-independent: training and inference agree, and
 * a batch of one image trains as well as a batch of eight.
 */
export function groupNorm(
  x: tf.Tensor4D /* [B,H,W,C] */,
  gamma: tf.Tensor1D /* [C] */,
  beta: tf.Tensor1D /* [C] */,
  groups: number,
  epsilon = 1e-5,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [batch, height, width, channels] = x.shape;
    const grouped = x.reshape([batch, height * width, groups, channels / groups]); // [B,HW,G,C/G]
    const { mean, variance } = tf.moments(grouped, [1, 3], true); // [B,1,G,1] each
    const normalised = grouped.sub(mean).mul(tf.rsqrt(variance.add(epsilon))).reshape([batch, height, width, channels]);
    return normalised.mul(gamma).add(beta) as tf.Tensor4D;
  });
}

/**
 * Bilinear resize of a [B,h,w,C] map to [B,H,W,C] with half-pixel centres (TF2 / PyTorch
 * align_corners=False). Note: the STOCK ResizeBilinearGrad ignores halfPixelCenters; a gradient
 * through this op is exact only with @fmwiss/tensor-runtime's fix or with `halfPixelCenters: false`.
 */
export function upsampleBilinear(x: tf.Tensor4D, size: [number, number], halfPixelCenters = true): tf.Tensor4D {
  return tf.image.resizeBilinear(x, size, false, halfPixelCenters);
}
