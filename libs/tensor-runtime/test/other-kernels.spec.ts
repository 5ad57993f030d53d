/**
 * wasm (ours) vs cpu, through the public ops: depthwiseConv2d gradients, gather / gatherND gradients
 * (UnsortedSegmentSum, ScatterNd), resizeBilinear gradients (against an exact reference, since the
 * stock cpu kernel is wrong for halfPixelCenters), matMul with transposes and batches, the
 * 'same'-padding forward fixes, GroupNormGrad (against the autodiff of a tf.moments GroupNorm on
 * cpu) and the copy-free Identity.
 */
import * as tf from '@tensorflow/tfjs';
import { GroupNormGrad, initTensorRuntime, wasmKernelTuning } from '../src';
import { compareBackends, ErrorLog, host, intIn, pick, randomArray, relativeError, rng, runOn, type HostTensor } from './parity';

const log = new ErrorLog();
const TOL = 1e-4;

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
});

afterAll(() => {
  process.stdout.write(`other kernels parity, worst relative error:\n${log.summary()}\n`);
});

function randomHost(seed: number, shape: number[], scale = 1): HostTensor {
  return host(randomArray(rng(seed), shape.reduce((p, d) => p * d, 1), scale), shape);
}

function ints(values: number[], shape: number[]): HostTensor {
  return host(Int32Array.from(values), shape);
}

async function expectParity(labelText: string, inputs: HostTensor[], fn: (...xs: tf.Tensor[]) => tf.Tensor | tf.Tensor[]) {
  const { errors } = await compareBackends(inputs, fn);
  errors.forEach((e) => log.record(labelText, e));
  expect(Math.max(...errors)).toBeLessThanOrEqual(TOL);
}

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

describe('depthwiseConv2d gradients (DepthwiseConv2dNativeBackpropInput / ...Filter)', () => {
  const cases: Array<{ x: number[]; k: [number, number]; m: number; s: [number, number]; pad: 'same' | 'valid' | ExplicitPad; d: [number, number] }> = [
    { x: [2, 9, 8, 4], k: [3, 3], m: 1, s: [1, 1], pad: 'same', d: [1, 1] },
    { x: [1, 10, 11, 3], k: [3, 3], m: 2, s: [2, 2], pad: 'same', d: [1, 1] },
    { x: [3, 9, 9, 5], k: [3, 3], m: 1, s: [2, 2], pad: 'valid', d: [1, 1] },
    { x: [2, 12, 10, 4], k: [3, 3], m: 1, s: [1, 1], pad: 'same', d: [2, 2] },
    { x: [1, 13, 12, 3], k: [3, 3], m: 3, s: [1, 1], pad: 'valid', d: [3, 3] },
    { x: [2, 8, 9, 2], k: [2, 3], m: 2, s: [1, 1], pad: [[0, 0], [1, 2], [0, 1], [0, 0]], d: [1, 1] },
    { x: [2, 11, 10, 4], k: [3, 3], m: 1, s: [1, 1], pad: [[0, 0], [2, 2], [3, 1], [0, 0]], d: [2, 3] },
    { x: [1, 9, 10, 6], k: [5, 5], m: 1, s: [3, 3], pad: 'same', d: [1, 1] },
  ];
  it.each(cases.map((c, i) => [`${c.x} k${c.k} m${c.m} s${c.s} ${typeof c.pad === 'string' ? c.pad : 'explicit'} d${c.d}`, c, i] as const))(
    '%s',
    async (_name, c, i) => {
      const w = [c.k[0], c.k[1], c.x[3], c.m];
      const y = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], w as [number, number, number, number], c.s, c.d, c.pad, undefined, true).outShape;
      const inputs = [randomHost(10 + i, c.x), randomHost(30 + i, w), randomHost(50 + i, y)];
      await expectParity('depthwise dx/dw', inputs, (x, f, r) =>
        tf.grads((xx: tf.Tensor, ff: tf.Tensor) =>
          tf.sum(tf.mul(tf.depthwiseConv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.s, c.pad, 'NHWC', c.d), r)),
        )([x, f]),
      );
    },
  );
});

