// Plain-JS reference implementations of the ONNX operators the tests run, in float64, written
// from the operator definitions (onnx/docs/Operators.md) with plain loops.

/** A dense row-major tensor. */
export interface Ref {
  dims: number[];
  data: number[];
}

export function ref(dims: number[], data: ArrayLike<number> | ((i: number) => number)): Ref {
  const size = sizeOf(dims);
  const values = typeof data === 'function' ? Array.from({ length: size }, (_, i) => data(i)) : Array.from(data);
  if (values.length !== size) throw new Error(`dims [${dims}] need ${size} values, got ${values.length}`);
  return { dims: [...dims], data: values };
}

/** Deterministic values in [lo, hi), already rounded to float32 so float32 feeds are exact. */
export function random(dims: number[], seed: number, lo = -1, hi = 1): Ref {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return ref(dims, () => Math.fround(lo + (hi - lo) * next()));
}

export function f32(tensor: Ref): Float32Array {
  return Float32Array.from(tensor.data);
}

export function sizeOf(dims: readonly number[]): number {
  return dims.reduce((product, dim) => product * dim, 1);
}

function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let stride = 1;
  for (let axis = dims.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= dims[axis];
  }
  return strides;
}

function unravel(index: number, dims: readonly number[]): number[] {
  const coords = new Array<number>(dims.length);
  for (let axis = dims.length - 1; axis >= 0; axis--) {
    coords[axis] = index % dims[axis];
    index = Math.floor(index / dims[axis]);
  }
  return coords;
}

function normAxis(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Elementwise binary operator with numpy broadcasting. */
export function broadcast(a: Ref, b: Ref, op: (x: number, y: number) => number): Ref {
  const rank = Math.max(a.dims.length, b.dims.length);
  const pad = (dims: number[]) => [...new Array<number>(rank - dims.length).fill(1), ...dims];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const dims = da.map((dim, axis) => {
    if (dim !== db[axis] && dim !== 1 && db[axis] !== 1) throw new Error(`cannot broadcast [${a.dims}] with [${b.dims}]`);
    return Math.max(dim, db[axis]);
  });
  const sa = stridesOf(da);
  const sb = stridesOf(db);
  return ref(dims, (i) => {
    const coords = unravel(i, dims);
    let ia = 0;
    let ib = 0;
    coords.forEach((c, axis) => {
      ia += (da[axis] === 1 ? 0 : c) * sa[axis];
      ib += (db[axis] === 1 ? 0 : c) * sb[axis];
    });
    return op(a.data[ia], b.data[ib]);
  });
}

export const add = (a: Ref, b: Ref) => broadcast(a, b, (x, y) => x + y);
export const sub = (a: Ref, b: Ref) => broadcast(a, b, (x, y) => x - y);
export const mul = (a: Ref, b: Ref) => broadcast(a, b, (x, y) => x * y);
export const div = (a: Ref, b: Ref) => broadcast(a, b, (x, y) => x / y);

export function map(a: Ref, fn: (x: number) => number): Ref {
  return { dims: [...a.dims], data: a.data.map(fn) };
}

/** MatMul of `[..., M, K]` by `[K, N]` or by `[..., K, N]` with the same leading dims. */
export function matmul(a: Ref, b: Ref): Ref {
  const [m, k] = a.dims.slice(-2);
  const [k2, n] = b.dims.slice(-2);
  if (k !== k2) throw new Error(`matmul: inner dims ${k} and ${k2} differ`);
  const batch = sizeOf(a.dims.slice(0, -2));
  const bBatched = b.dims.length > 2;
  const out = new Array<number>(batch * m * n).fill(0);
  for (let p = 0; p < batch; p++) {
    const ao = p * m * k;
    const bo = bBatched ? p * k * n : 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let q = 0; q < k; q++) sum += a.data[ao + i * k + q] * b.data[bo + q * n + j];
        out[p * m * n + i * n + j] = sum;
      }
    }
  }
  return { dims: [...a.dims.slice(0, -2), m, n], data: out };
}

export interface ConvOptions {
  strides?: number[];
  pads?: number[]; // [top, left, bottom, right]
  dilations?: number[];
  group?: number;
}

