import type { SeededRandom } from '@fmwiss/random';
import { circle, ellipse, poly, rect, roundRect, segment, ShapeBuilder, type Shape } from '../raster/geometry';

/**
 * Procedural stand-ins for the 20 VOC classes, side views facing +x (y down). Palette slots by
 * convention: 0 main body (textured), 1 secondary, 2 accent, 3 dark detail, 4 tyres/hooves, 5 metal.
 * Each builder draws its proportions from `r`, so two instances of a class differ.
 */
export type ShapeFn = (r: SeededRandom) => Shape;

const u = (r: SeededRandom, a: number, b: number): number => a + (b - a) * r.next();

// ---------------------------------------------------------------- four-legged animals
// One family (body, legs, head, tail) shared by cat/dog and cow/horse/sheep; members differ in
// proportions, ears, neck, tail and texture.

interface Legs {
  readonly xs: readonly number[];
  readonly top: number;
  readonly length: number;
  readonly w: number;
  readonly slot: number;
  readonly hoofSlot?: number;
}

function legs(b: ShapeBuilder, l: Legs, r: SeededRandom): void {
  l.xs.forEach((x, i) => {
    const swing = u(r, -0.06, 0.06) * (i % 2 === 0 ? 1 : -1);
    const bottom = l.top + l.length;
    b.add(l.slot, true, segment(x, l.top, x + swing, bottom, l.w));
    if (l.hoofSlot !== undefined) b.add(l.hoofSlot, false, rect(x + swing - l.w * 0.55, bottom - l.w * 0.6, x + swing + l.w * 0.55, bottom));
  });
}

export const cat: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const L = u(r, 0.95, 1.1);
  const H = u(r, 0.28, 0.34);
  legs(b, { xs: [-0.4 * L, -0.28 * L, 0.26 * L, 0.38 * L], top: 0, length: H / 2 + u(r, 0.2, 0.26), w: 0.08, slot: 0 }, r);
  const curl = u(r, -0.1, 0.1);
  b.limb(0, true, 0.075, -L / 2 + 0.04, -0.03, -L / 2 - 0.14, -0.16, -L / 2 - 0.2 + curl, -0.38, -L / 2 - 0.12 + curl, -0.56);
  b.add(0, true, ellipse(0, 0, L / 2, H / 2));
  const hx = L / 2 + 0.02;
  const hy = -H / 2 - 0.06;
  const hr = u(r, 0.16, 0.19);
  b.add(0, true, poly(hx - hr * 0.85, hy - hr * 0.35, hx - hr * 0.55, hy - hr * 1.75, hx - hr * 0.05, hy - hr * 0.85));
  b.add(0, true, poly(hx + hr * 0.1, hy - hr * 0.85, hx + hr * 0.6, hy - hr * 1.75, hx + hr * 0.9, hy - hr * 0.3));
  b.add(0, true, circle(hx, hy, hr));
  b.add(2, false, ellipse(hx + hr * 0.45, hy - hr * 0.15, hr * 0.14, hr * 0.2));
  return b.shape();
};

export const dog: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const L = u(r, 1.0, 1.15);
  const H = u(r, 0.32, 0.4);
  legs(b, { xs: [-0.4 * L, -0.27 * L, 0.27 * L, 0.4 * L], top: 0, length: H / 2 + u(r, 0.24, 0.32), w: 0.11, slot: 0 }, r);
  b.add(0, true, segment(-L / 2 + 0.05, -0.05, -L / 2 - 0.12, -0.3 + u(r, -0.05, 0.1), 0.08));
  b.add(0, true, ellipse(0, 0, L / 2, H / 2));
  const nx = L / 2 - 0.02;
  b.add(0, true, segment(nx - 0.08, -0.02, nx + 0.06, -0.3, 0.2));
  const hx = nx + 0.08;
  const hy = -0.36;
  b.add(0, true, circle(hx, hy, 0.16));
  b.add(0, true, ellipse(hx + 0.2, hy + 0.06, 0.14, 0.075));
  b.add(3, false, circle(hx + 0.33, hy + 0.04, 0.04));
  b.add(1, false, ellipse(hx - 0.06, hy + 0.08, 0.065, 0.15, 0.25));
  return b.shape();
};