describe("forward convolutions with pad 'same' (stock XNNPACK TF-SAME path replaced)", () => {
  it.each([
    [[1, 3], [2, 2]],
    [[3, 1], [2, 2]],
    [[2, 2], [3, 1]],
    [[1, 4], [3, 1]],
    [[3, 3], [2, 2]],
  ] as Array<[[number, number], [number, number]]>)('filter %j strides %j: conv2d, fused conv2d, depthwise, fused depthwise', async (k, s) => {
    const inputs = [randomHost(1, [2, 12, 10, 4]), randomHost(2, [k[0], k[1], 4, 3]), randomHost(3, [k[0], k[1], 4, 2])];
    await expectParity('same-pad forward', inputs, (x, w, dw) => [
      tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, s, 'same'),
      tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w as tf.Tensor4D, strides: s, pad: 'same', bias: tf.ones([3]), activation: 'relu' }),
      tf.depthwiseConv2d(x as tf.Tensor4D, dw as tf.Tensor4D, s, 'same'),
      tf.fused.depthwiseConv2d({ x: x as tf.Tensor4D, filter: dw as tf.Tensor4D, strides: s, pad: 'same', bias: tf.ones([8]), activation: 'relu' }),
    ]);
  });
});

describe('Slice and SplitV (heap views instead of a full copy per call)', () => {
  it.each([
    [[7], [2], [4]],
    [[5, 6], [1, 0], [3, 6]],
    [[5, 6], [0, 2], [5, 3]],
    [[3, 4, 5], [1, 1, 1], [2, 2, 3]],
    [[2, 8, 8, 10], [0, 2, 0, 3], [2, 5, 8, 4]],
    [[2, 8, 8, 10], [1, 0, 0, 0], [1, 8, 8, 10]],
    [[2, 3, 4, 5, 6], [1, 0, 2, 1, 0], [1, 3, 2, 3, 6]],
    [[4, 6], [1, 1], [0, 3]],
  ])('slice %j begin %j size %j (float32, int32, bool)', async (shape, begin, size) => {
    const x = randomHost(31, shape);
    const xi = host(Int32Array.from(x.values, (v) => Math.round(v * 100)), shape);
    await expectParity('Slice', [x, xi], (a, b) => [tf.slice(a, begin, size), tf.cast(tf.slice(b, begin, size), 'float32'), tf.cast(tf.slice(tf.greater(a, 0), begin, size), 'float32')]);
  });
  it('split along each axis, and the gradient of a channel concat', async () => {
    const x = randomHost(32, [2, 6, 5, 12]);
    await expectParity('SplitV', [x], (a) => [...tf.split(a, [2, 4], 1), ...tf.split(a, 5, 2), ...tf.split(a, [3, 1, 8], 3), ...tf.split(a, 2, 0)]);
    // Equal pieces along the last axis: the transpose path.
    await expectParity('SplitV', [x], (a) => [...tf.split(a, 4, 3), ...tf.split(a, 2, -1), ...tf.split(tf.reshape(a, [60, 12]), 3, 1)]);
    const equal = [randomHost(37, [2, 4, 4, 6]), randomHost(38, [2, 4, 4, 6]), randomHost(39, [2, 4, 4, 12])];
    await expectParity('SplitV', equal, (a, b, r) => tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 3), r)))([a, b]));
    const parts = [randomHost(33, [2, 4, 4, 3]), randomHost(34, [2, 4, 4, 5]), randomHost(35, [2, 4, 4, 2]), randomHost(36, [2, 4, 4, 10])];
    await expectParity('SplitV', parts, (a, b, c, r) => tf.grads((p: tf.Tensor, q: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q, s], 3), r)))([a, b, c]));
  });
});

