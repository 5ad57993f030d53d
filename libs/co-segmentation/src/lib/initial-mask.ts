import { resizeBilinearWindow } from '@fmwiss/imaging';
import { InvalidArgumentError } from '@fmwiss/service-kit';
import { minMaxNormalizeInPlace } from './map-ops';
import { checkMapSize, checkPositiveInteger, type MapSize } from './shapes';

/** Softmax temperature of M_init (METHOD.md section 1, our reading; clip_mask.proto's default). */
export const DEFAULT_TEMPERATURE = 0.01;

/** Interpolated values handled per block of output rows (bounds the scratch memory). */
const BLOCK_VALUES = 1 << 20;

// A module binding, not a global lookup per pixel (much faster inside vm contexts such as jest's).
const exp = Math.exp;

export interface InitialMaskInput {
  /**
   * Cosine scores [K,h,w] at the patch grid: the image's C label classes first (in request order),
   * then the background prompts (K - C of them, possibly none).
   */
  scores: Float32Array;
  /** C, the number of label classes at the front of `scores`; 1 <= C <= K. */
  numLabelClasses: number;
  /** [h,w] of the scores. */
  grid: MapSize;
  /** [H,W] of the image the masks are for. */
  imageSize: MapSize;
  /** Softmax temperature, > 0. Default DEFAULT_TEMPERATURE (0.01). */
  temperature?: number;
}

/** Throws an InvalidArgumentError unless the temperature is a finite number > 0. */
export function checkTemperature(temperature: number): void {
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || !(temperature > 0)) {
    throw new InvalidArgumentError(`temperature must be a finite number > 0, got ${temperature}`);
  }
}

/**
 * M_init of METHOD.md section 1 (our reading), one [H,W] map per label class, values in [0,1]:
 *
 * 1. the score maps of all K prompts (label classes and background) are upsampled bilinearly from
 *    [h,w] to the image size [H,W] (half-pixel centres, as upsampleBilinear);
 * 2. at every pixel, softmax over the K upsampled scores with the temperature:
 *    p_c = exp(s_c / T) / sum_k exp(s_k / T);
 * 3. each label class's probability map is min-max scaled over the whole image; a constant map
 *    (e.g. a single label class and no background prompt, where p = 1 everywhere) becomes all zeros.
 *
 * Order (our reading): upsampling comes first, so the softmax and the min-max act on smooth
 * image-size maps. Upsampling after the softmax would interpolate saturated (T = 0.01) probabilities
 * between patch centres instead, giving blocky masks; the min-max range also differs slightly since
 * the image grid need not sample the patch centres. The masks are returned in label-class order.
 */
export function initialMasksFromScores(input: InitialMaskInput): Float32Array[] /* C x [H,W] */ {
  const { scores, numLabelClasses: C, grid, imageSize } = input;
  const temperature = input.temperature ?? DEFAULT_TEMPERATURE;
  checkTemperature(temperature);
  checkMapSize('grid', grid);
  checkMapSize('imageSize', imageSize);
  checkPositiveInteger('numLabelClasses', C);
  const n = grid.height * grid.width;
  if (scores.length === 0 || scores.length % n !== 0) {
    throw new InvalidArgumentError(`scores of ${scores.length} values are not a non-empty stack of ${grid.height}x${grid.width} maps`);
  }
  const K = scores.length / n;
  if (C > K) throw new InvalidArgumentError(`numLabelClasses ${C} exceeds the ${K} score maps`);

  // [K,h,w] -> [h,w,K], the interleaved layout the resize works on.
  const interleaved = new Float32Array(K * n) /* [h,w,K] */;
  for (let k = 0; k < K; k++) for (let p = 0; p < n; p++) interleaved[p * K + k] = scores[k * n + p]!;
  const source = { width: grid.width, height: grid.height, channels: K, data: interleaved };

  const { height: H, width: W } = imageSize;
  const masks = Array.from({ length: C }, () => new Float32Array(H * W)) /* C x [H,W] */;
  const exps = new Float64Array(K);
  const rowsPerBlock = Math.max(1, Math.floor(BLOCK_VALUES / (W * K)));
  for (let y0 = 0; y0 < H; y0 += rowsPerBlock) {
    const rows = Math.min(rowsPerBlock, H - y0);
    const block = resizeBilinearWindow(source, W, H, { x: 0, y: y0, width: W, height: rows }).data /* [rows,W,K] */;
    for (let q = 0; q < rows * W; q++) {
      const o = q * K;
      let max = block[o]!;
      for (let k = 1; k < K; k++) if (block[o + k]! > max) max = block[o + k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) sum += exps[k] = exp((block[o + k]! - max) / temperature);
      const pixel = y0 * W + q;
      for (let c = 0; c < C; c++) masks[c]![pixel] = exps[c]! / sum;
    }
  }
  for (const mask of masks) minMaxNormalizeInPlace(mask);
  return masks;
}
