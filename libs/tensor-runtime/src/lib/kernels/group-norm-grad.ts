/**
 * GroupNormGrad: the whole backward pass of GroupNorm (y = gamma * xHat + beta, xHat normalised
 * over each image's group of channels) as one kernel: two passes over x and dy instead of the ~30
 * tensor ops (several of them whole-tensor transposes on wasm) of the closed form in tfjs ops.
 *
 * Per image b and channel c, pass 1 sums x, x^2, dy and dy*x over the pixels (float64). With the
 * group's mean m and 1/std r, per channel: dBeta += S(dy), dGamma += r * (S(dy*x) - m * S(dy)),
 * and dx = r * (gamma dy - mean(gamma dy) - xHat * mean(gamma dy * xHat)) is affine in (dy, x):
 * pass 2 writes dx = a[c] * dy + b[c] * x + k[c] (b and k shared by a group's channels).
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { checkShape } from './conv-common';
import { kernelHost } from './host';

/** Kernel name (no tfjs-core op): inputs { x, gamma, dy }, attrs { groups, epsilon }, outputs [dx, dGamma, dBeta]. */
export const GroupNormGrad = 'GroupNormGrad';

export interface GroupNormGradAttrs {
  groups: number;
  epsilon: number;
}

export const groupNormGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, gamma, dy } = inputs as { x: TensorInfo; gamma: TensorInfo; dy: TensorInfo };
  const { groups, epsilon } = attrs as unknown as GroupNormGradAttrs;
  const C = x.shape[x.shape.length - 1];
  const B = x.shape.length > 1 ? x.shape[0] : 1;
  const size = x.shape.reduce((p, d) => p * d, 1);
  const P = size / Math.max(1, B * C); // pixels per image
  if (x.shape.length < 2 || !Number.isInteger(groups) || groups < 1 || C % groups !== 0) {
    throw new Error(`${GroupNormGrad} (tensor-runtime): x [${x.shape}] needs [B,...,C] with C divisible by groups (${groups})`);
  }
  checkShape(GroupNormGrad, 'dy', dy.shape, x.shape);
  checkShape(GroupNormGrad, 'gamma', gamma.shape, [C]);
  const host = kernelHost(backend);
  const dx = host.alloc([...x.shape], 'float32', false);
  const dGamma = host.alloc([C], 'float32', false);
  const dBeta = host.alloc([C], 'float32', false);
  const xv = host.f32(x);
  const dyv = host.f32(dy);
  const gv = host.f32(gamma);
  const dxv = host.f32(dx);
  const cg = C / groups;
  const n = P * cg; // elements per (image, group)
  const sx = new Float64Array(C); // per-channel sums over one image's pixels
  const sxx = new Float64Array(C);
  const sd = new Float64Array(C);
  const sdx = new Float64Array(C);
  const dG = new Float64Array(C);
  const dB = new Float64Array(C);
  const a = new Float64Array(C); // dx = a[c] * dy + bc[c] * x + kc[c], in float64: bc x and kc cancel when |mean| >> std
  const bc = new Float64Array(C);
  const kc = new Float64Array(C);
  const imageSize = P * C;
  for (let b = 0; b < B; b++) {
    const start = b * imageSize;
    const end = start + imageSize;
    // Two channels at a time down the pixels with scalar accumulators (measured ~2x faster than
    // accumulating whole pixel rows into arrays); an odd last channel alone.
    let c = 0;
    for (; c + 2 <= C; c += 2) {
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let i = start + c; i < end; i += C) {
        const xi = xv[i];
        const di = dyv[i];
        const xj = xv[i + 1];
        const dj = dyv[i + 1];
        s0 += xi;
        s1 += xi * xi;
        s2 += di;
        s3 += di * xi;
        t0 += xj;
        t1 += xj * xj;
        t2 += dj;
        t3 += dj * xj;
      }
      [sx[c], sxx[c], sd[c], sdx[c]] = [s0, s1, s2, s3];
      [sx[c + 1], sxx[c + 1], sd[c + 1], sdx[c + 1]] = [t0, t1, t2, t3];
    }
    if (c < C) {
      [sx[c], sxx[c], sd[c], sdx[c]] = [0, 0, 0, 0];
      for (let i = start + c; i < end; i += C) {
        sx[c] += xv[i];
        sxx[c] += xv[i] * xv[i];
        sd[c] += dyv[i];
        sdx[c] += dyv[i] * xv[i];
      }
    }
    for (let g = 0; g < groups; g++) {
      const c0 = g * cg;
      const c1 = c0 + cg;
      let sumX = 0;
      let sumXX = 0;
      for (let c = c0; c < c1; c++) {
        sumX += sx[c];
        sumXX += sxx[c];
      }
      const mean = sumX / n;
      const rstd = 1 / Math.sqrt(Math.max(0, sumXX / n - mean * mean) + epsilon);
      // Group sums of dxHat = gamma dy and of dxHat * xHat.
      let sumDxHat = 0;
      let sumDxHatXHat = 0;
      for (let c = c0; c < c1; c++) {
        const dyXHat = rstd * (sdx[c] - mean * sd[c]); // S(dy * xHat) of channel c
        dB[c] += sd[c];
        dG[c] += dyXHat;
        sumDxHat += gv[c] * sd[c];
        sumDxHatXHat += gv[c] * dyXHat;
      }
      const m1 = sumDxHat / n;
      const m2 = sumDxHatXHat / n;
      // dx = r (gamma dy - m1 - r (x - mean) m2)
      for (let c = c0; c < c1; c++) {
        a[c] = rstd * gv[c];
        bc[c] = -rstd * rstd * m2;
        kc[c] = rstd * (rstd * m2 * mean - m1);
      }
    }
    // Four channels at a time, the rest one by one.
    for (c = 0; c + 4 <= C; c += 4) {
      const [a0, a1, a2, a3] = [a[c], a[c + 1], a[c + 2], a[c + 3]];
      const [b0, b1, b2, b3] = [bc[c], bc[c + 1], bc[c + 2], bc[c + 3]];
      const [k0, k1, k2, k3] = [kc[c], kc[c + 1], kc[c + 2], kc[c + 3]];
      for (let i = start + c; i < end; i += C) {
        dxv[i] = a0 * dyv[i] + b0 * xv[i] + k0;
        dxv[i + 1] = a1 * dyv[i + 1] + b1 * xv[i + 1] + k1;
        dxv[i + 2] = a2 * dyv[i + 2] + b2 * xv[i + 2] + k2;
        dxv[i + 3] = a3 * dyv[i + 3] + b3 * xv[i + 3] + k3;
      }
    }
    for (; c < C; c++) {
      for (let i = start + c; i < end; i += C) dxv[i] = a[c] * dyv[i] + bc[c] * xv[i] + kc[c];
    }
  }
  host.f32(dGamma).set(dG);
  host.f32(dBeta).set(dB);
  return [dx, dGamma, dBeta];
};
