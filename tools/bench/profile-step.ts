/**
 * Per-kernel profile (tf.profile) of what train-step.ts measures, on wasm: the forward pass
 * (student + teacher) and the training step's loss + gradients (the SGD update is left out). Prints
 * ms per kernel name and per (kernel, input shapes) for the step, and the step minus the forward
 * pass per (kernel, shapes): what the backward pass and the losses add. Mean of --runs profiled
 * runs after warm-up; kernel times are wall-clock, so run it on a quiet machine.
 *
 *   npx tsx tools/bench/profile-step.ts [--batch 8] [--runs 3] [--top 30]
 */
import * as tf from '@tensorflow/tfjs';
import { denseContrastiveLoss, maskedBce } from '@fmwiss/losses';
import { createStudent, createTeacher, DEFAULT_MODEL_CONFIG, featureSize } from '@fmwiss/segmentation-models';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

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
const RUNS = positiveInt('runs', 3);
const TOP = positiveInt('top', 30);
const NUM_CLASSES = 21;

/** Mean ms per kernel of `run` over RUNS profiled runs, keyed `Kernel [in shapes] -> [out shape]`. */
async function profile(run: () => tf.Tensor[]): Promise<Map<string, number>> {
  for (let i = 0; i < 2; i++) tf.dispose(run());
  const ms = new Map<string, number>();
  for (let r = 0; r < RUNS; r++) {
    const info = await tf.profile(run);
    for (const k of info.kernels) {
      const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')} -> [${k.outputShapes[0]}]`;
      ms.set(key, (ms.get(key) ?? 0) + ((await k.kernelTimeMs) as number) / RUNS);
    }
    tf.dispose(info.result as tf.Tensor[]);
  }
  return ms;
}

function print(title: string, ms: Map<string, number>): void {
  const byName = new Map<string, number>();
  for (const [key, v] of ms) byName.set(key.split(' ')[0] as string, (byName.get(key.split(' ')[0] as string) ?? 0) + v);
  const total = [...ms.values()].reduce((a, b) => a + b, 0);
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  console.log(`\n${title}: ${total.toFixed(1)} ms of kernels`);
  for (const [name, v] of top(byName)) console.log(`${v.toFixed(1).padStart(8)}  ${name}`);
  console.log('  by shape:');
  for (const [key, v] of top(ms)) console.log(`${v.toFixed(1).padStart(8)}  ${key}`);
}

async function main(): Promise<void> {
  await initTensorRuntime({ backend: 'wasm' });
  const config = { ...DEFAULT_MODEL_CONFIG, atrous: 'native' as const };
  const [h, w] = featureSize(config);
  const student = createStudent(config, NUM_CLASSES, 1);
  const teacher = createTeacher(config, NUM_CLASSES, 2);
  const images = tf.randomNormal([BATCH, config.imageSize, config.imageSize, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const targets = tf.tidy(() => tf.randomUniform([BATCH, h, w, NUM_CLASSES], 0, 1, 'float32', 2).greater(0.5).toFloat() as tf.Tensor4D);
  const labels = tf.randomUniform([BATCH, h, w], 0, NUM_CLASSES, 'int32', 3) as tf.Tensor3D; // [B,h,w]
  const trainables = [...student.variables, ...teacher.variables];

  const forward = (): tf.Tensor[] => {
    const s = student.forward(images, { training: true });
    const t = teacher.forward(s.features, { training: true });
    return [s.logits, s.features, t.logits, t.embeddings];
  };
  const step = (): tf.Tensor[] => {
    const { value, grads } = tf.variableGrads(() => {
      const s = student.forward(images, { training: true });
      const t = teacher.forward(s.features, { training: true });
      const contrast = denseContrastiveLoss(t.embeddings, labels, { pointsPerClass: 10, seed: 0, temperature: 0.1 });
      return maskedBce(s.logits, targets).add(maskedBce(t.logits, targets)).add(contrast.mul(0.1)) as tf.Scalar;
    }, trainables);
    return [value, ...Object.values(grads)];
  };

  const forwardMs = await profile(forward);
  const stepMs = await profile(step);
  print('forward', forwardMs);
  print('step (loss + gradients)', stepMs);
  print('step minus forward', new Map([...stepMs].map(([key, v]) => [key, v - (forwardMs.get(key) ?? 0)])));

  tf.dispose([images, targets, labels]);
  student.dispose();
  teacher.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
