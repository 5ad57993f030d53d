// fmwiss ablate: the method's variants (fusion, lambda, seeds, copy-paste, teacher) and both
// baselines in one harness (one coordinator: every run reuses the shared step 0 and the cached
// pseudo labels), written as one table (Markdown and JSON) to the work folder and printed.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ablationTable, type AblationRow } from '@fmwiss/run-report';
import { z } from 'zod';
import { ABLATION_SETS, ablationRow, ablationVariants, settingColumns, variantKnobs, type AblationVariant } from '../ablation';
import type { CliIo } from '../cli-io';
import { parseCommandArgs, usageProblem, type CommandInfo } from '../command-args';
import type { CommandDeps } from '../deps';
import { ExitCode } from '../exit-codes';
import { dataShape, knobShape, serviceShape, taskShape } from '../flags';
import { applyKnobs, METHOD_LABELS, methodConfig } from '../run-config';
import { runInputs, type RunInputs } from '../run-inputs';
import { newRunId, type RunPlan } from '../run-plans';
import { startRunRequest, taskLabel } from '../run-request';
import type { RunResult } from '../run-results';
import type { RunServices } from '../run-services';
import { runSession } from '../run-session';
import { parseChoiceList } from '../value-parsers';
import { describeInputs } from './run';

export const ablateSchema = z.object({
  set: z.string().default('all').describe(`Which ablations, comma-separated: ${ABLATION_SETS.join(', ')}, or all. Each runs the method with one setting changed from the default (union, lambda 0.1, N 9, copy-paste on, teacher on).`),
  baselines: z.boolean().default(true).describe('Also run joint training and fine-tuning (--no-baselines: variants only).'),
  parallel: z.int().min(1).max(16).default(2).describe('Runs driven at once.'),
  out: z.string().optional().describe('Table files without extension (.md and .json are written); default: <work-dir>/ablation-<task>-<setting>.'),
  ...taskShape,
  ...dataShape,
  configJson: z.string().optional().describe('A RunConfig as proto3 JSON (file or inline): the base of every run; flags and the variant\'s own setting override it.'),
  preset: z.string().default('demo').describe('Training sizes to start from: demo (default: the demo\'s sizes) or none (the services\' defaults).'),
  ...knobShape,
  ...serviceShape,
  workDir: z.string().default('runs/ablate').describe('Work folder of services started here, and of the table files.'),
});

export const ABLATE_INFO: CommandInfo = {
  name: 'ablate',
  summary: 'run the method\'s ablations and both baselines; write one table',
  description:
    'Runs the chosen ablations of the method (fusion union / intersection / init-only; lambda 0 / 0.1; seeds 1 / 3 / 9 / 27; copy-paste on / off; teacher on / off; the default variant once), plus joint training and fine-tuning, through one coordinator, so that step 0 is trained once and reused and pseudo labels are computed once per pseudo-label setting. Writes the ablation table as Markdown and JSON and prints it. Variants start once the default variant\'s step 0 is done. --fusion, --seeds, --contrastive-weight, --copy-paste and --use-teacher are set by each variant.',
  synopsis: ['ablate [--set fusion,lambda,seeds,copy-paste,teacher|all] [--task 15-5] [--setting overlap] [--parallel 2] [options]'],
  examples: ['fmwiss ablate', 'fmwiss ablate --set fusion,lambda --preset demo --work-dir runs/ablate-fusion', 'fmwiss ablate --set seeds --no-baselines --coordinator 127.0.0.1:50055'],
};

export function ablationPlans(options: { inputs: RunInputs; variants: AblationVariant[]; baselines: boolean; services: RunServices; now: Date }): RunPlan[] {
  const { inputs, services, now } = options;
  const request = (key: string, config: ReturnType<typeof methodConfig>) =>
    startRunRequest({ runId: newRunId('ablate', key, now), task: inputs.task, setting: inputs.setting, train: inputs.data.train, val: inputs.data.val, services: services.endpoints, config });
  const variantPlan = (variant: AblationVariant): RunPlan => ({
    key: variant.key,
    label: variant.label,
    after: variant.key === 'default' ? undefined : { key: 'default', step: 0 },
    request: request(variant.key, methodConfig(applyKnobs(inputs.config, variantKnobs(variant.settings)), 'fmwiss', `FMWISS ${variant.label}`)),
  });
  const [first, ...rest] = options.variants.map(variantPlan);
  const plans: RunPlan[] = [first as RunPlan];
  if (options.baselines) plans.push({ key: 'joint', label: METHOD_LABELS.joint, request: request('joint', methodConfig(inputs.config, 'joint')) });
  plans.push(...rest);
  if (options.baselines) {
    plans.push({ key: 'finetune', label: METHOD_LABELS.finetune, after: { key: 'default', step: 0 }, request: request('finetune', methodConfig(inputs.config, 'finetune')) });
  }
  return plans;
}

