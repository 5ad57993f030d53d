// What a finished run gives the CLI: its old / new / all row (from metrics.json, or from the run's
// last evaluation when the run folder is not readable here), the paths of metrics.json and
// report.html, and the comparison with the baselines in words.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { RunState, type Run } from '@fmwiss/contracts';
import { resultRowFromMetrics, type MetricsFile, type ResultRow } from '@fmwiss/run-report';
import type { PlanOutcome } from './run-plans';

export interface RunResult {
  key: string;
  label: string;
  succeeded: boolean;
  row: ResultRow;
  run?: Run;
  metrics?: MetricsFile;
  /** The run folder as this machine sees it, when it exists here. */
  runDir?: string;
  metricsPath?: string;
  reportPath?: string;
  error?: string;
}

/** A run's row from its last evaluation (steps in order), for when metrics.json cannot be read. */
export function rowFromRun(run: Run, label: string): ResultRow {
  const evaluated = [...run.steps].sort((a, b) => a.step - b.step).filter((s) => s.evaluation !== undefined);
  const last = evaluated[evaluated.length - 1]?.evaluation;
  return { label, miouOld: last?.miouOld ?? null, miouNew: last?.miouNew ?? null, miouAll: last?.miouAll ?? null };
}

async function readMetrics(path: string): Promise<MetricsFile | undefined> {
  try {
    const metrics = JSON.parse(await readFile(path, 'utf8')) as MetricsFile;
    return metrics && typeof metrics === 'object' && metrics.final ? metrics : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The result of one plan. `baseDir` resolves a relative run folder (the coordinator's working
 * folder: the workspace root for services the CLI started).
 */
export async function runResult(outcome: PlanOutcome, baseDir: string): Promise<RunResult> {
  const { plan, run } = outcome;
  const succeeded = run?.state === RunState.RUN_STATE_SUCCEEDED;
  const result: RunResult = {
    key: plan.key,
    label: plan.label,
    succeeded,
    run,
    error: outcome.error,
    row: run ? rowFromRun(run, plan.label) : { label: plan.label, miouOld: null, miouNew: null, miouAll: null },
  };
  if (run?.runDir) {
    const runDir = isAbsolute(run.runDir) ? run.runDir : resolve(baseDir, run.runDir);
    if (existsSync(runDir)) {
      result.runDir = runDir;
      const metricsPath = join(runDir, 'metrics.json');
      const metrics = succeeded ? await readMetrics(metricsPath) : undefined;
      if (metrics) {
        result.metrics = metrics;
        result.metricsPath = metricsPath;
        result.row = resultRowFromMetrics(metrics, { label: plan.label });
      }
      if (existsSync(join(runDir, 'report.html'))) result.reportPath = join(runDir, 'report.html');
    }
  }
  if (!succeeded) result.row = { label: plan.label, miouOld: null, miouNew: null, miouAll: null, note: `failed: ${firstLine(outcome.error ?? 'no result')}` };
  return result;
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}

const known = (value: number | null | undefined): value is number => typeof value === 'number' && Number.isFinite(value);
const points = (a: number, b: number) =>
  Math.abs(a - b) < 0.0005 ? 'level with' : `${(Math.abs(a - b) * 100).toFixed(1)} points ${a > b ? 'above' : 'below'}`;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** The method against the baselines, in words, on mIoU over all classes. */
export function gapSentences(method: ResultRow, joint?: ResultRow, finetune?: ResultRow): string[] {
  if (!known(method.miouAll)) return [`${method.label} has no final mIoU to compare.`];
  const sentences: string[] = [];
  const parts: string[] = [];
  if (joint && known(joint.miouAll)) parts.push(`${points(method.miouAll, joint.miouAll)} joint training (${pct(joint.miouAll)}, the upper bound)`);
  if (finetune && known(finetune.miouAll)) parts.push(`${points(method.miouAll, finetune.miouAll)} fine-tuning (${pct(finetune.miouAll)}, the lower bound)`);
  sentences.push(`${method.label} reaches ${pct(method.miouAll)} mIoU over all classes${parts.length > 0 ? `: ${parts.join(', and ')}` : ''}.`);
  if (joint && finetune && known(joint.miouAll) && known(finetune.miouAll) && joint.miouAll > finetune.miouAll) {
    const closed = (method.miouAll - finetune.miouAll) / (joint.miouAll - finetune.miouAll);
    sentences.push(`It closes ${(closed * 100).toFixed(0)}% of the gap between fine-tuning and joint training.`);
  }
  return sentences;
}
