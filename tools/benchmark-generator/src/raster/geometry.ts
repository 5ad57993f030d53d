/**
 * Shapes in object space: closed contours of (x, y) pairs, x to the right, y down, the object facing +x.
 * A part is one even-odd path (several contours make holes, e.g. a ring) painted with one palette slot;
 * parts are painted in order, so overlapping parts form a union and later parts sit on top.
 */
export type Contour = readonly number[]; // [x0, y0, x1, y1, ...]

export interface Part {
  readonly contours: readonly Contour[];
  /** Index into the object's palette colours. */
  readonly slot: number;
  /** Whether the object's texture modulates this part. */
  readonly textured: boolean;
}

export interface Shape {
  readonly parts: readonly Part[];
  /** Half extents after normalisation: max(halfWidth, halfHeight) = 1, centred on the origin. */
  readonly halfWidth: number;
  readonly halfHeight: number;
}

export const rect = (x0: number, y0: number, x1: number, y1: number): Contour => [x0, y0, x1, y0, x1, y1, x0, y1];

export const poly = (...points: number[]): Contour => points;

/** An ellipse (or an arc closed by its chord when a0..a1 is not a full turn), rotated by `rot` radians. */
export function ellipse(
  cx: number,
  cy: number,
  rx: number,
  ry: number,
  rot = 0,
  a0 = 0,
  a1 = Math.PI * 2,
  n = 40,
): Contour {
  const out: number[] = [];
  const full = Math.abs(a1 - a0) >= Math.PI * 2 - 1e-9;
  const steps = full ? n : Math.max(4, Math.ceil((n * Math.abs(a1 - a0)) / (Math.PI * 2)));
  const c = Math.cos(rot);
  const s = Math.sin(rot);
  for (let i = 0; i < (full ? steps : steps + 1); i++) {
    const a = a0 + ((a1 - a0) * i) / steps;
    const ex = rx * Math.cos(a);
    const ey = ry * Math.sin(a);
    out.push(cx + ex * c - ey * s, cy + ex * s + ey * c);
  }
  return out;
}

export const circle = (cx: number, cy: number, r: number): Contour => ellipse(cx, cy, r, r);

/** A rectangle with rounded corners of radius r. */
export function roundRect(x0: number, y0: number, x1: number, y1: number, r: number): Contour {
  const rr = Math.max(0, Math.min(r, (x1 - x0) / 2, (y1 - y0) / 2));
  if (rr === 0) return rect(x0, y0, x1, y1);
  const out: number[] = [];
  const corners: [number, number, number][] = [
    [x1 - rr, y0 + rr, -Math.PI / 2],
    [x1 - rr, y1 - rr, 0],
    [x0 + rr, y1 - rr, Math.PI / 2],
    [x0 + rr, y0 + rr, Math.PI],
  ];
  for (const [cx, cy, start] of corners) {
    for (let i = 0; i <= 5; i++) {
      const a = start + (Math.PI / 2) * (i / 5);
      out.push(cx + rr * Math.cos(a), cy + rr * Math.sin(a));
    }
  }
  return out;
}

/** A straight bar of width w from (x0, y0) to (x1, y1). */
export function segment(x0: number, y0: number, x1: number, y1: number, w: number): Contour {
  const len = Math.hypot(x1 - x0, y1 - y0) || 1;
  const nx = (-(y1 - y0) / len) * (w / 2);
  const ny = ((x1 - x0) / len) * (w / 2);
  return [x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny];
}

/** Collects parts; `shape()` centres and scales them so the larger half extent is 1. */
export class ShapeBuilder {
  private readonly parts: Part[] = [];

  /** One part: the contours together form an even-odd path (pass an outer and an inner contour for a hole). */
  add(slot: number, textured: boolean, ...contours: Contour[]): this {
    this.parts.push({ contours, slot, textured });
    return this;
  }

  /** Each contour its own part (a union of overlapping pieces). */
  each(slot: number, textured: boolean, contours: readonly Contour[]): this {
    for (const contour of contours) this.add(slot, textured, contour);
    return this;
  }

  /** A bent bar through the points, drawn as joined segments with round joints. */
  limb(slot: number, textured: boolean, w: number, ...points: number[]): this {
    for (let i = 0; i + 3 < points.length; i += 2) {
      this.add(slot, textured, segment(points[i]!, points[i + 1]!, points[i + 2]!, points[i + 3]!, w));
      if (i > 0) this.add(slot, textured, circle(points[i]!, points[i + 1]!, w / 2));
    }
    return this;
  }

  shape(): Shape {
    return normaliseShape(this.parts);
  }
}

export function normaliseShape(parts: readonly Part[]): Shape {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const part of parts) {
    for (const contour of part.contours) {
      for (let i = 0; i < contour.length; i += 2) {
        minX = Math.min(minX, contour[i]!);
        maxX = Math.max(maxX, contour[i]!);
        minY = Math.min(minY, contour[i + 1]!);
        maxY = Math.max(maxY, contour[i + 1]!);
      }
    }
  }
  if (!Number.isFinite(minX)) throw new RangeError('a shape needs at least one point');
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const half = Math.max(maxX - minX, maxY - minY) / 2 || 1;
  const scaled = parts.map((part) => ({
    slot: part.slot,
    textured: part.textured,
    contours: part.contours.map((contour) => contour.map((v, i) => (v - (i % 2 === 0 ? cx : cy)) / half)),
  }));
  return { parts: scaled, halfWidth: (maxX - minX) / 2 / half, halfHeight: (maxY - minY) / 2 / half };
}
