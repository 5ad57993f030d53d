import type { LabelImage, RgbImage } from '@fmwiss/imaging';
import { extractInstances } from './instances';

/** A 12x8 image whose pixel (x, y) has colour (x, y, 7), and a label map drawn from rows of text. */
function scene(rows: string[]): { image: RgbImage; labels: LabelImage } {
  const height = rows.length;
  const width = rows[0]!.length;
  const image: RgbImage = { width, height, data: new Uint8Array(width * height * 3) };
  const labels: LabelImage = { width, height, data: new Uint8Array(width * height) };
  rows.forEach((row, y) =>
    [...row].forEach((ch, x) => {
      image.data.set([x, y, 7], (y * width + x) * 3);
      labels.data[y * width + x] = ch === '.' ? 0 : ch === '#' ? 255 : Number(ch);
    }),
  );
  return { image, labels };
}

describe('extractInstances', () => {
  const { image, labels } = scene([
    '11..........',
    '11....22....',
    '.#...2222...',
    '.......2..1.',
    '..........1.',
    '3...........',
    '33.......22.',
    '..........2.',
  ]);

  it('crops every 8-connected region of the wanted classes with its mask, by class then raster order', () => {
    const instances = extractInstances(image, labels, [1, 2], { minPixels: 1 });
    expect(instances.map((i) => [i.classId, i.box.x, i.box.y, i.box.width, i.box.height, i.pixels])).toEqual([
      [1, 0, 0, 2, 2, 4],
      [1, 10, 3, 1, 2, 2],
      [2, 5, 1, 4, 3, 7], // the diagonal pixel (7,3) joins by 8-connectivity
      [2, 9, 6, 2, 2, 3],
    ]);
    const [, , big] = instances;
    expect([...big!.mask]).toEqual([0, 1, 1, 0, /**/ 1, 1, 1, 1, /**/ 0, 0, 1, 0]);
    // the crop is the image inside the box: pixel (0,0) of the crop is (5,1)
    expect([...big!.image.data.subarray(0, 3)]).toEqual([5, 1, 7]);
    expect(big!.image.width * big!.image.height * 3).toBe(big!.image.data.length);
  });

  it('skips regions below minPixels and classes not asked for', () => {
    const instances = extractInstances(image, labels, [2, 3], { minPixels: 4 });
    expect(instances.map((i) => [i.classId, i.pixels])).toEqual([[2, 7]]);
  });

  it('does not change its inputs', () => {
    const before = Uint8Array.from(labels.data);
    extractInstances(image, labels, [1, 2, 3], { minPixels: 1 });
    expect(labels.data).toEqual(before);
  });
});
