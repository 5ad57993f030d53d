// fmwiss run: one run of a task with the method or a baseline, through a coordinator (remote, or
// started here with the services it needs), with live progress and the final table.
import { resolve } from 'node:path';
import { resultsTable } from '@fmwiss/run-report';
import { z } from 'zod';
import type { CliIo } from '../cli-io';
import { parseCommandArgs, type CommandInfo } from '../command-args';
import type { CommandDeps } from '../deps';
import { ExitCode } from '../exit-codes';
import { dataShape, knobShape, serviceShape, taskShape } from '../flags';
import { describeSizes, presetKnobs } from '../presets';
import { METHOD_LABELS, METHOD_NAMES, methodConfig } from '../run-config';
import { runInputs, type RunInputs } from '../run-inputs';
import { newRunId, type RunPlan } from '../run-plans';
import { startRunRequest, taskLabel } from '../run-request';
import type { RunResult } from '../run-results';
import { runSession } from '../run-session';

export const runSchema = z.object({
  ...taskShape,
  method: z.enum(METHOD_NAMES).default('fmwiss').describe('fmwiss: the method (image-level labels at later steps); finetune: the lower bound; joint: the upper bound.'),
  ...dataShape,
  runId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/).optional().describe('The run id (1-128 of [A-Za-z0-9._-]); default: run-<time>-<method>. The same id and request return the existing run.'),
  label: z.string().optional().describe('The run\'s name in tables and the report.'),
  configJson: z.string().optional().describe('A RunConfig as proto3 JSON: a file, or inline JSON starting with "{" (proto/fmwiss/v1/pipeline.proto). Flags override it.'),
  preset: z.string().default('none').describe('Training sizes to start from: none (the services\' defaults) or demo (the demo\'s sizes). --config-json and flags override it.'),
  ...knobShape,
  ...serviceShape,
  workDir: z.string().default('runs/cli').describe('Work folder of services started here: memory-bank/, trainer/, runs/ (run folders), logs/, lists/.'),
  outputDir: z.string().optional().describe('Where the coordinator creates the run folder (default: its runs folder).'),
});

export const RUN_INFO: CommandInfo = {
  name: 'run',
  summary: 'run a task with the method or a baseline; print progress and the old / new / all table',
  description:
    'Runs one incremental task (every step: pseudo labels for weak steps, training, evaluation) through a coordinator. Without --coordinator, the services the run needs are started here as child processes on 127.0.0.1 (--port 0), with state under --work-dir, and stopped at the end; --clip-mask, --seed-refiner, --memory-bank and --trainer use running services instead. Ctrl-C cancels the run.',
  synopsis: [
    'run [--task 15-5 | --task custom --steps 1-10/11-20] [--setting overlap|disjoint] [--data ROOT] [--method fmwiss|finetune|joint] [options]',
    'run --coordinator HOST:PORT [--clip-mask HOST:PORT ...] [options]',
  ],
  examples: [
    'fmwiss run --task 15-5 --setting overlap --method fmwiss --preset demo',
    'fmwiss run --method joint --data /data/VOCdevkit/VOC2012 --base-epochs 30 --batch-size 16',
    'fmwiss run --fusion intersection --seeds 27 --contrastive-weight 0 --label "intersection, N 27, lambda 0"',
    'fmwiss run --config-json run-config.json --clip-image-model onnx:exported/clip-image.onnx --clip-text-model onnx:exported/clip-text.onnx --vit-model onnx:exported/dino.onnx',
    'fmwiss run --coordinator 10.0.0.5:50055 --data /shared/VOC2012',
  ],
};

/** Prints the table and where each run's files are. */
export function printRunSummary(io: CliIo, results: RunResult[]): void {
  const say = (line = '') => io.stdout.write(`${line}\n`);
  say();
  say(resultsTable(results.map((r) => r.row), 'text'));
  say();
  for (const result of results) {
    if (!result.succeeded) say(`${result.label}: FAILED: ${result.error ?? 'unknown error'}`);
    if (result.run?.runDir) say(`${result.label}: run folder ${result.runDir ?? result.run.runDir}${result.runDir ? '' : ' (not on this machine)'}`);
    if (result.reportPath) say(`  report:  ${result.reportPath}`);
    if (result.metricsPath) say(`  metrics: ${result.metricsPath}`);
  }
}

export function describeInputs(inputs: RunInputs): string {
  const train = inputs.subset ? `${inputs.subset.images} of ${inputs.subset.of} training images (${inputs.subset.path})` : inputs.data.train.listPath || `split ${inputs.data.train.split}`;
  return `task ${taskLabel(inputs.task)} ${inputs.setting}; data ${inputs.data.train.root} (${train})`;
}

export async function runCommand(argv: readonly string[], io: CliIo, deps: CommandDeps): Promise<number> {
  const parsed = parseCommandArgs(runSchema, argv, RUN_INFO, io.env);
  if ('help' in parsed) {
    io.stdout.write(parsed.help);
    return ExitCode.OK;
  }
  const flags = parsed.values;
  const inputs = await runInputs(flags, RUN_INFO, io, deps);
  const label = flags.label ?? METHOD_LABELS[flags.method];
  const config = methodConfig(inputs.config, flags.method, label);
  io.stdout.write(`fmwiss run: ${label}; ${describeInputs(inputs)}\n`);
  if (inputs.preset) {
    io.stdout.write(`preset ${inputs.preset.name}: ${describeSizes({ ...presetKnobs(inputs.preset), ...inputs.knobs }, inputs.subset?.images ?? 0)}\n`);
  }
  const runId = flags.runId ?? newRunId('run', flags.method, deps.now());
  const results = await runSession({
    io,
    deps,
    given: flags,
    workDir: inputs.workDir,
    clipImageModel: flags.clipImageModel,
    clipTextModel: flags.clipTextModel,
    vitModel: flags.vitModel,
    needMasks: flags.method === 'fmwiss',
    plans: (services): RunPlan[] => [
      {
        key: flags.method,
        label,
        request: startRunRequest({
          runId,
          task: inputs.task,
          setting: inputs.setting,
          train: inputs.data.train,
          val: inputs.data.val,
          services: services.endpoints,
          config,
          outputDir: flags.outputDir ? resolve(io.cwd, flags.outputDir) : undefined,
        }),
      },
    ],
    report: (results) => printRunSummary(io, results),
  });
  return results.every((r) => r.succeeded) ? ExitCode.OK : ExitCode.FAILED;
}