export const cow: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const L = u(r, 1.15, 1.3);
  const H = u(r, 0.5, 0.58);
  legs(b, { xs: [-0.44 * L, -0.32 * L, 0.3 * L, 0.42 * L], top: H / 2 - 0.1, length: u(r, 0.4, 0.46), w: 0.13, slot: 0, hoofSlot: 4 }, r);
  b.limb(0, false, 0.035, -L / 2 + 0.02, -H / 2 + 0.05, -L / 2 - 0.08, 0.05, -L / 2 - 0.09, H / 2 + 0.05);
  b.add(4, false, ellipse(-L / 2 - 0.09, H / 2 + 0.08, 0.045, 0.07));
  b.add(0, true, roundRect(-L / 2, -H / 2, L / 2, H / 2, 0.12));
  b.add(2, false, ellipse(-L * 0.18, H / 2 + 0.02, 0.12, 0.07));
  const hx = L / 2 + 0.12;
  b.add(0, true, poly(L / 2 - 0.1, -H / 2, hx + 0.05, -H / 2 - 0.12, hx + 0.2, -0.05, L / 2 - 0.05, 0.05));
  b.add(0, true, poly(hx - 0.1, -H / 2 - 0.1, hx + 0.12, -H / 2 - 0.14, hx + 0.24, 0.05, hx + 0.05, 0.08));
  b.add(2, false, ellipse(hx + 0.16, 0.04, 0.1, 0.07));
  b.add(5, false, poly(hx - 0.06, -H / 2 - 0.1, hx - 0.14, -H / 2 - 0.24, hx + 0.02, -H / 2 - 0.12));
  return b.shape();
};

export const horse: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const L = u(r, 1.0, 1.1);
  const H = u(r, 0.36, 0.42);
  legs(b, { xs: [-0.4 * L, -0.3 * L, 0.3 * L, 0.4 * L], top: 0.02, length: H / 2 + u(r, 0.55, 0.65), w: 0.085, slot: 0, hoofSlot: 4 }, r);
  const tail = u(r, 0.3, 0.5);
  b.add(1, false, poly(-L / 2 + 0.02, -H / 2 + 0.04, -L / 2 + 0.08, -H / 2 + 0.08, -L / 2 - 0.1, -H / 2 + 0.2 + tail, -L / 2 - 0.2, -H / 2 + 0.15 + tail));
  b.add(0, true, ellipse(0, 0, L / 2, H / 2));
  const neck = u(r, 0.5, 0.6);
  b.add(0, true, poly(L / 2 - 0.25, -0.08, L / 2 - 0.02, -neck, L / 2 + 0.14, -neck + 0.05, L / 2 + 0.05, 0.02));
  b.add(1, false, poly(L / 2 - 0.27, -0.1, L / 2 - 0.06, -neck - 0.02, L / 2 + 0.0, -neck + 0.02, L / 2 - 0.2, -0.05));
  b.add(0, true, ellipse(L / 2 + 0.14, -neck + 0.1, 0.22, 0.08, 0.75));
  b.add(0, false, poly(L / 2 + 0.0, -neck + 0.02, L / 2 + 0.02, -neck - 0.1, L / 2 + 0.07, -neck));
  return b.shape();
};

export const sheep: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const L = u(r, 0.9, 1.0);
  const H = u(r, 0.5, 0.58);
  legs(b, { xs: [-0.3 * L, -0.18 * L, 0.2 * L, 0.32 * L], top: H / 2 - 0.05, length: u(r, 0.22, 0.28), w: 0.065, slot: 1 }, r);
  b.add(0, true, ellipse(0, 0, L / 2, H / 2));
  const bumps = 9 + r.int(4);
  for (let i = 0; i < bumps; i++) {
    const a = (i / bumps) * Math.PI * 2;
    b.add(0, true, circle(Math.cos(a) * L * 0.44, Math.sin(a) * H * 0.42, u(r, 0.1, 0.14)));
  }
  const hx = L / 2 + 0.06;
  const hy = -H * 0.22;
  b.add(1, false, ellipse(hx - 0.02, hy - 0.06, 0.08, 0.04, -0.6));
  b.add(1, false, ellipse(hx + 0.05, hy, 0.14, 0.085, 0.45));
  return b.shape();
};

