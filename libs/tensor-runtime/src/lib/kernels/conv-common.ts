/** Geometry and im2col / col2im loops shared by the convolution gradient kernels (NHWC only). */
import * as tf from '@tensorflow/tfjs';

export type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
export type Pair = number | [number, number];

/** Everything a kernel needs about one 2-D convolution, x [N,H,W,CI] * filter [KH,KW,CI,CO] -> y [N,OH,OW,CO]. */
export interface ConvGeometry {
  N: number;
  H: number;
  W: number;
  CI: number;
  OH: number;
  OW: number;
  /** Output channels (CI * channel multiplier for a depthwise convolution). */
  CO: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Padding before the first row / column. */
  pt: number;
  pl: number;
  /** Padding after the last row / column. */
  pb: number;
  pr: number;
}

export function convGeometry(
  kernelName: string,
  xShape: number[],
  filterShape: number[],
  strides: Pair,
  dilations: Pair | undefined,
  pad: Pad,
  dimRoundingMode: 'floor' | 'round' | 'ceil' | undefined,
  depthwise: boolean,
  dataFormat: string | undefined,
): ConvGeometry {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernelName} (tensor-runtime): only NHWC is supported, got dataFormat '${dataFormat}'`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations ?? 1,
    pad,
    dimRoundingMode,
    depthwise,
    'channelsLast',
  );
  return {
    N: info.batchSize,
    H: info.inHeight,
    W: info.inWidth,
    CI: info.inChannels,
    OH: info.outHeight,
    OW: info.outWidth,
    CO: info.outChannels,
    KH: info.filterHeight,
    KW: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    pt: info.padInfo.top,
    pl: info.padInfo.left,
    pb: info.padInfo.bottom,
    pr: info.padInfo.right,
  };
}

export function checkShape(kernelName: string, what: string, actual: number[], expected: number[]): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw new Error(`${kernelName} (tensor-runtime): ${what} has shape [${actual}], expected [${expected}]`);
  }
}

/** True when the convolution is a plain per-pixel matmul: 1x1 filter, stride 1, no padding. */
export function isPointwise(g: ConvGeometry): boolean {
  return g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 && g.OH === g.H && g.OW === g.W;
}

/** Copies a run of `n` floats, with `set` for long runs (a call costs more than a short loop). */
export function copyRun(src: Float32Array, from: number, dst: Float32Array, to: number, n: number): void {
  if (n >= 32) {
    dst.set(src.subarray(from, from + n), to);
  } else {
    for (let c = 0; c < n; c++) dst[to + c] = src[from + c];
  }
}

/**
 * cols [rows, KH*KW*CI] for images n0..n1-1 (rows = (n1-n0)*OH*OW): row (n,oh,ow) holds the input
 * patch the output pixel sees, zeros where it falls in the padding.
 */
export function im2col(x: Float32Array, g: ConvGeometry, n0: number, n1: number, cols: Float32Array): void {
  const { H, W, CI, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl } = g;
  let dst = 0;
  for (let n = n0; n < n1; n++) {
    const xn = n * H * W * CI;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - pt;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - pl;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh * dh;
          const rowInside = ih >= 0 && ih < H;
          for (let kw = 0; kw < KW; kw++) {
            const iw = iw0 + kw * dw;
            if (rowInside && iw >= 0 && iw < W) {
              copyRun(x, xn + (ih * W + iw) * CI, cols, dst, CI);
            } else {
              cols.fill(0, dst, dst + CI);
            }
            dst += CI;
          }
        }
      }
    }
  }
}

/**
 * How x is laid out channels-first for the transposed im2col: xT [SH, SW, CI, N, Hq, Wq] with
 * xT[a][b][ci][n][q][r] = x[n][q*SH + a][r*SW + b][ci]. Split by the stride (when H and W are
 * multiples of it), every filter tap reads one phase plane at stride 1, shifted: contiguous runs.
 * SH = SW = 1 is the plain channels-first [CI, N, H, W].
 */
export interface PhaseLayout {
  SH: number;
  SW: number;
  Hq: number;
  Wq: number;
}

/** The stride phase split of x when H and W are multiples of the stride, else the plain layout. */
export function phaseLayout(g: ConvGeometry): PhaseLayout {
  if (g.H % g.sh === 0 && g.W % g.sw === 0) return { SH: g.sh, SW: g.sw, Hq: g.H / g.sh, Wq: g.W / g.sw };
  return { SH: 1, SW: 1, Hq: g.H, Wq: g.W };
}

const mod = (a: number, m: number): number => ((a % m) + m) % m;

/**
 * One tap (kh, kw) of the transposed im2col, [CI, rows] written at colsT[offset...] for images
 * n0..n1-1, built from xT in `layout` (see `PhaseLayout`), zeros where the tap falls in the padding.
 */
export function im2colTransposedTap(
  xT: Float32Array,
  g: ConvGeometry,
  layout: PhaseLayout,
  n0: number,
  n1: number,
  kh: number,
  kw: number,
  colsT: Float32Array,
  offset: number,
): void {
  const { N, CI, sh, sw, dh, dw, pt, pl } = g;
  const { SH, SW, Hq, Wq } = layout;
  if (SH !== sh || SW !== sw) {
    im2colTransposedTapStrided(xT, g, n0, n1, kh, kw, colsT, offset);
    return;
  }
  // Input row kh*dh - pt + oh*sh lies in phase a, plane row oh + oy (columns alike).
  const a = mod(kh * dh - pt, sh);
  const b = mod(kw * dw - pl, sw);
  const oy = (kh * dh - pt - a) / sh;
  const ox = (kw * dw - pl - b) / sw;
  const phase = (a * SW + b) * CI * N; // first (channel, image) plane of this phase
  copyShiftedPlanes(xT, phase, N, n0, n1, CI, Hq, Wq, oy, ox, colsT, offset, g.OH, g.OW);
}

/**
 * For ci < CI and n0 <= n < n1, the dst block [OH, OW] = plane (first + ci*N + n) [Hq, Wq] of src
 * shifted by (oy, ox): dst[oh][ow] = plane[oh + oy][ow + ox], zero outside the plane. Blocks are
 * written one after the other from `to`. With Wq === OW the valid rows of a block are one
 * contiguous run of src, copied with one `set`; the columns that run wraps into are zeroed after.
 */
export function copyShiftedPlanes(
  src: Float32Array,
  first: number,
  N: number,
  n0: number,
  n1: number,
  CI: number,
  Hq: number,
  Wq: number,
  oy: number,
  ox: number,
  dst: Float32Array,
  to: number,
  OH: number,
  OW: number,
): void {
  const ohLo = Math.min(OH, Math.max(0, -oy));
  const ohHi = Math.max(ohLo, Math.min(OH, Hq - oy));
  const owLo = Math.min(OW, Math.max(0, -ox));
  const owHi = Math.max(owLo, Math.min(OW, Wq - ox));
  const block = OH * OW;
  let q = to;
  for (let ci = 0; ci < CI; ci++) {
    for (let n = n0; n < n1; n++, q += block) {
      if (ohLo > 0) dst.fill(0, q, q + ohLo * OW);
      if (ohHi < OH) dst.fill(0, q + ohHi * OW, q + block);
      if (ohLo >= ohHi) continue;
      const plane = (first + ci * N + n) * Hq * Wq;
      if (Wq === OW) {
        // dst rows [ohLo, ohHi) <- src from plane row ohLo+oy, column ox (clipped to src).
        let s = plane + (ohLo + oy) * Wq + ox;
        let d = q + ohLo * OW;
        let end = q + ohHi * OW;
        if (s < 0) {
          d -= s;
          s = 0;
        }
        if (s + (end - d) > src.length) end = d + (src.length - s);
        if (end > d) dst.set(src.subarray(s, s + (end - d)), d);
        if (owLo === 0 && owHi === OW) continue;
        // Short runs: plain loops (a fill() call costs more than a few stores).
        for (let oh = ohLo; oh < ohHi; oh++) {
          const row = q + oh * OW;
          for (let ow = 0; ow < owLo; ow++) dst[row + ow] = 0;
          for (let ow = owHi; ow < OW; ow++) dst[row + ow] = 0;
        }
        continue;
      }
      for (let oh = ohLo; oh < ohHi; oh++) {
        const row = q + oh * OW;
        for (let ow = 0; ow < owLo; ow++) dst[row + ow] = 0;
        copyRun(src, plane + (oh + oy) * Wq + owLo + ox, dst, row + owLo, owHi - owLo);
        for (let ow = owHi; ow < OW; ow++) dst[row + ow] = 0;
      }
    }
  }
}

/** `im2colTransposedTap` from the plain layout [CI, N, H, W] with strided reads (H or W not a multiple of the stride). */
function im2colTransposedTapStrided(
  xT: Float32Array,
  g: ConvGeometry,
  n0: number,
  n1: number,
  kh: number,
  kw: number,
  colsT: Float32Array,
  offset: number,
): void {
  const { N, H, W, CI, OH, OW, sh, sw, dh, dw, pt, pl } = g;
  // Output columns whose input column iw = ow*sw - pl + kw*dw lies inside [0, W).
  const shift = kw * dw - pl;
  const owLo = Math.min(OW, Math.max(0, Math.ceil(-shift / sw)));
  const owHi = Math.max(owLo, Math.min(OW, Math.floor((W - 1 - shift) / sw) + 1));
  let q = offset;
  for (let ci = 0; ci < CI; ci++) {
    for (let n = n0; n < n1; n++) {
      const plane = (ci * N + n) * H;
      for (let oh = 0; oh < OH; oh++) {
        const ih = oh * sh - pt + kh * dh;
        if (ih < 0 || ih >= H) {
          colsT.fill(0, q, q + OW);
          q += OW;
          continue;
        }
        for (let ow = 0; ow < owLo; ow++) colsT[q + ow] = 0;
        const src = (plane + ih) * W + shift;
        for (let ow = owLo; ow < owHi; ow++) colsT[q + ow] = xT[src + ow * sw];
        for (let ow = owHi; ow < OW; ow++) colsT[q + ow] = 0;
        q += OW;
      }
    }
  }
}

/** dst [batch, C, R] = src [batch, R, C] with the last two dims swapped (cache-blocked). */
export function transposeLast2(src: Float32Array, batch: number, R: number, C: number, dst: Float32Array): void {
  const B = 32;
  const size = R * C;
  for (let b = 0; b < batch; b++) {
    const off = b * size;
    for (let r0 = 0; r0 < R; r0 += B) {
      const r1 = Math.min(R, r0 + B);
      for (let c0 = 0; c0 < C; c0 += B) {
        const c1 = Math.min(C, c0 + B);
        for (let r = r0; r < r1; r++) {
          const s = off + r * C;
          for (let c = c0; c < c1; c++) dst[off + c * R + r] = src[s + c];
        }
      }
    }
  }
}

/** dx (images n0..n1-1) += col2im(dcols [rows, KH*KW*CI]): the adjoint of `im2col`. */
export function col2im(dcols: Float32Array, g: ConvGeometry, n0: number, n1: number, dx: Float32Array): void {
  const { H, W, CI, OH, OW, KH, KW, sh, sw, dh, dw, pt, pl } = g;
  let src = 0;
  for (let n = n0; n < n1; n++) {
    const xn = n * H * W * CI;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * sh - pt;
      for (let ow = 0; ow < OW; ow++) {
        const iw0 = ow * sw - pl;
        for (let kh = 0; kh < KH; kh++) {
          const ih = ih0 + kh * dh;
          const rowInside = ih >= 0 && ih < H;
          for (let kw = 0; kw < KW; kw++) {
            const iw = iw0 + kw * dw;
            if (rowInside && iw >= 0 && iw < W) {
              const to = xn + (ih * W + iw) * CI;
              for (let c = 0; c < CI; c++) dx[to + c] += dcols[src + c];
            }
            src += CI;
          }
        }
      }
    }
  }
}

/** Images per chunk so that one chunk's im2col buffer stays under `maxElements` (at least one image). */
export function imagesPerChunk(g: ConvGeometry, colsPerRow: number, maxElements: number): number {
  const perImage = g.OH * g.OW * colsPerRow;
  return Math.max(1, Math.min(g.N, Math.floor(maxElements / Math.max(1, perImage))));
}
