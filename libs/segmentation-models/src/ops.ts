import * as tf from '@tensorflow/tfjs';
import { GroupNormGrad, type GroupNormGradAttrs } from '@fmwiss/tensor-runtime';
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
  const [batch, height, width, channels] = x.shape;
  const perGroup = channels / groups;
  const groupedShape = [batch, height * width, groups, perGroup];
  // A closed-form gradient (tf.customGrad) instead of differentiating through moments: the backward
  // pass is ~10 tensor ops instead of ~30 small broadcast / reduce ops.
  const paramShape = [groups, perGroup];
  const statShape = [batch, 1, groups, perGroup];
  // Mean over each image's group, [B,HW,G,C/G] -> [B,1,G,1]: first over the contiguous last axis,
  // then over space on the C/G times smaller tensor (one reduction over axes [1,3] transposes the
  // whole tensor on wasm first).
  const groupMean = (t: tf.Tensor): tf.Tensor => t.mean(3, true).mean(1, true);
  // A per-group value [B,1,G,1] repeated per channel [B,1,G,C/G] (tiny): a broadcast against
  // [B,HW,G,C/G] then runs over whole pixels (C floats) instead of C/G-float runs, ~4x faster on wasm.
  const perChannel = (t: tf.Tensor): tf.Tensor => t.add(tf.zeros(statShape));
  /** centred [B,HW,G,C/G] and 1/std [B,1,G,C/G] of each image's groups. */
  const statistics = (input: tf.Tensor): { centred: tf.Tensor; rstd: tf.Tensor } => {
    const grouped = input.reshape(groupedShape);
    const centred = grouped.sub(perChannel(groupMean(grouped)));
    return { centred, rstd: perChannel(tf.rsqrt(groupMean(centred.square()).add(epsilon))) };
  };
  // A closed-form gradient (tf.customGrad) instead of differentiating through tf.moments: the
  // backward pass is a dozen tensor ops instead of ~30 small broadcast / reduce ops. Only the inputs
  // are saved (the statistics are recomputed in the backward pass): tensors saved from inside a
  // custom gradient's forward pass count as leaked under IS_TEST.
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    save([input, g]);
    const { centred, rstd } = statistics(input);
    const value = centred.mul(rstd.mul(g.reshape(paramShape))).add(b.reshape(paramShape)).reshape([batch, height, width, channels]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedInput, scale] = saved as [tf.Tensor, tf.Tensor];
        if (tf.getKernel(GroupNormGrad, tf.getBackend()) != null) {
          // The same closed form as one fused kernel, where the backend has it (tensor-runtime on wasm).
          const attrs: GroupNormGradAttrs = { groups, epsilon };
          const inputs = { x: savedInput, gamma: scale, dy };
          return tf.engine().runKernel(GroupNormGrad, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[]; // [dx, dGamma, dBeta]
        }
        const { centred, rstd } = statistics(savedInput);
        const xHat = centred.mul(rstd); // [B,HW,G,C/G]
        const dyGrouped = dy.reshape(groupedShape);
        const dGamma = dyGrouped.mul(xHat).sum([0, 1]).reshape([channels]);
        const dBeta = dyGrouped.sum([0, 1]).reshape([channels]);
        const dxHat = dyGrouped.mul(scale.reshape(paramShape)); // [B,HW,G,C/G]
        const meanDxHat = perChannel(groupMean(dxHat)); // [B,1,G,C/G]
        const meanDxHatXHat = perChannel(groupMean(dxHat.mul(xHat))); // [B,1,G,C/G]
        // dx = rstd * (dxHat - mean(dxHat) - xHat * mean(dxHat * xHat))
        const dx = dxHat.sub(xHat.mul(meanDxHatXHat)).sub(meanDxHat).mul(rstd).reshape(savedInput.shape);
        return [dx, dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}

/**
 * Bilinear resize of a [B,h,w,C] map to [B,H,W,C] with half-pixel centres (TF2 / PyTorch
 * align_corners=False). Note: the STOCK ResizeBilinearGrad ignores halfPixelCenters; a gradient
 * through this op is exact only with @fmwiss/tensor-runtime's fix or with `halfPixelCenters: false`.
 */
export function upsampleBilinear(x: tf.Tensor4D, size: [number, number], halfPixelCenters = true): tf.Tensor4D {
  return tf.image.resizeBilinear(x, size, false, halfPixelCenters);
}
