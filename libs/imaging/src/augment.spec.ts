import { SeededRandom } from '@fmwiss/random';
import { mapPointToAugmented, randomScaleCropFlip, type LabelledImage, type ScaleCropFlipOptions } from './augment';
import type { LabelImage, RgbImage } from './types';

/** A label from a pixel: bit 0 = red is bright, bit 1 = green is bright. */
function threshold(image: RgbImage): LabelImage {
  const data = new Uint8Array(image.width * image.height);
  for (let p = 0; p < data.length; p++) data[p] = (image.data[p * 3]! > 127 ? 1 : 0) + (image.data[p * 3 + 1]! > 127 ? 2 : 0);
  return { width: image.width, height: image.height, data };
}

/**
 * An image of `block` x `block` squares, red and green each 0 or 255, blue anything, with labels =
 * threshold(image). With blocks of 4 pixels, scaling by 0.5, 1 or 2 keeps the threshold of the
 * bilinear image equal to the nearest-neighbour labels everywhere: the nearest source pixel always
 * carries more than half of the bilinear weight.
 */
function blocky(width: number, height: number, seed: number, block = 4): LabelledImage {
  const random = new SeededRandom(seed, 'blocky');
  const data = new Uint8Array(width * height * 3);
  const bw = Math.ceil(width / block);
  const colours = Array.from({ length: bw * Math.ceil(height / block) }, () => [
    random.int(2) * 255,
    random.int(2) * 255,
    random.int(256),
  ]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(colours[Math.floor(y / block) * bw + Math.floor(x / block)]!, (y * width + x) * 3);
  }
  const image = { width, height, data };
  return { image, labels: threshold(image) };
}

function mirror<T extends { width: number; height: number; data: Uint8Array }>(image: T, channels: number): T {
  const data = new Uint8Array(image.data.length);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      for (let c = 0; c < channels; c++) {
        data[(y * image.width + x) * channels + c] = image.data[(y * image.width + image.width - 1 - x) * channels + c]!;
      }
    }
  }
  return { ...image, data };
}

const base: ScaleCropFlipOptions = { scaleMin: 0.5, scaleMax: 2, cropSize: 24, flip: true };