// ---------------------------------------------------------------- seating and tables

export const chair: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const w = u(r, 0.34, 0.4);
  const backTop = -u(r, 0.85, 0.95);
  const seatY = 0;
  const slats = r.int(3);
  const frame = 0.13;
  const back = roundRect(-w, backTop, w, seatY, 0.05);
  if (slats === 0) b.add(0, true, back);
  else if (slats === 1) b.add(0, true, back, rect(-w + frame, backTop + frame, w - frame, seatY - 0.3));
  else b.add(0, true, back, rect(-w + frame, backTop + frame, -0.05, seatY - 0.3), rect(0.05, backTop + frame, w - frame, seatY - 0.3));
  const legBottom = u(r, 0.72, 0.82);
  const leg = u(r, 0.1, 0.12);
  b.add(1, true, segment(-w + 0.08, seatY, -w + 0.12, legBottom - 0.08, leg * 0.85));
  b.add(1, true, segment(w - 0.08, seatY, w - 0.12, legBottom - 0.08, leg * 0.85));
  b.add(0, true, segment(-w - 0.0, seatY + 0.1, -w - 0.03, legBottom, leg));
  b.add(0, true, segment(w + 0.0, seatY + 0.1, w + 0.03, legBottom, leg));
  b.add(0, true, poly(-w, seatY - 0.05, w, seatY - 0.05, w + 0.07, seatY + 0.16, -w - 0.07, seatY + 0.16));
  return b.shape();
};

export const sofa: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const W = u(r, 1.0, 1.15);
  const backTop = -u(r, 0.45, 0.55);
  const seatTop = 0.02;
  const seatBottom = 0.3;
  for (const x of [-W + 0.15, W - 0.15]) b.add(3, false, rect(x - 0.04, seatBottom, x + 0.04, seatBottom + 0.1));
  b.add(0, true, roundRect(-W + 0.12, backTop, W - 0.12, seatTop + 0.05, 0.1));
  b.add(0, true, roundRect(-W + 0.16, seatTop, W - 0.16, seatBottom, 0.05));
  const cushions = 2 + r.int(2);
  for (let i = 1; i < cushions; i++) {
    const x = -W + 0.16 + ((2 * W - 0.32) * i) / cushions;
    b.add(1, false, rect(x - 0.012, seatTop + 0.01, x + 0.012, seatBottom - 0.02));
    b.add(1, false, rect(x - 0.012, backTop + 0.08, x + 0.012, seatTop - 0.02));
  }
  const armTop = -u(r, 0.12, 0.2);
  b.add(2, true, roundRect(-W, armTop, -W + 0.24, seatBottom + 0.02, 0.08));
  b.add(2, true, roundRect(W - 0.24, armTop, W, seatBottom + 0.02, 0.08));
  return b.shape();
};

export const diningtable: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const W = u(r, 1.0, 1.1);
  const depth = u(r, 0.18, 0.26);
  if (r.next() < 0.6) {
    // Wooden table in perspective: slanted top, front edge, four legs.
    const legH = u(r, 0.55, 0.7);
    b.add(1, true, segment(-W + 0.25, -depth, -W + 0.25, legH - depth, 0.07));
    b.add(1, true, segment(W - 0.25, -depth, W - 0.25, legH - depth, 0.07));
    b.add(0, true, segment(-W + 0.08, 0, -W + 0.1, legH, 0.09));
    b.add(0, true, segment(W - 0.08, 0, W - 0.1, legH, 0.09));
    b.add(0, true, poly(-W + 0.15, -depth, W - 0.15, -depth, W, 0, -W, 0));
    b.add(1, true, rect(-W, 0, W, 0.07));
  } else {
    // Round table under a cloth that hangs down.
    b.add(3, false, rect(-0.3, 0.55, -0.25, 0.75));
    b.add(3, false, rect(0.25, 0.55, 0.3, 0.75));
    b.add(0, true, poly(-W, 0, W, 0, W * 1.02, 0.58, -W * 1.02, 0.58));
    b.add(0, true, ellipse(0, 0, W, depth));
  }
  return b.shape();
};

