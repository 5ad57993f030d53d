/**
 * Conv2DBackpropFilter (missing on wasm) and Conv2DBackpropInput (slow on wasm) on XNNPACK: dW as
 * transposed im2col blocks times dy (matmuls), dx as forward convolutions of dy with the flipped
 * filter (or a matmul + col2im). Both also take a `dilations` attribute, which the stock kernels of
 * every backend lack; the Conv2D gradient in ../gradients.ts passes it.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import {
  checkShape,
  col2im,
  convGeometry,
  copyRun,
  copyShiftedPlanes,
  im2col,
  im2colTransposedTap,
  imagesPerChunk,
  isPointwise,
  phaseLayout,
  type ConvGeometry,
  type PhaseLayout,
  type Pad,
  type Pair,
} from './conv-common';
import { kernelHost, type KernelHost } from './host';
import { wasmKernelTuning } from './tuning';
import { callWasmKernel, matMul2d, transposeLast2d, transposeWasm, view } from './wasm-ops';

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

/**
 * x channels-first in `layout` (see `PhaseLayout`) with the stock wasm Transpose:
 * [N, H*W, CI] -> [CI, N, H*W], or split by the stride: [N*Hq, SH, Wq, SW*CI] -> [SH, SW*CI, N*Hq, Wq].
 */
function channelsFirst(backend: unknown, x: TensorInfo, g: ConvGeometry, layout: PhaseLayout): TensorInfo {
  const { SH, SW, Hq, Wq } = layout;
  const xT =
    SH === 1 && SW === 1
      ? transposeWasm(backend, x, [g.N, g.H * g.W, g.CI], [2, 0, 1])
      : transposeWasm(backend, x, [g.N * Hq, SH, Wq, SW * g.CI], [1, 3, 0, 2]);
  xT.shape = [SH * SW * g.CI, g.N * Hq * Wq];
  return xT;
}

