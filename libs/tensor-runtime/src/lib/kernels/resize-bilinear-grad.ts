/**
 * ResizeBilinearGrad that honours `halfPixelCenters`. The stock kernels of wasm (C++), cpu and
 * tfjs-node all ignore it, so the gradient of resizeBilinear(..., halfPixelCenters=true) is wrong
 * there; cpu also returns [B, W, H, C] instead of [B, H, W, C]. This is the exact adjoint of the
 * tfjs forward kernel (same source-coordinate arithmetic and clamping).
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { kernelHost } from './host';

interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float64Array;
}

/** Per output coordinate: the two source indices and the weight of the upper one, as in the forward pass. */
function taps(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): Taps {
  const effIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const scale = effIn / effOut;
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const src = halfPixelCenters ? scale * (o + 0.5) - 0.5 : scale * o;
    const floor = Math.max(0, Math.floor(src));
    lo[o] = floor;
    hi[o] = Math.min(inSize - 1, Math.ceil(src));
    frac[o] = src - floor;
  }
  return { lo, hi, frac };
}

export const resizeBilinearGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { images, dy } = inputs as { images: TensorInfo; dy: TensorInfo };
  const { alignCorners, halfPixelCenters } = attrs as unknown as { alignCorners: boolean; halfPixelCenters?: boolean };
  const [B, IH, IW, C] = images.shape;
  const [, OH, OW] = dy.shape;
  const rows = taps(IH, OH, alignCorners, halfPixelCenters === true);
  const cols = taps(IW, OW, alignCorners, halfPixelCenters === true);
  const host = kernelHost(backend);
  const dx = host.alloc([B, IH, IW, C], 'float32', true);
  const dxv = host.f32(dx);
  const dyv = host.f32(dy);
  let src = 0;
  for (let b = 0; b < B; b++) {
    const base = b * IH * IW * C;
    for (let r = 0; r < OH; r++) {
      const top = base + rows.lo[r] * IW * C;
      const bottom = base + rows.hi[r] * IW * C;
      const fr = rows.frac[r];
      for (let c = 0; c < OW; c++) {
        const fc = cols.frac[c];
        const left = cols.lo[c] * C;
        const right = cols.hi[c] * C;
        const w00 = (1 - fr) * (1 - fc);
        const w01 = (1 - fr) * fc;
        const w10 = fr * (1 - fc);
        const w11 = fr * fc;
        for (let d = 0; d < C; d++) {
          const g = dyv[src++];
          dxv[top + left + d] += g * w00;
          dxv[top + right + d] += g * w01;
          dxv[bottom + left + d] += g * w10;
          dxv[bottom + right + d] += g * w11;
        }
      }
    }
  }
  return dx;
};
