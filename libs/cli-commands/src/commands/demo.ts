// fmwiss demo: the whole method end to end on the embedded benchmark. Generates the benchmark if it
// is missing, starts the five services as child processes on 127.0.0.1, runs 15-5 overlap with the
// method and both baselines through the coordinator (joint training beside the method, fine-tuning
// once the method's step 0 is in the coordinator's cache), prints the old / new / all table and the
// gap to joint training, and stops every service.
import { join, resolve } from 'node:path';
import { RunConfig } from '@fmwiss/contracts';
import { z } from 'zod';
import { benchmarkExists } from '../benchmark';
import type { CliIo } from '../cli-io';
import { parseCommandArgs, type CommandInfo } from '../command-args';
import type { CommandDeps } from '../deps';
import { ExitCode } from '../exit-codes';
import { knobsOf } from '../flags';
import { DEMO_PRESET, describeSizes, presetKnobs, type TrainingPreset } from '../presets';
import { applyKnobs, METHOD_LABELS, methodConfig, type MethodName } from '../run-config';
import { newRunId, type RunPlan } from '../run-plans';
import { datasetRefs, startRunRequest, taskSpec } from '../run-request';
import { gapSentences, type RunResult } from '../run-results';
import { runSession } from '../run-session';
import { writeTrainSubset } from '../train-subset';
import { printRunSummary } from './run';

const presetNote = (value: number | string) => `Preset: ${value}.`;

export const demoSchema = z.object({
  workDir: z.string().default('runs/demo').describe('The demo\'s work folder: services\' state (memory-bank/, trainer/), run folders (runs/), logs/, lists/.'),
  benchmark: z.string().default('data/fmwiss-world').describe('The embedded benchmark\'s folder, relative to the workspace; generated when it holds no world.json.'),
  baseEpochs: z.int().min(1).optional().describe(`Epochs of step 0 and of joint training. ${presetNote(DEMO_PRESET.baseEpochs)}`),
  incrementalEpochs: z.int().min(1).optional().describe(`Epochs of step 1 (teacher warm-up included). ${presetNote(DEMO_PRESET.incrementalEpochs)}`),
  teacherWarmupEpochs: z.int().min(0).optional().describe(`Teacher warm-up epochs of step 1. ${presetNote(DEMO_PRESET.teacherWarmupEpochs)}`),
  maxTrainImages: z.int().min(0).optional().describe(`Training images drawn (seeded) from the benchmark's 3000; 0: all. ${presetNote(DEMO_PRESET.maxTrainImages)}`),
  maxEvalImages: z.int().min(0).optional().describe(`Validation images evaluated after each step; 0: all 500. ${presetNote(DEMO_PRESET.maxEvalImages)}`),
  imageSize: z.int().min(16).optional().describe(`Side of the model's input in pixels. ${presetNote(DEMO_PRESET.imageSize)}`),
  batchSize: z.int().min(1).optional().describe(`Images per iteration. ${presetNote(DEMO_PRESET.batchSize)}`),
  seed: z.int().min(0).optional().describe(`Seed of the subset, training and seed points. ${presetNote(DEMO_PRESET.seed)}`),
  baselines: z.boolean().default(true).describe('Also run fine-tuning and joint training (--no-baselines: the method alone).'),
  keepServices: z.boolean().default(false).describe('Leave the services running after the table (until Ctrl-C), e.g. for fmwiss eval --trainer.'),
  clipImageModel: z.string().optional().describe('CLIP image model URI (default: the shipped models/mini-clip).'),
  clipTextModel: z.string().optional().describe('CLIP text model URI (default: the shipped models/mini-clip).'),
  vitModel: z.string().optional().describe('Self-supervised ViT model URI (default: the shipped models/mini-dino).'),
});

export const DEMO_INFO: CommandInfo = {
  name: 'demo',
  summary: 'the method end to end on the embedded benchmark (15-5 overlap, beside both baselines)',
  description:
    'Generates the embedded benchmark if it is missing (data/fmwiss-world), starts clip-mask, seed-refiner (with the shipped models in models/), memory-bank, trainer and coordinator as child processes on 127.0.0.1, runs the 15-5 overlap task with the method (image-level labels at step 1) and the two baselines with pixel labels (joint training, the upper bound; fine-tuning, the lower bound), prints the old / new / all table and the gap to joint training, says where report.html and metrics.json are, and stops every service (also on Ctrl-C or a failure). The training sizes come from the demo preset (DEMO_PRESET), sized for 20 minutes on 2 cores; the main ones can be overridden.',
  synopsis: ['demo [--work-dir runs/demo] [--base-epochs N] [--incremental-epochs N] [--max-eval-images N] [--seed N] [--keep-services] [options]'],
  examples: ['npm run fmwiss -- demo', 'fmwiss demo --base-epochs 8 --incremental-epochs 8 --max-train-images 0', 'fmwiss demo --no-baselines --keep-services'],
};

