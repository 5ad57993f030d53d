import type { LabelImage, RgbImage } from '@fmwiss/imaging';

/** One object of a labelled image: a connected region of one class, cropped to its bounding box. */
export interface ExtractedInstance {
  classId: number;
  /** The bounding box in the source image. */
  box: { x: number; y: number; width: number; height: number };
  /** The image inside the box. */
  image: RgbImage;
  /** [box.height * box.width], 1 = a pixel of the region, 0 = anything else (other objects, background, 255). */
  mask: Uint8Array;
  /** Pixels of the region. */
  pixels: number;
}

export interface ExtractInstancesOptions {
  /** Regions with fewer pixels are skipped (default 64). */
  minPixels?: number;
}

/**
 * The memory bank's instances of one labelled image (METHOD.md section 4): for every class of
 * `classIds` present in `labels`, every 8-connected region of its pixels with at least `minPixels`
 * pixels, as the crop of its bounding box and the region's mask. Ordered by class id, then by the
 * region's first pixel in raster order. Pure: the inputs are not changed.
 */
export function extractInstances(
  image: RgbImage,
  labels: LabelImage,
  classIds: readonly number[],
  options: ExtractInstancesOptions = {},
): ExtractedInstance[] {
  const minPixels = options.minPixels ?? 64;
  const { width, height } = labels;
  if (image.width !== width || image.height !== height) {
    throw new RangeError(`image ${image.width}x${image.height} and labels ${width}x${height} must be the same size`);
  }
  const wanted = new Set(classIds);
  const region = new Int32Array(width * height).fill(-1); // pixel -> region number
  const found: { classId: number; pixels: number[] }[] = [];
  const stack: number[] = [];
  for (let start = 0; start < width * height; start++) {
    const classId = labels.data[start]!;
    if (region[start] !== -1 || !wanted.has(classId)) continue;
    const number = found.length;
    const pixels: number[] = [];
    region[start] = number;
    stack.push(start);
    while (stack.length > 0) {
      const p = stack.pop()!;
      pixels.push(p);
      const px = p % width;
      const py = (p - px) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const y = py + dy;
        if (y < 0 || y >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const x = px + dx;
          if (x < 0 || x >= width || (dx === 0 && dy === 0)) continue;
          const q = y * width + x;
          if (region[q] === -1 && labels.data[q] === classId) {
            region[q] = number;
            stack.push(q);
          }
        }
      }
    }
    found.push({ classId, pixels });
  }
  const instances: ExtractedInstance[] = [];
  for (const { classId, pixels } of found) {
    if (pixels.length < minPixels) continue;
    let x0 = width;
    let y0 = height;
    let x1 = -1;
    let y1 = -1;
    for (const p of pixels) {
      const x = p % width;
      const y = (p - x) / width;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    const crop = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      const from = ((y0 + y) * width + x0) * 3;
      crop.set(image.data.subarray(from, from + w * 3), y * w * 3);
    }
    const mask = new Uint8Array(w * h);
    for (const p of pixels) {
      const x = p % width;
      const y = (p - x) / width;
      mask[(y - y0) * w + (x - x0)] = 1;
    }
    instances.push({ classId, box: { x: x0, y: y0, width: w, height: h }, image: { width: w, height: h, data: crop }, mask, pixels: pixels.length });
  }
  return instances.sort((a, b) => a.classId - b.classId); // stable: raster order within a class
}
