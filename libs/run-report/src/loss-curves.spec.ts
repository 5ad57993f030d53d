import { lossCurveSvg, lossTerms, phaseBands, termPoints } from './loss-curves';
import type { LossPoint } from './types';

/** Warm-up: 10 points with teacher terms only; then 15 points with every term. */
function knownCurve(): LossPoint[] {
  const points: LossPoint[] = [];
  for (let i = 1; i <= 25; i++) {
    const warmup = i <= 10;
    const losses: Record<string, number> = { teacher_bce: 1 / i, dcl: 2 / i, total: 3 / i };
    if (!warmup) Object.assign(losses, { seg: 0.5 / i, old_bce: 0.1 });
    points.push({ iteration: i * 4, phase: warmup ? 'teacher-warmup' : 'teacher-and-student', losses, learningRate: 0.01 * (1 - i / 26) });
  }
  return points;
}

function polylines(svg: string): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  for (const match of svg.matchAll(/<polyline[^>]*data-series="([^"]*)"[^>]*points="([^"]*)"/g)) {
    out.set(match[1]!, match[2]!.split(' ').map((p) => p.split(',').map(Number) as [number, number]));
  }
  return out;
}

describe('loss curves', () => {
  it('draws one polyline per loss term with one point per progress point holding it', () => {
    const svg = lossCurveSvg(1, knownCurve(), () => '#123456');
    const lines = polylines(svg);
    expect([...lines.keys()]).toEqual(['total', 'teacher_bce', 'dcl', 'seg', 'old_bce']);
    expect(lines.get('total')).toHaveLength(25);
    expect(lines.get('dcl')).toHaveLength(25);
    expect(lines.get('seg')).toHaveLength(15);
    expect(lines.get('old_bce')).toHaveLength(15);
    // x grows with the iteration; a larger loss is drawn higher (smaller y).
    const total = lines.get('total')!;
    for (let i = 1; i < total.length; i++) {
      expect(total[i]![0]).toBeGreaterThan(total[i - 1]![0]);
      expect(total[i]![1]).toBeGreaterThan(total[i - 1]![1]);
    }
    // The legend names every term; axes have labels.
    for (const term of ['total', 'teacher_bce', 'dcl', 'seg', 'old_bce']) expect(svg).toContain(`>${term}</text>`);
    expect(svg).toContain('iteration of step 1');
  });

  it('marks the phases: a band each, a dashed line where a new phase starts, the names as labels', () => {
    const points = knownCurve();
    expect(phaseBands(points)).toEqual([
      { from: 4, to: 44, label: 'teacher-warmup' },
      { from: 44, to: 100, label: 'teacher-and-student' },
    ]);
    const svg = lossCurveSvg(1, points, () => '#000');
    expect(svg.match(/<rect class="phase"/g)).toHaveLength(2);
    expect(svg.match(/stroke-dasharray/g)).toHaveLength(1);
    expect(svg).toContain('>teacher-warmup</text>');
    expect(svg).toContain('>teacher-and-student</text>');
  });

  it('does not band "loading" and "saving" points, and names a narrow band in its tooltip only', () => {
    const points = knownCurve();
    points.splice(10, 0, { iteration: 41, phase: 'saving', losses: { total: 0.3 }, learningRate: 0 });
    points.unshift({ iteration: 0, phase: 'loading', losses: {}, learningRate: 0 });
    expect(phaseBands(points).map((b) => b.label)).toEqual(['teacher-warmup', 'teacher-and-student']);
    const narrow: LossPoint[] = [
      { iteration: 1, phase: 'teacher-warmup', losses: { total: 1 }, learningRate: 0 },
      { iteration: 2, phase: 'teacher-and-student', losses: { total: 1 }, learningRate: 0 },
      { iteration: 1000, phase: 'teacher-and-student', losses: { total: 1 }, learningRate: 0 },
    ];
    const svg = lossCurveSvg(1, narrow, () => '#000');
    expect(svg).not.toContain('>teacher-warmup</text>');
    expect(svg).toContain('<title>teacher-warmup</title></rect>');
    expect(svg).toContain('>teacher-and-student</text>');
  });

  it('leaves out non-finite values and averages long curves down', () => {
    const points = knownCurve();
    points[3]!.losses.total = Number.NaN;
    points[4]!.losses.total = Number.POSITIVE_INFINITY;
    expect(termPoints(points, 'total')).toHaveLength(23);
    const long: LossPoint[] = Array.from({ length: 1000 }, (_, i) => ({ iteration: i + 1, phase: 'base', losses: { seg: 1 }, learningRate: 0.1 }));
    const reduced = termPoints(long, 'seg', 400);
    expect(reduced).toHaveLength(400);
    expect(reduced.every(([, y]) => y === 1)).toBe(true);
    expect(reduced[0]![0]).toBe(1.5); // the mean of iterations 1 and 2
    expect(polylines(lossCurveSvg(0, long, () => '#000')).get('seg')).toHaveLength(400);
  });

  it('puts "total" first and keeps the order terms were first seen', () => {
    expect(lossTerms([{ iteration: 1, phase: 'base', losses: { seg: 1, total: 1, aux: 2 }, learningRate: 0 }])).toEqual(['total', 'seg', 'aux']);
  });
});
