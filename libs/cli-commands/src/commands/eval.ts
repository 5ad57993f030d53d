// fmwiss eval: a checkpoint's mIoU old / new / all, pixel accuracy and per-class IoU on a dataset
// list, through TrainerService.Evaluate (a trainer at --trainer, or one started here).
import { basename, join, resolve } from 'node:path';
import { DatasetRef_Format, EvaluationResult, type EvaluateRequest } from '@fmwiss/contracts';
import { TASKS } from '@fmwiss/datasets';
import { resultsTable } from '@fmwiss/run-report';
import { serverStream } from '@fmwiss/service-kit';
import { z } from 'zod';
import type { CliIo } from '../cli-io';
import { parseCommandArgs, usageProblem, type CommandInfo } from '../command-args';
import type { CommandDeps } from '../deps';
import { requiredString } from '../flags';
import { ExitCode, InterruptedError } from '../exit-codes';
import { percent } from '../format';
import { ProgressBoard } from '../progress-board';
import { BENCHMARK_VOC_ROOT, FORMAT_NAMES } from '../run-request';
import { withTrainer } from '../trainer-access';
import { checkAddress, parseClassIds } from '../value-parsers';

export const evalSchema = z.object({
  checkpoint: requiredString().describe('A checkpoint folder (a run\'s checkpoints/step-<t>/final, or any epoch-NNN).'),
  data: z.string().optional().describe('Dataset root (VOC: the folder holding JPEGImages). Default: the embedded benchmark.'),
  format: z.enum(FORMAT_NAMES).default('voc').describe('Dataset format.'),
  list: z.string().optional().describe('A file of image ids to evaluate; default: the whole --split.'),
  split: z.string().min(1).default('val').describe('Split evaluated when no --list is given.'),
  task: z.string().min(1).default('15-5').describe('The task whose step 0 gives the "old" classes and later steps the "new" ones.'),
  baseClasses: z.string().optional().describe('The "old" classes instead of the task\'s step 0, e.g. 1-15.'),
  newClasses: z.string().optional().describe('The "new" classes instead of the task\'s later steps, e.g. 16-20.'),
  batchSize: z.int().min(1).optional().describe('Images evaluated at once (default: the trainer\'s).'),
  confusion: z.boolean().default(false).describe('Also ask for the confusion matrix (included in --json output).'),
  json: z.boolean().default(false).describe('Print the EvaluationResult as JSON instead of tables.'),
  trainer: z.string().optional().describe('host:port of a running trainer; default: one is started here and stopped afterwards.'),
  workDir: z.string().optional().describe('State and log folder of a trainer started here (default: a temporary folder).'),
});

export const EVAL_INFO: CommandInfo = {
  name: 'eval',
  summary: 'evaluate a checkpoint: mIoU old / new / all, per-class IoU',
  description:
    'Evaluates a checkpoint on a dataset list with the protocol\'s metrics (WILSS-PROTOCOL.md): mean IoU of the old classes, of the new classes and of all classes with background, pixel accuracy and the IoU of every class, through TrainerService.Evaluate. The trainer reads the checkpoint and the dataset from its own file system.',
  synopsis: ['eval --checkpoint DIR [--data ROOT] [--list FILE] [--base-classes 1-15] [--new-classes 16-20] [--trainer HOST:PORT] [options]'],
  examples: [
    'fmwiss eval --checkpoint runs/demo/runs/<run id>/checkpoints/step-1/final',
    'fmwiss eval --checkpoint ckpt/final --data /data/VOCdevkit/VOC2012 --base-classes 1-10 --new-classes 11-20 --json',
  ],
};