/** Conv of x `[N,C,H,W]` with w `[M,C/group,kH,kW]` and bias `[M]`. */
export function conv2d(x: Ref, w: Ref, bias: Ref | undefined, options: ConvOptions = {}): Ref {
  const [n, c, h, wd] = x.dims;
  const [m, cg, kh, kw] = w.dims;
  const [sh, sw] = options.strides ?? [1, 1];
  const [pt, pl, pb, pr] = options.pads ?? [0, 0, 0, 0];
  const [dh, dw] = options.dilations ?? [1, 1];
  const group = options.group ?? 1;
  if (cg * group !== c || m % group !== 0) throw new Error('conv2d: channels do not match the group');
  const oh = Math.floor((h + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const ow = Math.floor((wd + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  const mPerGroup = m / group;
  return ref([n, m, oh, ow], (i) => {
    const [b, oc, y, xo] = unravel(i, [n, m, oh, ow]);
    const g = Math.floor(oc / mPerGroup);
    let sum = bias ? bias.data[oc] : 0;
    for (let ic = 0; ic < cg; ic++) {
      for (let ky = 0; ky < kh; ky++) {
        const iy = y * sh - pt + ky * dh;
        if (iy < 0 || iy >= h) continue;
        for (let kx = 0; kx < kw; kx++) {
          const ix = xo * sw - pl + kx * dw;
          if (ix < 0 || ix >= wd) continue;
          sum += x.data[((b * c + g * cg + ic) * h + iy) * wd + ix] * w.data[((oc * cg + ic) * kh + ky) * kw + kx];
        }
      }
    }
    return sum;
  });
}

/** Applies `fn` to each 1-D lane along `axis` (a lane is given and returns an array). */
function alongAxis(x: Ref, axis: number, fn: (lane: number[]) => number[]): Ref {
  axis = normAxis(axis, x.dims.length);
  const len = x.dims[axis];
  const inner = sizeOf(x.dims.slice(axis + 1));
  const outer = sizeOf(x.dims.slice(0, axis));
  const out = [...x.data];
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const lane = Array.from({ length: len }, (_, j) => x.data[(o * len + j) * inner + i]);
      fn(lane).forEach((v, j) => (out[(o * len + j) * inner + i] = v));
    }
  }
  return { dims: [...x.dims], data: out };
}

export function softmax(x: Ref, axis = -1): Ref {
  return alongAxis(x, axis, (lane) => {
    const max = Math.max(...lane);
    const exps = lane.map((v) => Math.exp(v - max));
    const sum = exps.reduce((s, v) => s + v, 0);
    return exps.map((v) => v / sum);
  });
}

/** LayerNormalization over the last axis. */
export function layerNorm(x: Ref, scale: Ref, bias: Ref, epsilon: number): Ref {
  const normed = alongAxis(x, -1, (lane) => {
    const mean = lane.reduce((s, v) => s + v, 0) / lane.length;
    const variance = lane.reduce((s, v) => s + (v - mean) ** 2, 0) / lane.length;
    return lane.map((v) => (v - mean) / Math.sqrt(variance + epsilon));
  });
  return add(mul(normed, scale), bias);
}

export function reduceMean(x: Ref, axes: number[], keepdims: boolean): Ref {
  const rank = x.dims.length;
  const reduced = new Set(axes.map((axis) => normAxis(axis, rank)));
  const keptDims = x.dims.map((dim, axis) => (reduced.has(axis) ? 1 : dim));
  const sums = new Array<number>(sizeOf(keptDims)).fill(0);
  const keptStrides = stridesOf(keptDims);
  x.data.forEach((v, i) => {
    const coords = unravel(i, x.dims);
    const target = coords.reduce((acc, c, axis) => acc + (reduced.has(axis) ? 0 : c) * keptStrides[axis], 0);
    sums[target] += v;
  });
  const count = sizeOf(x.dims) / sizeOf(keptDims);
  const dims = keepdims ? keptDims : x.dims.filter((_, axis) => !reduced.has(axis));
  return { dims, data: sums.map((s) => s / count) };
}

/** erf: its Maclaurin series below 3 (error ~1e-12), Abramowitz & Stegun 7.1.26 above (1.5e-7). */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a < 3) {
    let term = a;
    let sum = a;
    for (let k = 1; k < 100; k++) {
      term *= (-a * a) / k;
      sum += term / (2 * k + 1);
    }
    return (Math.sign(x) * 2 * sum) / Math.sqrt(Math.PI);
  }
  const t = 1 / (1 + 0.3275911 * a);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return Math.sign(x) * (1 - poly * Math.exp(-a * a));
}

export function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
}

export function transpose(x: Ref, perm: number[]): Ref {
  const dims = perm.map((axis) => x.dims[axis]);
  const strides = stridesOf(x.dims);
  return ref(dims, (i) => {
    const coords = unravel(i, dims);
    return x.data[coords.reduce((acc, c, axis) => acc + c * strides[perm[axis]], 0)];
  });
}

export function reshape(x: Ref, dims: number[]): Ref {
  if (sizeOf(dims) !== x.data.length) throw new Error(`reshape: [${x.dims}] to [${dims}]`);
  return { dims: [...dims], data: [...x.data] };
}

