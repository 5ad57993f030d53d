import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { createVitWeights, disposeWeights, encodeImage } from '@fmwiss/vit-models';

import { gridInterpolationMatrix, resamplePositions, vitAtSize } from './position-embedding';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
});

describe('position embeddings at another grid', () => {
  it('halving a grid averages 2 x 2 blocks', () => {
    const m = gridInterpolationMatrix(4, 2);
    // Output (0,0) = mean of source (0,0), (0,1), (1,0), (1,1).
    const row = Array.from(m.subarray(0, 16));
    expect(row.map((v) => Number(v.toFixed(6)))).toEqual([0.25, 0.25, 0, 0, 0.25, 0.25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it.each([
    [12, 6],
    [4, 3],
    [3, 5],
  ])('equals tf.image.resizeBilinear (half-pixel centres) from %i to %i, class token kept', (from, to) => {
    const C = 5;
    const positions = tf.randomNormal([1 + from * from, C], 0, 1, 'float32', 11) as tf.Tensor2D;
    const ours = resamplePositions(positions, from, to);
    const reference = tf.tidy(() => {
      const grid = tf.reshape(tf.slice(positions, [1, 0], [from * from, C]), [1, from, from, C]) as tf.Tensor4D;
      const resized = tf.image.resizeBilinear(grid, [to, to], false, true);
      return tf.concat([tf.slice(positions, [0, 0], [1, C]), tf.reshape(resized, [to * to, C])], 0);
    });
    const a = ours.dataSync();
    const b = reference.dataSync();
    expect(ours.shape).toEqual([1 + to * to, C]);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    expect(max).toBeLessThan(1e-5);
    tf.dispose([positions, ours, reference]);
  });

  it('runs the ViT on small crops and carries the gradient back to pos_embed', () => {
    const vit = createVitWeights({ imageSize: 16, patchSize: 4, width: 8, depth: 1, heads: 2, outputDim: 0 }, 3);
    const pixels = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(encodeImage(vitAtSize(vit, 8), pixels).global)) as tf.Scalar, [vit.tensors['pos_embed']!]);
    const g = grads[vit.tensors['pos_embed']!.name]!;
    expect(g.shape).toEqual([17, 8]);
    expect(Array.from(g.dataSync()).some((v) => v !== 0)).toBe(true);
    tf.dispose([value, ...Object.values(grads), pixels]);
    disposeWeights(vit);
  });
});