describe('dilated fused convolutions under a gradient (tf.fused / tf.layers)', () => {
  it('tf.fused.conv2d and tf.fused.depthwiseConv2d with dilation 2, linear activation, bias', async () => {
    const inputs = [randomHost(41, [2, 12, 11, 4]), randomHost(42, [3, 3, 4, 5]), randomHost(43, [5]), randomHost(44, [3, 3, 4, 1]), randomHost(45, [4])];
    await expectParity('fused dilated grads', inputs, (x, w, b, dw, db) =>
      tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor, dd: tf.Tensor, de: tf.Tensor) => {
        const y = tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, strides: 1, pad: 'same', dilations: 2, bias: bb });
        const z = tf.fused.depthwiseConv2d({ x: xx as tf.Tensor4D, filter: dd as tf.Tensor4D, strides: 1, pad: 'valid', dilations: [2, 3], bias: de });
        return tf.add(tf.sum(tf.square(y)), tf.sum(tf.square(z)));
      })([x, w, b, dw, db]),
    );
  });
  it('a tf.layers Conv2D with dilationRate trains on wasm', async () => {
    await tf.setBackend('wasm');
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' })] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xs = tf.randomNormal([2, 12, 12, 3]);
    const ys = tf.randomNormal([2, 12, 12, 4]);
    const history = await model.fit(xs, ys, { epochs: 2, verbose: 0 });
    expect(history.history.loss.every((v) => Number.isFinite(v as number))).toBe(true);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});

describe('gather gradient (UnsortedSegmentSum)', () => {
  it('axis 0 with repeated indices', async () => {
    const idx = ints([0, 5, 5, 9, 2, 0, 11, 5], [8]);
    await expectParity('gather grad', [randomHost(1, [12, 7]), idx, randomHost(2, [8, 7])], (x, i, r) =>
      tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.gather(xx, i), r)))(x),
    );
  });
  it('axis 1 of a rank-3 tensor with 2-D indices', async () => {
    const idx = ints([0, 3, 3, 1, 4, 0], [2, 3]);
    await expectParity('gather grad', [randomHost(3, [3, 5, 4]), idx, randomHost(4, [3, 2, 3, 4])], (x, i, r) =>
      tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.gather(xx, i, 1), r)))(x),
    );
  });
  it('point sampling: gather rows of a [N*H*W, C] feature map', async () => {
    const rand = rng(7);
    const idx = Array.from({ length: 300 }, () => Math.floor(rand() * 2 * 16 * 16));
    await expectParity('gather grad', [randomHost(5, [2 * 16 * 16, 24]), ints(idx, [300]), randomHost(6, [300, 24])], (x, i, r) =>
      tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.gather(xx, i), r)))(x),
    );
  });
  it('unsortedSegmentSum directly, float32 and int32, ids out of range dropped', async () => {
    const ids = ints([2, 0, -1, 2, 7, 1], [6]);
    await expectParity('UnsortedSegmentSum', [randomHost(8, [6, 3]), ids], (x, i) => tf.unsortedSegmentSum(x, i as tf.Tensor1D, 4));
    const xi = ints([1, 2, 3, 4, 5, 6], [6]);
    const wasm = await runOn('wasm', [xi, ids], (x, i) => tf.unsortedSegmentSum(x, i as tf.Tensor1D, 4));
    expect(Array.from(wasm[0].values)).toEqual([2, 6, 5, 0]);
  });
});

describe('gatherND gradient (registered by this library; ScatterNd on wasm)', () => {
  it('repeated index tuples are summed', async () => {
    const idx = ints([0, 1, 2, 1, 3, 0, 0, 1, 2, 1, 0, 4], [4, 3]);
    await expectParity('gatherND grad', [randomHost(9, [2, 4, 5, 6]), idx, randomHost(10, [4, 6])], (x, i, r) =>
      tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.gatherND(xx, i), r)))(x),
    );
  });
});

/** Exact interpolation matrix R [out, in] of the tfjs resizeBilinear forward (one axis). */
function interpolationMatrix(inSize: number, outSize: number, alignCorners: boolean, halfPixel: boolean): Float64Array {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const scale = effIn / effOut;
  const r = new Float64Array(outSize * inSize);
  for (let o = 0; o < outSize; o++) {
    const src = halfPixel ? scale * (o + 0.5) - 0.5 : scale * o;
    const lo = Math.max(0, Math.floor(src));
    const hi = Math.min(inSize - 1, Math.ceil(src));
    const frac = src - lo;
    r[o * inSize + lo] += 1 - frac;
    r[o * inSize + hi] += frac;
  }
  return r;
}