// ---------------------------------------------------------------- people and things indoors

export const person: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const hip = 0.04;
  const footY = u(r, 0.85, 0.95);
  const stance = u(r, 0.04, 0.16);
  const dress = r.next() < 0.25;
  b.limb(1, false, 0.13, -0.08, hip, -0.08 - stance, footY);
  b.limb(1, false, 0.13, 0.08, hip, 0.08 + stance, footY);
  b.add(4, false, ellipse(-0.11 - stance, footY + 0.02, 0.08, 0.035));
  b.add(4, false, ellipse(0.11 + stance, footY + 0.02, 0.08, 0.035));
  if (dress) b.add(0, true, poly(-0.17, -0.05, 0.17, -0.05, 0.28, 0.5, -0.28, 0.5));
  const arm = (side: number): void => {
    const pose = r.int(3);
    const sx = side * 0.2;
    const sy = -0.57;
    let ex: number;
    let ey: number;
    let hx: number;
    let hy: number;
    if (pose === 0) [ex, ey, hx, hy] = [side * 0.27, -0.3, side * 0.29, -0.02];
    else if (pose === 1) [ex, ey, hx, hy] = [side * 0.38, -0.38, side * 0.22, -0.18];
    else [ex, ey, hx, hy] = [side * 0.36, -0.72, side * 0.42, -0.98];
    b.limb(0, true, 0.1, sx, sy, ex, ey, hx, hy);
    b.add(2, false, circle(hx, hy, 0.06));
  };
  arm(-1);
  arm(1);
  b.add(0, true, poly(-0.21, -0.62, 0.21, -0.62, 0.17, hip + 0.04, -0.17, hip + 0.04));
  b.add(2, false, rect(-0.045, -0.68, 0.045, -0.6));
  b.add(2, false, ellipse(0, -0.78, 0.115, 0.14));
  if (r.next() < 0.4) b.add(3, false, ellipse(0, -0.8, 0.13, 0.14, 0, Math.PI, Math.PI * 2), rect(-0.13, -0.8, -0.09, -0.6));
  else b.add(3, false, ellipse(0, -0.82, 0.125, 0.11, 0, Math.PI * 1.0, Math.PI * 2));
  return b.shape();
};

export const pottedplant: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const potW = u(r, 0.22, 0.3);
  const leaves = 6 + r.int(5);
  for (let i = 0; i < leaves; i++) {
    const a = -Math.PI / 2 + u(r, -1.25, 1.25);
    const d = u(r, 0.28, 0.5);
    const len = u(r, 0.22, 0.32);
    b.add(i % 2 === 0 ? 2 : 3, true, ellipse(Math.cos(a) * d, 0.2 + Math.sin(a) * d, len, len * 0.38, a));
  }
  b.add(2, true, ellipse(0, 0.02, u(r, 0.2, 0.28), u(r, 0.22, 0.3)));
  b.add(0, false, poly(-potW, 0.3, potW, 0.3, potW * 0.7, 0.9, -potW * 0.7, 0.9));
  b.add(1, false, rect(-potW - 0.04, 0.26, potW + 0.04, 0.38));
  return b.shape();
};

export const tvmonitor: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const W = u(r, 0.7, 0.85);
  const H = W * u(r, 0.58, 0.78);
  const bezel = u(r, 0.05, 0.12);
  b.add(0, false, rect(-0.07, H / 2, 0.07, H / 2 + 0.16));
  b.add(0, false, roundRect(-0.32, H / 2 + 0.14, 0.32, H / 2 + 0.21, 0.03));
  b.add(0, false, roundRect(-W, -H / 2, W, H / 2, 0.04));
  b.add(1, true, rect(-W + bezel, -H / 2 + bezel, W - bezel, H / 2 - bezel * 1.2));
  return b.shape();
};