/** Slice with positive steps; ends clamp to the dim. */
export function slice(x: Ref, starts: number[], ends: number[], axes: number[], steps: number[]): Ref {
  const rank = x.dims.length;
  const start = x.dims.map(() => 0);
  const step = x.dims.map(() => 1);
  const dims = [...x.dims];
  axes.forEach((axisIn, j) => {
    const axis = normAxis(axisIn, rank);
    const dim = x.dims[axis];
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    start[axis] = clamp(starts[j]);
    step[axis] = steps[j];
    dims[axis] = Math.max(0, Math.ceil((clamp(ends[j]) - start[axis]) / steps[j]));
  });
  const strides = stridesOf(x.dims);
  return ref(dims, (i) => {
    const coords = unravel(i, dims);
    return x.data[coords.reduce((acc, c, axis) => acc + (start[axis] + c * step[axis]) * strides[axis], 0)];
  });
}

export function gather(x: Ref, indices: Ref, axis: number): Ref {
  axis = normAxis(axis, x.dims.length);
  const dims = [...x.dims.slice(0, axis), ...indices.dims, ...x.dims.slice(axis + 1)];
  const strides = stridesOf(x.dims);
  return ref(dims, (i) => {
    const coords = unravel(i, dims);
    const before = coords.slice(0, axis);
    const idx = coords.slice(axis, axis + indices.dims.length);
    const after = coords.slice(axis + indices.dims.length);
    let index = indices.data[idx.reduce((acc, c, k) => acc + c * stridesOf(indices.dims)[k], 0)];
    if (index < 0) index += x.dims[axis];
    const source = [...before, index, ...after];
    return x.data[source.reduce((acc, c, k) => acc + c * strides[k], 0)];
  });
}

export function concat(xs: Ref[], axis: number): Ref {
  axis = normAxis(axis, xs[0].dims.length);
  const dims = [...xs[0].dims];
  dims[axis] = xs.reduce((s, x) => s + x.dims[axis], 0);
  return ref(dims, (i) => {
    const coords = unravel(i, dims);
    let c = coords[axis];
    for (const x of xs) {
      if (c < x.dims[axis]) {
        const source = [...coords];
        source[axis] = c;
        return x.data[source.reduce((acc, v, k) => acc + v * stridesOf(x.dims)[k], 0)];
      }
      c -= x.dims[axis];
    }
    throw new Error('concat: out of range');
  });
}

export type CoordinateMode = 'half_pixel' | 'asymmetric' | 'align_corners' | 'pytorch_half_pixel';

function sourceCoordinate(outCoord: number, inLen: number, outLen: number, mode: CoordinateMode): number {
  const scale = outLen / inLen;
  switch (mode) {
    case 'half_pixel':
      return (outCoord + 0.5) / scale - 0.5;
    case 'pytorch_half_pixel':
      return outLen > 1 ? (outCoord + 0.5) / scale - 0.5 : 0;
    case 'asymmetric':
      return outCoord / scale;
    case 'align_corners':
      return outLen === 1 ? 0 : (outCoord * (inLen - 1)) / (outLen - 1);
  }
}

/** Resize of `[N,C,H,W]` to `[N,C,outH,outW]`, mode linear (bilinear). */
export function resizeLinear(x: Ref, outH: number, outW: number, mode: CoordinateMode): Ref {
  const [n, c, h, w] = x.dims;
  const axis = (o: number, inLen: number, outLen: number) => {
    const s = Math.min(Math.max(sourceCoordinate(o, inLen, outLen, mode), 0), inLen - 1);
    const i0 = Math.floor(s);
    const i1 = Math.min(i0 + 1, inLen - 1);
    return { i0, i1, t: s - i0 };
  };
  return ref([n, c, outH, outW], (i) => {
    const [b, ch, y, xo] = unravel(i, [n, c, outH, outW]);
    const ay = axis(y, h, outH);
    const ax = axis(xo, w, outW);
    const at = (yy: number, xx: number) => x.data[((b * c + ch) * h + yy) * w + xx];
    const top = at(ay.i0, ax.i0) * (1 - ax.t) + at(ay.i0, ax.i1) * ax.t;
    const bottom = at(ay.i1, ax.i0) * (1 - ax.t) + at(ay.i1, ax.i1) * ax.t;
    return top * (1 - ay.t) + bottom * ay.t;
  });
}

/** Resize of `[N,C,H,W]`, mode nearest with nearest_mode floor. */
export function resizeNearestFloor(x: Ref, outH: number, outW: number, mode: CoordinateMode): Ref {
  const [n, c, h, w] = x.dims;
  const pick = (o: number, inLen: number, outLen: number) => Math.min(Math.max(Math.floor(sourceCoordinate(o, inLen, outLen, mode)), 0), inLen - 1);
  return ref([n, c, outH, outW], (i) => {
    const [b, ch, y, xo] = unravel(i, [n, c, outH, outW]);
    return x.data[((b * c + ch) * h + pick(y, h, outH)) * w + pick(xo, w, outW)];
  });
}