describe('randomScaleCropFlip', () => {
  it.each([0.5, 1, 2])('keeps labels aligned with the image at scale %s (blocky image, exact)', (scale) => {
    for (let seed = 0; seed < 8; seed++) {
      const sample = blocky(32, 20, seed);
      const out = randomScaleCropFlip(sample, new SeededRandom(seed), { ...base, scaleMin: scale, scaleMax: scale });
      expect(out.transform.scale).toBe(scale);
      expect([out.transform.scaledWidth, out.transform.scaledHeight]).toEqual([32 * scale, 20 * scale]);
      expect([out.image.width, out.image.height, out.labels.width, out.labels.height]).toEqual([24, 24, 24, 24]);
      const fromImage = threshold(out.image);
      let padded = 0;
      for (let p = 0; p < 24 * 24; p++) {
        if (out.labels.data[p] === 255) {
          padded++;
          expect([...out.image.data.subarray(p * 3, p * 3 + 3)]).toEqual([124, 116, 104]);
        } else {
          expect(fromImage.data[p]).toBe(out.labels.data[p]);
        }
      }
      // Padding happens exactly where the scaled image is smaller than the crop.
      const rows = Math.min(24, 20 * scale);
      const cols = Math.min(24, 32 * scale);
      expect(padded).toBe(24 * 24 - rows * cols);
    }
  });

  it('pads at the bottom/right with the given fills, then crops at offset 0', () => {
    const sample = blocky(8, 6, 1);
    const out = randomScaleCropFlip(sample, new SeededRandom(3), {
      scaleMin: 1,
      scaleMax: 1,
      cropSize: 10,
      flip: false,
      imageFill: [1, 2, 3],
      labelFill: 0,
    });
    expect(out.transform).toMatchObject({ offsetX: 0, offsetY: 0, flipped: false, scaledWidth: 8, scaledHeight: 6 });
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 10; x++) {
        const p = y * 10 + x;
        const inside = x < 8 && y < 6;
        const expectedLabel = inside ? sample.labels.data[y * 8 + x] : 0;
        const expectedRgb = inside ? [...sample.image.data.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)] : [1, 2, 3];
        expect(out.labels.data[p]).toBe(expectedLabel);
        expect([...out.image.data.subarray(p * 3, p * 3 + 3)]).toEqual(expectedRgb);
      }
    }
  });

  it('is deterministic given the random stream, and differs across streams', () => {
    const sample = blocky(40, 30, 2);
    const a = randomScaleCropFlip(sample, new SeededRandom(9, 'aug'), base);
    const b = randomScaleCropFlip(sample, new SeededRandom(9, 'aug'), base);
    expect(b).toEqual(a);
    const transforms = new Set(
      Array.from({ length: 5 }, (_, i) => JSON.stringify(randomScaleCropFlip(sample, new SeededRandom(i), base).transform)),
    );
    expect(transforms.size).toBe(5);
  });

  it('draws the scale in [scaleMin, scaleMax) and offsets within the padded image', () => {
    const sample = blocky(40, 30, 2);
    for (let seed = 0; seed < 50; seed++) {
      const { transform } = randomScaleCropFlip(sample, new SeededRandom(seed), base);
      expect(transform.scale).toBeGreaterThanOrEqual(0.5);
      expect(transform.scale).toBeLessThan(2);
      expect(transform.scaledWidth).toBe(Math.round(40 * transform.scale));
      expect(transform.offsetX).toBeGreaterThanOrEqual(0);
      expect(transform.offsetX).toBeLessThanOrEqual(Math.max(0, transform.scaledWidth - 24));
      expect(transform.offsetY).toBeLessThanOrEqual(Math.max(0, transform.scaledHeight - 24));
    }
  });

  it('flips both image and labels, about half the time, drawing the same stream either way', () => {
    const sample = blocky(40, 30, 4);
    let flips = 0;
    for (let seed = 0; seed < 100; seed++) {
      const plain = randomScaleCropFlip(sample, new SeededRandom(seed), { ...base, flip: false });
      const maybe = randomScaleCropFlip(sample, new SeededRandom(seed), base);
      expect(plain.transform.flipped).toBe(false);
      expect({ ...maybe.transform, flipped: false }).toEqual(plain.transform);
      if (maybe.transform.flipped) {
        flips++;
        expect(maybe.image).toEqual(mirror(plain.image, 3));
        expect(maybe.labels).toEqual(mirror(plain.labels, 1));
      } else {
        expect(maybe.image).toEqual(plain.image);
      }
    }
    expect(flips).toBeGreaterThan(30);
    expect(flips).toBeLessThan(70);
  });

  it('maps source points to where they land (mapPointToAugmented)', () => {
    const labels: LabelImage = { width: 20, height: 20, data: new Uint8Array(400) };
    labels.data[3 * 20 + 5] = 7; // pixel (5, 3)
    const image: RgbImage = { width: 20, height: 20, data: new Uint8Array(1200) };
    let checked = 0;
    for (let seed = 0; seed < 40; seed++) {
      const out = randomScaleCropFlip({ image, labels }, new SeededRandom(seed), { ...base, scaleMin: 2, scaleMax: 2, cropSize: 16 });
      const [x, y] = mapPointToAugmented(out.transform, 5.25, 3.25);
      if (x < 0 || y < 0 || x >= 16 || y >= 16) {
        expect(out.labels.data.includes(7)).toBe(false);
        continue;
      }
      checked++;
      expect(out.labels.data[Math.floor(y) * 16 + Math.floor(x)]).toBe(7);
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('refuses mismatched sizes and bad options', () => {
    const sample = blocky(8, 8, 0);
    const random = new SeededRandom(0);
    expect(() => randomScaleCropFlip({ image: sample.image, labels: { width: 4, height: 16, data: new Uint8Array(64) } }, random, base)).toThrow(
      'image 8x8 and labels 4x16 must be the same size',
    );
    expect(() => randomScaleCropFlip(sample, random, { ...base, scaleMin: 0 })).toThrow(RangeError);
    expect(() => randomScaleCropFlip(sample, random, { ...base, scaleMax: 0.1 })).toThrow(RangeError);
    expect(() => randomScaleCropFlip(sample, random, { ...base, cropSize: 0 })).toThrow(RangeError);
    expect(() => randomScaleCropFlip(sample, random, { ...base, labelFill: 256 })).toThrow(RangeError);
  });
});
