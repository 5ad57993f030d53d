/**
 * mini-CLIP: trains the project's small CLIP (ViT image tower + text transformer) on the captioned
 * corpus with the symmetric InfoNCE loss, resumably within a time budget, then exports clip-image.onnx,
 * clip-text.onnx, clip-text.tokenizer.json and the model cards. Run with --help.
 */
import * as path from 'node:path';

import { DEFAULT_BACKGROUND_PROMPTS, DEFAULT_TEMPLATES, loadTokenizer } from '@fmwiss/co-segmentation';
import { VOC_CLASSES } from '@fmwiss/datasets';
import { CLIP_MEAN, CLIP_STD, DEFAULT_TEXT_CONFIG, DEFAULT_VIT_CONFIG, wordTokenizer } from '@fmwiss/vit-models';

import { ClipTrainer, type ClipHyperParameters, DEFAULT_CLIP_HYPER, LOGIT_SCALE } from './clip/clip-trainer';
import type { ClipAugmentation } from './clip/clip-batch';
import { checkExportedClip, CLIP_FILES, exportMiniClip } from './clip/clip-export';
import { retrievalFigures } from './clip/retrieval';
import { describePlan, runBudgetedLoop } from './shared/budget-loop';
import { parseOptions, usageText, type OptionTable } from './shared/cli-options';
import { commandLine, commonOptions, reproduceCommand, runMain, startBackend } from './shared/common-options';
import { loadCorpusRun } from './shared/corpus';
import { formatDuration, stderrLog } from './shared/log';
import { machineInfo } from './shared/machine';
import { describeFiles, writeModelCard, type ModelCard } from './shared/model-card';
import { listenForStop } from './shared/stop-signals';
import { buildVocabulary, unknownWords } from './shared/vocabulary';

const SCRIPT = 'tools/train-foundation/src/train-clip.ts';

const OPTIONS = {
  ...commonOptions({ batch: 64, runDir: 'tmp/train/mini-clip', out: 'models/mini-clip' }),
  lr: { kind: 'float', default: DEFAULT_CLIP_HYPER.learningRate, min: 0, help: 'peak learning rate (AdamW)' },
  'warmup-steps': { kind: 'int', default: DEFAULT_CLIP_HYPER.warmupSteps, min: 0, help: 'linear warm-up steps, then cosine to 0' },
  'weight-decay': { kind: 'float', default: DEFAULT_CLIP_HYPER.weightDecay, min: 0, help: 'decoupled weight decay of the matrices' },
  'dense-weight': { kind: 'float', default: DEFAULT_CLIP_HYPER.denseWeight, min: 0, help: 'weight of the dense multiple-instance InfoNCE term (0: global InfoNCE only, as the first run)' },
  'dense-pool-temperature': { kind: 'float', default: DEFAULT_CLIP_HYPER.densePoolTemperature, min: 0.001, help: 'tau of the smooth maximum over patches in the dense term' },
  'prompt-fraction': { kind: 'float', default: 0.25, min: 0, max: 1, help: 'share of texts replaced by "<template> filled with one of the objects"' },
  'scale-min': { kind: 'float', default: 0.85, min: 0.1, max: 1, help: 'smallest zoom-out of the image on its canvas (1: none)' },
} as const satisfies OptionTable;

export const USAGE = usageText(`usage: npx tsx ${SCRIPT} [options]
  Trains mini-CLIP on the captioned corpus (resumable: rerun the same command to continue), then
  exports clip-image.onnx, clip-text.onnx, clip-text.tokenizer.json, model-card.{md,json} into --out.
  Progress goes to stderr. Exit codes: 0 done (or stopped on purpose), 1 failure, 2 bad arguments.`, OPTIONS);

