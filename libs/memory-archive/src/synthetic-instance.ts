import sharp from 'sharp';
import { ImageFormat, type Instance } from '@fmwiss/contracts';
import { SeededRandom } from '@fmwiss/random';

/**
 * A small synthetic instance (an ellipse of a class colour on a noisy crop, and its mask), for the
 * demo client and for tests: real PNG bytes, deterministic given the seed.
 */
export async function synthesizeInstance(options: {
  classId: number;
  seed: number;
  width?: number;
  height?: number;
  sourceImageId?: string;
}): Promise<Instance> {
  const random = new SeededRandom(options.seed, 'synthetic-instance', options.classId);
  const width = options.width ?? 16 + random.int(33);
  const height = options.height ?? 16 + random.int(33);
  const rgb = Buffer.alloc(width * height * 3);
  const mask = Buffer.alloc(width * height);
  const hue = (options.classId * 47) % 256;
  const [cx, cy, rx, ry] = [width / 2, height / 2, width * 0.4, height * 0.4];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const inside = ((x + 0.5 - cx) / rx) ** 2 + ((y + 0.5 - cy) / ry) ** 2 <= 1;
      mask[i] = inside ? 255 : 0;
      const noise = random.int(40);
      rgb[3 * i] = inside ? hue : 90 + noise;
      rgb[3 * i + 1] = inside ? 255 - hue : 90 + noise;
      rgb[3 * i + 2] = inside ? 128 : 90 + noise;
    }
  }
  const [imagePng, maskPng] = await Promise.all([
    sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer(),
    sharp(mask, { raw: { width, height, channels: 1 } }).png().toBuffer(),
  ]);
  return {
    classId: options.classId,
    image: { format: ImageFormat.IMAGE_FORMAT_PNG, data: imagePng },
    mask: { format: ImageFormat.IMAGE_FORMAT_PNG, data: maskPng },
    sourceImageId: options.sourceImageId ?? `synthetic-${options.classId}-${options.seed}`,
    sourceBox: { x: random.int(64), y: random.int(64), width, height },
  };
}
