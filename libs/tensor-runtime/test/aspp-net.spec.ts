/**
 * The full student + teacher training step: variableGrads on wasm match cpu, and 20 optimiser steps
 * leave tf.memory().numTensors (and the wasm backend's data ids) unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { initTensorRuntime } from '../src';
import { initialParams, loss, makeBatch, PARAM_SHAPES, type Batch } from './aspp';
import { relativeError } from './parity';

beforeAll(async () => {
  await initTensorRuntime({ backend: 'wasm' });
});

async function gradsOn(backend: 'wasm' | 'cpu'): Promise<{ value: number; grads: Record<string, Float32Array> }> {
  await tf.setBackend(backend);
  const init = initialParams(42);
  const vars: Record<string, tf.Variable> = {};
  for (const [name, shape] of Object.entries(PARAM_SHAPES)) vars[name] = tf.variable(tf.tensor(init[name], shape));
  const batch = makeBatch(7, 2);
  try {
    const { value, grads } = tf.variableGrads(() => loss(vars, batch), Object.values(vars));
    const names = Object.keys(vars);
    const byVarName = new Map(names.map((n) => [vars[n].name, n]));
    const out: Record<string, Float32Array> = {};
    for (const [varName, g] of Object.entries(grads)) out[byVarName.get(varName) as string] = g.dataSync() as Float32Array;
    const v = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return { value: v, grads: out };
  } finally {
    tf.dispose(Object.values(vars));
    tf.dispose(Object.values(batch) as tf.Tensor[]);
  }
}

describe('ASPP student + teacher step', () => {
  it('variableGrads on wasm match cpu (max rel. error per variable <= 1e-4)', async () => {
    const wasm = await gradsOn('wasm');
    const cpu = await gradsOn('cpu');
    expect(Math.abs(wasm.value - cpu.value) / Math.abs(cpu.value)).toBeLessThanOrEqual(1e-5);
    const errors = Object.keys(PARAM_SHAPES).map((name) => [name, relativeError(wasm.grads[name], cpu.grads[name])] as const);
    process.stdout.write(`ASPP variableGrads wasm vs cpu: ${errors.map(([n, e]) => `${n} ${e.toExponential(1)}`).join(', ')}\n`);
    for (const [name, e] of errors) {
      if (e > 1e-4) throw new Error(`gradient of ${name}: relative error ${e}`);
    }
  });

  it('20 SGD steps on wasm leave tf.memory().numTensors and the backend data unchanged', async () => {
    await tf.setBackend('wasm');
    const init = initialParams(3);
    const vars: Record<string, tf.Variable> = {};
    for (const [name, shape] of Object.entries(PARAM_SHAPES)) vars[name] = tf.variable(tf.tensor(init[name], shape));
    const batch: Batch = makeBatch(11, 2);
    const optimizer = tf.train.momentum(0.01, 0.9);
    const step = () => {
      const value = optimizer.minimize(() => loss(vars, batch), true, Object.values(vars));
      const v = value?.dataSync()[0] ?? NaN;
      value?.dispose();
      return v;
    };
    const first = step(); // creates the optimiser's slots
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    let last = first;
    for (let i = 0; i < 20; i++) last = step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    expect(Number.isFinite(last)).toBe(true);
    expect(last).toBeLessThan(first);
    optimizer.dispose();
    tf.dispose(Object.values(vars));
    tf.dispose(Object.values(batch) as tf.Tensor[]);
  });
});
