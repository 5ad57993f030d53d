// Models built with GraphBuilder run in onnxruntime-node and agree with a plain-JS reference: shape
// and indexing operators, casts, resizing, the integer and bool element types.
import * as ort from 'onnxruntime-node';

import { expectClose, int64s, runModel, runOnce } from '../../test/onnxruntime';
import * as R from '../../test/reference';
import { onnxElemType } from './dtype';
import { Attr, GraphBuilder } from './graph-builder';
import { writeModel } from './write-model';

describe('shape and indexing operators', () => {
  it('Reshape keeps a dynamic batch (0) and infers a dim (-1); Transpose permutes', async () => {
    const g = new GraphBuilder('reshape');
    const x = g.input('x', 'float32', ['B', 4, 6]);
    const heads = g.node('Reshape', [x, g.initializer('heads_shape', int64s([0, 4, 2, -1]))]);
    g.output(g.node('Transpose', [heads], { perm: [0, 2, 1, 3] }), 'y', 'float32', ['B', 2, 4, 3]);
    const x1 = R.random([1, 4, 6], 31);
    const x3 = R.random([3, 4, 6], 32);
    const [out1, out3] = await runModel(writeModel(g), { x: x1 }, { x: x3 });
    expectClose(out1.y, R.transpose(R.reshape(x1, [1, 4, 2, 3]), [0, 2, 1, 3]));
    expectClose(out3.y, R.transpose(R.reshape(x3, [3, 4, 2, 3]), [0, 2, 1, 3]));
  });

  it('Gather with int64 indices fed as a BigInt64Array, and with int32 indices from an initializer', async () => {
    const table = R.random([10, 4], 33);
    const g = new GraphBuilder('embedding');
    const ids = g.input('token_ids', 'int64', ['B', 'L']);
    const weights = g.initializer('table', R.f32(table), table.dims);
    g.output(g.node('Gather', [weights, ids], { axis: 0 }), 'embedded', 'float32', ['B', 'L', 4]);
    const x = g.input('x', 'float32', ['B', 3, 5]);
    g.output(g.node('Gather', [x, g.initializer('cols', Int32Array.of(4, 0, -1))], { axis: 2 }), 'columns', 'float32', ['B', 3, 3]);

    const idValues = [3, 0, 9, -1, 7, 7];
    const xv = R.random([2, 3, 5], 34);
    const out = await runOnce(writeModel(g), { token_ids: new ort.Tensor('int64', int64s(idValues), [2, 3]), x: xv });
    expectClose(out.embedded, R.gather(table, R.ref([2, 3], idValues), 0));
    expectClose(out.columns, R.gather(xv, R.ref([3], [4, 0, -1]), 2));
  });

  it('Slice with int64 starts, ends (including INT64_MAX), axes and steps', async () => {
    const g = new GraphBuilder('slice');
    const x = g.input('x', 'float32', ['B', 7, 8]);
    const starts = g.initializer('starts', int64s([1, -6]));
    const ends = g.initializer('ends', BigInt64Array.of(9223372036854775807n, -1n));
    const axes = g.initializer('axes', int64s([1, 2]));
    const steps = g.initializer('steps', int64s([2, 3]));
    g.output(g.node('Slice', [x, starts, ends, axes, steps]), 'y', 'float32', ['B', 3, 2]);
    const xv = R.random([2, 7, 8], 35);
    const out = await runOnce(writeModel(g), { x: xv });
    expectClose(out.y, R.slice(xv, [1, -6], [7, -1], [1, 2], [2, 3]));
  });

  it('Concat of an input, a Constant (tensor attribute) and an Expand-ed class token', async () => {
    const g = new GraphBuilder('concat');
    const x = g.input('x', 'float32', ['B', 3, 2]);
    const cls = R.random([1, 1, 2], 36);
    const constant = g.node('Constant', [], { value: Attr.tensor(Float32Array.of(7, 8), [1, 1, 2]) });
    // The class token expanded to the batch: Expand(cls, [B, 1, 2]) with B read from Shape(x).
    const batch = g.node('Slice', [g.node('Shape', [x]), g.initializer('zero', int64s([0])), g.initializer('one', int64s([1]))]);
    const target = g.node('Concat', [batch, g.initializer('rest', int64s([1, 2]))], { axis: 0 });
    const token = g.node('Expand', [g.initializer('cls', R.f32(cls), cls.dims), target]);
    g.output(g.node('Concat', [token, x], { axis: 1 }), 'with_cls', 'float32', ['B', 4, 2]);
    g.output(g.node('Concat', [x, g.node('Expand', [constant, target])], { axis: -2 }), 'with_const', 'float32', ['B', 4, 2]);

    const xv = R.random([3, 3, 2], 37);
    const out = await runOnce(writeModel(g), { x: xv });
    const tile = (t: R.Ref) => R.concat([t, t, t], 0);
    expectClose(out.with_cls, R.concat([tile(cls), xv], 1));
    expectClose(out.with_const, R.concat([xv, tile(R.ref([1, 1, 2], [7, 8]))], 1));
  });

  it('nodes with several outputs: Split and TopK (int64 indices out)', async () => {
    const g = new GraphBuilder('multi');
    const x = g.input('x', 'float32', ['B', 6]);
    const [left, right] = g.nodeWithOutputs('Split', [x, g.initializer('split', int64s([2, 4]))], ['left', 'right'], { axis: 1 });
    g.output(left, 'left', 'float32', ['B', 2]);
    g.output(right, 'right', 'float32', ['B', 4]);
    const [values, indices] = g.nodeWithOutputs('TopK', [x, g.initializer('k', int64s([3]))], 2, { axis: -1 });
    g.output(values, 'top_values', 'float32', ['B', 3]);
    g.output(indices, 'top_indices', 'int64', ['B', 3]);

    const xv = R.ref([2, 6], [5, 1, 4, 2, 6, 3, -1, -3, -2, 0, -6, -5]);
    const out = await runOnce(writeModel(g), { x: xv });
    expectClose(out.left, R.ref([2, 2], [5, 1, -1, -3]));
    expectClose(out.right, R.ref([2, 4], [4, 2, 6, 3, -2, 0, -6, -5]));
    expectClose(out.top_values, R.ref([2, 3], [6, 5, 4, 0, -1, -2]));
    expect(out.top_indices.type).toBe('int64');
    expect(out.top_indices.data).toBeInstanceOf(BigInt64Array);
    expect([...(out.top_indices.data as BigInt64Array)]).toEqual([4n, 0n, 2n, 3n, 0n, 2n]);
  });
});

