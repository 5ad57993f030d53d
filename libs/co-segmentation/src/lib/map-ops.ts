import { resizeBilinear } from '@fmwiss/imaging';
import { checkLength, checkMapSize, type MapSize } from './shapes';

/**
 * Bilinear resize of one map [h,w] to [H,W] with half-pixel centres and clamped edges (@fmwiss/imaging
 * resizeBilinear, as OpenCV INTER_LINEAR and PyTorch interpolate(align_corners=False)): output pixel
 * (x, y) samples the map at ((x + 0.5) * w / W - 0.5, (y + 0.5) * h / H - 0.5) in patch units, where
 * patch (i, j) has its centre at (j, i).
 */
export function upsampleBilinear(map: Float32Array /* [h,w] */, from: MapSize, to: MapSize): Float32Array /* [H,W] */ {
  checkMapSize('from', from);
  checkMapSize('to', to);
  checkLength('map', map, [from.height, from.width]);
  return resizeBilinear({ width: from.width, height: from.height, channels: 1, data: map }, to.width, to.height).data;
}

/**
 * Min-max scaling in place: (v - min) / (max - min) over the whole map, so the result spans [0, 1].
 * A constant map (max == min), which carries no location information, becomes all zeros.
 * Returns `map`.
 */
export function minMaxNormalizeInPlace(map: Float32Array): Float32Array {
  if (map.length === 0) return map;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < map.length; i++) {
    const v = map[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  if (!(range > 0)) return map.fill(0);
  for (let i = 0; i < map.length; i++) map[i] = (map[i]! - min) / range;
  return map;
}

/** minMaxNormalizeInPlace on a copy. */
export function minMaxNormalize(map: Float32Array): Float32Array {
  return minMaxNormalizeInPlace(map.slice());
}
