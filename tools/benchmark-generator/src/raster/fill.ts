import type { Shape } from './geometry';

/** Where an object sits: object space (x, y) -> image (cx, cy) + R(angle) * scale * (flip ? -x : x, y). */
export interface Pose {
  readonly cx: number;
  readonly cy: number;
  /** Pixels per object-space unit (the larger half extent of a normalised shape is 1 unit). */
  readonly scale: number;
  readonly angle: number;
  readonly flip: boolean;
}

/** Pixel rectangle, inclusive bounds. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export function emptyBox(): Box {
  return { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };
}

export function isEmptyBox(box: Box): boolean {
  return box.x1 < box.x0 || box.y1 < box.y0;
}

/** Maps object-space points to image coordinates. */
export function transformContour(contour: readonly number[], pose: Pose): Float64Array {
  const out = new Float64Array(contour.length);
  const c = Math.cos(pose.angle) * pose.scale;
  const s = Math.sin(pose.angle) * pose.scale;
  const f = pose.flip ? -1 : 1;
  for (let i = 0; i < contour.length; i += 2) {
    const x = contour[i]! * f;
    const y = contour[i + 1]!;
    out[i] = pose.cx + x * c - y * s;
    out[i + 1] = pose.cy + x * s + y * c;
  }
  return out;
}

/**
 * Scanline fill of one even-odd path (pixel centres at +0.5) into `target` ([H,W]) with `value`,
 * clipped to the image; grows `box` by the pixels written. No per-pixel allocation.
 */
export function fillPath(
  contours: readonly Float64Array[],
  value: number,
  width: number,
  height: number,
  target: Uint8Array,
  box: Box,
): void {
  let ymin = Infinity;
  let ymax = -Infinity;
  let edges = 0;
  for (const contour of contours) {
    edges += contour.length / 2;
    for (let i = 1; i < contour.length; i += 2) {
      if (contour[i]! < ymin) ymin = contour[i]!;
      if (contour[i]! > ymax) ymax = contour[i]!;
    }
  }
  const rowStart = Math.max(0, Math.ceil(ymin - 0.5));
  const rowEnd = Math.min(height - 1, Math.floor(ymax - 0.5));
  if (rowEnd < rowStart) return;
  const xs = new Float64Array(edges);
  for (let y = rowStart; y <= rowEnd; y++) {
    const yc = y + 0.5;
    let n = 0;
    for (const p of contours) {
      const m = p.length;
      for (let i = 0; i < m; i += 2) {
        const j = i + 2 === m ? 0 : i + 2;
        const y0 = p[i + 1]!;
        const y1 = p[j + 1]!;
        if (y0 <= yc !== y1 <= yc) {
          const x0 = p[i]!;
          xs[n++] = x0 + ((yc - y0) * (p[j]! - x0)) / (y1 - y0);
        }
      }
    }
    // Insertion sort: a handful of crossings per row.
    for (let i = 1; i < n; i++) {
      const v = xs[i]!;
      let k = i - 1;
      while (k >= 0 && xs[k]! > v) {
        xs[k + 1] = xs[k]!;
        k--;
      }
      xs[k + 1] = v;
    }
    const row = y * width;
    for (let k = 0; k + 1 < n; k += 2) {
      const xa = Math.max(0, Math.ceil(xs[k]! - 0.5));
      const xb = Math.min(width - 1, Math.ceil(xs[k + 1]! - 0.5) - 1);
      if (xb < xa) continue;
      target.fill(value, row + xa, row + xb + 1);
      if (xa < box.x0) box.x0 = xa;
      if (xb > box.x1) box.x1 = xb;
      if (y < box.y0) box.y0 = y;
      if (y > box.y1) box.y1 = y;
    }
  }
}

/**
 * Rasterises every part of a shape into `target` ([H,W]): part k (0-based) writes k + 1, later parts
 * over earlier ones. Returns the box of written pixels (empty when the shape misses the image).
 */
export function rasterizeShape(shape: Shape, pose: Pose, width: number, height: number, target: Uint8Array): Box {
  if (shape.parts.length > 255) throw new RangeError(`a shape may have at most 255 parts, got ${shape.parts.length}`);
  const box = emptyBox();
  shape.parts.forEach((part, k) => {
    fillPath(
      part.contours.map((contour) => transformContour(contour, pose)),
      k + 1,
      width,
      height,
      target,
      box,
    );
  });
  return box;
}