describe('element types', () => {
  it('Cast between float32, int64, int32, uint8 and bool', async () => {
    const g = new GraphBuilder('cast');
    const x = g.input('x', 'float32', ['N']);
    const ids = g.input('ids', 'int64', ['N']);
    const pixels = g.input('pixels', 'uint8', ['N']);
    g.output(g.node('Cast', [x], { to: onnxElemType('int64') }), 'x_int64', 'int64', ['N']);
    g.output(g.node('Cast', [x], { to: onnxElemType('int32') }), 'x_int32', 'int32', ['N']);
    g.output(g.node('Cast', [x], { to: onnxElemType('bool') }), 'x_bool', 'bool', ['N']);
    g.output(g.node('Cast', [ids], { to: onnxElemType('float32') }), 'ids_float', 'float32', ['N']);
    g.output(g.node('Cast', [pixels], { to: onnxElemType('float32') }), 'pixels_float', 'float32', ['N']);

    const xs = [-2.75, -0.5, 0, 0.25, 1.5, 3.999];
    const out = await runOnce(writeModel(g), {
      x: R.ref([6], xs),
      ids: new ort.Tensor('int64', BigInt64Array.of(-3n, 0n, 1n, 2n ** 40n, 5n, 6n), [6]),
      pixels: new ort.Tensor('uint8', Uint8Array.of(0, 1, 127, 128, 254, 255), [6]),
    });
    expect(out.x_int64.data).toBeInstanceOf(BigInt64Array);
    expect([...(out.x_int64.data as BigInt64Array)]).toEqual(xs.map((v) => BigInt(Math.trunc(v))));
    expect([...(out.x_int32.data as Int32Array)]).toEqual(xs.map((v) => Math.trunc(v) | 0));
    expect(out.x_bool.type).toBe('bool');
    expect([...(out.x_bool.data as Uint8Array)].map(Boolean)).toEqual(xs.map((v) => v !== 0));
    expectClose(out.ids_float, R.ref([6], [-3, 0, 1, 2 ** 40, 5, 6]));
    expectClose(out.pixels_float, R.ref([6], [0, 1, 127, 128, 254, 255]));
  });

  it('bool inputs and initializers: Where, And', async () => {
    const g = new GraphBuilder('where');
    const mask = g.input('mask', 'bool', [2, 3]);
    const keep = g.initializer('keep', Uint8Array.of(1, 1, 0), [3], 'bool');
    const x = g.input('x', 'float32', [2, 3]);
    const both = g.node('And', [mask, keep]);
    g.output(g.node('Where', [both, x, g.initializer('zero', Float32Array.of(0), [])]), 'y', 'float32', [2, 3]);
    g.output(both, 'both', 'bool', [2, 3]);
    const out = await runOnce(writeModel(g), {
      mask: new ort.Tensor('bool', Uint8Array.of(1, 0, 1, 0, 1, 1), [2, 3]),
      x: R.ref([2, 3], [1, 2, 3, 4, 5, 6]),
    });
    expectClose(out.y, R.ref([2, 3], [1, 0, 0, 0, 5, 0]));
    expect([...(out.both.data as Uint8Array)].map(Number)).toEqual([1, 0, 0, 0, 1, 0]);
  });

  it('an int64 constant output (the patch grid of vit-attention/1)', async () => {
    const g = new GraphBuilder('grid');
    const x = g.input('pixels', 'float32', ['B', 3, 8, 8]);
    g.output(g.node('Identity', [x]), 'echo', 'float32', ['B', 3, 8, 8]);
    g.output(g.initializer('grid', int64s([2, 2])), 'patch_grid', 'int64', [2]);
    const out = await runOnce(writeModel(g), { pixels: R.random([1, 3, 8, 8], 38) });
    expect(out.patch_grid.type).toBe('int64');
    expect([...(out.patch_grid.data as BigInt64Array)]).toEqual([2n, 2n]);
  });
});

