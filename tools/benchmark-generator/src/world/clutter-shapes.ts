import type { SeededRandom } from '@fmwiss/random';
import { circle, ellipse, poly, rect, roundRect, segment, ShapeBuilder } from '../raster/geometry';
import type { ShapeFn } from './class-shapes';

/** Non-VOC "clutter" things: background (label 0) in the benchmark, named in corpus captions. */

const u = (r: SeededRandom, a: number, b: number): number => a + (b - a) * r.next();

export const tree: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  b.add(1, true, poly(-0.09, 0.0, 0.09, 0.0, 0.12, 1.0, -0.12, 1.0));
  const blobs = 3 + r.int(3);
  for (let i = 0; i < blobs; i++) b.add(0, true, circle(u(r, -0.3, 0.3), u(r, -0.55, -0.1), u(r, 0.28, 0.42)));
  return b.shape();
};

export const lamp: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  b.add(1, false, rect(-0.03, -0.45, 0.03, 0.9));
  b.add(1, false, ellipse(0, 0.92, 0.25, 0.06));
  const w = u(r, 0.25, 0.35);
  b.add(0, true, poly(-w, -0.4, w, -0.4, w * 0.55, -0.9, -w * 0.55, -0.9));
  return b.shape();
};

export const ball: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  b.add(0, true, circle(0, 0, 1));
  if (r.next() < 0.5) b.add(1, false, ellipse(0, 0, 1, 0.22, u(r, 0, Math.PI)));
  return b.shape();
};

export const kite: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  let x = 0;
  let y = 0.45;
  for (let i = 0; i < 5; i++) {
    const nx = x + (i % 2 === 0 ? 0.1 : -0.1);
    const ny = y + 0.12;
    b.add(2, false, segment(x, y, nx, ny, 0.025));
    b.add(1, false, poly(nx - 0.05, ny - 0.03, nx + 0.05, ny + 0.03, nx + 0.05, ny - 0.03, nx - 0.05, ny + 0.03));
    x = nx;
    y = ny;
  }
  b.add(0, true, poly(0, -0.95, u(r, 0.45, 0.6), -0.3, 0, 0.45, -u(r, 0.45, 0.6), -0.3));
  b.add(2, false, segment(0, -0.95, 0, 0.45, 0.025));
  return b.shape();
};

export const umbrella: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  b.add(2, false, segment(0, -0.1, 0, 0.75, 0.05));
  b.limb(2, false, 0.05, 0, 0.75, 0.04, 0.86, 0.14, 0.86, 0.17, 0.78);
  b.add(0, true, ellipse(0, 0, 1.0, u(r, 0.55, 0.7), 0, Math.PI, Math.PI * 2));
  return b.shape();
};

export const cup: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  b.add(0, true, ellipse(0.42, 0.0, 0.2, 0.22), ellipse(0.42, 0.0, 0.11, 0.13));
  b.add(0, true, poly(-0.42, -0.42, 0.42, -0.42, 0.32, 0.45, -0.32, 0.45));
  b.add(1, false, ellipse(0, -0.42, 0.42, u(r, 0.06, 0.1)));
  return b.shape();
};

export const book: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const h = u(r, 0.6, 0.75);
  b.add(0, true, rect(-0.5, -h, 0.5, h));
  b.add(1, false, rect(-0.5, -h, -0.38, h));
  b.add(2, false, rect(0.44, -h + 0.03, 0.5, h - 0.03));
  return b.shape();
};

export const clock: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  b.add(1, false, circle(0, 0, 1));
  b.add(0, false, circle(0, 0, 0.82));
  const a = u(r, 0, Math.PI * 2);
  const c = u(r, 0, Math.PI * 2);
  b.add(2, false, segment(0, 0, Math.cos(a) * 0.5, Math.sin(a) * 0.5, 0.09));
  b.add(2, false, segment(0, 0, Math.cos(c) * 0.7, Math.sin(c) * 0.7, 0.06));
  return b.shape();
};

export const fence: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const n = 6 + r.int(4);
  const W = 1.0;
  const gap = (2 * W) / n;
  b.add(1, false, rect(-W, -0.22, W, -0.14));
  b.add(1, false, rect(-W, 0.12, W, 0.2));
  for (let i = 0; i < n; i++) {
    const x = -W + gap * (i + 0.5);
    b.add(0, true, poly(x - gap * 0.32, -0.3, x, -0.4, x + gap * 0.32, -0.3, x + gap * 0.32, 0.4, x - gap * 0.32, 0.4));
  }
  return b.shape();
};

export const cloud: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const n = 4 + r.int(3);
  b.add(0, true, roundRect(-0.9, -0.05, 0.9, 0.25, 0.15));
  for (let i = 0; i < n; i++) {
    const x = -0.7 + (1.4 * i) / (n - 1);
    b.add(0, true, circle(x, u(r, -0.15, 0.05), u(r, 0.2, 0.35)));
  }
  return b.shape();
};