export const bottle: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const w = u(r, 0.17, 0.22);
  const neckW = u(r, 0.06, 0.08);
  const shoulder = u(r, -0.3, -0.15);
  b.add(0, true, roundRect(-w, shoulder, w, 0.95, 0.05));
  b.add(0, true, poly(-w, shoulder + 0.01, w, shoulder + 0.01, neckW, shoulder - 0.28, -neckW, shoulder - 0.28));
  b.add(0, true, rect(-neckW, -0.85, neckW, shoulder - 0.27));
  b.add(2, false, rect(-neckW - 0.012, -0.97, neckW + 0.012, -0.85));
  if (r.next() < 0.7) b.add(1, false, rect(-w, u(r, 0.1, 0.2), w, u(r, 0.5, 0.6)));
  return b.shape();
};

// ---------------------------------------------------------------- vehicles

function wheel(b: ShapeBuilder, x: number, y: number, rad: number, hub: number): void {
  b.add(4, false, circle(x, y, rad));
  b.add(5, false, circle(x, y, rad * hub));
}

export const car: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const L = u(r, 0.95, 1.05);
  const roof = -u(r, 0.36, 0.44);
  const back = u(r, -0.6, -0.45);
  b.add(0, true, roundRect(-L, -0.07, L, 0.3, 0.1));
  b.add(0, true, poly(back - 0.1, -0.06, back + 0.08, roof, 0.25, roof, 0.55, -0.06));
  b.add(3, false, poly(back + 0.0, -0.09, back + 0.12, roof + 0.05, -0.07, roof + 0.05, -0.07, -0.09));
  b.add(3, false, poly(0.0, -0.09, 0.0, roof + 0.05, 0.22, roof + 0.05, 0.45, -0.09));
  b.add(2, false, ellipse(L - 0.04, 0.03, 0.05, 0.04));
  b.add(1, false, rect(-L, 0.0, -L + 0.04, 0.08));
  wheel(b, -L * 0.6, 0.3, 0.17, 0.45);
  wheel(b, L * 0.6, 0.3, 0.17, 0.45);
  return b.shape();
};

export const bus: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const L = u(r, 1.05, 1.2);
  const top = -u(r, 0.48, 0.56);
  b.add(0, true, roundRect(-L, top, L, 0.32, 0.1));
  const windows = 4 + r.int(3);
  const span = 2 * L - 0.45;
  for (let i = 0; i < windows; i++) {
    const x0 = -L + 0.1 + (span * i) / windows;
    b.add(3, false, rect(x0, top + 0.09, x0 + span / windows - 0.06, -0.08));
  }
  b.add(3, false, rect(L - 0.25, top + 0.09, L - 0.04, 0.0));
  b.add(3, false, rect(L - 0.5, top + 0.09, L - 0.33, 0.26));
  b.add(1, false, rect(-L, 0.06, L - 0.52, 0.13));
  b.add(2, false, rect(L - 0.06, 0.14, L, 0.2));
  wheel(b, -L * 0.68, 0.33, 0.16, 0.45);
  wheel(b, L * 0.6, 0.33, 0.16, 0.45);
  return b.shape();
};

