/**
 * UnsortedSegmentSum, missing on wasm (the gradient of gather). One scatter-add pass; ids outside
 * [0, numSegments) are dropped, as TensorFlow does for negative ids.
 */
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import { kernelHost, sizeOf } from './host';

export const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const idRank = segmentIds.shape.length;
  if (x.shape.slice(0, idRank).some((d, i) => d !== segmentIds.shape[i])) {
    throw new Error(`UnsortedSegmentSum (tensor-runtime): segmentIds [${segmentIds.shape}] must prefix x [${x.shape}]`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (tensor-runtime): x must be float32 or int32, got ${x.dtype}`);
  }
  const innerShape = x.shape.slice(idRank);
  const inner = sizeOf(innerShape);
  const count = sizeOf(segmentIds.shape);
  const host = kernelHost(backend);
  const out = host.alloc([numSegments, ...innerShape], x.dtype, true);
  const ids = host.i32(segmentIds);
  const xv = x.dtype === 'float32' ? host.f32(x) : host.i32(x);
  const ov = x.dtype === 'float32' ? host.f32(out) : host.i32(out);
  for (let i = 0; i < count; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const to = s * inner;
    const from = i * inner;
    for (let j = 0; j < inner; j++) ov[to + j] += xv[from + j];
  }
  return out;
};
