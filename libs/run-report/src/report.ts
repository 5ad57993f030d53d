// report.html: one self-contained HTML file (inline CSS and SVG, images as data: URLs, no script).
import { VOC_PALETTE } from '@fmwiss/imaging';
import { barChartSvg, type Bar, type BarGroup } from './bar-chart';
import { categoricalColour, paletteCss, viridisCssGradient } from './colour-maps';
import { escapeHtml, formatDuration, formatPercent, formatPointDifference, isDefined, MISSING } from './format';
import { lossCurveSvg, lossTerms } from './loss-curves';
import type { EvaluationSummaryJSON, Fraction, ReportData, ReportPanel } from './types';

type Step = ReportData['steps'][number];
interface ClassInfo {
  id: number;
  name: string;
  /** The step that learned the class (0 for background and base classes). */
  step: number;
}

/**
 * Renders a run's report. Every text from the data (names, labels, ids, configuration) is escaped;
 * images are inlined as data: URLs; a Content-Security-Policy forbids scripts and every network
 * request, so the file opens the same offline. Missing parts (no baselines, no weak step, no loss
 * values, no samples) get a line saying so; undefined figures (NaN / null, absent classes) show "–".
 */
export function renderReport(data: ReportData): string {
  const steps = [...data.steps].sort((a, b) => a.step - b.step);
  const classes = classInfo(data, steps);
  const body = [
    header(data),
    resultsSection(data, steps, classes),
    classIouSection(steps, classes),
    lossSection(data),
    samplesSection(data, classes),
    pseudoLabelSection(data, classes),
    configurationSection(data),
    '<footer>Written by fmwiss run-report: this file is self-contained (no script, no network).</footer>',
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; }
h1 { margin-bottom: 4px; } h2 { margin-top: 32px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
dl.meta dt { color: #666; } dl.meta dd { margin: 0; }
table { border-collapse: collapse; margin: 8px 0 16px; }
th, td { padding: 3px 10px; border-bottom: 1px solid #e3e3e3; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.run td { font-weight: bold; background: #f3f7fc; }
.muted { color: #666; } .small { font-size: 12px; }
svg.chart { max-width: 100%; height: auto; display: block; margin: 8px 0; }
.swatches { display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 6px 0; }
.ramp { display: inline-block; width: 120px; height: 10px; vertical-align: middle; border: 1px solid #999; }
.swatch { display: inline-block; width: 12px; height: 12px; border: 1px solid #999; vertical-align: middle; margin-right: 4px; }
.sample { margin: 14px 0; } .sample h3 { margin: 0 0 4px; font-size: 14px; }
.panels { display: flex; flex-wrap: wrap; gap: 8px; }
.panels figure { margin: 0; text-align: center; }
.panels img { width: 160px; height: auto; image-rendering: pixelated; border: 1px solid #ccc; display: block; }
.panels figcaption { font-size: 12px; color: #444; max-width: 160px; }
section.diagnostic { border: 2px dashed #c98b2b; background: #fffaf0; padding: 4px 16px 12px; margin-top: 32px; }
section.diagnostic h2 { border: none; }
details pre { background: #f6f6f6; padding: 10px; overflow: auto; max-height: 600px; }
footer { margin-top: 40px; color: #888; font-size: 12px; }
`;

/** Every class with its name and the step that learned it: from data.classes, else the evaluations and step lists. */
function classInfo(data: ReportData, steps: Step[]): Map<number, ClassInfo> {
  const info = new Map<number, ClassInfo>();
  for (const c of data.classes) info.set(c.id, { id: c.id, name: c.name, step: c.step });
  for (const step of steps) {
    for (const id of step.classIds) if (!info.has(id)) info.set(id, { id, name: `class ${id}`, step: step.step });
    for (const score of step.evaluation.classes) {
      const known = info.get(score.classId);
      if (!known) info.set(score.classId, { id: score.classId, name: score.name, step: score.classId === 0 ? 0 : step.step });
      else if (known.name === `class ${score.classId}` && score.name) known.name = score.name;
    }
  }
  if (!info.has(0)) info.set(0, { id: 0, name: 'background', step: 0 });
  return info;
}

const className = (classes: Map<number, ClassInfo>, id: number) => classes.get(id)?.name ?? `class ${id}`;

function header(data: ReportData): string {
  const rows: Array<[string, string]> = [
    ['task', data.task],
    ['setting', data.setting],
    ['method', data.method],
    ['label', data.label],
    ['run id', data.runId],
    ['date', data.createdAt],
  ];
  return [
    '<header>',
    `<h1>${escapeHtml(data.title)}</h1>`,
    '<dl class="meta">',
    ...rows.map(([key, value]) => `<dt>${key}</dt><dd>${escapeHtml(value)}</dd>`),
    '</dl>',
    '</header>',
  ].join('\n');
}

/** A table cell holding a fraction as a percentage. */
const percentCell = (value: Fraction | undefined) => `<td class="num">${formatPercent(value)}</td>`;

function resultsSection(data: ReportData, steps: Step[], classes: Map<number, ClassInfo>): string {
  const final = steps.at(-1)?.evaluation;
  const out: string[] = ['<section id="results">', '<h2>Results: mIoU old / new / all</h2>'];
  out.push(
    `<p class="muted">After the last step${final ? ` (step ${steps.at(-1)!.step}, ${final.images} validation images)` : ''}, in percent. ` +
      '"old": the step-0 classes without background; "new": the classes added later; "all": every class with background.</p>',
  );
  out.push(
    '<table class="results">',
    '<thead><tr><th>method</th><th class="num">mIoU old</th><th class="num">mIoU new</th><th class="num">mIoU all</th><th class="num">all vs this run</th><th>note</th></tr></thead>',
    '<tbody>',
    `<tr class="run"><td>${escapeHtml(data.label || data.method)}</td>${percentCell(final?.miouOld)}${percentCell(final?.miouNew)}${percentCell(final?.miouAll)}<td class="num"></td><td>this run${final ? '' : ': no step evaluated'}</td></tr>`,
  );
  for (const row of data.baselines) {
    out.push(
      `<tr><td>${escapeHtml(row.label)}</td>${percentCell(row.miouOld)}${percentCell(row.miouNew)}${percentCell(row.miouAll)}` +
        `<td class="num">${formatPointDifference(row.miouAll, final?.miouAll)}</td><td>${escapeHtml(row.note ?? '')}</td></tr>`,
    );
  }
  out.push('</tbody>', '</table>');
  if (data.baselines.length === 0) out.push('<p class="muted">No baselines were given for this run.</p>');

  out.push('<h3>Per step</h3>');
  if (steps.length === 0) {
    out.push('<p class="muted">No step has been evaluated.</p>');
  } else {
    out.push(
      '<table class="steps">',
      '<thead><tr><th class="num">step</th><th>classes learned</th><th class="num">training images</th><th class="num">training time</th>' +
        '<th class="num">mIoU old</th><th class="num">mIoU new</th><th class="num">mIoU all</th><th class="num">pixel accuracy</th></tr></thead>',
      '<tbody>',
    );
    for (const step of steps) {
      const e = step.evaluation;
      const names = step.classIds.map((id) => className(classes, id)).join(', ');
      out.push(
        `<tr><td class="num">${step.step}</td><td>${escapeHtml(describeIds(step.classIds))} <span class="muted small">${escapeHtml(names)}</span></td>` +
          `<td class="num">${step.images}</td><td class="num">${formatDuration(step.trainingSeconds)}</td>` +
          `${percentCell(e.miouOld)}${percentCell(e.miouNew)}${percentCell(e.miouAll)}${percentCell(e.pixelAccuracy)}</tr>`,
      );
    }
    out.push('</tbody>', '</table>');
  }
  out.push('</section>');
  return out.join('\n');
}

/** Class ids as ranges: [16,17,18,19,20] -> "16-20", [1,3,4] -> "1, 3-4". */
function describeIds(ids: number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(', ');
}

/** IoU of a class in an evaluation: undefined when the class is absent from its ground truth or not in it. */
function iouOf(evaluation: EvaluationSummaryJSON, classId: number): Fraction | undefined {
  const score = evaluation.classes.find((c) => c.classId === classId);
  if (!score) return undefined;
  return score.present === false ? null : score.iou;
}

function classIouSection(steps: Step[], classes: Map<number, ClassInfo>): string {
  const out: string[] = ['<section id="class-iou">', '<h2>IoU per class</h2>'];
  const final = steps.at(-1);
  if (!final || final.evaluation.classes.length === 0) {
    out.push('<p class="muted">No evaluation with per-class IoU.</p>', '</section>');
    return out.join('\n');
  }
  const ids = final.evaluation.classes.map((c) => c.classId);
  const stepOf = (id: number) => classes.get(id)?.step ?? 0;
  const barOf = (id: number): Bar => {
    const learned = stepOf(id);
    const value = iouOf(final.evaluation, id) ?? null;
    const name = className(classes, id);
    return {
      label: name,
      value,
      colour: id === 0 ? '#9a9a9a' : categoricalColour(learned),
      tooltip: `${name} (id ${id}, learned at step ${learned}): ${isDefined(value) ? `${formatPercent(value)}%` : 'absent from the validation ground truth'}`,
    };
  };
  const groups: BarGroup[] = [
    { title: 'background', bars: ids.filter((id) => id === 0).map(barOf) },
    { title: 'old classes (step 0)', bars: ids.filter((id) => id !== 0 && stepOf(id) === 0).map(barOf) },
    { title: 'new classes (later steps)', bars: ids.filter((id) => id !== 0 && stepOf(id) > 0).map(barOf) },
  ].filter((g) => g.bars.length > 0);
  const learnedSteps = [...new Set(ids.filter((id) => id !== 0).map(stepOf))].sort((a, b) => a - b);
  out.push(
    `<p class="muted">After step ${final.step}, in percent; bars coloured by the step that learned the class; "${MISSING}": the class does not occur in the validation ground truth.</p>`,
    `<div class="swatches">${learnedSteps.map((s) => `<span><span class="swatch" style="background:${categoricalColour(s)}"></span>step ${s}</span>`).join('')}</div>`,
    barChartSvg(groups, `IoU per class after step ${final.step}`),
  );
  if (steps.length > 1) {
    out.push(
      '<details><summary>IoU of every class after each step (forgetting)</summary>',
      '<table class="class-steps">',
      `<thead><tr><th>class</th><th class="num">learned at step</th>${steps.map((s) => `<th class="num">after step ${s.step}</th>`).join('')}</tr></thead>`,
      '<tbody>',
      ...ids.map(
        (id) =>
          `<tr><td>${escapeHtml(className(classes, id))}</td><td class="num">${stepOf(id)}</td>` +
          steps.map((s) => (s.evaluation.classes.some((c) => c.classId === id) ? percentCell(iouOf(s.evaluation, id)) : '<td class="num"></td>')).join('') +
          '</tr>',
      ),
      '</tbody>',
      '</table>',
      '</details>',
    );
  }
  out.push('</section>');
  return out.join('\n');
}

function lossSection(data: ReportData): string {
  const out: string[] = ['<section id="losses">', '<h2>Loss curves</h2>'];
  const curves = [...data.lossCurves].sort((a, b) => a.step - b.step);
  if (curves.length === 0) {
    out.push('<p class="muted">No training progress was recorded.</p>', '</section>');
    return out.join('\n');
  }
  const allTerms: string[] = [];
  for (const curve of curves) for (const term of lossTerms(curve.points)) if (!allTerms.includes(term)) allTerms.push(term);
  const colourOf = (term: string) => categoricalColour(allTerms.indexOf(term));
  out.push('<p class="muted">One line per loss term over the iterations of each step; shaded bands and dashed lines mark the training phases.</p>');
  for (const curve of curves) {
    out.push(`<h3>Step ${curve.step}</h3>`);
    if (curve.points.length === 0) {
      out.push(`<p class="muted">No loss values were recorded for step ${curve.step}.</p>`);
      continue;
    }
    out.push(lossCurveSvg(curve.step, curve.points, colourOf));
    const rates = curve.points.map((p) => p.learningRate).filter((r) => Number.isFinite(r));
    if (rates.length > 0) {
      out.push(
        `<p class="muted small">${curve.points.length} progress points; learning rate from ${formatRate(rates[0]!)} to ${formatRate(rates.at(-1)!)}.</p>`,
      );
    }
  }
  out.push('</section>');
  return out.join('\n');
}

const formatRate = (rate: number) => (rate === 0 ? '0' : rate.toExponential(2));

/** A data: URL for an image's bytes (PNG; JPEG recognised by its signature). */
export function imageDataUrl(bytes: Uint8Array): string {
  const jpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  const base64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return `data:image/${jpeg ? 'jpeg' : 'png'};base64,${base64}`;
}

function panelFigure(panel: ReportPanel, imageId: string): string {
  const title = escapeHtml(panel.title);
  return `<figure><img src="${imageDataUrl(panel.png)}" alt="${title} of ${escapeHtml(imageId)}"><figcaption>${title}</figcaption></figure>`;
}

function samplesSection(data: ReportData, classes: Map<number, ClassInfo>): string {
  const out: string[] = ['<section id="samples">', '<h2>Samples</h2>'];
  if (data.samples.length === 0) {
    out.push('<p class="muted">No sample images.</p>', '</section>');
    return out.join('\n');
  }
  const ids = [...classes.keys()].filter((id) => id >= 0 && id < 256).sort((a, b) => a - b);
  out.push(
    '<p class="muted">Per validation image, side by side: the image, the CLIP initial mask M_init, the seed attention map, the fused pseudo mask, ' +
      'the teacher output, the student prediction and the ground truth (shown for comparison; the method never reads it at weak steps). Label colours:</p>',
    `<div class="swatches small">${[...ids, 255]
      .map((id) => `<span><span class="swatch" style="background:${paletteCss(VOC_PALETTE, id)}"></span>${escapeHtml(id === 255 ? 'ignore' : className(classes, id))}</span>`)
      .join('')}</div>`,
    `<p class="muted small">Heat maps (M_init, seed map): 0 <span class="ramp" style="background:${viridisCssGradient()}"></span> 1.</p>`,
  );
  for (const sample of data.samples) {
    out.push(
      '<div class="sample">',
      `<h3>${escapeHtml(sample.imageId)}</h3>`,
      `<div class="panels">${sample.panels.map((panel) => panelFigure(panel, sample.imageId)).join('')}</div>`,
      '</div>',
    );
  }
  out.push('</section>');
  return out.join('\n');
}

function pseudoLabelSection(data: ReportData, classes: Map<number, ClassInfo>): string {
  const out: string[] = [
    '<section id="pseudo-label-quality" class="diagnostic">',
    '<h2>Diagnostic: pseudo-label quality against the hidden ground truth</h2>',
    '<p>These figures compare the pseudo labels made for the weak steps with the pixel ground truth of the same training images. ' +
      '<strong>The method never reads that ground truth</strong>: it trains on image-level labels only. The figures are a diagnostic of the ' +
      'foundation-model pseudo labels and take no part in training or in the results above.</p>',
  ];
  if (data.pseudoLabelQuality.length === 0) {
    out.push('<p class="muted">No weak step in this run, so no pseudo labels to check.</p>', '</section>');
    return out.join('\n');
  }
  for (const quality of [...data.pseudoLabelQuality].sort((a, b) => a.step - b.step)) {
    out.push(
      `<h3>Step ${quality.step}: mIoU ${formatPercent(quality.miou)} over ${quality.images} images</h3>`,
      '<table class="pseudo-quality">',
      '<thead><tr><th>class</th><th class="num">IoU</th></tr></thead>',
      '<tbody>',
      ...quality.classes.map(
        (c) => `<tr><td>${escapeHtml(c.name || className(classes, c.classId))}</td>${percentCell(c.iou)}</tr>`,
      ),
      '</tbody>',
      '</table>',
    );
  }
  out.push('</section>');
  return out.join('\n');
}

/** JSON for people: 2-space indent; a cycle, a bigint or a function is written as text instead of throwing. */
export function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    const seen = new WeakSet<object>();
    const text = JSON.stringify(
      value,
      (_key, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[circular or repeated]';
          seen.add(v);
        }
        return v;
      },
      2,
    );
    return text ?? String(value);
  }
}

function configurationSection(data: ReportData): string {
  return [
    '<section id="configuration">',
    '<h2>Configuration</h2>',
    '<details><summary>The resolved configuration of the run (JSON)</summary>',
    `<pre>${escapeHtml(prettyJson(data.configuration))}</pre>`,
    '</details>',
    '</section>',
  ].join('\n');
}