/** dW part [KH*KW*CI, CO] for images n0..n1-1, = colsT x dy, colsT built from xT (`channelsFirst`). */
function filterPartColsT(
  host: KernelHost,
  backend: unknown,
  xT: TensorInfo,
  layout: PhaseLayout,
  g: ConvGeometry,
  n0: number,
  n1: number,
  dyRows: TensorInfo,
): TensorInfo {
  const rows = (n1 - n0) * g.OH * g.OW;
  const kkc = g.KH * g.KW * g.CI;
  if (isPointwise(g) && n0 === 0 && n1 === g.N) return matMul2d(backend, xT, dyRows);
  // A few taps at a time: the [taps*CI, rows] block stays in cache between being built and
  // multiplied, and dy (the rhs, packed by XNNPACK once per tensor id) is shared by all taps. One
  // tap unless CI is small: an XNNPACK matmul with a handful of rows (CI 3: the stem) runs slowly.
  const taps = Math.max(1, Math.min(g.KH * g.KW, Math.floor(32 / g.CI)));
  const part = host.alloc([kkc, g.CO], 'float32', false);
  const colsTap = host.alloc([taps * g.CI, rows], 'float32', false);
  try {
    for (let t0 = 0; t0 < g.KH * g.KW; t0 += taps) {
      const t1 = Math.min(g.KH * g.KW, t0 + taps);
      for (let t = t0; t < t1; t++) {
        im2colTransposedTap(host.f32(xT), g, layout, n0, n1, Math.floor(t / g.KW), t % g.KW, host.f32(colsTap), (t - t0) * g.CI * rows);
      }
      const lhs = t1 - t0 === taps ? colsTap : view(colsTap, [(t1 - t0) * g.CI, rows]);
      const block = matMul2d(backend, lhs, dyRows); // [(t1-t0)*CI, CO]: taps t0..t1-1 in part's order
      host.f32(part).set(host.f32(block), t0 * g.CI * g.CO);
      host.dispose(block);
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
    const dyT = transposeLast2d(backend, dyRows, 1, rows, g.CO);
    temps.push(dyT);
    const partT = matMul2d(backend, dyT, cols);
    temps.push(partT);
    return transposeLast2d(backend, partT, 1, g.CO, kkc);
  } finally {
    for (const t of temps) host.dispose(t);
  }
}

/**
 * Whether a filter-tap row reading the padding in `OH - len` of its OH output rows should leave
 * them out of its matmuls: that saves KW*CI*(OH-len) multiply-adds per im2col row but packs dy's
 * `len` rows anew for XNNPACK (~3.6 ns a float, ~50 multiply-adds). Pays off for wide dilations at
 * the edge of small maps (ASPP rates 4 and 6 on 16 rows), not for 3x3 dilation 1 or 2.
 */
function skipsPaddingRows(g: ConvGeometry, len: number): boolean {
  return g.KW * g.CI * (g.OH - len) > 50 * len;
}

/**
 * Stride-1 dW [KH*KW*CI, CO], all images at once, with the im2col rows ordered (oh, n, ow): the output
 * rows one filter-tap row (kh) reads from the padding are then a contiguous block, left out of its
 * matmuls where `skipsPaddingRows`. xT [CI, H, N, W] and dy [OH, N, OW, CO] come from two stock
 * transposes; each tap's [CI, rows] block is one shifted copy of xT per channel.
 */
function filterByOutputRows(host: KernelHost, backend: unknown, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const { N, H, W, CI, OH, OW, CO, KH, KW, dh, dw, pt, pl } = g;
  const rowSize = N * OW; // im2col rows per output row
  const xT = transposeWasm(backend, x, [N, H, W, CI], [3, 1, 0, 2]); // [CI, H, N, W]
  const dyT = view(transposeWasm(backend, dy, [N, OH, OW * CO], [1, 0, 2]), [OH * rowSize, CO]); // [OH*N*OW, CO]
  const part = host.alloc([KH * KW * CI, CO], 'float32', true);
  try {
    for (let kh = 0; kh < KH; kh++) {
      const oy = kh * dh - pt; // output row oh reads input row oh + oy
      const lo = Math.min(OH, Math.max(0, -oy));
      const hi = Math.max(lo, Math.min(OH, H - oy));
      if (lo === hi) continue; // every row in the padding: these taps' gradients stay zero
      const [r0, r1] = skipsPaddingRows(g, hi - lo) ? [lo, hi] : [0, OH];
      const rows = (r1 - r0) * rowSize;
      const rhs = r1 - r0 === OH ? dyT : copyRows(host, dyT, r0 * rowSize, rows, CO); // [rows, CO]
      const cols = host.alloc([CI, rows], 'float32', false);
      try {
        for (let kw = 0; kw < KW; kw++) {
          const ox = kw * dw - pl;
          // A tap reading all of x unshifted (the centre of a 'same' filter) multiplies xT itself.
          const whole = r0 + oy === 0 && r1 - r0 === H && ox === 0 && W === OW;
          // Rows of xT's channel planes are (ih, n): output row (oh, n) reads row (oh + oy, n).
          if (!whole) copyShiftedPlanes(host.f32(xT), 0, 1, 0, 1, CI, H * N, W, (r0 + oy) * N, ox, host.f32(cols), 0, (r1 - r0) * N, OW);
          const tap = matMul2d(backend, whole ? view(xT, [CI, rows]) : cols, rhs); // [CI, CO]
          host.f32(part).set(host.f32(tap), (kh * KW + kw) * CI * CO);
          host.dispose(tap);
        }
      } finally {
        host.dispose(cols);
        if (rhs !== dyT) host.dispose(rhs);
      }
    }
  } catch (error) {
    host.dispose(part);
    throw error;
  } finally {
    host.dispose(xT);
    host.dispose(dyT);
  }
  return part;
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
  const useDyT = strategy === 'dyT';
  if (!useDyT && !isPointwise(g) && g.sh === 1 && g.sw === 1 && perChunk >= g.N) {
    const part = filterByOutputRows(host, backend, x, dy, g);
    part.shape = [...a.filterShape];
    return part;
  }
  // colsT reads x channels-first: one transpose serves every chunk.
  const layout = phaseLayout(g);
  const xT = useDyT ? null : channelsFirst(backend, x, g, layout);
  let result: TensorInfo | null = null;
  try {
    for (let n0 = 0; n0 < g.N; n0 += perChunk) {
      const n1 = Math.min(g.N, n0 + perChunk);
      const whole = n0 === 0 && n1 === g.N;
      const dyRows = whole
        ? view(dy, [g.N * rowsPerImage, g.CO])
        : copyRows(host, dy, n0 * rowsPerImage, (n1 - n0) * rowsPerImage, g.CO);
      try {
        const p = xT == null ? filterPartDyT(host, backend, x, g, n0, n1, dyRows) : filterPartColsT(host, backend, xT, layout, g, n0, n1, dyRows);
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

/** filter [KH,KW,CI,CO] -> [khs.length, kws.length, CO, CI]: the taps listed, in that order, in/out swapped. */
function swappedTaps(host: KernelHost, filter: TensorInfo, g: ConvGeometry, khs: number[], kws: number[]): TensorInfo {
  const { KW, CI, CO } = g;
  const out = host.alloc([khs.length, kws.length, CO, CI], 'float32', false);
  const w = host.f32(filter);
  const f = host.f32(out);
  khs.forEach((kh, t) => {
    kws.forEach((kw, u) => {
      const src = (kh * KW + kw) * CI * CO;
      const dst = (t * kws.length + u) * CO * CI;
      for (let ci = 0; ci < CI; ci++) {
        for (let co = 0; co < CO; co++) f[dst + co * CI + ci] = w[src + ci * CO + co];
      }
    });
  });
  return out;
}

/** Stride-1 XNNPACK convolution of dy [N,OH,OW,CO] with f [., ., CO, CI]; pads [top, bottom, left, right]. */
function convOfDy(backend: unknown, dy: TensorInfo, f: TensorInfo, pads: number[], dilations: [number, number]): TensorInfo {
  const pad = [
    [0, 0],
    [pads[0], pads[1]],
    [pads[2], pads[3]],
    [0, 0],
  ];
  return callWasmKernel(tf.Conv2D, backend, { x: dy, filter: f }, { strides: [1, 1], pad, dataFormat: 'NHWC', dilations });
}

const reversed = (k: number): number[] => Array.from({ length: k }, (_, t) => k - 1 - t);

/** Stride-1 backprop-input as a forward convolution of dy with the flipped, in/out-swapped filter. */
function backpropInputAsConv(host: KernelHost, backend: unknown, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry) {
  const effH = (g.KH - 1) * g.dh + 1;
  const effW = (g.KW - 1) * g.dw + 1;
  const pads = [effH - 1 - g.pt, effH - 1 - g.pb, effW - 1 - g.pl, effW - 1 - g.pr];
  if (g.sh !== 1 || g.sw !== 1 || pads.some((p) => p < 0)) return null;
  const flipped = swappedTaps(host, filter, g, reversed(g.KH), reversed(g.KW));
  try {
    return convOfDy(backend, dy, flipped, pads, [g.dh, g.dw]);
  } finally {
    host.dispose(flipped);
  }
}

/**
 * Input positions i = a + s*m (m < count) of one phase a < s along one axis of a strided, undilated
 * convolution receive dy only through the taps k = a + pad (mod s): dx there is a stride-1
 * convolution of dy with those taps (`taps`, in convolution order), padded by padLo / padHi, whose
 * output row first + m is input row a + s*m. Null when no tap reaches the phase.
 */
interface PhaseAxis {
  taps: number[];
  count: number;
  padLo: number;
  padHi: number;
  first: number;
}

function phaseAxis(a: number, s: number, pad: number, K: number, size: number, outSize: number): PhaseAxis | null {
  const count = Math.ceil((size - a) / s);
  const k0 = (((a + pad) % s) + s) % s;
  if (count <= 0 || k0 >= K) return null;
  const J = Math.floor((K - 1 - k0) / s) + 1;
  // Tap k0 + j*s maps input row a + s*m to dy row m + (a + pad - k0)/s - j; tap t of the convolution
  // (j = J-1-t) reads dy row m + eMin + t.
  const taps = Array.from({ length: J }, (_, t) => k0 + (J - 1 - t) * s);
  const eMin = (a + pad - k0) / s - (J - 1);
  const padLo = Math.max(0, -eMin);
  const padHi = Math.max(0, count - 1 + eMin + J - 1 - (outSize - 1));
  return { taps, count, padLo, padHi, first: eMin + padLo };
}

/**
 * Strided (undilated) backprop-input as one stride-1 XNNPACK convolution of dy per input phase
 * (`phaseAxis`), each written back interleaved into dx: no col2im, and the matmul work of the
 * forward pass. Phases no tap reaches stay zero.
 */
function backpropInputByPhases(host: KernelHost, backend: unknown, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, inputShape: number[]) {
  // Few input channels: the per-pixel copies of CI floats cost more than col2im (measured at CI 3).
  if (g.dh !== 1 || g.dw !== 1 || g.CI < 8) return null;
  const { N, H, W, CI, sh, sw } = g;
  const dx = host.alloc([...inputShape], 'float32', true);
  try {
    for (let a = 0; a < sh; a++) {
      const rows = phaseAxis(a, sh, g.pt, g.KH, H, g.OH);
      for (let b = 0; b < sw; b++) {
        const cols = phaseAxis(b, sw, g.pl, g.KW, W, g.OW);
        if (rows == null || cols == null) continue;
        const taps = swappedTaps(host, filter, g, rows.taps, cols.taps);
        let part: TensorInfo; // [N, Hc, Wc, CI]
        try {
          part = convOfDy(backend, dy, taps, [rows.padLo, rows.padHi, cols.padLo, cols.padHi], [1, 1]);
        } finally {
          host.dispose(taps);
        }
        const [, Hc, Wc] = part.shape;
        const src = host.f32(part);
        const dst = host.f32(dx);
        for (let n = 0; n < N; n++) {
          for (let m = 0; m < rows.count; m++) {
            let from = ((n * Hc + rows.first + m) * Wc + cols.first) * CI;
            let to = ((n * H + a + sh * m) * W + b) * CI;
            for (let p = 0; p < cols.count; p++, from += CI, to += sw * CI) copyRun(src, from, dst, to, CI);
          }
        }
        host.dispose(part);
      }
    }
  } catch (error) {
    host.dispose(dx);
    throw error;
  }
  return dx;
}

export const conv2DBackpropInputWasm: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as BackpropInputAttrs;
  const name = tf.Conv2DBackpropInput;
  const g = convGeometry(name, a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, false, a.dataFormat);
  checkShape(name, 'dy', dy.shape, [g.N, g.OH, g.OW, g.CO]);
  const host = kernelHost(backend);
  if (!isPointwise(g) && wasmKernelTuning.backpropInputStrategy === 'auto') {
    const strided = g.sh > 1 || g.sw > 1;
    const dx = strided ? backpropInputByPhases(host, backend, dy, filter, g, a.inputShape) : backpropInputAsConv(host, backend, dy, filter, g);
    if (dx != null) {
      checkShape(name, 'dx', dx.shape, a.inputShape);
      return dx;
    }
  }
  const kkc = g.KH * g.KW * g.CI;
  const rowsPerImage = g.OH * g.OW;
  // wT [CO, KH*KW*CI]: the filter as a matrix, transposed once (it is small).
  const wT = transposeLast2d(backend, filter, 1, kkc, g.CO);
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
