import * as tf from '@tensorflow/tfjs';
import { GroupNormGrad, initTensorRuntime } from '@fmwiss/tensor-runtime';
import { atrousConv2d, conv2d, groupNorm } from './ops';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
});

/** The dilated kernel written out with zeros between the taps: a plain conv with it equals the dilated conv. */
function zeroInserted(kernel: tf.Tensor4D, rate: number): tf.Tensor4D {
  const [k, , cin, cout] = kernel.shape;
  const size = rate * (k - 1) + 1;
  const values = new Float32Array(size * size * cin * cout);
  const src = kernel.dataSync();
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++)
      for (let c = 0; c < cin * cout; c++) values[((i * rate) * size + j * rate) * cin * cout + c] = src[(i * k + j) * cin * cout + c]!;
  return tf.tensor4d(values, [size, size, cin, cout]);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0] as number);
}

describe('atrousConv2d (space-to-batch)', () => {
  it.each([
    [2, 5, 7],
    [3, 8, 8],
    [6, 4, 3],
    [4, 16, 16],
  ])('equals tf.conv2d with dilations at rate %i on %ix%i inputs', (rate, height, width) => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, height, width, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
      const kernel = tf.randomNormal([3, 3, 3, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
      const native = tf.conv2d(x, kernel, 1, [[0, 0], [rate, rate], [rate, rate], [0, 0]], 'NHWC', rate);
      const viaPhases = atrousConv2d(x, kernel, rate);
      expect(viaPhases.shape).toEqual([2, height, width, 5]);
      expect(maxAbsDiff(viaPhases, native)).toBeLessThan(1e-4);
    });
  });

  it('has the gradients of the equivalent zero-inserted (dilation 1) convolution', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([1, 6, 5, 2], 0, 1, 'float32', 3) as tf.Tensor4D;
      const kernel = tf.randomNormal([3, 3, 2, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      const weight = tf.randomNormal([1, 6, 5, 3], 0, 1, 'float32', 5);
      const [gx, gk] = tf.grads((a: tf.Tensor, b: tf.Tensor) => atrousConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2).mul(weight).sum())([x, kernel]);
      const big = zeroInserted(kernel, 2); // [5,5,2,3]
      const [rx, rbig] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, [[0, 0], [2, 2], [2, 2], [0, 0]]).mul(weight).sum(),
      )([x, big]);
      expect(maxAbsDiff(gx!, rx!)).toBeLessThan(1e-4);
      // The kernel gradient is the zero-inserted kernel's gradient read at the taps.
      const taps = rbig!.stridedSlice([0, 0, 0, 0], [5, 5, 2, 3], [2, 2, 1, 1]);
      expect(maxAbsDiff(gk!, taps)).toBeLessThan(1e-4);
    });
  });

  it('conv2d gives ceil(H/2) at stride 2 and the same size at stride 1', () => {
    tf.tidy(() => {
      const x = tf.ones([1, 7, 8, 2]) as tf.Tensor4D;
      const k3 = tf.ones([3, 3, 2, 4]) as tf.Tensor4D;
      expect(conv2d(x, k3, 2, 1, 'space-to-batch').shape).toEqual([1, 4, 4, 4]);
      expect(conv2d(x, k3, 1, 3, 'space-to-batch').shape).toEqual([1, 7, 8, 4]);
      expect(conv2d(x, k3, 1, 3, 'native').shape).toEqual([1, 7, 8, 4]);
      expect(conv2d(x, tf.ones([1, 1, 2, 4]) as tf.Tensor4D, 1, 1, 'native').shape).toEqual([1, 7, 8, 4]);
    });
  });
});

