import { circle, normaliseShape, rect, ShapeBuilder } from './geometry';
import { fillPath, emptyBox, rasterizeShape, transformContour } from './fill';

const identity = { cx: 0, cy: 0, scale: 1, angle: 0, flip: false };

describe('fillPath', () => {
  it('fills exactly the pixels whose centres lie inside a rectangle, and reports their box', () => {
    const target = new Uint8Array(10 * 10);
    const box = emptyBox();
    fillPath([transformContour(rect(2, 3, 6, 5), identity)], 7, 10, 10, target, box);
    expect(target.reduce((n, v) => n + (v === 7 ? 1 : 0), 0)).toBe(4 * 2);
    expect(box).toEqual({ x0: 2, y0: 3, x1: 5, y1: 4 });
  });

  it('leaves a hole where an inner contour is (even-odd) and clips to the image', () => {
    const target = new Uint8Array(8 * 8);
    fillPath([transformContour(rect(-4, -4, 6, 6), identity), transformContour(rect(1, 1, 3, 3), identity)], 1, 8, 8, target, emptyBox());
    expect(target[0]).toBe(1);
    expect(target[1 * 8 + 1]).toBe(0);
    expect(target.reduce((n, v) => n + v, 0)).toBe(36 - 4);
  });

  it('fills a circle with about pi r^2 pixels', () => {
    const target = new Uint8Array(64 * 64);
    fillPath([transformContour(circle(32, 32, 20), identity)], 1, 64, 64, target, emptyBox());
    const area = target.reduce((n, v) => n + v, 0);
    expect(Math.abs(area - Math.PI * 400) / (Math.PI * 400)).toBeLessThan(0.02);
  });
});

describe('shapes', () => {
  it('normalises so the larger half extent is 1, centred on the origin', () => {
    const shape = normaliseShape([{ contours: [rect(10, 10, 14, 12)], slot: 0, textured: false }]);
    expect(shape.halfWidth).toBeCloseTo(1);
    expect(shape.halfHeight).toBeCloseTo(0.5);
    expect(shape.parts[0]!.contours[0]).toEqual([-1, -0.5, 1, -0.5, 1, 0.5, -1, 0.5]);
  });

  it('rasterises parts in order, later parts on top, following the pose', () => {
    const shape = new ShapeBuilder().add(0, false, rect(-1, -1, 1, 1)).add(1, false, rect(0, -1, 1, 1)).shape();
    const target = new Uint8Array(20 * 20);
    rasterizeShape(shape, { cx: 10, cy: 10, scale: 5, angle: 0, flip: false }, 20, 20, target);
    expect(target[10 * 20 + 6]).toBe(1);
    expect(target[10 * 20 + 13]).toBe(2);
    const flipped = new Uint8Array(20 * 20);
    rasterizeShape(shape, { cx: 10, cy: 10, scale: 5, angle: 0, flip: true }, 20, 20, flipped);
    expect(flipped[10 * 20 + 6]).toBe(2);
    expect(flipped[10 * 20 + 13]).toBe(1);
  });
});
