import { resizeBilinear, resizeNearest, type RgbImage } from '@fmwiss/imaging';
import type { SeededRandom } from '@fmwiss/random';

/** An instance to paste: its class, its crop and the crop's mask (1 = object). */
export interface PasteSource {
  classId: number;
  image: RgbImage;
  /** [image.height * image.width], non-zero = object. */
  mask: Uint8Array;
}

/** Where an instance went. */
export interface Placement {
  classId: number;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The scale applied to the stored size (after shrinking to fit the image). */
  scale: number;
  /** Pixels pasted (the resized mask's object pixels). */
  pixels: number;
}

export interface PasteOptions {
  /** Scale relative to the instance's stored size, drawn uniformly in [scaleMin, scaleMax). */
  scaleMin: number;
  scaleMax: number;
}

export interface PasteResult {
  /** A new image with the instances pasted (the input is not changed). */
  image: RgbImage;
  /** [H*W] the class id of the instance pasted last at each pixel, 0 = not pasted. */
  pasted: Uint8Array;
  placements: Placement[];
}

/**
 * Memory-based copy-paste (METHOD.md section 4) on one training image, after its augmentation: each
 * instance in turn is scaled by s ~ U[scaleMin, scaleMax) (shrunk further when it would not fit the
 * image), placed at a uniformly random position where it fits whole, and its object pixels replace
 * the image's; a later instance covers an earlier one. Draws exactly three values per instance
 * (scale, x, y) from `random`, so the result is a function of the stream.
 */
export function pasteInstances(image: RgbImage, instances: readonly PasteSource[], random: SeededRandom, options: PasteOptions): PasteResult {
  const { width, height } = image;
  const data = Uint8Array.from(image.data);
  const pasted = new Uint8Array(width * height);
  const placements: Placement[] = [];
  for (const instance of instances) {
    const u = random.next();
    const ux = random.next();
    const uy = random.next();
    const source = instance.image;
    if (instance.mask.length !== source.width * source.height) {
      throw new RangeError(`instance of class ${instance.classId}: mask has ${instance.mask.length} values for a ${source.width}x${source.height} crop`);
    }
    let scale = options.scaleMin + (options.scaleMax - options.scaleMin) * u;
    scale = Math.min(scale, width / source.width, height / source.height);
    const w = Math.max(1, Math.min(width, Math.round(source.width * scale)));
    const h = Math.max(1, Math.min(height, Math.round(source.height * scale)));
    const x0 = Math.floor(ux * (width - w + 1));
    const y0 = Math.floor(uy * (height - h + 1));
    const crop = w === source.width && h === source.height ? source : resizeBilinear(source, w, h);
    const maskImage = { width: source.width, height: source.height, data: instance.mask };
    const mask = w === source.width && h === source.height ? instance.mask : resizeNearest(maskImage, w, h).data;
    let pixels = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (mask[y * w + x] === 0) continue;
        const target = (y0 + y) * width + (x0 + x);
        const from = (y * w + x) * 3;
        data[target * 3] = crop.data[from]!;
        data[target * 3 + 1] = crop.data[from + 1]!;
        data[target * 3 + 2] = crop.data[from + 2]!;
        pasted[target] = instance.classId;
        pixels++;
      }
    }
    placements.push({ classId: instance.classId, x: x0, y: y0, width: w, height: h, scale: w / source.width, pixels });
  }
  return { image: { width, height, data }, pasted, placements };
}
