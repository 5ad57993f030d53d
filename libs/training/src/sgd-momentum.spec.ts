import * as tf from '@tensorflow/tfjs';
import { TrainingError } from './errors';
import { SgdMomentum } from './sgd-momentum';

beforeAll(async () => {
  tf.env().set('IS_TEST', true); // silences the "install tfjs-node" banner
  await tf.setBackend('cpu');
});

function setup(initial: number[] = [1, -2]) {
  const variables = new Map([['w', tf.variable(tf.tensor1d(initial), true, 'sgd-spec-w-' + Math.random())]]);
  const grads = new Map([['w', tf.tensor1d([0.5, 0.25])]]);
  const dispose = () => {
    for (const v of variables.values()) v.dispose();
    for (const g of grads.values()) g.dispose();
  };
  return { variables, grads, dispose };
}

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('SgdMomentum', () => {
  it('matches PyTorch SGD computed by hand over 3 steps (momentum 0.9, weight decay 0.1, lr 0.1)', () => {
    const { variables, grads, dispose } = setup();
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0.1 });
    const w = variables.get('w') as tf.Variable;
    // Step 1: g = [0.5, 0.25] + 0.1 * [1, -2] = [0.6, 0.05]; v = g; w = [1, -2] - 0.1 * v.
    optimizer.step(grads, variables, 0.1);
    expect(values(w)).toEqual([expect.closeTo(0.94, 6), expect.closeTo(-2.005, 6)]);
    // Step 2: g = [0.594, 0.0495]; v = 0.9 * [0.6, 0.05] + g = [1.134, 0.0945]; w = [0.8266, -2.01445].
    optimizer.step(grads, variables, 0.1);
    expect(values(w)).toEqual([expect.closeTo(0.8266, 6), expect.closeTo(-2.01445, 6)]);
    // Step 3: g = [0.58266, 0.048555]; v = [1.60326, 0.133605]; w = [0.666274, -2.0278105].
    optimizer.step(grads, variables, 0.1);
    expect(values(w)).toEqual([expect.closeTo(0.666274, 5), expect.closeTo(-2.0278105, 5)]);
    const state = optimizer.getState();
    expect(values(state.get('w') as tf.Tensor)).toEqual([expect.closeTo(1.60326, 5), expect.closeTo(0.133605, 5)]);
    for (const t of state.values()) t.dispose();
    optimizer.dispose();
    dispose();
  });

  it('applies Nesterov momentum as PyTorch does (hand values, 2 steps)', () => {
    const { variables, grads, dispose } = setup();
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0.1, nesterov: true });
    const w = variables.get('w') as tf.Variable;
    // Step 1: g = [0.6, 0.05], v = g, w -= 0.1 * (g + 0.9 v) = 0.1 * [1.14, 0.095].
    optimizer.step(grads, variables, 0.1);
    expect(values(w)).toEqual([expect.closeTo(0.886, 6), expect.closeTo(-2.0095, 6)]);
    // Step 2: g = [0.5886, 0.04905], v = [1.1286, 0.09405], w -= 0.1 * (g + 0.9 v).
    optimizer.step(grads, variables, 0.1);
    expect(values(w)).toEqual([expect.closeTo(0.725566, 5), expect.closeTo(-2.0228695, 5)]);
    optimizer.dispose();
    dispose();
  });

  it('skips weight decay for excluded names and steps only variables that have a gradient', () => {
    const variables = new Map([
      ['conv/bias', tf.variable(tf.tensor1d([1]), true, 'sgd-spec-b-' + Math.random())],
      ['conv/kernel', tf.variable(tf.tensor1d([1]), true, 'sgd-spec-k-' + Math.random())],
      ['frozen', tf.variable(tf.tensor1d([3]), true, 'sgd-spec-f-' + Math.random())],
    ]);
    const grads = new Map([
      ['conv/bias', tf.tensor1d([0])],
      ['conv/kernel', tf.tensor1d([0])],
    ]);
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0.5, decayExclude: (n) => n.endsWith('/bias') });
    optimizer.step(grads, variables, 1);
    expect(values(variables.get('conv/bias') as tf.Variable)).toEqual([1]); // no decay, zero gradient
    expect(values(variables.get('conv/kernel') as tf.Variable)).toEqual([0.5]); // 1 - 1 * (0.5 * 1)
    expect(values(variables.get('frozen') as tf.Variable)).toEqual([3]);
    expect([...optimizer.getState().keys()].sort()).toEqual(['conv/bias', 'conv/kernel']);
    optimizer.dispose();
    for (const t of [...variables.values(), ...grads.values()]) t.dispose();
  });

  it('keeps tf.memory().numTensors constant across 200 steps', () => {
    const { variables, grads, dispose } = setup();
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 1e-4, nesterov: true });
    optimizer.step(grads, variables, 0.01); // creates the velocity buffer
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) optimizer.step(grads, variables, 0.01);
    expect(tf.memory().numTensors).toBe(before);
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(before - 1);
    dispose();
  });

  it('round-trips its state: a restored optimiser continues exactly like the original', () => {
    const a = setup();
    const original = new SgdMomentum({ momentum: 0.9, weightDecay: 0.1 });
    original.step(a.grads, a.variables, 0.1);
    original.step(a.grads, a.variables, 0.1);
    const b = setup(values(a.variables.get('w') as tf.Variable));
    const restored = new SgdMomentum({ momentum: 0.9, weightDecay: 0.1 });
    const state = original.getState();
    restored.setState(state);
    for (const t of state.values()) t.dispose(); // setState copied them
    original.step(a.grads, a.variables, 0.1);
    restored.step(b.grads, b.variables, 0.1);
    expect(values(b.variables.get('w') as tf.Variable)).toEqual(values(a.variables.get('w') as tf.Variable));
    original.dispose();
    restored.dispose();
    a.dispose();
    b.dispose();
  });

  it('rejects bad input before changing anything', () => {
    const { variables, grads, dispose } = setup();
    const optimizer = new SgdMomentum({ momentum: 0.9, weightDecay: 0 });
    const bad = new Map([...grads, ['nope', tf.tensor1d([1])]]);
    expect(() => optimizer.step(bad, variables, 0.1)).toThrow(/unknown variable nope/);
    expect(values(variables.get('w') as tf.Variable)).toEqual([1, -2]);
    const wrongShape = new Map([['w', tf.tensor1d([1, 2, 3])]]);
    expect(() => optimizer.step(wrongShape, variables, 0.1)).toThrow(/shape \[3\]/);
    expect(() => optimizer.step(grads, variables, Number.NaN)).toThrow(TrainingError);
    expect(() => new SgdMomentum({ momentum: 1, weightDecay: 0 })).toThrow(/momentum/);
    expect(() => new SgdMomentum({ momentum: 0, weightDecay: 0, nesterov: true })).toThrow(/nesterov/);
    optimizer.dispose();
    expect(() => optimizer.step(grads, variables, 0.1)).toThrow(/after dispose/);
    for (const t of [...bad.values(), ...wrongShape.values()]) t.dispose();
    dispose();
  });

  it('with momentum 0 is plain SGD with weight decay and owns no buffers', () => {
    const { variables, grads, dispose } = setup();
    const optimizer = new SgdMomentum({ momentum: 0, weightDecay: 0.1 });
    const before = tf.memory().numTensors;
    optimizer.step(grads, variables, 0.1);
    optimizer.step(grads, variables, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    // w1 = [1, -2] - 0.1 * [0.6, 0.05] = [0.94, -2.005]; w2 = w1 - 0.1 * [0.594, 0.0495].
    expect(values(variables.get('w') as tf.Variable)).toEqual([expect.closeTo(0.8806, 6), expect.closeTo(-2.00995, 6)]);
    optimizer.dispose();
    dispose();
  });
});
