/**
 * Conv2DBackpropFilter / Conv2DBackpropInput on wasm (ours) against cpu, through tf.grads of the
 * public conv2d op, over strides, 'same' / 'valid' / explicit padding, dilations 1-3 and batch sizes,
 * with every strategy of the kernels (col2im vs forward-conv(s), colsT vs dyT, chunked im2col), on
 * sizes that are and are not multiples of the stride (phase-split vs strided paths).
 */
import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime, wasmKernelTuning, type WasmKernelTuning } from '../src';
import { ErrorLog, host, intIn, pick, randomArray, relativeError, rng, runOn, type HostTensor } from './parity';

type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  n: number;
  h: number;
  w: number;
  ci: number;
  co: number;
  kh: number;
  kw: number;
  strides: [number, number];
  pad: 'same' | 'valid' | ExplicitPad;
  dilations: [number, number];
}

const explicit = (t: number, b: number, l: number, r: number): ExplicitPad => [
  [0, 0],
  [t, b],
  [l, r],
  [0, 0],
];

const HAND_PICKED: ConvCase[] = [
  { n: 2, h: 9, w: 7, ci: 5, co: 6, kh: 3, kw: 3, strides: [1, 1], pad: 'same', dilations: [1, 1] },
  { n: 1, h: 10, w: 11, ci: 4, co: 8, kh: 3, kw: 3, strides: [2, 2], pad: 'same', dilations: [1, 1] },
  { n: 3, h: 11, w: 9, ci: 3, co: 4, kh: 3, kw: 3, strides: [2, 2], pad: 'valid', dilations: [1, 1] },
  { n: 2, h: 12, w: 10, ci: 6, co: 5, kh: 3, kw: 3, strides: [1, 1], pad: 'same', dilations: [2, 2] },
  { n: 2, h: 13, w: 13, ci: 4, co: 4, kh: 3, kw: 3, strides: [1, 1], pad: 'same', dilations: [3, 3] },
  { n: 1, h: 12, w: 14, ci: 5, co: 3, kh: 3, kw: 3, strides: [1, 1], pad: 'valid', dilations: [2, 3] },
  { n: 2, h: 8, w: 9, ci: 3, co: 5, kh: 3, kw: 2, strides: [1, 1], pad: explicit(1, 2, 2, 0), dilations: [1, 1] },
  { n: 2, h: 9, w: 8, ci: 4, co: 3, kh: 3, kw: 3, strides: [2, 1], pad: explicit(0, 1, 1, 1), dilations: [1, 1] },
  { n: 1, h: 10, w: 10, ci: 3, co: 4, kh: 3, kw: 3, strides: [1, 1], pad: explicit(2, 2, 2, 2), dilations: [2, 2] },
  // Padding larger than the filter reach: the forward-conv route for dx does not apply.
  { n: 2, h: 6, w: 5, ci: 3, co: 2, kh: 3, kw: 3, strides: [1, 1], pad: explicit(3, 1, 0, 4), dilations: [1, 1] },
  { n: 3, h: 7, w: 6, ci: 8, co: 9, kh: 1, kw: 1, strides: [1, 1], pad: 'same', dilations: [1, 1] },
  { n: 2, h: 8, w: 7, ci: 5, co: 4, kh: 1, kw: 1, strides: [2, 2], pad: 'valid', dilations: [1, 1] },
  { n: 1, h: 12, w: 9, ci: 3, co: 6, kh: 5, kw: 5, strides: [2, 2], pad: 'same', dilations: [1, 1] },
  { n: 2, h: 16, w: 16, ci: 32, co: 40, kh: 3, kw: 3, strides: [1, 1], pad: 'same', dilations: [1, 1] },
  // Sizes that are multiples of the stride: x split into stride phases for dW; dx one conv per phase
  // (strided, at least 8 input channels; odd sizes too).
  { n: 2, h: 8, w: 10, ci: 9, co: 6, kh: 3, kw: 3, strides: [2, 2], pad: explicit(1, 1, 1, 1), dilations: [1, 1] },
  { n: 2, h: 12, w: 12, ci: 8, co: 4, kh: 3, kw: 3, strides: [2, 2], pad: 'same', dilations: [1, 1] },
  { n: 1, h: 9, w: 12, ci: 10, co: 5, kh: 2, kw: 4, strides: [3, 3], pad: 'valid', dilations: [1, 1] },
  { n: 2, h: 8, w: 8, ci: 8, co: 3, kh: 1, kw: 1, strides: [2, 2], pad: 'valid', dilations: [1, 1] },
  { n: 2, h: 10, w: 8, ci: 11, co: 4, kh: 5, kw: 5, strides: [2, 2], pad: explicit(3, 0, 1, 4), dilations: [1, 1] },
  { n: 1, h: 8, w: 9, ci: 8, co: 2, kh: 3, kw: 3, strides: [2, 1], pad: explicit(1, 1, 0, 2), dilations: [1, 1] },
  { n: 3, h: 6, w: 6, ci: 12, co: 3, kh: 2, kw: 2, strides: [3, 2], pad: explicit(2, 3, 0, 1), dilations: [1, 1] },
  { n: 2, h: 9, w: 7, ci: 8, co: 5, kh: 3, kw: 3, strides: [2, 2], pad: 'same', dilations: [1, 1] },
  // Wide dilations on small maps, enough channels: dW leaves the padding rows out of the matmuls
  // (W !== OW in the second; every row of a tap row in the padding in the third).
  { n: 2, h: 10, w: 9, ci: 40, co: 6, kh: 3, kw: 3, strides: [1, 1], pad: 'same', dilations: [4, 3] },
  { n: 1, h: 12, w: 10, ci: 48, co: 5, kh: 3, kw: 3, strides: [1, 1], pad: explicit(5, 2, 1, 3), dilations: [5, 2] },
  { n: 2, h: 4, w: 6, ci: 16, co: 3, kh: 3, kw: 3, strides: [1, 1], pad: explicit(5, 5, 1, 1), dilations: [5, 1] },
];