/** Old and new classes: the flags, else the task's step 0 and its later steps. */
export function evalClasses(flags: { task: string; baseClasses?: string; newClasses?: string }): { base: number[]; added: number[] } {
  const task = TASKS.find((t) => t.name === flags.task);
  if (!task && (!flags.baseClasses || !flags.newClasses)) {
    throw new Error(`--task: unknown task "${flags.task}"; give a known task or both --base-classes and --new-classes`);
  }
  const base = flags.baseClasses ? parseClassIds(flags.baseClasses, '--base-classes') : [...(task?.steps[0] ?? [])];
  const added = flags.newClasses ? parseClassIds(flags.newClasses, '--new-classes') : (task?.steps.slice(1).flat() ?? []);
  const both = base.filter((id) => added.includes(id));
  if (both.length > 0) throw new Error(`classes ${both.join(', ')} are both old (--base-classes) and new (--new-classes)`);
  return { base, added: [...added].sort((a, b) => a - b) };
}

export function printEvaluation(io: CliIo, label: string, result: EvaluationResult): void {
  const say = (line = '') => io.stdout.write(`${line}\n`);
  say(resultsTable([{ label, miouOld: result.miouOld, miouNew: result.miouNew, miouAll: result.miouAll }], 'text'));
  say();
  say(`images: ${result.images}   pixel accuracy: ${percent(result.pixelAccuracy)}%`);
  say('IoU per class (%):');
  for (const c of result.classes) {
    say(`  ${String(c.classId).padStart(3)}  ${c.name.padEnd(14)} ${c.present ? percent(c.iou).padStart(5) : '    –  (not in the ground truth)'}`);
  }
}

export async function evalCommand(argv: readonly string[], io: CliIo, deps: CommandDeps): Promise<number> {
  const parsed = parseCommandArgs(evalSchema, argv, EVAL_INFO, io.env);
  if ('help' in parsed) {
    io.stdout.write(parsed.help);
    return ExitCode.OK;
  }
  const flags = parsed.values;
  let classes: { base: number[]; added: number[] };
  try {
    classes = evalClasses(flags);
    if (flags.trainer) checkAddress(flags.trainer, '--trainer');
  } catch (error) {
    throw usageProblem(EVAL_INFO, (error as Error).message);
  }
  const checkpoint = resolve(io.cwd, flags.checkpoint);
  const request: EvaluateRequest = {
    checkpoint,
    data: {
      format: { voc: DatasetRef_Format.FORMAT_VOC, coco: DatasetRef_Format.FORMAT_COCO, manifest: DatasetRef_Format.FORMAT_MANIFEST }[flags.format],
      root: flags.data ? resolve(io.cwd, flags.data) : join(deps.root, BENCHMARK_VOC_ROOT),
      listPath: flags.list ? resolve(io.cwd, flags.list) : '',
      listSha256: '',
      split: flags.list ? '' : flags.split,
    },
    baseClassIds: classes.base,
    newClassIds: classes.added,
    includeConfusion: flags.confusion,
    batchSize: flags.batchSize,
  };
  const result = await withTrainer({ address: flags.trainer, workDir: flags.workDir, io, deps }, async (client) => {
    const board = new ProgressBoard(io.stderr);
    let final: EvaluationResult | undefined;
    try {
      for await (const response of serverStream(client, 'evaluate', request, { signal: io.signal, deadlineMs: 6 * 3600_000 })) {
        const item = response.item;
        if (item?.$case === 'progress') board.set('eval', `evaluating ${item.progress.imagesDone}/${item.progress.imagesTotal} images`);
        else if (item?.$case === 'result') final = item.result;
      }
    } catch (error) {
      if (io.signal.aborted) throw new InterruptedError();
      throw error;
    } finally {
      board.close();
    }
    if (!final) throw new Error('the trainer ended the evaluation without a result');
    return final;
  });
  if (flags.json) io.stdout.write(`${JSON.stringify(EvaluationResult.toJSON(result), null, 2)}\n`);
  else printEvaluation(io, basename(checkpoint) === 'final' ? basename(resolve(checkpoint, '..')) : basename(checkpoint), result);
  return ExitCode.OK;
}