export async function main(argv: string[]): Promise<number> {
  const { help, values } = parseOptions(argv, OPTIONS);
  if (help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = stderrLog('train-clip');
  const command = commandLine(SCRIPT, argv);
  log(`options ${JSON.stringify(values)}`);
  const backend = await startBackend(values.backend, log);

  // Data: the corpus, the last lines held out, every image decoded once.
  const { corpus, train, heldOut, captionsSha256, trainImages, heldOutImages } = await loadCorpusRun(values.corpus, values['held-out'], log, 'captioned');

  // The vocabulary: every word the model can meet (corpus, VOC class prompts, templates, background).
  const classNames = VOC_CLASSES.slice(1).map((c) => c.promptName);
  const words = buildVocabulary({ captions: corpus.entries.map((e) => e.caption), classNames, templates: DEFAULT_TEMPLATES, backgroundPrompts: DEFAULT_BACKGROUND_PROMPTS });
  const tokenizerFile = wordTokenizer(words);
  const textConfig = { ...DEFAULT_TEXT_CONFIG };
  const tokenizer = loadTokenizer(tokenizerFile, { contextLength: textConfig.contextLength });
  const objectNames = [...new Set(corpus.entries.flatMap((e) => e.objects))];
  const missing = unknownWords([...objectNames, ...DEFAULT_TEMPLATES, ...classNames, ...DEFAULT_BACKGROUND_PROMPTS], words);
  if (missing.length > 0) throw new Error(`the vocabulary lacks ${missing.join(', ')}`);
  log(`vocabulary ${tokenizerFile.vocab.length} tokens`);

  const hyper: ClipHyperParameters = { ...DEFAULT_CLIP_HYPER, learningRate: values.lr, warmupSteps: values['warmup-steps'], weightDecay: values['weight-decay'], denseWeight: values['dense-weight'], densePoolTemperature: values['dense-pool-temperature'] };
  const augmentation: ClipAugmentation = { flip: true, scaleMin: values['scale-min'], promptFraction: values['prompt-fraction'], templates: DEFAULT_TEMPLATES };
  const imageConfig = { ...DEFAULT_VIT_CONFIG };
  const trainer = new ClipTrainer({
    image: imageConfig,
    text: textConfig,
    tokenizer,
    vocabSize: tokenizerFile.vocab.length,
    seed: values.seed,
    batchSize: values.batch,
    hyper,
    augmentation,
    mean: CLIP_MEAN,
    std: CLIP_STD,
    samples: train.map((entry, i) => ({ image: trainImages[i]!, caption: entry.caption, objects: entry.objects })),
  });
  const stop = listenForStop((signal) => log(`${signal}: stopping after this step (a second one exits at once)`));
  try {
    const identity = {
      model: 'mini-clip',
      image: imageConfig,
      text: textConfig,
      vocabulary: tokenizerFile.vocab,
      corpus: { entries: corpus.entries.length, heldOut: heldOut.length, captionsSha256 },
      seed: values.seed,
      batch: values.batch,
      hyper,
      augmentation: { ...augmentation, templates: `${DEFAULT_TEMPLATES.length} DEFAULT_TEMPLATES` },
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
      describe: (m) => `loss ${m['loss']?.toFixed(4)} scale ${m['logitScale']?.toFixed(2)} lr ${m['lr']?.toExponential(2)} |g| ${m['gradNorm']?.toFixed(2)}`,
      log,
      shouldStop: () => stop.requested(),
    });
    if (result.stopReason === 'requested') {
      log(`not exporting: the run stopped early on purpose; rerun the same command (without --stop-after) to continue from step ${result.steps}`);
      return stop.requested() ? 130 : 0;
    }

    // Export, then read the files back as the services do and check them.
    const metadata = {
      'fmwiss.weights': `mini-clip seed ${values.seed}, ${result.steps} steps of batch ${values.batch}`,
      'fmwiss.trained_on': `fmwiss-world corpus, ${train.length} captioned images (captions.jsonl sha256 ${captionsSha256.slice(0, 16)})`,
    };
    await exportMiniClip(values.out, { image: trainer.image, text: trainer.text, tokenizerFile, mean: CLIP_MEAN, std: CLIP_STD, metadata });
    const check = await checkExportedClip(values.out, { image: trainer.image, text: trainer.text, tokenizer, mean: CLIP_MEAN, std: CLIP_STD }, heldOutImages, heldOut.map((e) => e.caption));
    const retrieval = retrievalFigures(check.onnxImages, check.onnxTexts, heldOut.length, imageConfig.outputDim);
    log(
      `held-out retrieval (${retrieval.pairs} pairs, ONNX): caption->image top-1 ${(100 * retrieval.captionToImageTop1).toFixed(1)}%, ` +
        `top-5 ${(100 * retrieval.captionToImageTop5).toFixed(1)}%, image->caption top-1 ${(100 * retrieval.imageToCaptionTop1).toFixed(1)}% (chance ${(100 * retrieval.chance).toFixed(2)}%)`,
    );
    log(`ONNX vs TensorFlow.js: max |diff| ${check.maxImageDifference.toExponential(2)} (image), ${check.maxTextDifference.toExponential(2)} (text)`);

    const files = await describeFiles(values.out, [CLIP_FILES.image, CLIP_FILES.text, CLIP_FILES.tokenizer]);
    const count = (tensors: Record<string, { size: number }>) => Object.values(tensors).reduce((n, t) => n + t.size, 0);
    const logitScale = Math.exp((trainer.logScale.dataSync() as Float32Array)[0]!);
    const card: ModelCard = {
      model: 'mini-clip',
      summary:
        'The project\'s small CLIP, trained from scratch on the fmwiss-world captioned corpus: a ViT image tower and a causal text ' +
        'transformer with a closed word vocabulary, contrastive (symmetric InfoNCE) with a learned temperature. The dense output is ' +
        'MaskCLIP\'s value path of the last block (METHOD.md section 1).',
      contracts: ['clip-image/1', 'clip-text/1'],
      files,
      sections: [
        {
          title: 'Architecture',
          body: {
            image: { ...imageConfig, parameters: count(trainer.image.tensors) },
            text: { ...trainer.text.config, parameters: count(trainer.text.tensors) },
            [LOGIT_SCALE]: `exp(s) = ${logitScale.toFixed(3)} at the end (init 1/0.07, clamped at 100)`,
            tokenizer: `word, ${tokenizerFile.vocab.length} tokens (4 specials + every word of the corpus captions, the 20 VOC class names in prompt form, co-segmentation's DEFAULT_TEMPLATES and DEFAULT_BACKGROUND_PROMPTS), context ${textConfig.contextLength}; longer captions are cut (end token kept)`,
            normalisation: `CLIP mean ${CLIP_MEAN.join(',')} std ${CLIP_STD.join(',')}`,
          },
        },
        {
          title: 'Data',
          body: {
            corpus: `${values.corpus}/captions.jsonl (sha256 ${captionsSha256}), ${corpus.entries.length} images of 128 px`,
            training: `the first ${train.length} lines`,
            'held out': `the last ${heldOut.length} lines (retrieval check below), never trained on`,
            texts: `the caption; with probability ${augmentation.promptFraction} instead one of the ${DEFAULT_TEMPLATES.length} DEFAULT_TEMPLATES filled with one of the image's objects ("a photo of a {object}." style); identical texts in a batch share their targets`,
            augmentation: `horizontal flip (p 0.5; no caption says left or right), zoom-out to s*96 px with s uniform in [${augmentation.scaleMin}, 1] placed at a random offset on a mean-coloured 96 px canvas; no crop, so every captioned object stays in view`,
          },
        },
        {
          title: 'Training',
          body: {
            command,
            reproduce: `${reproduceCommand(SCRIPT, argv, result.plannedSteps, result.trainSeconds, { runDir: values['run-dir'], out: values.out })} (bit for bit on the same backend${result.steps < result.plannedSteps ? `; this run itself stopped at step ${result.steps} of that schedule` : ''}${result.plan.replans?.length ? '; not bit for bit: the schedule of this run was shortened on the way' : ''})`,
            seed: values.seed,
            batch: values.batch,
            steps: result.steps,
            'planned steps': describePlan(result.plan),
            epochs: Number((result.steps / trainer.order.stepsPerEpoch).toFixed(3)),
            'stop reason': result.stopReason,
            'training wall time': `${formatDuration(result.trainSeconds)} (${Math.round(result.trainSeconds)} s, steps and checkpoints, all invocations)`,
            'seconds per step (last invocation)': Number(result.secondsPerStep.toFixed(3)),
            invocations: result.invocations.map((i) => `${i.startedAt}: steps ${i.fromStep}->${i.toStep}, ${formatDuration(i.seconds)}, ${i.stopReason}`).join('; '),
            optimizer: `AdamW beta1 ${hyper.beta1}, beta2 ${hyper.beta2}, eps ${hyper.epsilon}, weight decay ${hyper.weightDecay} on matrices only, global gradient-norm clip ${hyper.clipNorm}`,
            schedule: `learning rate ${hyper.learningRate}, linear warm-up over ${hyper.warmupSteps} steps, cosine to ${hyper.finalLearningRateFactor * hyper.learningRate} at the last planned step`,
            loss:
              'symmetric InfoNCE (text->image and image->text cross-entropy, averaged), logits exp(s) cos(text, image)' +
              (hyper.denseWeight > 0
                ? ` + ${hyper.denseWeight} x the same InfoNCE on the dense path, a text scored against an image by a smooth maximum over its patches (tau ${hyper.densePoolTemperature})`
                : ''),
            'final loss': result.lastMetrics['loss'] ?? null,
            backend,
          },
        },
        { title: 'Machine', body: { ...machineInfo() } },
        {
          title: 'Sanity check (held-out retrieval, exported ONNX models)',
          body: {
            pairs: retrieval.pairs,
            'caption -> image top-1': retrieval.captionToImageTop1,
            'caption -> image top-5': retrieval.captionToImageTop5,
            'image -> caption top-1': retrieval.imageToCaptionTop1,
            chance: retrieval.chance,
            'ONNX vs TensorFlow.js max abs difference': { image: check.maxImageDifference, text: check.maxTextDifference },
          },
        },
      ],
      figures: {
        status: 'not yet measured',
        measureWith: 'npx tsx tools/model-quality/src/main.ts --json tmp/model-quality.json   (VOC val of fmwiss-world; issue 6 item 5)',
        values: { mAPGlobal: null, mAPDense: null, mIoUInitOnly: null },
      },
      createdAt: new Date().toISOString(),
    };
    const written = await writeModelCard(values.out, card);
    process.stdout.write(
      `${JSON.stringify({ out: values.out, files: [...files.map((f) => ({ name: f.name, bytes: f.bytes })), ...written.map((f) => path.basename(f))], steps: result.steps, plannedSteps: result.plannedSteps, trainSeconds: Math.round(result.trainSeconds), secondsPerStep: result.secondsPerStep, retrieval }, null, 2)}\n`,
    );
    return 0;
  } finally {
    stop.dispose();
    trainer.dispose();
  }
}

if (require.main === module) runMain('train-clip', USAGE, main);
