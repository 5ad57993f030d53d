import { InvalidArgumentError } from '@fmwiss/service-kit';
import { minMaxNormalizeInPlace, upsampleBilinear } from './map-ops';
import { checkMapSize, type ErrorFactory, type MapSize, type Point } from './shapes';

/** Patch coordinates of the ViT grid: column px in [0, w), row py in [0, h). */
export interface PatchIndex {
  px: number;
  py: number;
}

/**
 * The patch that holds pixel (x, y) of an [H,W] image seen by a ViT as an [h,w] grid over the whole
 * image (resized, not cropped): px = floor(x * w / W), py = floor(y * h / H).
 */
export function patchOfPixel(point: Point, grid: MapSize, imageSize: MapSize): PatchIndex {
  const { x, y } = point;
  if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= imageSize.width || y >= imageSize.height) {
    throw new InvalidArgumentError(`seed (${x}, ${y}) is not a pixel of the ${imageSize.width}x${imageSize.height} image`);
  }
  return { px: Math.floor((x * grid.width) / imageSize.width), py: Math.floor((y * grid.height) / imageSize.height) };
}

export interface SeedAttentionInput {
  /** Last-block self-attention of ONE image, [n,T,T], row = query token; T = prefixTokens + h*w. */
  attention: Float32Array;
  /** Tokens before the patches (class token, registers); patch (py, px) is token prefixTokens + py*w + px. */
  prefixTokens: number;
  /** [h,w], the patch grid. */
  grid: MapSize;
  /** [H,W] of the image the seeds are in. */
  imageSize: MapSize;
  /** Seed points in image pixels. */
  seeds: readonly Point[];
}

/** The number of heads n of an [n,T,T] attention tensor; throws unless its length fits. */
export function attentionHeads(
  attention: Float32Array /* [n,T,T] */,
  prefixTokens: number,
  grid: MapSize,
  error: ErrorFactory = InvalidArgumentError,
): number {
  if (!Number.isSafeInteger(prefixTokens) || prefixTokens < 0) {
    throw new error(`prefixTokens must be an integer >= 0, got ${prefixTokens}`);
  }
  checkMapSize('grid', grid, error);
  const T = prefixTokens + grid.height * grid.width;
  if (attention.length === 0 || attention.length % (T * T) !== 0) {
    throw new error(
      `attention of ${attention.length} values is not [n,T,T] with T = ${prefixTokens} prefix tokens + ${grid.height}x${grid.width} patches = ${T}`,
    );
  }
  return attention.length / (T * T);
}

/**
 * M_seeds at the patch grid, before upsampling: for each seed, the attention row of its patch's
 * token, restricted to the patch columns (the prefix columns dropped) and laid out as [h,w]; averaged
 * over the n heads and the N seeds: (1/N) sum_s (1/n) sum_j A_j[s]. No seeds give all zeros.
 */
export function seedAttentionPatchMap(input: SeedAttentionInput): Float32Array /* [h,w] */ {
  const { attention, prefixTokens, grid, imageSize, seeds } = input;
  checkMapSize('imageSize', imageSize);
  const heads = attentionHeads(attention, prefixTokens, grid);
  const patches = grid.height * grid.width;
  const T = prefixTokens + patches;
  const sum = new Float64Array(patches);
  for (const seed of seeds) {
    const { px, py } = patchOfPixel(seed, grid, imageSize);
    const row = prefixTokens + py * grid.width + px;
    for (let j = 0; j < heads; j++) {
      const o = (j * T + row) * T + prefixTokens;
      for (let p = 0; p < patches; p++) sum[p]! += attention[o + p]!;
    }
  }
  const out = new Float32Array(patches) /* [h,w] */;
  if (seeds.length === 0) return out;
  const scale = 1 / (heads * seeds.length);
  for (let p = 0; p < patches; p++) out[p] = sum[p]! * scale;
  return out;
}

/**
 * M_seeds of METHOD.md section 2 at image size: seedAttentionPatchMap upsampled bilinearly to [H,W]
 * (half-pixel centres, as upsampleBilinear), then min-max scaled to [0,1]. A constant map (no seeds,
 * or uniform attention) becomes all zeros.
 */
export function seedAttentionMap(input: SeedAttentionInput): Float32Array /* [H,W] */ {
  const patchMap = seedAttentionPatchMap(input);
  return minMaxNormalizeInPlace(upsampleBilinear(patchMap, input.grid, input.imageSize));
}