/** dx [B,IH,IW,C] = Ry^T dy Rx, in float64 without tfjs. */
function resizeGradReference(dy: HostTensor, inH: number, inW: number, alignCorners: boolean, halfPixel: boolean): Float64Array {
  const [B, OH, OW, C] = dy.shape;
  const ry = interpolationMatrix(inH, OH, alignCorners, halfPixel);
  const rx = interpolationMatrix(inW, OW, alignCorners, halfPixel);
  const dx = new Float64Array(B * inH * inW * C);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < OH; o++)
      for (let p = 0; p < OW; p++)
        for (let i = 0; i < inH; i++) {
          const wy = ry[o * inH + i];
          if (wy === 0) continue;
          for (let j = 0; j < inW; j++) {
            const w = wy * rx[p * inW + j];
            if (w === 0) continue;
            for (let c = 0; c < C; c++) dx[((b * inH + i) * inW + j) * C + c] += w * dy.values[((b * OH + o) * OW + p) * C + c];
          }
        }
  return dx;
}

describe('resizeBilinear gradient (ResizeBilinearGrad) against the exact adjoint', () => {
  const cases: Array<[number, number, number, number, boolean, boolean]> = [];
  for (const [ih, iw, oh, ow] of [
    [8, 6, 32, 24],
    [7, 9, 16, 20],
    [16, 12, 5, 7],
    [5, 5, 5, 5],
  ]) {
    for (const align of [false, true]) for (const half of [false, true]) if (!(align && half)) cases.push([ih, iw, oh, ow, align, half]);
  }
  it.each(cases)('[%i,%i] -> [%i,%i] alignCorners=%s halfPixelCenters=%s', async (ih, iw, oh, ow, align, half) => {
    const x = randomHost(11, [2, ih, iw, 3]);
    const dy = randomHost(12, [2, oh, ow, 3]);
    const expected = resizeGradReference(dy, ih, iw, align, half);
    for (const backend of ['wasm', 'cpu'] as const) {
      const [dx] = await runOn(backend, [x, dy], (xx, r) =>
        tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeBilinear(t as tf.Tensor4D, [oh, ow], align, half), r)))(xx),
      );
      expect(dx.shape).toEqual([2, ih, iw, 3]);
      const err = relativeError(dx.values, expected);
      log.record(`ResizeBilinearGrad (${backend}) vs exact`, err);
      expect(err).toBeLessThanOrEqual(TOL);
    }
  });
});

