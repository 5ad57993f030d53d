/**
 * Times the forward + backward pass of encodeImage (and optionally encodeText) on a tfjs backend,
 * and prints the slowest kernels (tf.profile).
 *
 *   npx tsx --tsconfig libs/vit-models/tsconfig.json libs/vit-models/test/time-step.ts [--batch 64] [--backend wasm] [--repeat 3] [--top 25] [--what image|text|forward]
 */
import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { createTextWeights, createVitWeights, disposeWeights, encodeImage, encodeText, weightVariables } from '../src';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}

async function main(): Promise<void> {
  const batch = Number(flag('batch', '64'));
  const repeat = Number(flag('repeat', '3'));
  const top = Number(flag('top', '25'));
  const what = flag('what', 'image');
  await initTensorRuntime({ backend: flag('backend', 'wasm') as 'wasm' | 'cpu' });
  const vit = createVitWeights({}, 1);
  const text = createTextWeights({ vocabSize: 64, endId: 2 }, 1);
  const pixels = tf.randomNormal([batch, 96, 96, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const ids = tf.tidy(() => tf.randomUniform([batch, 16], 3, 64, 'int32').concat(tf.fill([batch, 1], 2, 'int32'), 1).slice([0, 1], [batch, 16])) as tf.Tensor2D;
  const step = (): void => {
    if (what === 'forward') {
      tf.dispose(encodeImage(vit, pixels) as unknown as tf.TensorContainer);
      return;
    }
    const vars = what === 'text' ? weightVariables(text) : weightVariables(vit);
    const { value, grads } = tf.variableGrads(() => {
      const out = what === 'text' ? encodeText(text, ids) : encodeImage(vit, pixels).global;
      return tf.mean(tf.square(out)) as tf.Scalar;
    }, vars);
    for (const g of Object.values(grads)) g.dataSync();
    value.dispose();
    tf.dispose(grads);
  };
  step(); // warm-up
  const before = tf.memory().numTensors;
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  console.log(`${what} batch ${batch} on ${tf.getBackend()}: ${times.map((t) => t.toFixed(0)).join(', ')} ms; tensors ${before} -> ${tf.memory().numTensors}`);
  const profile = await tf.profile(() => step());
  console.log(`peak bytes ${(profile.peakBytes / 2 ** 20).toFixed(0)} MiB, new tensors ${profile.newTensors}`);
  const byKernel = new Map<string, { ms: number; n: number }>();
  const byShape = new Map<string, { ms: number; n: number }>();
  for (const k of profile.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    const add = (map: Map<string, { ms: number; n: number }>, key: string) => {
      const e = map.get(key) ?? { ms: 0, n: 0 };
      e.ms += ms;
      e.n += 1;
      map.set(key, e);
    };
    add(byKernel, k.name);
    add(byShape, `${k.name} ${JSON.stringify(k.inputShapes)}`);
  }
  const show = (map: Map<string, { ms: number; n: number }>) =>
    [...map].sort((a, b) => b[1].ms - a[1].ms).slice(0, top).forEach(([key, e]) => console.log(`${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(4)}x  ${key}`));
  show(byKernel);
  console.log('---');
  show(byShape);
  disposeWeights(vit);
  disposeWeights(text);
}

void main();