function randomCases(count: number, seed: number): ConvCase[] {
  const rand = rng(seed);
  const cases: ConvCase[] = [];
  while (cases.length < count) {
    const kh = pick(rand, [1, 2, 3, 3, 5]);
    const kw = pick(rand, [1, 3, 3, 4]);
    const dil = pick(rand, [1, 1, 2, 3]);
    const stride = dil > 1 ? 1 : pick(rand, [1, 2, 3]);
    const h = intIn(rand, 5, 14);
    const w = intIn(rand, 5, 14);
    if ((kh - 1) * dil + 1 > h + 2 || (kw - 1) * dil + 1 > w + 2) continue;
    const padKind = pick(rand, ['same', 'valid', 'explicit'] as const);
    const pad: ConvCase['pad'] =
      padKind === 'explicit' ? explicit(intIn(rand, 0, 3), intIn(rand, 0, 3), intIn(rand, 0, 3), intIn(rand, 0, 3)) : padKind;
    const c: ConvCase = {
      n: intIn(rand, 1, 3),
      h,
      w,
      ci: intIn(rand, 1, 9),
      co: intIn(rand, 1, 9),
      kh,
      kw,
      strides: [stride, pick(rand, [stride, 1])],
      pad,
      dilations: [dil, pick(rand, [dil, 1])],
    };
    if (c.strides[0] > 1 && c.dilations[1] > 1) c.dilations = [1, 1];
    const outH = padKind === 'valid' ? h - ((kh - 1) * c.dilations[0] + 1) : 0;
    if (outH < 0) continue;
    cases.push(c);
  }
  return cases;
}

const CASES = [...HAND_PICKED, ...randomCases(16, 20240611)];

const VARIANTS: Array<{ name: string; tuning: Partial<WasmKernelTuning> }> = [
  { name: 'default', tuning: {} },
  { name: 'colsT+col2im', tuning: { backpropFilterStrategy: 'colsT', backpropInputStrategy: 'col2im' } },
  { name: 'dyT', tuning: { backpropFilterStrategy: 'dyT' } },
  { name: 'chunked', tuning: { im2colMaxElements: 300 } },
];

