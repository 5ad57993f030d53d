import { syntheticReportData } from '../test/synthetic-report';
import { prettyJson, renderReport } from './report';
import type { ReportData } from './types';

let data: ReportData;
beforeAll(async () => {
  data = await syntheticReportData();
});

const withData = (change: Partial<ReportData>): ReportData => ({ ...data, ...change });

/** The text of a section by id. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}"`);
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('renderReport', () => {
  it('opens with a header naming task, setting, method, label, run id and date', () => {
    const html = renderReport(data);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>fmwiss run 15-5 overlap</title>');
    for (const [key, value] of [
      ['task', '15-5'],
      ['setting', 'overlap'],
      ['method', 'fmwiss'],
      ['label', 'fmwiss (union, lambda 0.1)'],
      ['run id', 'run-20250101-abcdef'],
      ['date', '2025-01-01T12:00:00.000Z'],
    ]) {
      expect(html).toContain(`<dt>${key}</dt><dd>${value}</dd>`);
    }
  });

  it('shows the final old / new / all beside the baselines with the gap in points, and a row per step', () => {
    const results = section(renderReport(data), 'results');
    expect(results).toContain(
      '<tr class="run"><td>fmwiss (union, lambda 0.1)</td><td class="num">65.1</td><td class="num">42.3</td><td class="num">59.9</td>',
    );
    expect(results).toContain(
      '<tr><td>joint (pixel labels)</td><td class="num">75.6</td><td class="num">70.1</td><td class="num">74.3</td><td class="num">+14.4</td><td>upper bound</td></tr>',
    );
    expect(results).toContain('<td>fine-tuning (pixel labels)</td><td class="num">11.1</td><td class="num">34.6</td><td class="num">18.3</td><td class="num">-41.5</td>');
    // Step rows: step 0 has no new classes ("–"), durations and images are shown.
    expect(results).toMatch(/<td class="num">0<\/td><td>1-15 .*<td class="num">2400<\/td><td class="num">5m 12s<\/td><td class="num">70.1<\/td><td class="num">–<\/td><td class="num">72.3<\/td><td class="num">91.2<\/td>/);
    expect(results).toMatch(/<td class="num">1<\/td><td>16-20 .*pottedplant, sheep, sofa, train, tvmonitor.*<td class="num">600<\/td><td class="num">7m 01s<\/td><td class="num">65.1<\/td><td class="num">42.3<\/td><td class="num">59.9<\/td>/);
  });

  it('draws a bar per class, grouped old / new, coloured by step, "–" for an absent class', () => {
    const classIou = section(renderReport(data), 'class-iou');
    const bars = classIou.match(/<g class="bar">/g) ?? [];
    expect(bars).toHaveLength(21);
    expect(classIou).toContain('>background</text>');
    expect(classIou).toContain('>old classes (step 0)</text>');
    expect(classIou).toContain('>new classes (later steps)</text>');
    // The old group comes before the new one, aeroplane among the old, tvmonitor among the new.
    expect(classIou.indexOf('>aeroplane</text>')).toBeLessThan(classIou.indexOf('>new classes (later steps)</text>'));
    expect(classIou.indexOf('>tvmonitor</text>')).toBeGreaterThan(classIou.indexOf('>new classes (later steps)</text>'));
    // sofa (18) is absent: a "–" and no rect in its bar.
    const sofa = classIou.slice(classIou.indexOf('<title>sofa'), classIou.indexOf('</g>', classIou.indexOf('<title>sofa')));
    expect(sofa).toContain('>–</text>');
    expect(sofa).not.toContain('<rect');
    // Class 16 (pottedplant) at step 1: 0.3 + ((16*7+3) % 60)/100 = 0.85 -> 85.0, in step 1's colour.
    const potted = classIou.slice(classIou.indexOf('<title>pottedplant'), classIou.indexOf('</g>', classIou.indexOf('<title>pottedplant')));
    expect(potted).toContain('>85.0</text>');
    expect(potted).toContain('fill="#f28e2b"');
    const aeroplane = classIou.slice(classIou.indexOf('<title>aeroplane'), classIou.indexOf('</g>', classIou.indexOf('<title>aeroplane')));
    expect(aeroplane).toContain('fill="#4e79a7"');
    // The forgetting table has a column per step.
    expect(classIou).toContain('<th class="num">after step 0</th><th class="num">after step 1</th>');
  });

  it('draws the loss curves of each step with a line per loss term', () => {
    const losses = section(renderReport(data), 'losses');
    expect(losses.match(/<svg /g)).toHaveLength(2);
    const step1 = losses.slice(losses.indexOf('<h3>Step 1</h3>'));
    const seg = /<polyline[^>]*data-series="seg"[^>]*points="([^"]*)"/.exec(step1)!;
    expect(seg[1]!.split(' ')).toHaveLength(120); // the 120 points after the 40 of warm-up
    const dcl = /<polyline[^>]*data-series="dcl"[^>]*points="([^"]*)"/.exec(step1)!;
    expect(dcl[1]!.split(' ')).toHaveLength(160);
    expect(step1).toContain('>teacher-warmup</text>');
    expect(losses).toContain('learning rate from 1.00e-2');
  });

  it('embeds every panel as a data:image/png URL that decodes back to the same bytes, with its title', () => {
    const html = renderReport(data);
    const urls = [...html.matchAll(/<img src="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => m[1]!);
    const panels = data.samples.flatMap((s) => s.panels);
    expect(urls).toHaveLength(panels.length);
    for (const [i, panel] of panels.entries()) expect(Buffer.from(urls[i]!, 'base64').equals(Buffer.from(panel.png))).toBe(true);
    const samples = section(html, 'samples');
    for (const title of ['image', 'M_init', 'seed map', 'fused mask', 'teacher output', 'student prediction', 'ground truth']) {
      expect(samples).toContain(`<figcaption>${title}</figcaption>`);
    }
    expect(samples).toContain('<h3>2008_000123</h3>');
  });

  it('shows pseudo-label quality as a diagnostic apart from the results, after the method\'s sections', () => {
    const html = renderReport(data);
    const diagnostic = section(html, 'pseudo-label-quality');
    expect(diagnostic).toContain('class="diagnostic"');
    expect(diagnostic).toContain('Diagnostic: pseudo-label quality against the hidden ground truth');
    expect(diagnostic).toContain('mIoU 53.2 over 600 images');
    expect(diagnostic).toContain('<tr><td>sofa</td><td class="num">–</td></tr>');
    expect(diagnostic).toContain('<tr><td>sheep</td><td class="num">57.0</td></tr>');
    expect(html.indexOf('id="pseudo-label-quality"')).toBeGreaterThan(html.indexOf('id="samples"'));
    expect(section(html, 'results')).not.toContain('pseudo');
  });

  it('puts the configuration as pretty JSON in a <details>', () => {
    const configuration = section(renderReport(data), 'configuration');
    expect(configuration).toContain('<details>');
    expect(configuration).toContain('&quot;fusion&quot;: &quot;union&quot;');
  });

  it('needs no network and runs no script', () => {
    const html = renderReport(data);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\son[a-z]+\s*=/i); // no event handler attributes
    expect(html).toContain(`default-src 'none'; img-src data:`);
    // A URL inside the configuration is text, never a resource.
    const withUrl = renderReport(withData({ configuration: { model: 'https://example.org/model.onnx' } }));
    expect(withUrl).not.toMatch(/(src|href)\s*=\s*["']?https?:/i);
  });

  it('escapes every text from the data', () => {
    const evil = '<img src=x onerror=alert(1)>&"\'';
    const escaped = '&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;';
    const html = renderReport(
      withData({
        title: `${evil}title`,
        label: `${evil}label`,
        runId: `${evil}run`,
        classes: data.classes.map((c) => (c.id === 16 ? { ...c, name: `${evil}plant` } : c)),
        baselines: [{ label: `${evil}base`, miouOld: 0.1, miouNew: 0.2, miouAll: 0.3, note: `${evil}note` }],
        samples: [{ imageId: `${evil}id`, panels: [{ title: `${evil}panel`, png: data.samples[0]!.panels[0]!.png }] }],
        lossCurves: [{ step: 0, points: [{ iteration: 1, phase: `${evil}phase`, losses: { [`${evil}term`]: 1 }, learningRate: 0.1 }] }],
        pseudoLabelQuality: [{ step: 1, miou: 0.5, images: 3, classes: [{ classId: 16, name: `${evil}pq`, iou: 0.5 }] }],
        configuration: { note: `${evil}config` },
      }),
    );
    expect(html).not.toContain('<img src=x');
    for (const what of ['title', 'label', 'run', 'plant', 'base', 'note', 'id', 'panel', 'phase', 'term', 'pq']) {
      expect(html).toContain(`${escaped}${what}`);
    }
    expect(html).toContain('&quot;&lt;img src=x onerror=alert(1)&gt;&amp;\\&quot;&#39;config&quot;');
    expect(html).not.toMatch(/<script/i);
  });

  it('handles missing parts: no baselines, no weak step, no losses, no samples, no steps', () => {
    const html = renderReport(
      withData({ baselines: [], pseudoLabelQuality: [], lossCurves: [{ step: 0, points: [] }], samples: [], steps: data.steps.slice(0, 1) }),
    );
    expect(html).toContain('No baselines were given for this run.');
    expect(html).toContain('No weak step in this run');
    expect(html).toContain('No loss values were recorded for step 0.');
    expect(html).toContain('No sample images.');
    expect(html).not.toContain('(forgetting)');
    const empty = renderReport(withData({ baselines: [], pseudoLabelQuality: [], lossCurves: [], samples: [], steps: [], classes: [], configuration: undefined }));
    expect(empty).toContain('No step has been evaluated.');
    expect(empty).toContain('No evaluation with per-class IoU.');
    expect(empty).toContain('No training progress was recorded.');
    expect(empty).toContain('this run: no step evaluated');
    expect(section(empty, 'results')).toContain('<td class="num">–</td><td class="num">–</td><td class="num">–</td>');
  });

  it('reads evaluations that went through JSON (NaN written as null)', () => {
    const roundTripped = JSON.parse(JSON.stringify(data.steps)) as ReportData['steps'];
    const classIou = section(renderReport(withData({ steps: roundTripped })), 'class-iou');
    const sofa = classIou.slice(classIou.indexOf('<title>sofa'), classIou.indexOf('</g>', classIou.indexOf('<title>sofa')));
    expect(sofa).toContain('>–</text>');
  });

  it('writes balanced sections, SVGs, tables and details', () => {
    const html = renderReport(data);
    for (const tag of ['section', 'svg', 'table', 'details', 'figure', 'g', 'tr']) {
      const opened = html.match(new RegExp(`<${tag}[\\s>]`, 'g'))?.length ?? 0;
      const closed = html.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect([tag, opened]).toEqual([tag, closed]);
    }
  });
});

describe('prettyJson', () => {
  it('writes cycles and bigints instead of throwing', () => {
    const value: Record<string, unknown> = { n: 10n };
    value.self = value;
    expect(prettyJson(value)).toContain('"self": "[circular or repeated]"');
    expect(prettyJson(value)).toContain('"n": "10"');
    expect(prettyJson(undefined)).toBe('undefined');
  });
});
