// The StartRunRequest of a run: task, setting, dataset references (absolute paths: services read
// them from their own file system), service addresses and the configuration.
import { join, resolve } from 'node:path';
import { DatasetRef_Format, Setting, StartRunRequest, type RunConfig, type ServiceEndpoints, type TaskSpec } from '@fmwiss/contracts';
import { TASK_NAMES } from '@fmwiss/datasets';
import { parseSteps } from './value-parsers';

export const SETTING_NAMES = ['overlap', 'disjoint'] as const;
export type SettingName = (typeof SETTING_NAMES)[number];
export const SETTINGS: Record<SettingName, Setting> = { overlap: Setting.SETTING_OVERLAP, disjoint: Setting.SETTING_DISJOINT };

export const FORMAT_NAMES = ['voc', 'coco', 'manifest'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];
const FORMATS: Record<FormatName, DatasetRef_Format> = {
  voc: DatasetRef_Format.FORMAT_VOC,
  coco: DatasetRef_Format.FORMAT_COCO,
  manifest: DatasetRef_Format.FORMAT_MANIFEST,
};

/** The embedded benchmark's VOC root, relative to the workspace. */
export const BENCHMARK_DIR = 'data/fmwiss-world';
export const BENCHMARK_VOC_ROOT = join(BENCHMARK_DIR, 'VOCdevkit', 'VOC2012');

/** A named protocol task, or "custom" with "/"-separated steps ("1-10/11-15/16-20"). */
export function taskSpec(task: string, steps: string | undefined): TaskSpec {
  if (task === 'custom') {
    if (!steps) throw new Error('--task custom needs --steps, e.g. --steps 1-10/11-15/16-20');
    return { name: '', steps: parseSteps(steps, '--steps').map((classIds) => ({ classIds })) };
  }
  if (steps) throw new Error(`--steps is for --task custom only (got --task ${task})`);
  if (!TASK_NAMES.includes(task)) throw new Error(`--task: unknown task "${task}"; known: ${TASK_NAMES.join(', ')}, or custom with --steps`);
  return { name: task, steps: [] };
}

/** A task in words: its name, or the classes of each custom step. */
export function taskLabel(task: TaskSpec): string {
  return task.name || `custom ${task.steps.map((s) => s.classIds.join(',')).join(' / ')}`;
}

export interface DataOptions {
  format: FormatName;
  /** The dataset root (for VOC: the folder holding JPEGImages). */
  root: string;
  /** A list of training image ids; unset: the whole `trainSplit`. */
  trainList?: string;
  valList?: string;
  trainSplit: string;
  valSplit: string;
}

/** Training and validation DatasetRefs with absolute paths (relative ones resolved against `cwd`). */
export function datasetRefs(data: DataOptions, cwd: string): { train: DatasetRefLike; val: DatasetRefLike } {
  const ref = (list: string | undefined, split: string): DatasetRefLike => ({
    format: FORMATS[data.format],
    root: resolve(cwd, data.root),
    listPath: list ? resolve(cwd, list) : '',
    listSha256: '',
    split: list ? '' : split,
  });
  return { train: ref(data.trainList, data.trainSplit), val: ref(data.valList, data.valSplit) };
}

type DatasetRefLike = NonNullable<StartRunRequest['trainData']>;

export interface RunRequestParts {
  runId?: string;
  task: TaskSpec;
  setting: SettingName;
  train: DatasetRefLike;
  val: DatasetRefLike;
  services?: Partial<ServiceEndpoints>;
  config: RunConfig;
  outputDir?: string;
}

export function startRunRequest(parts: RunRequestParts): StartRunRequest {
  return StartRunRequest.fromPartial({
    runId: parts.runId ?? '',
    task: parts.task,
    setting: SETTINGS[parts.setting],
    trainData: parts.train,
    valData: parts.val,
    services: { clipMask: '', seedRefiner: '', memoryBank: '', trainer: '', ...parts.services },
    config: parts.config,
    outputDir: parts.outputDir ?? '',
  });
}
