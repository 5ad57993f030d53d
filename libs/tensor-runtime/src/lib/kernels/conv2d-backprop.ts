/**
 * Conv2DBackpropFilter (missing on wasm) and Conv2DBackpropInput (slow on wasm), as im2col /
 * col2im around one XNNPACK matmul per chunk of images. Both also take a `dilations` attribute,
 * which the stock kernels of every backend lack; the Conv2D gradient in ../gradients.ts passes it.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import {
  checkShape,
  col2im,
  convGeometry,
  im2col,
  im2colTransposedTap,
  imagesPerChunk,
  isPointwise,
  type ConvGeometry,
  type Pad,
  type Pair,
} from './conv-common';
import { kernelHost, type KernelHost } from './host';
import { wasmKernelTuning } from './tuning';
import { callWasmKernel, matMul2d, transposeLast2d, view } from './wasm-ops';

interface BackpropFilterAttrs {
  strides: Pair;
  pad: Pad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
  dilations?: Pair;
}

interface BackpropInputAttrs {
  strides: Pair;
  pad: Pad;
  dataFormat?: string;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
  dilations?: Pair;
}

/** rows [start, start+count) of a [R, width] tensor as a new tensor [count, width]. */
function copyRows(host: KernelHost, src: TensorInfo, start: number, count: number, width: number): TensorInfo {
  const out = host.alloc([count, width], 'float32', false);
  host.f32(out).set(host.f32(src).subarray(start * width, (start + count) * width));
  return out;
}

/** acc += part, both float32 of the same size. */
function accumulate(host: KernelHost, acc: TensorInfo, part: TensorInfo): void {
  const a = host.f32(acc);
  const p = host.f32(part);
  for (let i = 0; i < a.length; i++) a[i] += p[i];
}

/** dW part [KH*KW*CI, CO] for images n0..n1-1, = colsT x dy, colsT built from xT [CI, N*H*W]. */
function filterPartColsT(
  host: KernelHost,
  backend: unknown,
  xT: TensorInfo,
  g: ConvGeometry,
  n0: number,
  n1: number,
  dyRows: TensorInfo,
): TensorInfo {
  const rows = (n1 - n0) * g.OH * g.OW;
  const kkc = g.KH * g.KW * g.CI;
  if (isPointwise(g) && n0 === 0 && n1 === g.N) return matMul2d(backend, xT, dyRows);
  // One tap at a time: the [CI, rows] block stays in cache between being built and multiplied, and
  // dy (the rhs, packed by XNNPACK once per tensor id) is shared by all taps.
  const part = host.alloc([kkc, g.CO], 'float32', false);
  const colsTap = host.alloc([g.CI, rows], 'float32', false);
  try {
    for (let kh = 0; kh < g.KH; kh++) {
      for (let kw = 0; kw < g.KW; kw++) {
        im2colTransposedTap(host.f32(xT), g, n0, n1, kh, kw, host.f32(colsTap), 0);
        const tap = matMul2d(backend, colsTap, dyRows); // [CI, CO]
        host.f32(part).set(host.f32(tap), (kh * g.KW + kw) * g.CI * g.CO);
        host.dispose(tap);
      }
    }
  } catch (error) {
    host.dispose(part);
    throw error;
  } finally {
    host.dispose(colsTap);
  }
  return part;
}

/** dW part [KH*KW*CI, CO] for images n0..n1-1, = (dy^T x cols)^T. */
function filterPartDyT(
  host: KernelHost,
  backend: unknown,
  x: TensorInfo,
  g: ConvGeometry,
  n0: number,
  n1: number,
  dyRows: TensorInfo,
): TensorInfo {
  const rows = (n1 - n0) * g.OH * g.OW;
  const kkc = g.KH * g.KW * g.CI;
  const temps: TensorInfo[] = [];
  try {
    let cols: TensorInfo;
    if (isPointwise(g) && n0 === 0 && n1 === g.N) {
      cols = view(x, [rows, g.CI]);
    } else {
      cols = host.alloc([rows, kkc], 'float32', false);
      temps.push(cols);
      im2col(host.f32(x), g, n0, n1, host.f32(cols));
    }
    const dyT = transposeLast2d(host, dyRows, 1, rows, g.CO);
    temps.push(dyT);
    const partT = matMul2d(backend, dyT, cols);
    temps.push(partT);
    return transposeLast2d(host, partT, 1, g.CO, kkc);
  } finally {
    for (const t of temps) host.dispose(t);
  }
}

