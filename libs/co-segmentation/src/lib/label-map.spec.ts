import { InvalidArgumentError } from '@fmwiss/service-kit';
import { buildLabelMap } from './label-map';

const f32 = (...values: number[]) => Float32Array.from(values);
const imageSize = { height: 1, width: 5 };

describe('buildLabelMap', () => {
  it('gives each pixel the covering class, ties to the higher M_init then the lower id', () => {
    const { labels, areas } = buildLabelMap({
      classIds: [5, 3],
      fused: [Uint8Array.of(1, 1, 1, 0, 0), Uint8Array.of(0, 1, 1, 1, 0)],
      initialMasks: [f32(0.9, 0.5, 0.4, 0.9, 0), f32(0, 0.5, 0.6, 0.1, 0)],
      imageSize,
    });
    // pixel 0: only 5; pixel 1: both at 0.5 -> lower id 3; pixel 2: 0.6 > 0.4 -> 3;
    // pixel 3: only 3 covers it (5's higher M_init does not count); pixel 4: none -> 0.
    expect(Array.from(labels)).toEqual([5, 3, 3, 3, 0]);
    expect(areas).toEqual([
      { classId: 5, pixels: 1 },
      { classId: 3, pixels: 3 },
    ]);
  });

  it('breaks the tie to the lower id whatever the request order', () => {
    const { labels } = buildLabelMap({
      classIds: [3, 5],
      fused: [Uint8Array.of(0, 1, 1, 1, 0), Uint8Array.of(1, 1, 1, 0, 0)],
      initialMasks: [f32(0, 0.5, 0.6, 0.1, 0), f32(0.9, 0.5, 0.4, 0.9, 0)],
      imageSize,
    });
    expect(Array.from(labels)).toEqual([5, 3, 3, 3, 0]);
  });

  it('checks ids and sizes', () => {
    const one = { fused: [new Uint8Array(5)], initialMasks: [new Float32Array(5)], imageSize };
    expect(() => buildLabelMap({ ...one, classIds: [0] })).toThrow(InvalidArgumentError);
    expect(() => buildLabelMap({ ...one, classIds: [255] })).toThrow('class id 255 (class 0) must be an integer in 1..254');
    expect(() => buildLabelMap({ ...one, classIds: [1, 1], fused: [one.fused[0]!, one.fused[0]!] })).toThrow(/appears more than once/);
    expect(() => buildLabelMap({ ...one, classIds: [1, 2] })).toThrow(/2 class ids need as many/);
    expect(() => buildLabelMap({ ...one, classIds: [1], fused: [new Uint8Array(4)] })).toThrow(/fused mask of class 1 \[1,5\] needs 5 values, got 4/);
  });
});
