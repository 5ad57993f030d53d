import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';

import { AdamW } from './adamw';
import { cosineRamp, linearWarmup, warmupCosine } from './schedules';

beforeAll(async () => {
  tf.env().set('IS_TEST', true);
  await initTensorRuntime({ backend: 'wasm' });
});

describe('AdamW', () => {
  it('follows the PyTorch AdamW update by hand for two steps', () => {
    const w = tf.variable(tf.tensor1d([1, -2]));
    const b = tf.variable(tf.tensor1d([0.5]));
    const variables = new Map([
      ['w', w],
      ['b', b],
    ]);
    const optimizer = new AdamW({ beta1: 0.9, beta2: 0.99, epsilon: 1e-8, decayExclude: (name) => name === 'b' });
    const lr = 0.1;
    const wd = 0.5;
    // Reference in float64.
    let ref = [1, -2];
    let refB = 0.5;
    let m = [0, 0];
    let v = [0, 0];
    let mb = 0;
    let vb = 0;
    const gradients = [
      [0.3, -0.1],
      [-0.2, 0.4],
    ];
    const gradientsB = [2, -1];
    for (let t = 1; t <= 2; t++) {
      const g = gradients[t - 1]!;
      const gb = gradientsB[t - 1]!;
      const grads = new Map([
        ['w', tf.tensor1d(g)],
        ['b', tf.tensor1d([gb])],
      ]);
      optimizer.step(grads, variables, lr, wd);
      tf.dispose([...grads.values()]);
      ref = ref.map((x) => x * (1 - lr * wd));
      m = m.map((mi, i) => 0.9 * mi + 0.1 * g[i]!);
      v = v.map((vi, i) => 0.99 * vi + 0.01 * g[i]! ** 2);
      ref = ref.map((x, i) => x - (lr * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(v[i]! / (1 - 0.99 ** t)) + 1e-8));
      mb = 0.9 * mb + 0.1 * gb;
      vb = 0.99 * vb + 0.01 * gb ** 2;
      refB = refB - (lr * (mb / (1 - 0.9 ** t))) / (Math.sqrt(vb / (1 - 0.99 ** t)) + 1e-8);
    }
    const got = Array.from(w.dataSync());
    expect(got[0]).toBeCloseTo(ref[0]!, 6);
    expect(got[1]).toBeCloseTo(ref[1]!, 6);
    expect(b.dataSync()[0]).toBeCloseTo(refB, 6);
    expect(optimizer.steps).toBe(2);
    optimizer.dispose();
    tf.dispose([w, b]);
  });

  it('round-trips its state exactly and leaves no tensor behind', () => {
    const before = tf.memory().numTensors;
    const w = tf.tidy(() => tf.variable(tf.tensor2d([[1, 2], [3, 4]])));
    const variables = new Map([['w', w]]);
    const a = new AdamW();
    const g = tf.tensor2d([[0.1, -0.2], [0.3, 0.05]]);
    a.step(new Map([['w', g]]), variables, 0.01, 0.1);
    const state = a.getState();
    const b = new AdamW();
    b.setState(state);
    const restored = b.getState();
    for (const [name, tensor] of state) expect(Array.from(restored.get(name)!.dataSync())).toEqual(Array.from(tensor.dataSync()));
    expect(b.steps).toBe(1);
    tf.dispose([...state.values(), ...restored.values(), g, w]);
    a.dispose();
    b.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a gradient it cannot apply, changing nothing', () => {
    const w = tf.variable(tf.tensor1d([1, 2]));
    const optimizer = new AdamW();
    const g = tf.tensor1d([1, 2, 3]);
    expect(() => optimizer.step(new Map([['w', g]]), new Map([['w', w]]), 0.1, 0)).toThrow(/shape/);
    expect(() => optimizer.step(new Map([['x', g]]), new Map([['w', w]]), 0.1, 0)).toThrow(/unknown variable x/);
    expect(optimizer.steps).toBe(0);
    tf.dispose([w, g]);
    optimizer.dispose();
  });
});

describe('schedules', () => {
  it('warm up linearly, then follow a cosine to the final value', () => {
    const s = { base: 1, warmupSteps: 4, final: 0 };
    expect([0, 1, 2, 3].map((i) => warmupCosine(i, 14, s))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(warmupCosine(4, 14, s)).toBe(1);
    expect(warmupCosine(9, 14, s)).toBeCloseTo(0.5, 12);
    expect(warmupCosine(14, 14, s)).toBeCloseTo(0, 12);
  });

  it('ramp DINO momentum 0.996 -> 1 and warm up a value', () => {
    expect(cosineRamp(0, 100, 0.996, 1)).toBe(0.996);
    expect(cosineRamp(50, 100, 0.996, 1)).toBeCloseTo(0.998, 12);
    expect(cosineRamp(100, 100, 0.996, 1)).toBe(1);
    expect(linearWarmup(0, 10, 0.04, 0.07)).toBe(0.04);
    expect(linearWarmup(5, 10, 0.04, 0.07)).toBeCloseTo(0.055, 12);
    expect(linearWarmup(20, 10, 0.04, 0.07)).toBe(0.07);
  });
});