/** The demo's runs: the method first; joint training at once beside it; fine-tuning after the method's step 0. */
export function demoPlans(options: {
  preset: TrainingPreset;
  config: RunConfig;
  data: ReturnType<typeof datasetRefs>;
  endpoints: Parameters<typeof startRunRequest>[0]['services'];
  baselines: boolean;
  now: Date;
}): RunPlan[] {
  const task = taskSpec(options.preset.task, undefined);
  const plan = (method: MethodName, after?: RunPlan['after']): RunPlan => ({
    key: method,
    label: METHOD_LABELS[method],
    after,
    request: startRunRequest({
      runId: newRunId('demo', method, options.now),
      task,
      setting: options.preset.setting,
      train: options.data.train,
      val: options.data.val,
      services: options.endpoints,
      config: methodConfig(options.config, method),
    }),
  });
  const plans = [plan('fmwiss')];
  if (options.baselines) plans.push(plan('joint'), plan('finetune', { key: 'fmwiss', step: 0 }));
  return plans;
}

/** Rows in the order method, fine-tuning, joint; the method's gap to the baselines in words. */
export function printDemoSummary(io: CliIo, results: RunResult[]): void {
  const byKey = new Map(results.map((r) => [r.key, r]));
  const ordered = (['fmwiss', 'finetune', 'joint'] as const).map((k) => byKey.get(k)).filter((r): r is RunResult => r !== undefined);
  printRunSummary(io, ordered);
  const method = byKey.get('fmwiss');
  if (method?.succeeded) {
    const sentences = gapSentences(method.row, byKey.get('joint')?.succeeded ? byKey.get('joint')?.row : undefined, byKey.get('finetune')?.succeeded ? byKey.get('finetune')?.row : undefined);
    io.stdout.write(`\n${sentences.join(' ')}\n`);
  }
}

export async function demoCommand(argv: readonly string[], io: CliIo, deps: CommandDeps): Promise<number> {
  const parsed = parseCommandArgs(demoSchema, argv, DEMO_INFO, io.env);
  if ('help' in parsed) {
    io.stdout.write(parsed.help);
    return ExitCode.OK;
  }
  const flags = parsed.values;
  const preset = DEMO_PRESET;
  const say = (line = '') => io.stdout.write(`${line}\n`);
  const workDir = resolve(io.cwd, flags.workDir);
  const benchmarkDir = resolve(deps.root, flags.benchmark);
  const knobs = { ...presetKnobs(preset), ...knobsOf(flags) };
  const maxTrainImages = flags.maxTrainImages ?? preset.maxTrainImages;
  const started = Date.now();

  say(`fmwiss demo: task ${preset.task} ${preset.setting} on the embedded benchmark: ${METHOD_LABELS.fmwiss}${flags.baselines ? ' beside fine-tuning and joint training' : ''}`);
  say(`sizes (preset ${preset.name}${Object.keys(knobsOf(flags)).length > 0 || flags.maxTrainImages !== undefined ? ', with your flags' : ''}): ${describeSizes(knobs, maxTrainImages)}`);

  if (benchmarkExists(benchmarkDir)) {
    say(`benchmark: ${benchmarkDir}`);
  } else {
    say(`benchmark: generating ${benchmarkDir} (tools/benchmark-generator, about half a minute) ...`);
    await deps.generateBenchmark({ root: deps.root, outDir: benchmarkDir, signal: io.signal, onLine: (line) => say(`  ${line}`) });
  }
  const vocRoot = join(benchmarkDir, 'VOCdevkit', 'VOC2012');
  const subset = maxTrainImages > 0 ? await writeTrainSubset({ vocRoot, split: 'train', count: maxTrainImages, seed: knobs.seed ?? 0, outDir: join(workDir, 'lists') }) : undefined;
  const data = datasetRefs({ format: 'voc', root: vocRoot, trainList: subset?.path, trainSplit: 'train', valSplit: 'val' }, io.cwd);
  const config = applyKnobs(RunConfig.fromPartial({}), knobs);

  const results = await runSession({
    io,
    deps,
    given: {},
    workDir,
    clipImageModel: flags.clipImageModel,
    clipTextModel: flags.clipTextModel,
    vitModel: flags.vitModel,
    trainerJobs: preset.trainerJobs,
    coordinatorRuns: preset.coordinatorRuns,
    needMasks: true,
    keepServices: flags.keepServices,
    plans: (services) => demoPlans({ preset, config, data, endpoints: services.endpoints, baselines: flags.baselines, now: deps.now() }),
    report: (runResults) => {
      printDemoSummary(io, runResults);
      say(`\ndemo finished in ${((Date.now() - started) / 60_000).toFixed(1)} minutes; work folder ${workDir}`);
    },
  });
  return results.every((r) => r.succeeded) ? ExitCode.OK : ExitCode.FAILED;
}