describe('Resize', () => {
  const cases: { mode: 'linear' | 'nearest'; coordinates: R.CoordinateMode; out: [number, number] }[] = [
    { mode: 'linear', coordinates: 'half_pixel', out: [12, 9] },
    { mode: 'linear', coordinates: 'half_pixel', out: [3, 2] },
    { mode: 'linear', coordinates: 'asymmetric', out: [10, 14] },
    { mode: 'linear', coordinates: 'align_corners', out: [9, 13] },
    { mode: 'linear', coordinates: 'pytorch_half_pixel', out: [8, 8] },
    { mode: 'nearest', coordinates: 'asymmetric', out: [10, 14] },
  ];

  it.each(cases)('$mode, $coordinates, 5x7 to $out.0 x $out.1 (sizes input)', async ({ mode, coordinates, out: [oh, ow] }) => {
    const g = new GraphBuilder('resize');
    const x = g.input('x', 'float32', ['B', 2, 5, 7]);
    const sizes = g.initializer('sizes', int64s([2, 2, oh, ow]));
    const attrs = { mode, coordinate_transformation_mode: coordinates, ...(mode === 'nearest' && { nearest_mode: 'floor' }) };
    // Inputs X, roi, scales, sizes: roi and scales omitted.
    g.output(g.node('Resize', [x, null, null, sizes], attrs), 'y', 'float32', ['B', 2, oh, ow]);
    const xv = R.random([2, 2, 5, 7], 39);
    const out = await runOnce(writeModel(g), { x: xv });
    const expected = mode === 'linear' ? R.resizeLinear(xv, oh, ow, coordinates) : R.resizeNearestFloor(xv, oh, ow, coordinates);
    expectClose(out.y, expected);
  });

  it('by scales (a 2x upsampling, half_pixel)', async () => {
    const g = new GraphBuilder('resize-scales');
    const x = g.input('x', 'float32', ['B', 1, 4, 4]);
    const scales = g.initializer('scales', Float32Array.of(1, 1, 2, 2));
    g.output(g.node('Resize', [x, null, scales], { mode: 'linear', coordinate_transformation_mode: 'half_pixel' }), 'y', 'float32', ['B', 1, 8, 8]);
    const xv = R.random([1, 1, 4, 4], 40);
    const out = await runOnce(writeModel(g), { x: xv });
    expectClose(out.y, R.resizeLinear(xv, 8, 8, 'half_pixel'));
  });
});

