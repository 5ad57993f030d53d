import { maxOverMaps, scoreMap } from './score-map';

describe('scoreMap', () => {
  it('is the cosine of each normalised location with each text row, class-major', () => {
    // grid 1x2, d 2: locations [3,4] -> [0.6,0.8] and [0,-5] -> [0,-1]; text rows [1,0] and [0,1].
    const scores = scoreMap(Float32Array.of(3, 4, 0, -5), { height: 1, width: 2 }, Float32Array.of(1, 0, 0, 1), 2);
    expect(Array.from(scores)).toEqual([Math.fround(0.6), 0, Math.fround(0.8), -1]);
  });

  it('checks the lengths', () => {
    expect(() => scoreMap(new Float32Array(3), { height: 1, width: 2 }, new Float32Array(2), 2)).toThrow(/needs 4 values, got 3/);
    expect(() => scoreMap(new Float32Array(4), { height: 1, width: 2 }, new Float32Array(3), 2)).toThrow(/dimension 2/);
  });
});

describe('maxOverMaps', () => {
  it('takes the per-location maximum', () => {
    expect(Array.from(maxOverMaps(Float32Array.of(1, -2, 0, 3, -1, -3), { height: 1, width: 2 }))).toEqual([1, 3]);
  });
});
