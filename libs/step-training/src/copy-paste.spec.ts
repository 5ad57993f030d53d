import type { RgbImage } from '@fmwiss/imaging';
import { SeededRandom } from '@fmwiss/random';
import { pasteInstances, type PasteSource } from './copy-paste';

const grey = (width: number, height: number): RgbImage => ({ width, height, data: new Uint8Array(width * height * 3).fill(100) });

/** A 3x2 red instance whose mask leaves out its top-right pixel. */
const instance: PasteSource = {
  classId: 7,
  image: { width: 3, height: 2, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0]) },
  mask: new Uint8Array([1, 1, 0, 1, 1, 1]),
};

describe('pasteInstances', () => {
  it('pastes the masked pixels at the drawn place and labels exactly those pixels', () => {
    const image = grey(10, 8);
    const result = pasteInstances(image, [instance], new SeededRandom(3), { scaleMin: 1, scaleMax: 1 });
    const [placement] = result.placements;
    expect(placement).toMatchObject({ classId: 7, width: 3, height: 2, scale: 1, pixels: 5 });
    const { x, y } = placement!;
    // the placement is the one the stream draws: scale, then x, then y
    const random = new SeededRandom(3);
    random.next();
    expect(x).toBe(Math.floor(random.next() * (10 - 3 + 1)));
    expect(y).toBe(Math.floor(random.next() * (8 - 2 + 1)));
    for (let py = 0; py < 8; py++) {
      for (let px = 0; px < 10; px++) {
        const p = py * 10 + px;
        const inBox = px >= x && px < x + 3 && py >= y && py < y + 2;
        const masked = inBox && instance.mask[(py - y) * 3 + (px - x)] === 1;
        expect(result.pasted[p]).toBe(masked ? 7 : 0);
        expect([...result.image.data.subarray(p * 3, p * 3 + 3)]).toEqual(masked ? [255, 0, 0] : [100, 100, 100]);
      }
    }
    expect(image.data.every((v) => v === 100)).toBe(true); // the input is unchanged
  });

  it('scales within the range, shrinks what would not fit, and is a function of the stream', () => {
    const big: PasteSource = { classId: 2, image: grey(20, 4), mask: new Uint8Array(80).fill(1) };
    const a = pasteInstances(grey(10, 10), [big, instance], new SeededRandom(9), { scaleMin: 1.5, scaleMax: 2 });
    expect(a.placements[0]!.width).toBe(10); // 20 px wide at scale >= 1.5, shrunk to the image's 10
    expect(a.placements[0]!.height).toBe(2);
    expect(a.placements[1]!.width).toBeGreaterThanOrEqual(5); // 3 * 1.5 rounded
    expect(a.placements[1]!.width).toBeLessThanOrEqual(6);
    const b = pasteInstances(grey(10, 10), [big, instance], new SeededRandom(9), { scaleMin: 1.5, scaleMax: 2 });
    expect(b.placements).toEqual(a.placements);
    expect(Buffer.from(b.pasted).equals(Buffer.from(a.pasted))).toBe(true);
  });

  it('lets a later instance cover an earlier one', () => {
    const full = (classId: number): PasteSource => ({ classId, image: grey(4, 4), mask: new Uint8Array(16).fill(1) });
    const result = pasteInstances(grey(4, 4), [full(1), full(2)], new SeededRandom(1), { scaleMin: 1, scaleMax: 1 });
    expect([...result.pasted].every((v) => v === 2)).toBe(true);
  });
});
