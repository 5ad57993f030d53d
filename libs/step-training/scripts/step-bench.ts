/**
 * Measurements of the training steps on the embedded benchmark (data/fmwiss-world), default model,
 * one backend (wasm by default). Prints one JSON line per result.
 *
 *   npx tsx libs/step-training/scripts/step-bench.ts time [--iterations 20]
 *       seconds per iteration of a base and a weak step (15-5 overlap, default batch size), each
 *       beside a plain forward pass of the default student measured in the same process
 *   npx tsx libs/step-training/scripts/step-bench.ts base [--epochs 2] [--lr 0.02] [--out tmp/step-training/base]
 *       a 15-5 overlap step-0 base run, then evaluateCheckpoint on the val list (mIoU, seconds)
 *   npx tsx libs/step-training/scripts/step-bench.ts weak --previous <base final> [--epochs 4] [--pseudo oracle|<dir>]
 *       a 15-5 overlap step-1 weak run (pseudo labels: the ground truth of the new classes, "oracle",
 *       unless a folder is given; instances from the step-0 images in an in-memory bank), then evaluation
 *
 * Common flags: --root data/fmwiss-world/VOCdevkit/VOC2012 --backend wasm --task 15-5 --setting overlap
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { labelIndexFor, openVocDataset, stepImageIds, taskByName, VOC_CLASS_NAMES, writeStepList, type IncrementalSetting } from '@fmwiss/datasets';
import { encodeLabelPng, readLabelFile } from '@fmwiss/imaging';
import { createStudent } from '@fmwiss/segmentation-models';
import { initTensorRuntime, type BackendChoice } from '@fmwiss/tensor-runtime';
import {
  DEFAULT_STEP_MODEL,
  evaluateCheckpoint,
  resolveHyperparameters,
  runTrainingStep,
  type ClassRef,
  type HyperparameterInput,
  type InstanceOffer,
  type MemoryBankPort,
  type SampledInstance,
  type StepKind,
  type StepProgress,
  type StepSpec,
} from '../src';
import { offerInstancesToMemoryBank } from '../src/memory-offers';
import { SeededRandom } from '@fmwiss/random';

const args = process.argv.slice(2);
const command = args[0] ?? 'help';
function flag(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}
const ROOT = resolve(flag('root', 'data/fmwiss-world/VOCdevkit/VOC2012'));
const OUT = resolve(flag('out', `tmp/step-training/${command}`));
const TASK = taskByName(flag('task', '15-5'));
const SETTING = flag('setting', 'overlap') as IncrementalSetting;
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);
const classRefs = (ids: readonly number[]): ClassRef[] => ids.map((id) => ({ id, name: VOC_CLASS_NAMES[id] ?? String(id) }));

/** An in-memory MemoryBankPort (reservoir-free: keeps every offer), seeded class-uniform sampling. */
class LocalMemoryBank implements MemoryBankPort {
  readonly offers = new Map<number, InstanceOffer[]>();
  async create(): Promise<void> {}
  async offer(instances: InstanceOffer[]): Promise<void> {
    for (const i of instances) this.offers.set(i.classId, [...(this.offers.get(i.classId) ?? []), i]);
  }
  async sample(classIds: number[], count: number, seed: number): Promise<SampledInstance[]> {
    const random = new SeededRandom(seed, 'local-bank');
    const lists = classIds.map((id) => this.offers.get(id) ?? []).filter((l) => l.length > 0);
    if (lists.length === 0) return [];
    return Array.from({ length: count }, (_, k) => {
      const list = lists[random.int(lists.length)]!;
      const o = list[random.int(list.length)]!;
      return { instanceId: String(k), classId: o.classId, image: o.image, mask: o.mask };
    });
  }
}

async function stepList(step: number, limit?: number): Promise<{ path: string; ids: string[] }> {
  const dataset = await openVocDataset({ root: ROOT, split: 'train' });
  mkdirSync(OUT, { recursive: true });
  const { index } = await labelIndexFor(dataset, resolve('tmp/step-training/label-index-train.json'));
  const ids = stepImageIds(index, TASK, step, SETTING).slice(0, limit);
  const path = join(OUT, `step-${step}.txt`);
  await writeStepList(path, ids);
  return { path, ids };
}

