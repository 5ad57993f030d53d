/**
 * mini-DINO: trains the project's small self-supervised ViT on the corpus images (no labels) by
 * self-distillation with a momentum teacher and multi-crop, resumably within a time budget, then
 * exports the teacher as vit-attention.onnx with its model cards. Run with --help.
 */
import * as path from 'node:path';

import { createVitWeights, DEFAULT_VIT_CONFIG, disposeWeights, IMAGENET_MEAN, IMAGENET_STD } from '@fmwiss/vit-models';

import { checkExportedDino, DINO_FILE, exportMiniDino } from './dino/dino-export';
import { DEFAULT_DINO_HYPER, DinoTrainer, type DinoHyperParameters } from './dino/dino-trainer';
import { neighbourAgreement } from './dino/knn-check';
import { embedImages } from './shared/embed-images';
import { DEFAULT_MULTI_CROP, type MultiCropOptions } from './dino/multi-crop';
import { describePlan, runBudgetedLoop } from './shared/budget-loop';
import { parseOptions, usageText, type OptionTable } from './shared/cli-options';
import { commandLine, commonOptions, reproduceCommand, runMain, startBackend } from './shared/common-options';
import { loadCorpusRun } from './shared/corpus';
import { formatDuration, stderrLog } from './shared/log';
import { machineInfo } from './shared/machine';
import { describeFiles, writeModelCard, type ModelCard } from './shared/model-card';
import { listenForStop } from './shared/stop-signals';

const SCRIPT = 'tools/train-foundation/src/train-dino.ts';

const OPTIONS = {
  ...commonOptions({ batch: 16, runDir: 'tmp/train/mini-dino', out: 'models/mini-dino' }),
  lr: { kind: 'float', default: DEFAULT_DINO_HYPER.learningRate, min: 0, help: 'peak learning rate (AdamW)' },
  'warmup-steps': { kind: 'int', default: DEFAULT_DINO_HYPER.warmupSteps, min: 0, help: 'linear warm-up steps, then cosine' },
  prototypes: { kind: 'int', default: 512, min: 2, help: 'K, the prototypes of the DINO head' },
  'teacher-temp': { kind: 'float', default: DEFAULT_DINO_HYPER.teacherTemp, min: 1e-4, help: 'teacher temperature after its warm-up' },
  'teacher-temp-start': { kind: 'float', default: DEFAULT_DINO_HYPER.teacherTempStart, min: 1e-4, help: 'teacher temperature at step 0' },
  'teacher-temp-warmup-steps': { kind: 'int', default: DEFAULT_DINO_HYPER.teacherTempWarmupSteps, min: 0, help: 'steps of the linear teacher-temperature warm-up' },
  'freeze-last-layer-steps': { kind: 'int', default: DEFAULT_DINO_HYPER.freezeLastLayerSteps, min: 0, help: 'steps without updates of the prototypes' },
} as const satisfies OptionTable;

export const USAGE = usageText(`usage: npx tsx ${SCRIPT} [options]
  Trains mini-DINO on the corpus images without labels (resumable: rerun the same command to continue),
  then exports vit-attention.onnx (the teacher), model-card.{md,json} into --out.
  Progress goes to stderr. Exit codes: 0 done (or stopped on purpose), 1 failure, 2 bad arguments.`, OPTIONS);

/** Head sizes for the default width 64 (DINO's 2048 / 256 scaled down). */
const HEAD = { hiddenDim: 256, bottleneckDim: 64 };
/** Training images in the nearest-neighbour bank of the sanity check. */
const BANK = 2048;