describe.each([
  ['every size on our path', 0],
  ['default tuning (tiny products on the stock loop)', wasmKernelTuning.batchMatMulMinMacsPerItem],
])('matMul forward and gradients (BatchMatMul), %s', (_mode, minMacs) => {
  const saved = wasmKernelTuning.batchMatMulMinMacsPerItem;
  beforeAll(() => {
    wasmKernelTuning.batchMatMulMinMacsPerItem = minMacs;
  });
  afterAll(() => {
    wasmKernelTuning.batchMatMulMinMacsPerItem = saved;
  });
  const combos: Array<[boolean, boolean]> = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ];
  const shape = (batch: number[], rows: number, cols: number, t: boolean) => [...batch, t ? cols : rows, t ? rows : cols];
  it.each(combos)('2-D [37,23]x[23,41] transposeA=%s transposeB=%s', async (ta, tb) => {
    const a = randomHost(13, shape([], 37, 23, ta));
    const b = randomHost(14, shape([], 23, 41, tb));
    await expectParity('matMul 2-D', [a, b, randomHost(15, [37, 41])], (x, y, r) => [
      tf.matMul(x, y, ta, tb),
      ...tf.grads((xx: tf.Tensor, yy: tf.Tensor) => tf.sum(tf.mul(tf.matMul(xx, yy, ta, tb), r)))([x, y]),
    ]);
  });
  it.each(combos)('batched [3,2,M,K]x[3,2,K,N] transposeA=%s transposeB=%s', async (ta, tb) => {
    const a = randomHost(16, shape([3, 2], 19, 13, ta));
    const b = randomHost(17, shape([3, 2], 13, 17, tb));
    await expectParity('matMul batched', [a, b, randomHost(18, [3, 2, 19, 17])], (x, y, r) => [
      tf.matMul(x, y, ta, tb),
      ...tf.grads((xx: tf.Tensor, yy: tf.Tensor) => tf.sum(tf.mul(tf.matMul(xx, yy, ta, tb), r)))([x, y]),
    ]);
  });
  it.each(combos)('shared right-hand side [4,M,K]x[K,N] transposeA=%s transposeB=%s (forward)', async (ta, tb) => {
    await expectParity('matMul broadcast', [randomHost(19, shape([4], 11, 9, ta)), randomHost(20, shape([], 9, 7, tb))], (x, y) =>
      tf.matMul(x, y, ta, tb),
    );
  });
  it.each(combos)('shared left-hand side [M,K]x[5,K,N] transposeA=%s transposeB=%s (forward)', async (ta, tb) => {
    await expectParity('matMul broadcast', [randomHost(21, shape([], 11, 9, ta)), randomHost(22, shape([5], 9, 7, tb))], (x, y) =>
      tf.matMul(x, y, ta, tb),
    );
  });
  it('broadcast over several batch dims [2,1,M,K]x[3,K,N] against an explicit per-item product', async () => {
    const a = randomHost(23, [2, 1, 5, 4]);
    const b = randomHost(24, [3, 4, 6]);
    const [out] = await runOn('wasm', [a, b], (x, y) => tf.matMul(x, y));
    expect(out.shape).toEqual([2, 3, 5, 6]);
    const [ref] = await runOn('cpu', [a, b], (x, y) =>
      tf.stack([0, 1].map((i) => tf.stack([0, 1, 2].map((j) => tf.matMul(tf.squeeze(tf.slice(x, [i, 0, 0, 0], [1, 1, 5, 4])), tf.squeeze(tf.slice(y, [j, 0, 0], [1, 4, 6]))))))),
    );
    const err = relativeError(out.values, ref.values);
    log.record('matMul broadcast', err);
    expect(err).toBeLessThanOrEqual(TOL);
  });
  it('the same data as right-hand side under two shapes (stock XNNPACK cache is keyed by data id only)', async () => {
    const inputs = [randomHost(26, [24, 16]), randomHost(27, [30, 24]), randomHost(28, [20, 12]), randomHost(29, [16])];
    await expectParity('matMul reshaped rhs', inputs, (w, a1, a2, bias) => [
      tf.matMul(a1, w),
      tf.matMul(a2, tf.reshape(w, [12, 32])),
      tf.fused.matMul({ a: a1, b: w, bias }),
      tf.fused.matMul({ a: tf.slice(a2, [0, 0], [20, 12]), b: tf.reshape(w, [12, 32]), activation: 'relu' }),
    ]);
  });
  it('contrastive similarity z z^T / tau with log-softmax, gradient through gather', async () => {
    const idx = ints([3, 17, 17, 40, 99, 5, 63, 0], [8]);
    await expectParity('InfoNCE-style', [randomHost(25, [128, 16]), idx], (f, i) =>
      tf.grad((ff: tf.Tensor) => {
        const z = tf.gather(ff, i);
        const zn = tf.div(z, tf.norm(z, 2, 1, true));
        return tf.neg(tf.mean(tf.logSoftmax(tf.div(tf.matMul(zn, zn, false, true), 0.1))));
      })(f),
    );
  });
});

