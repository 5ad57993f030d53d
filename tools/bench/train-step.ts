/**
 * Training-step benchmark: the DEFAULT student + plug-in teacher at the default image size, on the
 * backend initTensorRuntime picks (default auto: wasm here). Measures, after warm-up runs:
 * - forward: student.forward + teacher.forward on its features (outputs read back);
 * - step: student BCE + teacher BCE + 0.1 x dense contrastive loss, tf.variableGrads over both
 *   models' variables, one SgdMomentum step;
 * - a plain 1024x1024 matMul in the same run (`await c.data()` outside any tidy).
 * FLOPs: countFlops (convolution MACs x 2). ASSUMPTION: a training step costs 3 forward passes
 * (forward + input gradients + weight gradients), so step GFLOP/s = 3 x forward FLOPs / step time.
 * Target checks: step <= 3.5 forward passes; conv share (step GFLOP/s / matmul GFLOP/s) >= 0.5.
 *
 *   npx tsx tools/bench/train-step.ts [--batch 8] [--steps 10] [--backend auto|wasm|cpu|...]
 */
import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { denseContrastiveLoss, maskedBce } from '@fmwiss/losses';
import { SeededRandom } from '@fmwiss/random';
import { countFlops, createStudent, createTeacher, DEFAULT_MODEL_CONFIG, featureSize } from '@fmwiss/segmentation-models';
import { initTensorRuntime, type BackendChoice } from '@fmwiss/tensor-runtime';
import { SgdMomentum } from '@fmwiss/training';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