function label(c: ConvCase): string {
  const pad = typeof c.pad === 'string' ? c.pad : `[${c.pad.slice(1, 3).map((p) => p.join(','))}]`;
  return `x[${c.n},${c.h},${c.w},${c.ci}] w[${c.kh},${c.kw},${c.ci},${c.co}] s${c.strides} ${pad} d${c.dilations}`;
}

function convGrads(c: ConvCase) {
  return (x: tf.Tensor, w: tf.Tensor, r: tf.Tensor) => {
    const f = (xx: tf.Tensor, ww: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations), r));
    const y = tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations);
    const [dx, dw] = tf.grads(f)([x, w]);
    return [y, dx, dw];
  };
}

function outShape(c: ConvCase): number[] {
  const info = tf.backend_util.computeConv2DInfo([c.n, c.h, c.w, c.ci], [c.kh, c.kw, c.ci, c.co], c.strides, c.dilations, c.pad);
  return info.outShape;
}

const log = new ErrorLog();
const saved: WasmKernelTuning = { ...wasmKernelTuning };

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
});

afterEach(() => {
  Object.assign(wasmKernelTuning, saved);
});

afterAll(() => {
  process.stdout.write(`conv2d parity, worst relative error per output:\n${log.summary()}\n`);
});

describe.each(CASES.map((c) => [label(c), c] as const))('conv2d gradients %s', (_name, c) => {
  it('match cpu for every kernel strategy (max rel. error <= 1e-4)', async () => {
    const rand = rng(CASES.indexOf(c) + 1);
    const inputs: HostTensor[] = [
      host(randomArray(rand, c.n * c.h * c.w * c.ci), [c.n, c.h, c.w, c.ci]),
      host(randomArray(rand, c.kh * c.kw * c.ci * c.co), [c.kh, c.kw, c.ci, c.co]),
    ];
    const ys = outShape(c);
    inputs.push(host(randomArray(rand, ys.reduce((p, d) => p * d, 1)), ys));
    const cpu = await runOn('cpu', inputs, convGrads(c));
    for (const variant of VARIANTS) {
      Object.assign(wasmKernelTuning, saved, variant.tuning);
      const wasm = await runOn('wasm', inputs, convGrads(c));
      ['y', 'dx', 'dw'].forEach((name, i) => {
        expect(wasm[i].shape).toEqual(cpu[i].shape);
        const err = relativeError(wasm[i].values, cpu[i].values);
        log.record(`${name} (${name === 'dx' ? 'Conv2DBackpropInput' : name === 'dw' ? 'Conv2DBackpropFilter' : 'Conv2D fwd'})`, err);
        if (err > 1e-4) throw new Error(`${variant.name} ${name}: relative error ${err}`);
      });
    }
  });
});

describe('kernels called directly', () => {
  it('Conv2DBackpropFilter and Conv2DBackpropInput run on wasm without leaking tensor memory', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const before = backend.numDataIds();
    const tensorsBefore = tf.memory().numTensors;
    // Stride 2, odd sizes, 4 channels: strided im2col and col2im; even sizes, 8 channels: stride
    // phases. Stride 1, dilation 4, 40 channels: padding rows left out of dW's matmuls.
    for (const [side, channels, stride, dilation] of [
      [9, 4, 2, 1],
      [8, 8, 2, 1],
      [10, 40, 1, 4],
    ] as const) {
      tf.tidy(() => {
        const x = tf.randomNormal([2, side, side, channels]);
        const w = tf.randomNormal([3, 3, channels, 6]);
        const conv = (a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, stride, 'same', 'NHWC', dilation);
        const y = conv(x, w);
        tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(conv(a, b)))([x, w]);
        return y;
      }).dispose();
    }
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(backend.numDataIds()).toBe(before);
  });

  it('reject NCHW with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 5, 5, 2]);
    const dy = tf.zeros([1, 5, 5, 3]);
    expect(() =>
      tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] }),
    ).toThrow(/only NHWC/);
    tf.dispose([x, dy]);
  });
});
