/**
 * The dataset report: for a dataset and one or more tasks, the training images of every step in both
 * settings (overlap and disjoint), the class frequencies, every problem the scan found, and a contact
 * sheet PNG of labelled samples per class.
 *
 *   npm run dataset-report -- --root data/fmwiss-world/VOCdevkit/VOC2012 --task 15-5 --task 10-10
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { labelIndexFor, loadCustomTask, stepCounts, taskByName, TASK_NAMES, validateTask, type TaskDefinition } from '@fmwiss/datasets';
import { writeContactSheet } from './contact-sheet';
import { openDataset, type DatasetFormat } from './open-dataset';
import { classFrequencyTable, stepTable } from './tables';

const USAGE = `usage: npm run dataset-report -- --root PATH [options]
  --root PATH        the dataset: the VOC2012 folder, the prepared COCO root, or a manifest file
  --format F         voc (default), coco or manifest
  --split S          the split to report (default train)
  --task T           a protocol task (${TASK_NAMES.join(', ')}) or a custom task file (.json); repeatable (default 15-5 and 10-10)
  --out DIR          where the label index cache and the contact sheet go (default tmp/dataset-report)
  --per-class N      examples per class on the contact sheet (default 6)
  --no-sheet         skip the contact sheet
Exit codes: 0 ok, 1 the dataset has problems or cannot be read, 2 bad arguments.`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        root: { type: 'string' },
        format: { type: 'string', default: 'voc' },
        split: { type: 'string', default: 'train' },
        task: { type: 'string', multiple: true },
        out: { type: 'string', default: 'tmp/dataset-report' },
        'per-class': { type: 'string', default: '6' },
        'no-sheet': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const perClass = Number(values['per-class']);
  if (!values.root || !['voc', 'coco', 'manifest'].includes(values.format) || !Number.isInteger(perClass) || perClass < 1) {
    console.error(`--root is required, --format must be voc, coco or manifest, --per-class a positive integer\n${USAGE}`);
    return 2;
  }

  const dataset = await openDataset(values.format as DatasetFormat, resolve(values.root), values.split);
  const out = resolve(values.out);
  mkdirSync(out, { recursive: true });
  console.log(`dataset ${dataset.name}: ${dataset.ids.length} images in split '${values.split}' (${dataset.root})`);
  const started = Date.now();
  const { index, problems, fromCache } = await labelIndexFor(dataset, join(out, `label-index-${values.split}.json`), {
    onProgress: ({ done, total }) => {
      if (done % 500 === 0 || done === total) process.stdout.write(`\rscanning ${done}/${total}`);
    },
  });
  if (!fromCache) process.stdout.write('\n');
  console.log(`label index ${fromCache ? 'read from cache' : `built in ${((Date.now() - started) / 1000).toFixed(1)} s`}`);
  const classes = new Map(dataset.classes.map((c) => [c.id, c]));

  const tasks: TaskDefinition[] = [];
  for (const name of values.task ?? ['15-5', '10-10']) {
    tasks.push(name.endsWith('.json') ? await loadCustomTask(name) : taskByName(name));
  }
  for (const task of tasks) {
    validateTask(task, dataset.classes.map((c) => c.id));
    console.log(`\ntask ${task.name}: training images per step (split '${values.split}')`);
    console.log(stepTable(stepCounts(index, task), classes));
  }

  console.log(`\nclass frequencies (share of labelled pixels; ${index.images.length} images)`);
  console.log(classFrequencyTable(index, classes));

  if (!values['no-sheet']) {
    const sheet = join(out, `contact-sheet-${values.split}.png`);
    await writeContactSheet(dataset, index, dataset.classes, sheet, { perClass, tile: 64 });
    console.log(`\ncontact sheet: ${sheet}`);
  }

  if (problems.length > 0) {
    console.log(`\n${problems.length} problem(s) found; the images concerned are left out of every list:`);
    for (const p of problems) console.log(`  ${p.file}: ${p.problem}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`dataset-report: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
