/**
 * DepthwiseConv2dNativeBackpropFilter / ...BackpropInput, missing on wasm. A depthwise convolution
 * has no shared reduction dimension to hand to a matmul (each channel is its own 1-channel
 * convolution), so these are single passes over dy in TypeScript, with dilations.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { checkShape, convGeometry, type Pad, type Pair } from './conv-common';
import { kernelHost } from './host';

interface DepthwiseAttrs {
  strides: Pair;
  pad: Pad;
  dilations?: Pair;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const name = tf.DepthwiseConv2dNativeBackpropFilter;
  const g = convGeometry(name, x.shape, a.filterShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true, 'NHWC');
  checkShape(name, 'dy', dy.shape, [g.N, g.OH, g.OW, g.CO]);
  const { N, H, W, CI, OH, OW, CO, KH, KW, sh, sw, dh, dw, pt, pl } = g;
  const M = a.filterShape[3];
  const host = kernelHost(backend);
  const out = host.alloc([...a.filterShape], 'float32', false);
  const xv = host.f32(x);
  const dyv = host.f32(dy);
  // Sums over every output pixel: accumulate in float64 like the cpu backend does.
  const acc = new Float64Array(KH * KW * CO);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pl + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * CI;
            const wBase = (kh * KW + kw) * CO;
            if (M === 1) {
              for (let c = 0; c < CI; c++) acc[wBase + c] += xv[xBase + c] * dyv[dyBase + c];
            } else {
              for (let c = 0; c < CI; c++) {
                const xval = xv[xBase + c];
                for (let m = 0; m < M; m++) acc[wBase + c * M + m] += xval * dyv[dyBase + c * M + m];
              }
            }
          }
        }
      }
    }
  }
  host.f32(out).set(acc);
  return out;
};

export const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const name = tf.DepthwiseConv2dNativeBackpropInput;
  const g = convGeometry(name, a.inputShape, filter.shape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true, 'NHWC');
  checkShape(name, 'dy', dy.shape, [g.N, g.OH, g.OW, g.CO]);
  const { N, H, W, CI, OH, OW, CO, KH, KW, sh, sw, dh, dw, pt, pl } = g;
  const M = filter.shape[3];
  const host = kernelHost(backend);
  const dx = host.alloc([...a.inputShape], 'float32', true);
  const dxv = host.f32(dx);
  const dyv = host.f32(dy);
  const wv = host.f32(filter);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((n * OH + oh) * OW + ow) * CO;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) continue;
          for (let kw = 0; kw < KW; kw++) {
            const iw = ow * sw - pl + kw * dw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((n * H + ih) * W + iw) * CI;
            const wBase = (kh * KW + kw) * CO;
            if (M === 1) {
              for (let c = 0; c < CI; c++) dxv[xBase + c] += wv[wBase + c] * dyv[dyBase + c];
            } else {
              for (let c = 0; c < CI; c++) {
                let s = 0;
                for (let m = 0; m < M; m++) s += wv[wBase + c * M + m] * dyv[dyBase + c * M + m];
                dxv[xBase + c] += s;
              }
            }
          }
        }
      }
    }
  }
  return dx;
};
