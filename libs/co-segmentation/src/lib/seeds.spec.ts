import { InvalidArgumentError } from '@fmwiss/service-kit';
import { sampleSeedPoints } from './seeds';

const size = { height: 6, width: 8 };

/** A 6x8 mask with the rectangle x in [2,6), y in [1,4) set: 12 pixels. */
function rectangleMask(): Uint8Array {
  const mask = new Uint8Array(48);
  for (let y = 1; y < 4; y++) for (let x = 2; x < 6; x++) mask[y * 8 + x] = 1;
  return mask;
}

const key = (p: { x: number; y: number }) => `${p.x},${p.y}`;

describe('sampleSeedPoints', () => {
  const stream = { seed: 7, imageId: '2007_000032', classId: 3 };

  it('is deterministic given (seed, image, class)', () => {
    const a = sampleSeedPoints(rectangleMask(), size, 9, stream);
    expect(sampleSeedPoints(rectangleMask(), size, 9, { ...stream })).toEqual(a);
    expect(sampleSeedPoints(rectangleMask(), size, 9, { ...stream, seed: 7n })).toEqual(a);
  });

  it('draws differently for another class, image or seed', () => {
    const a = sampleSeedPoints(rectangleMask(), size, 9, stream);
    expect(sampleSeedPoints(rectangleMask(), size, 9, { ...stream, classId: 4 })).not.toEqual(a);
    expect(sampleSeedPoints(rectangleMask(), size, 9, { ...stream, imageId: '2007_000033' })).not.toEqual(a);
    expect(sampleSeedPoints(rectangleMask(), size, 9, { ...stream, seed: 8 })).not.toEqual(a);
  });

  it('draws N distinct foreground pixels when the foreground has at least N', () => {
    for (let seed = 0; seed < 20; seed++) {
      const points = sampleSeedPoints(rectangleMask(), size, 9, { ...stream, seed });
      expect(points).toHaveLength(9);
      expect(new Set(points.map(key)).size).toBe(9);
      for (const { x, y } of points) {
        expect(x >= 2 && x < 6 && y >= 1 && y < 4).toBe(true);
      }
    }
    const all = sampleSeedPoints(rectangleMask(), size, 12, stream);
    expect(new Set(all.map(key)).size).toBe(12); // the whole foreground
  });

  it('draws with replacement from a smaller foreground', () => {
    const mask = new Uint8Array(48);
    mask[1 * 8 + 2] = 1; // (2, 1)
    mask[5 * 8 + 7] = 1; // (7, 5)
    const points = sampleSeedPoints(mask, size, 9, stream);
    expect(points).toHaveLength(9);
    for (const p of points) expect(['2,1', '7,5']).toContain(key(p));
    const single = new Uint8Array(48);
    single[3 * 8 + 4] = 1;
    expect(sampleSeedPoints(single, size, 3, stream)).toEqual([
      { x: 4, y: 3 },
      { x: 4, y: 3 },
      { x: 4, y: 3 },
    ]);
  });

  it('gives no seeds for an empty foreground', () => {
    expect(sampleSeedPoints(new Uint8Array(48), size, 9, stream)).toEqual([]);
  });

  it('is uniform over the foreground', () => {
    // 4 foreground pixels, one seed per draw, 4000 draws: each pixel about 1000 times (sd ~27).
    const mask = new Uint8Array(48);
    for (const i of [0, 9, 30, 47]) mask[i] = 1;
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 4000; seed++) {
      const [p] = sampleSeedPoints(mask, size, 1, { ...stream, seed });
      counts.set(key(p!), (counts.get(key(p!)) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['0,0', '1,1', '6,3', '7,5']);
    for (const count of counts.values()) expect(Math.abs(count - 1000)).toBeLessThan(130);
  });

  it('rejects a bad seed count or mask size', () => {
    expect(() => sampleSeedPoints(rectangleMask(), size, 0, stream)).toThrow(InvalidArgumentError);
    expect(() => sampleSeedPoints(rectangleMask(), size, 1025, stream)).toThrow('numSeeds must be an integer in [1, 1024], got 1025');
    expect(() => sampleSeedPoints(new Uint8Array(47), size, 9, stream)).toThrow(/needs 48 values, got 47/);
  });
});
