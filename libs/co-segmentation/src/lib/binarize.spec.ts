import { InvalidArgumentError } from '@fmwiss/service-kit';
import { binarize, binarizeMass, binarizeTopFraction, massThreshold } from './binarize';

const f32 = (...values: number[]) => Float32Array.from(values);
const bits = (mask: Uint8Array) => Array.from(mask);

describe('binarizeMass', () => {
  it('keeps the largest values until their sum reaches K x total', () => {
    // total 10; K = 0.7 -> 7 = 4 + 3; K = 0.71 -> 7.1 needs 4 + 3 + 2.
    expect(bits(binarizeMass(f32(4, 3, 2, 1), 0.7))).toEqual([1, 1, 0, 0]);
    expect(massThreshold(f32(4, 3, 2, 1), 0.7)).toBe(3);
    expect(bits(binarizeMass(f32(1, 2, 3, 4), 0.71))).toEqual([0, 1, 1, 1]);
    expect(bits(binarizeMass(f32(4, 3, 2, 1), 0.4))).toEqual([1, 0, 0, 0]); // 4 reaches 4 exactly
  });

  it('keeps every non-zero location at K = 1 and never a zero', () => {
    expect(bits(binarizeMass(f32(0.4, 0, 0.3, 0.2, 0.1), 1))).toEqual([1, 0, 1, 1, 1]);
  });

  it('keeps all locations tied with the threshold value', () => {
    // total 10, target 5: 3 + 3 = 6 >= 5 at a value of 3, so all three 3s stay.
    expect(bits(binarizeMass(f32(3, 1, 3, 3), 0.5))).toEqual([1, 0, 1, 1]);
  });

  it('does not depend on location order', () => {
    const values = [0.9, 0.1, 0.5, 0.5, 0.3, 0.7, 0.2, 0.05];
    const order = [3, 0, 7, 5, 1, 6, 2, 4];
    const mask = binarizeMass(f32(...values), 0.6);
    const permuted = binarizeMass(f32(...order.map((i) => values[i]!)), 0.6);
    expect(bits(permuted)).toEqual(order.map((i) => mask[i]));
  });

  it('gives an empty mask for an all-zero map', () => {
    expect(bits(binarizeMass(f32(0, 0, 0), 0.7))).toEqual([0, 0, 0]);
    expect(massThreshold(f32(0, 0), 0.7)).toBe(Infinity);
  });

  it('rejects K outside (0, 1] and negative or non-finite values', () => {
    expect(() => binarizeMass(f32(1), 0)).toThrow(InvalidArgumentError);
    expect(() => binarizeMass(f32(1), 1.01)).toThrow('mass fraction K must be in (0, 1], got 1.01');
    expect(() => binarizeMass(f32(1, -0.5), 0.7)).toThrow(/location 1 holds -0.5/);
    expect(() => binarizeMass(f32(NaN), 0.7)).toThrow(/NaN/);
    expect(() => binarizeMass(f32(Infinity), 0.7)).toThrow(/Infinity/);
  });
});

describe('binarizeTopFraction', () => {
  it('keeps the top ceil(K n) locations', () => {
    const map = f32(0.1, 0.9, 0.5, 0.7, 0.3);
    expect(bits(binarizeTopFraction(map, 0.4))).toEqual([0, 1, 0, 1, 0]); // ceil(2) = 2
    expect(bits(binarizeTopFraction(map, 0.5))).toEqual([0, 1, 1, 1, 0]); // ceil(2.5) = 3
    expect(bits(binarizeTopFraction(map, 0.01))).toEqual([0, 1, 0, 0, 0]); // at least one
    expect(bits(binarizeTopFraction(map, 1))).toEqual([1, 1, 1, 1, 1]);
  });

  it('is not thrown off by float error in K n', () => {
    const ramp = Float32Array.from({ length: 100 }, (_, i) => i + 1);
    expect(binarizeTopFraction(ramp, 0.07).reduce((a, b) => a + b, 0)).toBe(7); // 0.07 * 100 = 7.000000000000001
    const ten = Float32Array.from({ length: 10 }, (_, i) => i + 1);
    expect(binarizeTopFraction(ten, Math.fround(0.7)).reduce((a, b) => a + b, 0)).toBe(7); // float32 K from the wire
  });

  it('keeps every location tied with the value at rank ceil(K n), whatever their position', () => {
    expect(bits(binarizeTopFraction(f32(1, 0.5, 1, 1), 0.5))).toEqual([1, 0, 1, 1]);
  });

  it('never keeps zeros, so an all-zero map gives an empty mask', () => {
    expect(bits(binarizeTopFraction(f32(0, 0.5, 0, 0), 0.7))).toEqual([0, 1, 0, 0]);
    expect(bits(binarizeTopFraction(f32(0, 0, 0), 0.7))).toEqual([0, 0, 0]);
  });
});

describe('binarize', () => {
  it('dispatches on the mode', () => {
    const map = f32(4, 3, 2, 1);
    expect(bits(binarize(map, 'mass', 0.7))).toEqual([1, 1, 0, 0]);
    expect(bits(binarize(map, 'top-fraction', 0.7))).toEqual([1, 1, 1, 0]);
    expect(() => binarize(map, 'otsu' as never, 0.7)).toThrow(/"mass" or "top-fraction"/);
  });
});