/** --image-size, --stride, --width: the student's shape for base and joint runs (default: the trainer's default). */
function modelFlags(): StepSpec['model'] {
  const model: NonNullable<StepSpec['model']> = {};
  if (args.includes('--image-size')) model.imageSize = Number(flag('image-size', '128'));
  if (args.includes('--stride')) model.outputStride = Number(flag('stride', '8')) as 4 | 8 | 16;
  if (args.includes('--width')) model.encoderWidth = Number(flag('width', '24'));
  return model;
}

function spec(kind: StepKind, step: number, list: string, outputDir: string, hyperparameters: HyperparameterInput, extra: Partial<StepSpec> = {}): StepSpec {
  const old = TASK.steps.slice(0, step).flat();
  if (kind === 'base' || kind === 'joint') extra = { model: modelFlags(), ...extra };
  return {
    runId: 'step-bench',
    step,
    kind,
    newClasses: classRefs(TASK.steps[step]!),
    oldClasses: kind === 'base' || kind === 'joint' ? [] : classRefs(old),
    trainData: { format: 'voc', root: ROOT, listPath: list },
    outputDir,
    hyperparameters: resolveHyperparameters(kind, hyperparameters),
    ...extra,
  };
}

/** Pseudo labels = the ground truth of the step's new classes (others background, 255 kept). */
async function oraclePseudoLabels(ids: readonly string[], newIds: readonly number[], dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  for (const id of ids) {
    const labels = await readLabelFile(join(ROOT, 'SegmentationClass', `${id}.png`));
    const data = labels.data.map((v) => (newIds.includes(v) || v === 255 ? v : 0));
    writeFileSync(join(dir, `${id}.png`), encodeLabelPng({ ...labels, data }));
  }
  return dir;
}

async function fillBank(bank: LocalMemoryBank): Promise<void> {
  const { ids } = await stepList(0);
  const dataset = await openVocDataset({ root: ROOT, split: 'train' });
  mkdirSync(join(OUT, 'bank'), { recursive: true });
  await offerInstancesToMemoryBank({
    port: bank, dataset: { ...dataset, ids }, ids, classIds: [...TASK.steps[0]!], seed: 1, outputDir: join(OUT, 'bank'), specHash: 'bench',
  });
}

/** Seconds per iteration from the progress events: (last - first) / iterations between them. */
function timer() {
  const times: { t: number; p: StepProgress }[] = [];
  return {
    onProgress: (p: StepProgress) => p.iteration > 0 && p.phase !== 'saving' && p.phase !== 'loading' && times.push({ t: performance.now() / 1000, p }),
    perIteration(): number {
      const first = times[0]!;
      const last = times.at(-1)!;
      const its = (last.p.epoch - first.p.epoch) * last.p.iterationsPerEpoch + last.p.iteration - first.p.iteration;
      return (last.t - first.t) / its;
    },
    losses: () => times.filter((x) => x.p.iteration === x.p.iterationsPerEpoch).map((x) => ({ epoch: x.p.epoch, phase: x.p.phase, ...x.p.losses })),
  };
}

function forwardSeconds(batch: number): number {
  const student = createStudent(DEFAULT_STEP_MODEL, 16, 1);
  const images = tf.randomNormal([batch, 128, 128, 3]) as tf.Tensor4D;
  const once = () => tf.tidy(() => student.forward(images).logits.dataSync());
  once();
  const t = performance.now();
  for (let i = 0; i < 5; i++) once();
  const seconds = (performance.now() - t) / 5000;
  images.dispose();
  student.dispose();
  return seconds;
}

async function evaluate(checkpoint: string) {
  const t = performance.now();
  const summary = await evaluateCheckpoint({
    checkpoint,
    data: { format: 'voc', root: ROOT, split: 'val' },
    baseClassIds: [...TASK.steps[0]!],
    newClassIds: TASK.steps.slice(1).flat(),
  });
  return { seconds: (performance.now() - t) / 1000, miouAll: summary.miouAll, miouOld: summary.miouOld, miouNew: summary.miouNew, pixelAccuracy: summary.pixelAccuracy, classes: summary.classes.map((c) => [c.classId, Number(c.iou.toFixed(3))]) };
}