export const train: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const carL = u(r, 1.05, 1.2);
  const top = -0.4;
  const bottom = 0.28;
  const front = carL * 1.45;
  // Undercarriage with many small wheels.
  b.add(4, false, rect(-carL * 1.45, bottom - 0.02, front - 0.2, bottom + 0.1));
  for (let x = -carL * 1.4; x < front - 0.25; x += 0.22) b.add(5, false, circle(x + 0.05, bottom + 0.1, 0.055));
  // Rear carriage, coupling, locomotive with a sloped nose.
  b.add(0, true, roundRect(-carL * 1.45, top, -0.06, bottom, 0.05));
  b.add(3, false, rect(-0.08, -0.05, 0.08, 0.12));
  b.add(0, true, poly(0.06, top, front - 0.35, top, front, 0.02, front, bottom, 0.06, bottom));
  b.add(3, false, poly(front - 0.35, top + 0.05, front - 0.06, -0.05, front - 0.28, -0.05));
  for (const [x0, x1] of [
    [-carL * 1.45, -0.06],
    [0.06, front - 0.4],
  ] as const) {
    for (let x = x0 + 0.08; x + 0.12 < x1; x += 0.2) b.add(3, false, rect(x, top + 0.08, x + 0.12, top + 0.24));
  }
  b.add(1, false, rect(-carL * 1.45, 0.06, -0.06, 0.14));
  b.add(1, false, poly(0.06, 0.06, front, 0.06, front, 0.14, 0.06, 0.14));
  return b.shape();
};

export const bicycle: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const R = u(r, 0.38, 0.44);
  const tube = u(r, 0.11, 0.13);
  const rear = -0.72;
  const frontX = 0.72;
  const hubY = 0.35;
  for (const x of [rear, frontX]) {
    b.add(4, false, circle(x, hubY, R), circle(x, hubY, R - 0.13));
    b.add(5, false, circle(x, hubY, 0.05));
  }
  const bb = [-0.05, hubY] as const;
  const seat = [-0.28, -0.28] as const;
  const head = [0.48, -0.3] as const;
  b.add(0, true, segment(rear, hubY, seat[0], seat[1], tube));
  b.add(0, true, segment(rear, hubY, bb[0], bb[1], tube));
  b.add(0, true, segment(bb[0], bb[1], seat[0], seat[1], tube));
  b.add(0, true, segment(seat[0], seat[1], head[0], head[1], tube));
  b.add(0, true, segment(bb[0], bb[1], head[0], head[1], tube));
  b.add(0, true, segment(head[0], head[1], frontX, hubY, tube));
  b.limb(3, false, 0.08, head[0], head[1], head[0] - 0.04, head[1] - 0.16, head[0] + 0.14, head[1] - 0.2);
  b.add(3, false, ellipse(seat[0] - 0.02, seat[1] - 0.07, 0.13, 0.045));
  return b.shape();
};

export const motorbike: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const R = u(r, 0.32, 0.38);
  const hubY = 0.35;
  wheel(b, -0.72, hubY, R, 0.55);
  wheel(b, 0.72, hubY, R, 0.55);
  b.add(5, false, segment(0.45, -0.32, 0.72, hubY, 0.09));
  b.add(5, false, segment(-0.6, hubY - 0.02, 0.1, 0.3, 0.08));
  b.add(3, false, poly(-0.3, 0.02, 0.3, 0.02, 0.25, 0.42, -0.2, 0.42));
  b.add(0, true, poly(-0.45, -0.12, -0.95, -0.02, -0.9, 0.1, -0.4, 0.05));
  b.add(3, false, roundRect(-0.6, -0.24, -0.02, -0.1, 0.05));
  b.add(0, true, ellipse(0.18, -0.18, u(r, 0.3, 0.36), u(r, 0.13, 0.16)));
  b.limb(3, false, 0.06, 0.45, -0.32, 0.42, -0.48, 0.58, -0.52);
  b.add(2, false, circle(0.58, -0.24, 0.07));
  return b.shape();
};