describe('GroupNormGrad (whole GroupNorm backward pass, wasm)', () => {
  /** GroupNorm through tf.moments: its autodiff on cpu is the reference. */
  function groupNormReference(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, groups: number, epsilon: number): tf.Tensor {
    const [b, c] = [x.shape[0], x.shape[x.shape.length - 1]];
    const grouped = tf.reshape(x, [b, -1, groups, c / groups]);
    const { mean, variance } = tf.moments(grouped, [1, 3], true);
    return tf.add(tf.mul(tf.reshape(tf.mul(tf.sub(grouped, mean), tf.rsqrt(tf.add(variance, epsilon))), x.shape), gamma), beta);
  }

  const rand = rng(20240612);
  const cases = Array.from({ length: 12 }, (_, i) => {
    const groups = pick(rand, [1, 2, 3, 4, 8]);
    const shape = [intIn(rand, 1, 3), intIn(rand, 1, 7), intIn(rand, 1, 6), groups * intIn(rand, 1, 5)];
    return { shape, groups, epsilon: pick(rand, [1e-5, 1e-3]), offset: i % 4 === 3 ? 20 : 0 };
  });
  cases.push({ shape: [2, 5, 12], groups: 4, epsilon: 1e-5, offset: 0 }); // rank 3
  cases.push({ shape: [2, 8, 8, 24], groups: 8, epsilon: 1e-5, offset: 3 }); // the stem's layout

  it.each(cases.map((c) => [`[${c.shape}] ${c.groups} groups eps ${c.epsilon} mean offset ${c.offset}`, c] as const))('%s', async (_n, c) => {
    const C = c.shape[c.shape.length - 1];
    const x = randomHost(61, c.shape);
    x.values = x.values.map((v) => v * 2 + c.offset) as Float32Array;
    const inputs = [x, randomHost(62, [C]), randomHost(63, [C]), randomHost(64, c.shape)];
    const [wasm, cpu] = [
      await runOn('wasm', inputs, (xx, g, _b, dy) => tf.engine().runKernel(GroupNormGrad, { x: xx, gamma: g, dy }, { groups: c.groups, epsilon: c.epsilon }) as tf.Tensor[]),
      await runOn('cpu', inputs, (xx, g, b, dy) =>
        tf.grads((p: tf.Tensor, q: tf.Tensor, r: tf.Tensor) => tf.sum(tf.mul(groupNormReference(p, q, r, c.groups, c.epsilon), dy)))([xx, g, b]),
      ),
    ];
    wasm.forEach((w, i) => {
      expect(w.shape).toEqual(cpu[i].shape);
      const err = relativeError(w.values, cpu[i].values);
      log.record(`GroupNormGrad ${['dx', 'dGamma', 'dBeta'][i]}`, err);
      expect(err).toBeLessThanOrEqual(TOL);
    });
  });

  it('rejects channels that the groups do not divide', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 2, 6]);
    expect(() => tf.engine().runKernel(GroupNormGrad, { x, gamma: tf.ones([6]), dy: x }, { groups: 4, epsilon: 1e-5 })).toThrow(/divisible by groups/);
    x.dispose();
  });
});

describe('Identity on wasm (clone of every tensor saved for a backward pass)', () => {
  it('shares the data by reference count: no copy, and each tensor stays valid after the other is disposed', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    const dataIdsBefore = backend.numDataIds();
    const y = tf.clone(x);
    expect(backend.numDataIds()).toBe(dataIdsBefore);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    const z = tf.clone(y);
    y.dispose();
    expect(tf.tidy(() => Array.from(tf.add(z, 1).dataSync()))).toEqual([2, 3, 4, 5, 6, 7]);
    z.dispose();
    expect(backend.numDataIds()).toBe(dataIdsBefore - 1);
  });
});

describe('Equal with broadcasting (float32: the gradient of max / min)', () => {
  const fewValues = (seed: number, shape: number[]) => {
    const t = randomHost(seed, shape);
    t.values = t.values.map((v) => Math.round(v * 2)) as Float32Array; // few distinct values: many equal pairs
    return t;
  };
  it.each([
    [[5, 7], [5, 1]],
    [[1, 7], [5, 1]],
    [[2, 3, 4], [4]],
    [[3, 3], []],
    [[2, 1, 4, 3], [5, 1, 3]],
    [[6], [1]],
  ])('%j == %j, as float (and int32 / same shape through the stock kernel)', async (sa, sb) => {
    await expectParity('Equal', [fewValues(71, sa), fewValues(72, sb)], (a, b) => [
      tf.cast(tf.equal(a, b), 'float32'),
      tf.cast(tf.equal(tf.cast(a, 'int32'), tf.cast(b, 'int32')), 'float32'),
      tf.cast(tf.equal(a, a), 'float32'),
    ]);
  });
  it('gradient of max and min along an axis (ties included)', async () => {
    await expectParity('Equal', [fewValues(73, [9, 11])], (x) => [
      tf.grad((v: tf.Tensor) => tf.sum(tf.max(v, 1, true)))(x),
      tf.grad((v: tf.Tensor) => tf.sum(tf.min(v, 0)))(x),
    ]);
  });
});
