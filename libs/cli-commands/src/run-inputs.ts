// Turning the flags that `run` and `ablate` share into the parts of a StartRunRequest: the task, the
// dataset (with the seeded training subset), the configuration (preset < --config-json < flags).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RunConfig, type TaskSpec } from '@fmwiss/contracts';
import { usageProblem, type CommandInfo } from './command-args';
import type { CliIo } from './cli-io';
import type { CommandDeps } from './deps';
import { knobsOf, serviceFlagProblems, type ServiceFlags } from './flags';
import { PRESETS, presetKnobs, type TrainingPreset } from './presets';
import { applyKnobs, runConfigFromJson, type RunKnobs } from './run-config';
import { BENCHMARK_VOC_ROOT, datasetRefs, taskSpec, type DataOptions, type FormatName, type SettingName } from './run-request';
import { writeTrainSubset } from './train-subset';

export interface SharedRunFlags extends ServiceFlags {
  task: string;
  steps?: string;
  setting: SettingName;
  data?: string;
  format: FormatName;
  trainList?: string;
  valList?: string;
  trainSplit: string;
  valSplit: string;
  maxTrainImages?: number;
  configJson?: string;
  preset: string;
  workDir: string;
}

export interface RunInputs {
  task: TaskSpec;
  setting: SettingName;
  data: ReturnType<typeof datasetRefs>;
  config: RunConfig;
  knobs: RunKnobs;
  workDir: string;
  preset?: TrainingPreset;
  /** Set when a training subset was written. */
  subset?: { path: string; images: number; of: number };
}

/** Plain-object deep merge: `over`'s defined values win, arrays and scalars replace. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (base === null || over === null || typeof base !== 'object' || typeof over !== 'object' || Array.isArray(base) || Array.isArray(over)) return over;
  const merged: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(over as Record<string, unknown>)) merged[key] = deepMerge(merged[key], value);
  return merged;
}

function readConfigJson(text: string, cwd: string): RunConfig {
  const inline = text.trim().startsWith('{');
  const source = inline ? '--config-json' : `--config-json ${text}`;
  const json = inline ? text : readFileSync(resolve(cwd, text), 'utf8');
  return runConfigFromJson(json, source);
}

/** Validates the shared flags (UsageError on a problem) and prepares the request parts. */
export async function runInputs(flags: SharedRunFlags, info: CommandInfo, io: CliIo, deps: CommandDeps): Promise<RunInputs> {
  const problem = (message: string) => usageProblem(info, message);
  const serviceProblems = serviceFlagProblems(flags);
  if (serviceProblems.length > 0) throw problem(`invalid arguments:\n${serviceProblems.map((p) => `  - ${p}`).join('\n')}`);
  let task: TaskSpec;
  try {
    task = taskSpec(flags.task, flags.steps);
  } catch (error) {
    throw problem((error as Error).message);
  }
  let preset: TrainingPreset | undefined;
  if (flags.preset !== 'none') {
    preset = PRESETS[flags.preset];
    if (!preset) throw problem(`--preset: unknown preset "${flags.preset}"; known: none, ${Object.keys(PRESETS).join(', ')}`);
  }
  let jsonConfig: RunConfig | undefined;
  if (flags.configJson) {
    try {
      jsonConfig = readConfigJson(flags.configJson, io.cwd);
    } catch (error) {
      throw problem((error as Error).message);
    }
  }
  const knobs = knobsOf(flags as unknown as Record<string, unknown>);
  const presetConfig = preset ? applyKnobs(RunConfig.fromPartial({}), presetKnobs(preset)) : RunConfig.fromPartial({});
  const config = applyKnobs(RunConfig.fromPartial(deepMerge(presetConfig, jsonConfig) as RunConfig), knobs);

  const workDir = resolve(io.cwd, flags.workDir);
  const dataOptions: DataOptions = {
    format: flags.format,
    root: flags.data ? resolve(io.cwd, flags.data) : join(deps.root, BENCHMARK_VOC_ROOT),
    trainList: flags.trainList,
    valList: flags.valList,
    trainSplit: flags.trainSplit,
    valSplit: flags.valSplit,
  };
  if (!flags.coordinator && !existsSync(dataOptions.root)) {
    const hint = flags.data ? '' : ' (generate the embedded benchmark with `npm run gen:benchmark`, or run `fmwiss demo`)';
    throw problem(`--data: no dataset at ${dataOptions.root}${hint}`);
  }
  // A subset needs a list to draw from: a VOC split or --train-list (the preset's cap is skipped otherwise).
  const canDraw = flags.format === 'voc' || flags.trainList !== undefined;
  if (flags.maxTrainImages && !canDraw) throw problem('--max-train-images needs --format voc or a --train-list to draw from');
  const maxTrainImages = flags.maxTrainImages ?? (canDraw ? preset?.maxTrainImages : 0) ?? 0;
  let subset: RunInputs['subset'];
  if (maxTrainImages > 0) {
    subset = await writeTrainSubset({
      listPath: flags.trainList ? resolve(io.cwd, flags.trainList) : undefined,
      vocRoot: dataOptions.root,
      split: flags.trainSplit,
      count: maxTrainImages,
      seed: config.baseHyperparameters?.seed ?? 0,
      outDir: join(workDir, 'lists'),
    });
    if (subset) dataOptions.trainList = subset.path;
  }
  return { task, setting: flags.setting, data: datasetRefs(dataOptions, io.cwd), config, knobs, workDir, preset, subset };
}