async function main(): Promise<void> {
  const backend = flag('backend', 'wasm') as BackendChoice;
  const info = await initTensorRuntime({ backend });
  print({ backend: info.backend, root: ROOT, task: TASK.name, setting: SETTING });
  const hyper: HyperparameterInput = {};
  if (args.includes('--lr')) hyper.learningRate = Number(flag('lr', '0'));
  if (args.includes('--epochs')) hyper.epochs = Number(flag('epochs', '0'));
  if (args.includes('--batch')) hyper.batchSize = Number(flag('batch', '0'));
  if (args.includes('--warmup')) hyper.teacherWarmupEpochs = Number(flag('warmup', '0'));
  if (args.includes('--no-teacher')) hyper.useTeacher = false;
  if (args.includes('--no-copy-paste')) hyper.copyPaste = { enabled: false };

  if (command === 'time') {
    const iterations = Number(flag('iterations', '20'));
    const batch = resolveHyperparameters('base', hyper).batchSize;
    print({ what: 'forward pass, default student, batch', batch, seconds: forwardSeconds(batch) });
    const base = await stepList(0, (iterations + 1) * batch);
    const baseTimer = timer();
    const baseResult = await runTrainingStep(spec('base', 0, base.path, join(OUT, 'base'), { ...hyper, epochs: 1 }), { onProgress: baseTimer.onProgress });
    print({ what: 'base iteration', batch, secondsPerIteration: baseTimer.perIteration() });
    const bank = new LocalMemoryBank();
    await fillBank(bank);
    const weak = await stepList(1, (iterations + 1) * batch);
    const pseudo = await oraclePseudoLabels(weak.ids, TASK.steps[1]!, join(OUT, 'pseudo'));
    for (const [name, h] of [
      ['weak teacher warm-up iteration', { ...hyper, epochs: 2, teacherWarmupEpochs: 1 }],
      ['weak teacher-and-student iteration', { ...hyper, epochs: 2, teacherWarmupEpochs: 1 }],
    ] as const) {
      const t = timer();
      const phase = name.includes('warm-up') ? 'teacher-warmup' : 'teacher-and-student';
      const onProgress = (p: StepProgress) => p.phase === phase && t.onProgress(p);
      await runTrainingStep(spec('weak', 1, weak.path, join(OUT, `weak-${phase}`), h, { previousCheckpoint: baseResult.checkpoint, pseudoLabelDir: pseudo }), { memoryBank: bank, onProgress });
      print({ what: name, batch, secondsPerIteration: t.perIteration() });
    }
    print({ what: 'forward pass again (load check)', batch, seconds: forwardSeconds(batch) });
    return;
  }
  if (command === 'base') {
    const { path, ids } = await stepList(0, args.includes('--limit') ? Number(flag('limit', '0')) : undefined);
    const t = timer();
    const started = performance.now();
    const bank = new LocalMemoryBank();
    const result = await runTrainingStep(spec('base', 0, path, join(OUT, 'checkpoints'), hyper), { onProgress: t.onProgress, memoryBank: bank });
    const trainingSeconds = (performance.now() - started) / 1000;
    const offered = [...bank.offers.values()].reduce((n, list) => n + list.length, 0);
    print({ what: 'base run', images: ids.length, instancesOffered: offered, hyperparameters: result.hyperparameters, trainingSeconds, secondsPerIteration: t.perIteration(), losses: t.losses() });
    print({ what: 'evaluation (val)', ...(await evaluate(result.checkpoint)) });
    return;
  }
  if (command === 'weak' || command === 'finetune') {
    const previous = resolve(flag('previous', ''));
    const { path, ids } = await stepList(1);
    const bank = new LocalMemoryBank();
    const extra: Partial<StepSpec> = { previousCheckpoint: previous };
    if (command === 'weak') {
      await fillBank(bank);
      const given = flag('pseudo', 'oracle');
      extra.pseudoLabelDir = given === 'oracle' ? await oraclePseudoLabels(ids, TASK.steps[1]!, join(OUT, 'pseudo')) : resolve(given);
    }
    const t = timer();
    const started = performance.now();
    const result = await runTrainingStep(spec(command, 1, path, join(OUT, 'checkpoints'), hyper, extra), { memoryBank: bank, onProgress: t.onProgress });
    print({ what: `${command} run`, images: ids.length, hyperparameters: result.hyperparameters, trainingSeconds: (performance.now() - started) / 1000, secondsPerIteration: t.perIteration(), losses: t.losses() });
    print({ what: 'evaluation (val)', ...(await evaluate(result.checkpoint)) });
    return;
  }
  process.stdout.write('usage: step-bench.ts time|base|weak|finetune [flags] (see the comment at the top of the file)\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
