import * as tf from '@tensorflow/tfjs';
import type { AtrousImpl } from './config';
import { conv2d, groupNorm } from './ops';
import type { AsppPlan, ConvSpec, EncoderPlan } from './plan';
import type { WeightSet } from './weights';

/** conv -> (+bias) -> (GroupNorm) -> (relu), the weights read by the spec's names. */
export function convLayer(x: tf.Tensor4D, weights: WeightSet, spec: ConvSpec, atrous: AtrousImpl, relu: boolean): tf.Tensor4D {
  let y = conv2d(x, weights.get(`${spec.name}/kernel`) as tf.Tensor4D, spec.stride, spec.dilation, atrous);
  if (spec.bias) y = y.add(weights.get(`${spec.name}/bias`));
  if (spec.norm != null) {
    y = groupNorm(y, weights.get(`${spec.norm}/gamma`) as tf.Tensor1D, weights.get(`${spec.norm}/beta`) as tf.Tensor1D, spec.groups);
  }
  return relu ? tf.relu(y) : y;
}

/** images [B,H,W,3] -> features [B,ceil(H/os),ceil(W/os),4w]. Call inside tf.tidy. */
export function encoderForward(images: tf.Tensor4D, weights: WeightSet, plan: EncoderPlan, atrous: AtrousImpl): tf.Tensor4D {
  let x = convLayer(images, weights, plan.stem, atrous, true);
  for (const stage of plan.stages) {
    x = convLayer(x, weights, stage.down, atrous, true);
    for (const block of stage.blocks) {
      const y = convLayer(x, weights, block.conv1, atrous, true);
      x = tf.relu(x.add(convLayer(y, weights, block.conv2, atrous, false)));
    }
  }
  return x;
}

/** features [B,h,w,Cin] -> [B,h,w,asppChannels]: 1x1, dilated 3x3 per rate, image pooling, 1x1 projection. */
export function asppForward(features: tf.Tensor4D, weights: WeightSet, plan: AsppPlan, atrous: AtrousImpl): tf.Tensor4D {
  const [batch, height, width] = features.shape;
  const branches = plan.branches.map((spec) => convLayer(features, weights, spec, atrous, true)); // [B,h,w,c] each
  const pooled = convLayer(features.mean([1, 2], true), weights, plan.pool, atrous, true); // [B,1,1,c]
  // Broadcast to [B,h,w,c] as an add to zeros: the same values and gradient (a sum over space) as
  // tf.broadcastTo, whose Tile kernel is ~10x slower on wasm.
  branches.push(pooled.add(tf.zeros([batch, height, width, plan.pool.outChannels])));
  return convLayer(tf.concat(branches, 3), weights, plan.project, atrous, true);
}