function positiveInt(name: string, fallback: number): number {
  const value = Number(flag(name, String(fallback)));
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const BATCH = positiveInt('batch', 8);
const STEPS = positiveInt('steps', 10);
const WARMUP = 2;
const NUM_CLASSES = 21;
const LAMBDA = 0.1;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** ms of each of `runs` calls after WARMUP unmeasured ones. */
async function time(runs: number, fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function main(): Promise<void> {
  const info = await initTensorRuntime({ backend: flag('backend', 'auto') as BackendChoice });
  const config = { ...DEFAULT_MODEL_CONFIG, atrous: 'native' as const };
  const size = config.imageSize;
  const [h, w] = featureSize(config);
  const student = createStudent(config, NUM_CLASSES, 1);
  const teacher = createTeacher(config, NUM_CLASSES, 2);
  const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 1e-4 });

  // Synthetic batch: random images, random blocky labels at the logits' size (a few ignored pixels).
  const random = new SeededRandom(1, 'train-step-bench');
  const images = tf.randomNormal([BATCH, size, size, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const labelData = new Int32Array(BATCH * h * w);
  for (let b = 0; b < BATCH; b++) {
    const classes = [0, 1 + random.int(NUM_CLASSES - 1), 1 + random.int(NUM_CLASSES - 1)];
    for (let i = 0; i < h * w; i++) labelData[b * h * w + i] = random.next() < 0.05 ? 255 : (classes[Math.floor((i % w) / (w / 3))] as number);
  }
  const labels = tf.tensor3d(labelData, [BATCH, h, w], 'int32'); // [B,h,w], 255 ignore
  const { targets, pixelMask, contrastLabels } = tf.tidy(() => ({
    targets: tf.oneHot(tf.minimum(labels.flatten(), tf.scalar(NUM_CLASSES - 1, 'int32')), NUM_CLASSES).reshape([BATCH, h, w, NUM_CLASSES]).toFloat() as tf.Tensor4D,
    pixelMask: labels.notEqual(255).toFloat() as tf.Tensor3D,
    contrastLabels: tf.where(labels.equal(255), tf.fill([BATCH, h, w], -1, 'int32'), labels) as tf.Tensor3D, // [B,h,w], -1 ignore
  }));

  const variables = new Map<string, tf.Variable>([...student.namedWeights(), ...teacher.namedWeights()]);
  const stableName = new Map([...variables].map(([name, v]) => [v.name, name]));
  const trainables = [...variables.values()];

  const forward = async (): Promise<void> => {
    const s = student.forward(images, { training: true });
    const t = teacher.forward(s.features, { training: true });
    await Promise.all([s.logits.data(), t.logits.data(), t.embeddings.data()]);
    tf.dispose([s.logits, s.features, t.logits, t.embeddings]);
  };

  let iteration = 0;
  const step = async (): Promise<void> => {
    const { value, grads } = tf.variableGrads(() => {
      const s = student.forward(images, { training: true });
      const t = teacher.forward(s.features, { training: true });
      const studentLoss = maskedBce(s.logits, targets, { pixelMask });
      const teacherLoss = maskedBce(t.logits, targets, { pixelMask });
      const contrast = denseContrastiveLoss(t.embeddings, contrastLabels, { pointsPerClass: 10, seed: iteration, temperature: 0.1 });
      return studentLoss.add(teacherLoss).add(contrast.mul(LAMBDA)) as tf.Scalar;
    }, trainables);
    await value.data();
    const named = new Map(Object.entries(grads).map(([name, g]) => [stableName.get(name) ?? name, g]));
    optimizer.step(named, variables, 0.01);
    const probe = variables.values().next().value as tf.Variable;
    await probe.data(); // the update has run
    tf.dispose([value, ...Object.values(grads)]);
    iteration++;
  };

  const a = tf.randomNormal([1024, 1024], 0, 1, 'float32', 2) as tf.Tensor2D;
  const b = tf.randomNormal([1024, 1024], 0, 1, 'float32', 3) as tf.Tensor2D;
  const matMul = async (): Promise<void> => {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  };

  const before = tf.memory().numTensors;
  const forwardMs = median(await time(STEPS, forward));
  const stepMs = median(await time(STEPS, step));
  const matMulMs = median(await time(Math.max(STEPS, 5), matMul));
  const leaked = tf.memory().numTensors - before - variables.size; // velocity buffers excepted

  const flops = countFlops(config, BATCH, NUM_CLASSES);
  const forwardGflop = flops.student.gflops + flops.teacher.gflops;
  const forwardRate = forwardGflop / (forwardMs / 1000);
  const stepRate = (3 * forwardGflop) / (stepMs / 1000);
  const matMulRate = (2 * 1024 ** 3) / 1e9 / (matMulMs / 1000);
  const ratio = stepMs / forwardMs;
  const share = stepRate / matMulRate;

  const row = (what: string, ms: number, gflop: number, rate: number): string =>
    `| ${what.padEnd(44)} | ${ms.toFixed(1).padStart(8)} | ${gflop.toFixed(2).padStart(6)} | ${rate.toFixed(2).padStart(7)} |`;
  console.log(
    `backend ${info.backend} (tf '${info.tfBackend}'${info.wasmThreads ? `, ${info.wasmThreads} wasm thread` : ''}), cores ${availableParallelism()}, ` +
      `batch ${BATCH}, ${size}px, ${NUM_CLASSES} classes, atrous ${config.atrous}, median of ${STEPS} runs after ${WARMUP} warm-up runs`,
  );
  console.log(`| ${'measurement'.padEnd(44)} | ${'ms'.padStart(8)} | ${'GFLOP'.padStart(6)} | ${'GFLOP/s'.padStart(7)} |`);
  console.log(`|${'-'.repeat(46)}|${'-'.repeat(10)}|${'-'.repeat(8)}|${'-'.repeat(9)}|`);
  console.log(row('forward (student + teacher)', forwardMs, forwardGflop, forwardRate));
  console.log(row('training step (BCE+BCE+0.1 DCL, grads, SGD)', stepMs, 3 * forwardGflop, stepRate));
  console.log(row('matMul 1024x1024x1024', matMulMs, (2 * 1024 ** 3) / 1e9, matMulRate));
  console.log(`step / forward = ${ratio.toFixed(2)} (assumption: a step = 3 forward passes of FLOPs)`);
  console.log(`conv share = step GFLOP/s / matmul GFLOP/s = ${share.toFixed(2)}`);
  console.log(`check step <= 3.5 forward passes: ${ratio <= 3.5 ? 'PASS' : 'FAIL'} (${ratio.toFixed(2)})`);
  console.log(`check conv share >= 0.5: ${share >= 0.5 ? 'PASS' : 'FAIL'} (${share.toFixed(2)})`);
  console.log(`tensors left beyond the ${variables.size} velocity buffers: ${leaked}`);

  tf.dispose([images, labels, targets, pixelMask, contrastLabels, a, b]);
  optimizer.dispose();
  student.dispose();
  teacher.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