export const conv2DBackpropFilterWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as BackpropFilterAttrs;
  const name = tf.Conv2DBackpropFilter;
  const g = convGeometry(name, x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, a.dataFormat);
  checkShape(name, 'dy', dy.shape, [g.N, g.OH, g.OW, g.CO]);
  const host = kernelHost(backend);
  const kkc = g.KH * g.KW * g.CI;
  const perChunk = imagesPerChunk(g, kkc, wasmKernelTuning.im2colMaxElements);
  const rowsPerImage = g.OH * g.OW;
  const strategy = wasmKernelTuning.backpropFilterStrategy;
  const useDyT = strategy === 'dyT' || (strategy === 'auto' && isPointwise(g));
  // colsT reads x channels-first: one transpose [N*H*W, CI] -> [CI, N*H*W] serves every chunk.
  const xT = useDyT ? null : transposeLast2d(host, x, 1, g.N * g.H * g.W, g.CI);
  let result: TensorInfo | null = null;
  try {
    for (let n0 = 0; n0 < g.N; n0 += perChunk) {
      const n1 = Math.min(g.N, n0 + perChunk);
      const whole = n0 === 0 && n1 === g.N;
      const dyRows = whole
        ? view(dy, [g.N * rowsPerImage, g.CO])
        : copyRows(host, dy, n0 * rowsPerImage, (n1 - n0) * rowsPerImage, g.CO);
      try {
        const p = xT == null ? filterPartDyT(host, backend, x, g, n0, n1, dyRows) : filterPartColsT(host, backend, xT, g, n0, n1, dyRows);
        if (result == null) {
          result = p;
        } else {
          accumulate(host, result, p);
          host.dispose(p);
        }
      } finally {
        if (!whole) host.dispose(dyRows);
      }
    }
  } catch (error) {
    if (result != null) host.dispose(result);
    throw error;
  } finally {
    if (xT != null) host.dispose(xT);
  }
  if (result == null) throw new Error(`${name} (tensor-runtime): empty batch`);
  result.shape = [...a.filterShape];
  return result;
};

/** Stride-1 backprop-input as a forward convolution of dy with the flipped, in/out-swapped filter. */
function backpropInputAsConv(host: KernelHost, backend: unknown, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry) {
  const effH = (g.KH - 1) * g.dh + 1;
  const effW = (g.KW - 1) * g.dw + 1;
  const pads = [effH - 1 - g.pt, effH - 1 - g.pb, effW - 1 - g.pl, effW - 1 - g.pr];
  if (g.sh !== 1 || g.sw !== 1 || pads.some((p) => p < 0)) return null;
  const { KH, KW, CI, CO } = g;
  const flipped = host.alloc([KH, KW, CO, CI], 'float32', false);
  const w = host.f32(filter);
  const f = host.f32(flipped);
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const src = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
      const dst = (kh * KW + kw) * CO * CI;
      for (let ci = 0; ci < CI; ci++) {
        for (let co = 0; co < CO; co++) f[dst + co * CI + ci] = w[src + ci * CO + co];
      }
    }
  }
  try {
    return callWasmKernel(
      tf.Conv2D,
      backend,
      { x: dy, filter: flipped },
      {
        strides: [1, 1],
        pad: [
          [0, 0],
          [pads[0], pads[1]],
          [pads[2], pads[3]],
          [0, 0],
        ],
        dataFormat: 'NHWC',
        dilations: [g.dh, g.dw],
      },
    );
  } finally {
    host.dispose(flipped);
  }
}

export const conv2DBackpropInputWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as BackpropInputAttrs;
  const name = tf.Conv2DBackpropInput;
  const g = convGeometry(name, a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, a.dataFormat);
  checkShape(name, 'dy', dy.shape, [g.N, g.OH, g.OW, g.CO]);
  const host = kernelHost(backend);
  if (!isPointwise(g) && wasmKernelTuning.backpropInputStrategy === 'auto') {
    const dx = backpropInputAsConv(host, backend, dy, filter, g);
    if (dx != null) {
      checkShape(name, 'dx', dx.shape, a.inputShape);
      return dx;
    }
  }
  const kkc = g.KH * g.KW * g.CI;
  const rowsPerImage = g.OH * g.OW;
  // wT [CO, KH*KW*CI]: the filter as a matrix, transposed once (it is small).
  const wT = transposeLast2d(host, filter, 1, kkc, g.CO);
  try {
    if (isPointwise(g)) {
      const dx = matMul2d(backend, view(dy, [g.N * rowsPerImage, g.CO]), wT);
      dx.shape = [...a.inputShape];
      return dx;
    }
    const dx = host.alloc([...a.inputShape], 'float32', true);
    try {
      const perChunk = imagesPerChunk(g, kkc, wasmKernelTuning.im2colMaxElements);
      for (let n0 = 0; n0 < g.N; n0 += perChunk) {
        const n1 = Math.min(g.N, n0 + perChunk);
        const whole = n0 === 0 && n1 === g.N;
        const dyRows = whole
          ? view(dy, [g.N * rowsPerImage, g.CO])
          : copyRows(host, dy, n0 * rowsPerImage, (n1 - n0) * rowsPerImage, g.CO);
        try {
          const dcols = matMul2d(backend, dyRows, wT);
          col2im(host.f32(dcols), g, n0, n1, host.f32(dx));
          host.dispose(dcols);
        } finally {
          if (!whole) host.dispose(dyRows);
        }
      }
    } catch (error) {
      host.dispose(dx);
      throw error;
    }
    return dx;
  } finally {
    host.dispose(wT);
  }
};