export const aeroplane: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  if (r.next() < 0.5) {
    // Seen from below: a cross of fuselage and swept wings.
    const span = u(r, 0.8, 1.0);
    const sweep = u(r, 0.15, 0.35);
    for (const s of [-1, 1]) {
      b.add(0, true, poly(0.25, s * 0.06, 0.02 - sweep, s * span, -0.18 - sweep, s * span, -0.18, s * 0.06));
      b.add(1, false, poly(-0.78, s * 0.05, -0.92, s * 0.33, -1.0, s * 0.33, -0.95, s * 0.05));
      b.add(2, false, ellipse(0.05 - sweep * 0.4, s * 0.38, 0.13, 0.05));
    }
    b.add(0, true, ellipse(0, 0, 1.0, u(r, 0.1, 0.13)));
    b.add(3, false, ellipse(0.9, 0, 0.06, 0.05));
  } else {
    // Side view: fuselage, tail fin, wing, window row.
    const fh = u(r, 0.12, 0.15);
    b.add(1, false, poly(-0.7, -fh * 0.6, -0.92, -fh - 0.35, -1.0, -fh - 0.35, -0.98, 0));
    b.add(0, true, ellipse(0, 0, 1.0, fh));
    b.add(1, false, poly(-0.1, 0.02, 0.25, 0.02, 0.0, 0.22, -0.3, 0.22));
    b.add(2, false, ellipse(0.0, 0.16, 0.15, 0.05));
    for (let x = -0.6; x < 0.7; x += 0.12) b.add(3, false, circle(x, -fh * 0.35, 0.022));
    b.add(3, false, ellipse(0.88, -fh * 0.35, 0.06, 0.035));
  }
  return b.shape();
};

export const bird: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  if (r.next() < 0.3) {
    // Flying: body with raised wings.
    const lift = u(r, 0.4, 0.8);
    b.add(3, true, poly(-0.1, -0.02, -0.45, -0.1 - lift, -0.2, -0.12 - lift * 0.9, 0.15, -0.02));
    b.add(0, true, ellipse(0, 0.02, 0.45, 0.13));
    b.add(0, true, poly(-0.35, 0.0, -0.72, -0.12, -0.72, 0.15));
    b.add(0, true, circle(0.45, -0.02, 0.12));
    b.add(2, false, poly(0.54, -0.06, 0.72, 0.0, 0.54, 0.04));
    b.add(3, true, poly(0.05, 0.0, -0.15, -0.2 - lift * 0.6, 0.1, -0.18 - lift * 0.6, 0.25, 0.0));
  } else {
    // Perched.
    b.limb(2, false, 0.035, -0.02, 0.2, 0.0, 0.52);
    b.limb(2, false, 0.035, 0.12, 0.2, 0.12, 0.52);
    b.add(0, true, poly(-0.3, 0.05, -0.82, 0.3, -0.78, 0.42, -0.25, 0.2));
    b.add(0, true, ellipse(0, 0.05, 0.42, 0.24, -0.25));
    b.add(1, false, ellipse(0.12, 0.14, 0.26, 0.14, -0.25));
    b.add(3, true, ellipse(-0.08, 0.02, 0.32, 0.14, -0.3));
    b.add(0, true, circle(0.36, -0.22, u(r, 0.15, 0.18)));
    b.add(2, false, poly(0.48, -0.28, 0.7, -0.22, 0.48, -0.16));
    b.add(3, false, circle(0.41, -0.25, 0.03));
  }
  return b.shape();
};

export const boat: ShapeFn = (r) => {
  const b = new ShapeBuilder();
  const L = u(r, 0.95, 1.05);
  if (r.next() < 0.5) {
    const mast = -u(r, 0.95, 1.15);
    b.add(3, false, segment(0, mast, 0, 0, 0.04));
    b.add(2, false, poly(0.04, mast + 0.05, 0.04, -0.08, u(r, 0.6, 0.8), -0.08));
    b.add(2, false, poly(-0.04, mast + 0.15, -0.04, -0.08, -u(r, 0.45, 0.6), -0.08));
  } else {
    b.add(2, false, roundRect(-0.5, -0.36, 0.25, 0.02, 0.06));
    for (let x = -0.42; x < 0.15; x += 0.18) b.add(3, false, rect(x, -0.28, x + 0.11, -0.16));
  }
  b.add(0, true, poly(-L, -0.04, L + 0.1, -0.08, L * 0.72, 0.32, -L * 0.85, 0.32));
  b.add(1, false, poly(-L, -0.04, L + 0.1, -0.08, L + 0.07, 0.02, -L + 0.01, 0.05));
  return b.shape();
};
