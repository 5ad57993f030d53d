import { labelScene } from './labels';

/** Paints a rectangle of layer `v` into an instance map. */
function paint(map: Uint8Array, w: number, v: number, x0: number, y0: number, x1: number, y1: number): void {
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) map[y * w + x] = v;
}

describe('labelScene', () => {
  it('labels classes, sets a 1-pixel 255 band on the front side of every boundary, never on background or clutter', () => {
    const w = 12;
    const inst = new Uint8Array(w * w);
    paint(inst, w, 1, 0, 0, 12, 3); // clutter (class 0), behind
    paint(inst, w, 2, 2, 2, 8, 8); // class 8
    paint(inst, w, 3, 5, 5, 10, 10); // class 15, in front
    const { labels, stats } = labelScene(inst, w, w, [0, 0, 8, 15]);
    const at = (x: number, y: number): number => labels[y * w + x]!;
    expect(at(0, 0)).toBe(0); // clutter is background
    expect(at(3, 3)).toBe(8);
    expect(at(2, 4)).toBe(255); // left edge of the back object
    expect(at(5, 7)).toBe(255); // front object's edge over the back object
    expect(at(4, 6)).toBe(8); // back object's pixel next to the front one stays labelled
    expect(at(7, 7)).toBe(15);
    expect(at(10, 7)).toBe(0);
    expect([...labels].every((v) => v <= 20 || v === 255)).toBe(true);
    // Stats agree with the map.
    const count = (v: number): number => labels.filter((x) => x === v).length;
    expect(stats[2]!.visible).toBe(count(8));
    expect(stats[3]!.visible).toBe(count(15));
    expect(stats[2]!.border + stats[3]!.border).toBe(count(255));
    expect(stats[3]!.bbox).toEqual([5, 5, 5, 5]);
    expect(stats[1]!.bbox).toBeNull();
  });
});
