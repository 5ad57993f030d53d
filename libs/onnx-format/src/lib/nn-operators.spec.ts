// Models built with GraphBuilder run in onnxruntime-node and agree with a plain-JS reference:
// the arithmetic operators of a ViT and a small conv net.
import { expectClose, runModel, runOnce } from '../../test/onnxruntime';
import * as R from '../../test/reference';
import { Attr, GraphBuilder } from './graph-builder';
import { writeModel } from './write-model';

describe('linear and arithmetic operators', () => {
  it('MatMul + Add with a dynamic batch', async () => {
    const w = R.random([6, 4], 1);
    const b = R.random([4], 2);
    const g = new GraphBuilder('linear');
    const x = g.input('x', 'float32', ['B', 3, 6]);
    const y = g.node('Add', [g.node('MatMul', [x, g.initializer('w', R.f32(w), w.dims)]), g.initializer('b', R.f32(b))]);
    g.output(y, 'y', 'float32', ['B', 3, 4]);

    const x1 = R.random([1, 3, 6], 3);
    const x4 = R.random([4, 3, 6], 4);
    const [out1, out4] = await runModel(writeModel(g), { x: x1 }, { x: x4 });
    expectClose(out1.y, R.add(R.matmul(x1, w), b));
    expectClose(out4.y, R.add(R.matmul(x4, w), b));
  });

  it('batched MatMul of two inputs (attention scores)', async () => {
    const g = new GraphBuilder('scores');
    const q = g.input('q', 'float32', ['B', 2, 5, 4]);
    const kT = g.input('kT', 'float32', ['B', 2, 4, 5]);
    g.output(g.node('MatMul', [q, kT]), 'scores', 'float32', ['B', 2, 5, 5]);
    const qv = R.random([3, 2, 5, 4], 5);
    const kv = R.random([3, 2, 4, 5], 6);
    const out = await runOnce(writeModel(g), { q: qv, kT: kv });
    expectClose(out.scores, R.matmul(qv, kv));
  });

  it('Div, Sqrt, Mul, Sub and Pow broadcast like numpy', async () => {
    const g = new GraphBuilder('arith');
    const a = g.input('a', 'float32', [2, 3, 4]);
    const b = g.input('b', 'float32', [3, 1]);
    const two = g.initializer('two', Float32Array.of(2), []);
    const quotient = g.node('Div', [a, g.node('Sqrt', [b])]);
    const product = g.node('Mul', [quotient, g.node('Sub', [a, b])]);
    g.output(g.node('Pow', [product, two]), 'y', 'float32', [2, 3, 4]);

    const av = R.random([2, 3, 4], 7);
    const bv = R.random([3, 1], 8, 0.5, 2);
    const out = await runOnce(writeModel(g), { a: av, b: bv });
    const expected = R.map(R.mul(R.div(av, R.map(bv, Math.sqrt)), R.sub(av, bv)), (v) => v * v);
    expectClose(out.y, expected);
  });
});

describe('Conv', () => {
  const cases: { name: string; x: number[]; w: number[]; options: R.ConvOptions }[] = [
    { name: 'plain 3x3', x: [1, 3, 7, 7], w: [4, 3, 3, 3], options: {} },
    { name: 'strides 2, pads 1', x: [2, 3, 8, 8], w: [6, 3, 3, 3], options: { strides: [2, 2], pads: [1, 1, 1, 1] } },
    { name: 'asymmetric pads, group 2', x: [1, 4, 6, 5], w: [6, 2, 3, 2], options: { pads: [0, 1, 2, 1], group: 2 } },
    { name: 'depthwise with dilations', x: [1, 3, 9, 9], w: [3, 1, 3, 3], options: { group: 3, dilations: [2, 2], pads: [2, 2, 2, 2] } },
    { name: 'patch embedding (kernel = stride = 4)', x: [2, 3, 8, 8], w: [8, 3, 4, 4], options: { strides: [4, 4] } },
  ];

  it.each(cases)('$name', async ({ x, w, options }) => {
    const weights = R.random(w, 11);
    const bias = R.random([w[0]], 12);
    const input = R.random(x, 13);
    const expected = R.conv2d(input, weights, bias, options);

    const g = new GraphBuilder('conv');
    const xv = g.input('x', 'float32', ['B', ...x.slice(1)]);
    const attrs = {
      kernel_shape: w.slice(2),
      ...(options.strides && { strides: options.strides }),
      ...(options.pads && { pads: options.pads }),
      ...(options.dilations && { dilations: options.dilations }),
      ...(options.group && { group: options.group }),
    };
    const y = g.node('Conv', [xv, g.initializer('w', R.f32(weights), w), g.initializer('b', R.f32(bias))], attrs);
    g.output(y, 'y', 'float32', ['B', ...expected.dims.slice(1)]);
    expectClose((await runOnce(writeModel(g), { x: input })).y, expected);
  });
});