describe('a ViT attention block (the vit-attention/1 contract)', () => {
  // pixels [B,3,8,8] -> patches of 4 -> tokens [B,1+4,d=8] -> LayerNorm -> QKV -> 2 heads ->
  // attention [B,2,5,5]; plus patch_grid [2] int64.
  const d = 8;
  const heads = 2;
  const dh = d / heads;
  const w = {
    patch: R.random([d, 3, 4, 4], 41, -0.3, 0.3),
    patchBias: R.random([d], 42),
    cls: R.random([1, 1, d], 43),
    pos: R.random([1, 5, d], 44),
    lnScale: R.random([d], 45, 0.5, 1.5),
    lnBias: R.random([d], 46),
    qkv: R.random([d, 3 * d], 47),
    qkvBias: R.random([3 * d], 48),
  };

  function buildModel(): Uint8Array {
    const g = new GraphBuilder('tiny-vit');
    const init = (name: string, t: R.Ref) => g.initializer(name, R.f32(t), t.dims);
    const pixels = g.input('pixels', 'float32', ['B', 3, 8, 8]);
    const patches = g.node('Conv', [pixels, init('patch.w', w.patch), init('patch.b', w.patchBias)], {
      kernel_shape: [4, 4],
      strides: [4, 4],
    }); // [B,d,2,2]
    const flat = g.node('Reshape', [patches, g.initializer('flat_shape', int64s([0, d, -1]))]); // [B,d,4]
    const tokens = g.node('Transpose', [flat], { perm: [0, 2, 1] }); // [B,4,d]
    const batch = g.node('Slice', [g.node('Shape', [pixels]), g.initializer('s0', int64s([0])), g.initializer('s1', int64s([1]))]);
    const clsShape = g.node('Concat', [batch, g.initializer('cls_rest', int64s([1, d]))], { axis: 0 });
    const cls = g.node('Expand', [init('cls', w.cls), clsShape]); // [B,1,d]
    const x = g.node('Add', [g.node('Concat', [cls, tokens], { axis: 1 }), init('pos', w.pos)]); // [B,5,d]
    const normed = g.node('LayerNormalization', [x, init('ln.scale', w.lnScale), init('ln.bias', w.lnBias)], { axis: -1, epsilon: 1e-6 });
    const qkv = g.node('Add', [g.node('MatMul', [normed, init('qkv.w', w.qkv)]), init('qkv.b', w.qkvBias)]); // [B,5,3d]
    const split = g.node('Reshape', [qkv, g.initializer('qkv_shape', int64s([0, 0, 3, heads, dh]))]); // [B,5,3,h,dh]
    const perm = g.node('Transpose', [split], { perm: [2, 0, 3, 1, 4] }); // [3,B,h,5,dh]
    const q = g.node('Gather', [perm, g.initializer('iq', int64s([0]), [])], { axis: 0 });
    const k = g.node('Gather', [perm, g.initializer('ik', int64s([1]), [])], { axis: 0 });
    const scores = g.node('MatMul', [q, g.node('Transpose', [k], { perm: [0, 1, 3, 2] })]);
    const scaled = g.node('Div', [scores, g.initializer('sqrt_dh', Float32Array.of(Math.sqrt(dh)), [])]);
    g.output(g.node('Softmax', [scaled], { axis: -1 }), 'attention', 'float32', ['B', heads, 5, 5]);
    g.output(g.initializer('grid', int64s([2, 2])), 'patch_grid', 'int64', [2]);
    return writeModel(g, {
      opset: 17,
      metadata: { 'fmwiss.contract': 'vit-attention/1', 'fmwiss.input_size': '8', 'fmwiss.patch_size': '4', 'fmwiss.prefix_tokens': '1' },
    });
  }

  function reference(pixels: R.Ref): R.Ref {
    const b = pixels.dims[0];
    const patches = R.conv2d(pixels, w.patch, w.patchBias, { strides: [4, 4] });
    const tokens = R.transpose(R.reshape(patches, [b, d, 4]), [0, 2, 1]);
    const cls = R.concat(Array.from({ length: b }, () => w.cls), 0);
    const x = R.add(R.concat([cls, tokens], 1), w.pos);
    const normed = R.layerNorm(x, w.lnScale, w.lnBias, 1e-6);
    const qkv = R.add(R.matmul(normed, w.qkv), w.qkvBias);
    const perm = R.transpose(R.reshape(qkv, [b, 5, 3, heads, dh]), [2, 0, 3, 1, 4]);
    const q = R.gather(perm, R.ref([], [0]), 0);
    const k = R.gather(perm, R.ref([], [1]), 0);
    const scores = R.matmul(q, R.transpose(k, [0, 1, 3, 2]));
    return R.softmax(R.map(scores, (v) => v / Math.sqrt(dh)), -1);
  }

  it('runs with batch 1 and 3 and matches the reference', async () => {
    const p1 = R.random([1, 3, 8, 8], 49);
    const p3 = R.random([3, 3, 8, 8], 50);
    const [out1, out3] = await runModel(buildModel(), { pixels: p1 }, { pixels: p3 });
    expectClose(out1.attention, reference(p1));
    expectClose(out3.attention, reference(p3));
    expect([...(out3.patch_grid.data as BigInt64Array)]).toEqual([2n, 2n]);
  });
});