describe('groupNorm', () => {
  it('normalises each group of channels over space, then scales and shifts per channel', () => {
    // One image, 1x2 pixels, 4 channels in 2 groups. Group 0 (channels 0,1) values 1,3 | 5,7:
    // mean 4, variance (9+1+1+9)/4 = 5 -> (x-4)/sqrt(5): -1.341641, -0.447214 | 0.447214, 1.341641.
    // Group 1 (channels 2,3) values 2,2 | 2,2: variance 0 -> 0 (eps keeps it finite).
    // gamma [1, 2, 1, 1], beta [0, 0, 0.5, 0]: channel 1 doubled, channel 2 shifted by 0.5.
    const out = tf.tidy(() =>
      Array.from(
        groupNorm(tf.tensor4d([1, 3, 2, 2, 5, 7, 2, 2], [1, 1, 2, 4]), tf.tensor1d([1, 2, 1, 1]), tf.tensor1d([0, 0, 0.5, 0]), 2).dataSync(),
      ),
    );
    const expected = [-1.341641, -0.894427, 0.5, 0, 0.447214, 2.683282, 0.5, 0];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 4));
  });

  it('does not depend on the other images of the batch', () => {
    tf.tidy(() => {
      const a = tf.randomNormal([1, 3, 3, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
      const b = tf.randomNormal([1, 3, 3, 4], 5, 3, 'float32', 7) as tf.Tensor4D;
      const gamma = tf.ones([4]) as tf.Tensor1D;
      const beta = tf.zeros([4]) as tf.Tensor1D;
      const alone = groupNorm(a, gamma, beta, 2);
      const inBatch = groupNorm(tf.concat([a, b]), gamma, beta, 2).slice([0, 0, 0, 0], [1, 3, 3, 4]);
      expect(maxAbsDiff(alone, inBatch)).toBeLessThan(1e-5);
    });
  });

  it('has the gradient of the plain autodiff formulation (x, gamma, beta)', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([2, 3, 5, 6], 1, 2, 'float32', 8) as tf.Tensor4D;
      const gamma = tf.randomNormal([6], 1, 0.5, 'float32', 9) as tf.Tensor1D;
      const beta = tf.randomNormal([6], 0, 0.5, 'float32', 10) as tf.Tensor1D;
      const weight = tf.randomNormal([2, 3, 5, 6], 0, 1, 'float32', 11);
      const reference = (xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor): tf.Tensor => {
        const grouped = xi.reshape([2, 15, 3, 2]);
        const { mean, variance } = tf.moments(grouped, [1, 3], true);
        return grouped.sub(mean).mul(tf.rsqrt(variance.add(1e-5))).reshape([2, 3, 5, 6]).mul(g).add(b);
      };
      const loss = (f: (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        f(a, b, c).mul(weight).sum();
      const ours = tf.grads(loss((a, b, c) => groupNorm(a as tf.Tensor4D, b as tf.Tensor1D, c as tf.Tensor1D, 3)))([x, gamma, beta]);
      const theirs = tf.grads(loss(reference))([x, gamma, beta]);
      expect(maxAbsDiff(groupNorm(x, gamma, beta, 3), reference(x, gamma, beta))).toBeLessThan(1e-5);
      ours.forEach((g, i) => expect(maxAbsDiff(g, theirs[i]!)).toBeLessThan(1e-4));
    });
  });

  it("takes the backend's fused GroupNormGrad kernel where there is one (tensor-runtime on wasm): same gradient, no leak", async () => {
    const shape = [2, 4, 3, 12];
    const inputs = [shape, [12], [12], shape].map((s, i) => tf.randomNormal(s, i === 1 ? 1 : 0, 1, 'float32', 20 + i).dataSync());
    const grads = (): Float32Array[] =>
      tf.tidy(() => {
        const [x, gamma, beta, weight] = inputs.map((v, i) => tf.tensor(v, i === 1 || i === 2 ? [12] : shape));
        const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => groupNorm(a as tf.Tensor4D, b as tf.Tensor1D, c as tf.Tensor1D, 4).mul(weight!).sum();
        return tf.grads(loss)([x!, gamma!, beta!]).map((g) => g.dataSync() as Float32Array);
      });
    const closedForm = grads(); // cpu: tfjs ops
    await initTensorRuntime({ backend: 'wasm' });
    try {
      expect(tf.getKernel(GroupNormGrad, 'wasm')).toBeDefined();
      const before = tf.memory().numTensors;
      const fused = grads();
      expect(tf.memory().numTensors).toBe(before);
      fused.forEach((g, i) => g.forEach((v, j) => expect(Math.abs(v - closedForm[i]![j]!)).toBeLessThan(1e-4)));
    } finally {
      await tf.setBackend('cpu');
    }
  });
});