export async function main(argv: string[]): Promise<number> {
  const { help, values } = parseOptions(argv, OPTIONS);
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = stderrLog('train-dino');
  const command = commandLine(SCRIPT, argv);
  log(`options ${JSON.stringify(values)}`);
  const backend = await startBackend(values.backend, log);

  const { corpus, train, heldOut, captionsSha256, trainImages, heldOutImages } = await loadCorpusRun(values.corpus, values['held-out'], log, 'labels and captions are not used in training');

  const vitConfig = { ...DEFAULT_VIT_CONFIG, outputDim: 0 };
  const head = { ...HEAD, outDim: values.prototypes };
  const hyper: DinoHyperParameters = {
    ...DEFAULT_DINO_HYPER,
    learningRate: values.lr,
    warmupSteps: values['warmup-steps'],
    teacherTemp: values['teacher-temp'],
    teacherTempStart: values['teacher-temp-start'],
    teacherTempWarmupSteps: values['teacher-temp-warmup-steps'],
    freezeLastLayerSteps: values['freeze-last-layer-steps'],
  };
  const crops: MultiCropOptions = { ...DEFAULT_MULTI_CROP, mean: IMAGENET_MEAN, std: IMAGENET_STD };
  const trainer = new DinoTrainer({ vit: vitConfig, head, seed: values.seed, batchSize: values.batch, hyper, crops, images: trainImages });
  const stop = listenForStop((signal) => log(`${signal}: stopping after this step (a second one exits at once)`));
  try {
    const identity = {
      model: 'mini-dino',
      vit: vitConfig,
      head,
      corpus: { entries: corpus.entries.length, heldOut: heldOut.length, captionsSha256 },
      seed: values.seed,
      batch: values.batch,
      hyper,
      crops,
    };
    const result = await runBudgetedLoop(trainer, {
      runDir: values['run-dir'],
      fresh: values.fresh,
      budgetSeconds: values.minutes * 60,
      maxSteps: values['max-steps'],
      stopAfterSteps: values['stop-after'],
      checkpointSeconds: values['checkpoint-minutes'] * 60,
      stepsPerEpoch: trainer.order.stepsPerEpoch,
      itemsPerStep: values.batch,
      identity,
      describe: (m) =>
        `loss ${m['loss']?.toFixed(4)} H(teacher) ${m['teacherEntropy']?.toFixed(3)} H(mean) ${m['batchEntropy']?.toFixed(2)}/${Math.log(values.prototypes).toFixed(2)} ` +
        `lr ${m['lr']?.toExponential(2)} m ${m['momentum']?.toFixed(5)} |g| ${m['gradNorm']?.toFixed(2)}`,
      log,
      shouldStop: () => stop.requested(),
    });
    if (result.stopReason === 'requested') {
      log(`not exporting: the run stopped early on purpose; rerun the same command (without --stop-after) to continue from step ${result.steps}`);
      return stop.requested() ? 130 : 0;
    }

    const metadata = {
      'fmwiss.weights': `mini-dino teacher, seed ${values.seed}, ${result.steps} steps of batch ${values.batch}`,
      'fmwiss.trained_on': `fmwiss-world corpus images, ${train.length}, no labels (captions.jsonl sha256 ${captionsSha256.slice(0, 16)})`,
    };
    await exportMiniDino(values.out, trainer.teacher, IMAGENET_MEAN, IMAGENET_STD, metadata);
    const check = await checkExportedDino(values.out, trainer.teacher, IMAGENET_MEAN, IMAGENET_STD, heldOutImages.slice(0, 4));
    log(`ONNX vs TensorFlow.js attention: max |diff| ${check.maxAttentionDifference.toExponential(2)} (${check.heads} heads, ${check.tokens} tokens)`);

    // Sanity: nearest training image of each held-out image by the teacher's class token, trained vs untrained.
    const bank = Math.min(BANK, train.length);
    const agreement = (features: (images: typeof trainImages) => Float32Array) =>
      neighbourAgreement(features(heldOutImages), features(trainImages.slice(0, bank)), vitConfig.width, heldOut.map((e) => e.objects), train.slice(0, bank).map((e) => e.objects));
    const trained = agreement((images) => embedImages(trainer.teacher, images, IMAGENET_MEAN, IMAGENET_STD));
    const untrainedWeights = createVitWeights(vitConfig, values.seed, { trainable: false });
    let untrained;
    try {
      untrained = agreement((images) => embedImages(untrainedWeights, images, IMAGENET_MEAN, IMAGENET_STD));
    } finally {
      disposeWeights(untrainedWeights);
    }
    log(
      `held-out nearest neighbour shares an object: ${(100 * trained.sharesObject).toFixed(1)}% trained, ${(100 * untrained.sharesObject).toFixed(1)}% untrained, ` +
        `${(100 * trained.chanceSharesObject).toFixed(1)}% chance; same object set ${(100 * trained.sameObjects).toFixed(1)}% (untrained ${(100 * untrained.sameObjects).toFixed(1)}%)`,
    );

    const files = await describeFiles(values.out, [DINO_FILE]);
    const parameters = (tensors: Record<string, { size: number }>) => Object.values(tensors).reduce((n, t) => n + t.size, 0);
    const card: ModelCard = {
      model: 'mini-dino',
      summary:
        'The project\'s small self-supervised ViT, trained from scratch without labels on the fmwiss-world corpus images by DINO ' +
        'self-distillation (momentum teacher, centring and sharpening, multi-crop). The exported network is the teacher backbone; ' +
        'the seed refiner reads its last-block attention (METHOD.md section 2).',
      contracts: ['vit-attention/1'],
      files,
      sections: [
        {
          title: 'Architecture',
          body: {
            backbone: { ...vitConfig, parameters: parameters(trainer.teacher.tensors) },
            head: `3-layer MLP ${vitConfig.width} -> ${head.hiddenDim} -> ${head.hiddenDim} -> ${head.bottleneckDim} (GELU), L2-normalised, weight-normalised linear without bias onto K = ${head.outDim} prototypes (weight_g fixed at 1); training only, not exported`,
            exported: 'the teacher backbone (EMA of the student), attention of the last block, class token first',
            normalisation: `ImageNet mean ${IMAGENET_MEAN.join(',')} std ${IMAGENET_STD.join(',')}`,
          },
        },
        {
          title: 'Data',
          body: {
            corpus: `${values.corpus} images (captions.jsonl sha256 ${captionsSha256}), ${corpus.entries.length} images of 128 px; captions and objects unused in training`,
            training: `the first ${train.length} lines' images`,
            'held out': `the last ${heldOut.length} lines (nearest-neighbour check below)`,
            'multi-crop': `${crops.globalCrops} global crops ${crops.globalSize} px (area ${crops.globalScale.join('-')}) + ${crops.localCrops} local crops ${crops.localSize} px (area ${crops.localScale.join('-')}), aspect ${crops.ratio.map((r) => r.toFixed(3)).join('-')}; local crops run the same ViT with its position embeddings resampled bilinearly to the ${crops.localSize / vitConfig.patchSize}x${crops.localSize / vitConfig.patchSize} grid (differentiable)`,
            augmentation: `horizontal flip p 0.5; colour jitter p ${crops.jitterProbability} (brightness ±${crops.brightness}, contrast ±${crops.contrast}, saturation ±${crops.saturation}); greyscale p ${crops.greyProbability}; no blur or solarisation`,
          },
        },
        {
          title: 'Training',
          body: {
            command,
            reproduce: `${reproduceCommand(SCRIPT, argv, result.plannedSteps, result.trainSeconds, { runDir: values['run-dir'], out: values.out })} (bit for bit on the same backend${result.steps < result.plannedSteps ? `; this run itself stopped at step ${result.steps} of that schedule` : ''}${result.plan.replans?.length ? '; not bit for bit: the schedule of this run was shortened on the way' : ''})`,
            seed: values.seed,
            batch: `${values.batch} images (${values.batch * (crops.globalCrops + crops.localCrops)} crops) per step`,
            steps: result.steps,
            'planned steps': describePlan(result.plan),
            epochs: Number((result.steps / trainer.order.stepsPerEpoch).toFixed(3)),
            'stop reason': result.stopReason,
            'training wall time': `${formatDuration(result.trainSeconds)} (${Math.round(result.trainSeconds)} s, steps and checkpoints, all invocations)`,
            'seconds per step (last invocation)': Number(result.secondsPerStep.toFixed(3)),
            invocations: result.invocations.map((i) => `${i.startedAt}: steps ${i.fromStep}->${i.toStep}, ${formatDuration(i.seconds)}, ${i.stopReason}`).join('; '),
            optimizer: `AdamW beta1 ${hyper.beta1}, beta2 ${hyper.beta2}, eps ${hyper.epsilon}, weight decay cosine ${hyper.weightDecayStart} -> ${hyper.weightDecayEnd} on matrices only, global gradient-norm clip ${hyper.clipNorm}; prototypes frozen for the first ${hyper.freezeLastLayerSteps} steps`,
            schedule: `learning rate ${hyper.learningRate}, linear warm-up over ${hyper.warmupSteps} steps, cosine to ${hyper.learningRate * hyper.finalLearningRateFactor}`,
            teacher: `EMA momentum cosine ${hyper.emaStart} -> ${hyper.emaEnd} over the planned steps; temperature ${hyper.teacherTempStart} -> ${hyper.teacherTemp} over ${hyper.teacherTempWarmupSteps} steps; centring momentum ${hyper.centerMomentum}`,
            student: `temperature ${hyper.studentTemp}`,
            loss: 'cross-entropy between the centred, sharpened teacher distribution of each global crop and the student distribution of every other crop, averaged over pairs and images',
            'final metrics': result.lastMetrics,
            backend,
          },
        },
        { title: 'Machine', body: { ...machineInfo() } },
        {
          title: 'Sanity check (held-out nearest neighbour by class token, and the export)',
          body: {
            'queries / bank': `${trained.queries} held-out images / the first ${trained.bank} training images`,
            'shares an object (trained)': trained.sharesObject,
            'shares an object (untrained, same seed)': untrained.sharesObject,
            'shares an object (chance)': trained.chanceSharesObject,
            'same object set (trained)': trained.sameObjects,
            'same object set (untrained)': untrained.sameObjects,
            'ONNX vs TensorFlow.js attention max abs difference': check.maxAttentionDifference,
          },
        },
      ],
      figures: {
        status: 'not yet measured',
        measureWith: 'npx tsx tools/model-quality/src/main.ts --json tmp/model-quality.json   (VOC val of fmwiss-world; issue 6 item 5)',
        values: { seedIoUMean: null, seedIoUMedian: null, mIoUUnion: null },
      },
      createdAt: new Date().toISOString(),
    };
    const written = await writeModelCard(values.out, card);
    process.stdout.write(
      `${JSON.stringify({ out: values.out, files: [...files.map((f) => ({ name: f.name, bytes: f.bytes })), ...written.map((f) => path.basename(f))], steps: result.steps, plannedSteps: result.plannedSteps, trainSeconds: Math.round(result.trainSeconds), secondsPerStep: result.secondsPerStep, neighbours: { trained, untrained } }, null, 2)}\n`,
    );
    return 0;
  } finally {
    stop.dispose();
    trainer.dispose();
  }
}

if (require.main === module) runMain('train-dino', USAGE, main);