describe('normalisation and activations', () => {
  it('Softmax over the last axis and over axis 1', async () => {
    const g = new GraphBuilder('softmax');
    const x = g.input('x', 'float32', ['B', 3, 5]);
    g.output(g.node('Softmax', [x], { axis: -1 }), 'last', 'float32', ['B', 3, 5]);
    g.output(g.node('Softmax', [x], { axis: 1 }), 'middle', 'float32', ['B', 3, 5]);
    const xv = R.random([2, 3, 5], 21, -4, 4);
    const out = await runOnce(writeModel(g), { x: xv });
    expectClose(out.last, R.softmax(xv, -1));
    expectClose(out.middle, R.softmax(xv, 1));
  });

  it('ReduceMean with keepdims 1 and 0 (opset 17: axes is an attribute)', async () => {
    const g = new GraphBuilder('mean');
    const x = g.input('x', 'float32', ['B', 4, 6]);
    g.output(g.node('ReduceMean', [x], { axes: [-1], keepdims: 1 }), 'kept', 'float32', ['B', 4, 1]);
    g.output(g.node('ReduceMean', [x], { axes: [1, 2], keepdims: 0 }), 'dropped', 'float32', ['B']);
    const xv = R.random([3, 4, 6], 22);
    const out = await runOnce(writeModel(g), { x: xv });
    expectClose(out.kept, R.reduceMean(xv, [-1], true));
    expectClose(out.dropped, R.reduceMean(xv, [1, 2], false));
  });

  it('LayerNormalization (opset 17) and its decomposition agree with the reference', async () => {
    const epsilon = 1e-5;
    const scale = R.random([8], 23, 0.5, 1.5);
    const bias = R.random([8], 24);
    const g = new GraphBuilder('layer-norm');
    const x = g.input('x', 'float32', ['B', 'T', 8]);
    const s = g.initializer('scale', R.f32(scale));
    const b = g.initializer('bias', R.f32(bias));
    g.output(g.node('LayerNormalization', [x, s, b], { axis: -1, epsilon }), 'fused', 'float32', ['B', 'T', 8]);

    // (x - mean) / sqrt(var + eps) * scale + bias, with ReduceMean, Sub, Mul, Add, Sqrt, Div
    const centered = g.node('Sub', [x, g.node('ReduceMean', [x], { axes: [-1] })]);
    const variance = g.node('ReduceMean', [g.node('Mul', [centered, centered])], { axes: [-1] });
    const std = g.node('Sqrt', [g.node('Add', [variance, g.initializer('eps', Float32Array.of(epsilon), [])])]);
    const normed = g.node('Div', [centered, std]);
    g.output(g.node('Add', [g.node('Mul', [normed, s]), b]), 'decomposed', 'float32', ['B', 'T', 8]);

    const xv = R.random([2, 5, 8], 25, -3, 3);
    const out = await runOnce(writeModel(g, { opset: 17 }), { x: xv });
    const expected = R.layerNorm(xv, scale, bias, epsilon);
    expectClose(out.fused, expected);
    expectClose(out.decomposed, expected);
  });

  it('Gelu as 0.5 x (1 + Erf(x / sqrt 2)) at opset 17', async () => {
    const g = new GraphBuilder('gelu-erf');
    const x = g.input('x', 'float32', ['N']);
    const erf = g.node('Erf', [g.node('Div', [x, g.initializer('sqrt2', Float32Array.of(Math.SQRT2), [])])]);
    const onePlus = g.node('Add', [erf, g.initializer('one', Float32Array.of(1), [])]);
    const y = g.node('Mul', [g.node('Mul', [x, onePlus]), g.initializer('half', Float32Array.of(0.5), [])]);
    g.output(erf, 'erf', 'float32', ['N']);
    g.output(y, 'gelu', 'float32', ['N']);
    const xv = R.ref([41], (i) => Math.fround(-5 + i * 0.25));
    const out = await runOnce(writeModel(g), { x: xv });
    expectClose(out.erf, R.map(xv, (v) => R.erf(v / Math.SQRT2)));
    expectClose(out.gelu, R.map(xv, R.gelu));
  });

  it('the Gelu operator (opset 20), exact and tanh approximation', async () => {
    const g = new GraphBuilder('gelu');
    const x = g.input('x', 'float32', ['N']);
    g.output(g.node('Gelu', [x]), 'exact', 'float32', ['N']);
    g.output(g.node('Gelu', [x], { approximate: 'tanh' }), 'tanh', 'float32', ['N']);
    const xv = R.ref([41], (i) => Math.fround(-5 + i * 0.25));
    const out = await runOnce(writeModel(g, { opset: 20 }), { x: xv });
    expectClose(out.exact, R.map(xv, R.gelu));
    expectClose(out.tanh, R.map(xv, R.geluTanh));
  });

  it('float attributes with integral values need Attr.float (here LeakyRelu alpha = 2)', async () => {
    const g = new GraphBuilder('leaky');
    const x = g.input('x', 'float32', [4]);
    g.output(g.node('LeakyRelu', [x], { alpha: Attr.float(2) }), 'y', 'float32', [4]);
    const out = await runOnce(writeModel(g), { x: R.ref([4], [-2, -0.5, 0, 3]) });
    expectClose(out.y, R.ref([4], [-4, -1, 0, 3]));
  });
});