export interface KeyedAblationRow {
  key: string;
  row: AblationRow;
  result: RunResult;
}

/** The table's rows: variants in their order, then the baselines; each with its run's result. */
export function ablationRows(variants: AblationVariant[], results: RunResult[]): KeyedAblationRow[] {
  const byKey = new Map(results.map((r) => [r.key, r]));
  const rows: KeyedAblationRow[] = [];
  for (const variant of variants) {
    const result = byKey.get(variant.key);
    if (result) rows.push({ key: variant.key, result, row: ablationRow(variant.label, settingColumns(variant.settings), result.row) });
  }
  for (const key of ['joint', 'finetune'] as const) {
    const result = byKey.get(key);
    if (result) rows.push({ key, result, row: ablationRow(result.label, {}, { ...result.row, note: result.row.note ?? 'pixel labels' }) });
  }
  return rows;
}

const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export async function ablateCommand(argv: readonly string[], io: CliIo, deps: CommandDeps): Promise<number> {
  const parsed = parseCommandArgs(ablateSchema, argv, ABLATE_INFO, io.env);
  if ('help' in parsed) {
    io.stdout.write(parsed.help);
    return ExitCode.OK;
  }
  const flags = parsed.values;
  let sets;
  try {
    sets = parseChoiceList(flags.set, ABLATION_SETS, '--set');
  } catch (error) {
    throw usageProblem(ABLATE_INFO, (error as Error).message);
  }
  const inputs = await runInputs(flags, ABLATE_INFO, io, deps);
  const variants = ablationVariants(sets);
  const taskName = taskLabel(inputs.task).replace(/[^A-Za-z0-9.-]+/g, '_');
  const outBase = flags.out ? resolve(io.cwd, flags.out) : resolve(inputs.workDir, `ablation-${taskName}-${inputs.setting}`);
  const command = ['fmwiss', 'ablate', ...argv].map(quote).join(' ');
  const say = (line = '') => io.stdout.write(`${line}\n`);
  say(`fmwiss ablate: ${variants.length} variant${variants.length === 1 ? '' : 's'} of the method (${sets.join(', ')})${flags.baselines ? ' + joint training + fine-tuning' : ''}; ${describeInputs(inputs)}`);

  const results = await runSession({
    io,
    deps,
    given: flags,
    workDir: inputs.workDir,
    clipImageModel: flags.clipImageModel,
    clipTextModel: flags.clipTextModel,
    vitModel: flags.vitModel,
    trainerJobs: inputs.preset?.trainerJobs ?? 2,
    coordinatorRuns: flags.parallel,
    needMasks: true,
    maxActive: flags.parallel,
    plans: (services) => ablationPlans({ inputs, variants, baselines: flags.baselines, services, now: deps.now() }),
    report: async (runResults) => {
      const keyed = ablationRows(variants, runResults);
      const rows = keyed.map((k) => k.row);
      const title = `Ablations of FMWISS, task ${taskLabel(inputs.task)} ${inputs.setting}`;
      const markdown = `# ${title}\n\nMean IoU (%) after the last step. Made by:\n\n    ${command}\n\n${ablationTable(rows, 'markdown')}\n`;
      const json = {
        title,
        task: taskLabel(inputs.task),
        setting: inputs.setting,
        command,
        createdAt: deps.now().toISOString(),
        rows: keyed.map(({ key, row, result }) => ({
          key,
          ...row,
          runId: result.run?.runId ?? null,
          succeeded: result.succeeded,
          runDir: result.runDir ?? result.run?.runDir ?? null,
          error: result.error ?? null,
        })),
      };
      await mkdir(dirname(outBase), { recursive: true });
      await writeFile(`${outBase}.md`, markdown);
      await writeFile(`${outBase}.json`, `${JSON.stringify(json, null, 2)}\n`);
      say();
      say(ablationTable(rows, 'text'));
      say();
      for (const result of runResults) if (!result.succeeded) say(`${result.label}: FAILED: ${result.error ?? 'unknown error'}`);
      say(`table: ${outBase}.md and ${outBase}.json`);
    },
  });
  return results.every((r) => r.succeeded) ? ExitCode.OK : ExitCode.FAILED;
}
