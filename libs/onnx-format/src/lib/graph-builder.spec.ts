import { BinaryReader } from '@bufbuild/protobuf/wire';

import { runOnce } from '../../test/onnxruntime';
import * as R from '../../test/reference';
import { AttributeProto_AttributeType as AttributeType, ModelProto, NodeProto, TensorProto } from '../generated/onnx/onnx';
import { Attr, GraphBuilder } from './graph-builder';
import { irVersionForOpset, writeModel } from './write-model';

/** A one-node graph with the given attributes, written and decoded again. */
function attributesOf(attributes: Parameters<GraphBuilder['node']>[2]) {
  const g = new GraphBuilder('attrs');
  g.output(g.node('Custom', [g.input('x', 'float32', [1])], attributes, { domain: 'org.fmwiss.test' }), 'y', 'float32', [1]);
  const model = ModelProto.decode(writeModel(g, { opsetImports: { 'org.fmwiss.test': 1 } }));
  return model.graph!.node[0].attribute;
}

describe('attributes', () => {
  it('types plain values by what they hold', () => {
    const attrs = attributesOf({ axis: -1, keepdims: 0, epsilon: 1e-5, mode: 'linear', pads: [1, 0, 1, 0], scales: [1, 1.5], empty: [], names: ['a', 'b'] });
    expect(attrs.map(({ name, type }) => [name, type])).toEqual([
      ['axis', AttributeType.INT],
      ['keepdims', AttributeType.INT],
      ['epsilon', AttributeType.FLOAT],
      ['mode', AttributeType.STRING],
      ['pads', AttributeType.INTS],
      ['scales', AttributeType.FLOATS],
      ['empty', AttributeType.INTS],
      ['names', AttributeType.STRINGS],
    ]);
    expect(attrs[1].i).toBe(0); // a zero is written, not dropped as a proto3 default
    expect(attrs[2].f).toBeCloseTo(1e-5, 12);
    expect(attrs[3].s!.toString()).toBe('linear');
    expect(attrs[4].ints).toEqual([1, 0, 1, 0]);
    expect(attrs[5].floats).toEqual([1, 1.5]);
    expect(attrs[7].strings.map(String)).toEqual(['a', 'b']);
  });

  it('takes explicit types from Attr', () => {
    const attrs = attributesOf({
      alpha: Attr.float(1),
      betas: Attr.floats([0, 2]),
      to: Attr.int(7),
      axes: Attr.ints([]),
      value: Attr.tensor(BigInt64Array.of(-1n, 2n), [2, 1]),
      flag: Attr.tensor(Uint8Array.of(1, 0), [2], 'bool'),
    });
    expect(attrs[0]).toMatchObject({ type: AttributeType.FLOAT, f: 1 });
    expect(attrs[1]).toMatchObject({ type: AttributeType.FLOATS, floats: [0, 2] });
    expect(attrs[2]).toMatchObject({ type: AttributeType.INT, i: 7 });
    expect(attrs[3]).toMatchObject({ type: AttributeType.INTS, ints: [] });
    expect(attrs[4]).toMatchObject({ type: AttributeType.TENSOR, t: { dims: [2, 1], dataType: 7 } });
    expect([...attrs[4].t!.rawData!]).toEqual([255, 255, 255, 255, 255, 255, 255, 255, 2, 0, 0, 0, 0, 0, 0, 0]);
    expect(attrs[5].t).toMatchObject({ dims: [2], dataType: 9 });
  });

  it('refuses values that have no ONNX attribute type', () => {
    expect(() => attributesOf({ big: 2 ** 60 })).toThrow("attribute 'big' of node 'custom_0': 1152921504606847000 is not a safe integer");
    expect(() => attributesOf({ mixed: [1, 'a'] as unknown as number[] })).toThrow('holds only numbers or only strings');
    expect(() => attributesOf({ bad: true as unknown as number })).toThrow('unsupported attribute value true');
  });
});

describe('initializers', () => {
  it('are little-endian raw_data with their dims and element type', () => {
    const g = new GraphBuilder('init');
    g.initializer('f', Float32Array.of(1.5, -2), [2, 1]);
    g.initializer('i', Int32Array.of(-2), [1]);
    g.initializer('l', BigInt64Array.of(258n));
    g.initializer('u', Uint8Array.of(7, 255));
    g.initializer('b', Uint8Array.of(1, 0, 1), [3], 'bool');
    g.initializer('scalar', Float32Array.of(3), []);
    g.output(g.node('Identity', [g.input('x', 'float32', [1])]), 'y', 'float32', [1]);
    const tensors = ModelProto.decode(writeModel(g)).graph!.initializer;
    const summary = tensors.map((t) => [t.name, t.dataType, t.dims, [...t.rawData!]]);
    expect(summary).toEqual([
      ['f', 1, [2, 1], [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0]],
      ['i', 6, [1], [0xfe, 0xff, 0xff, 0xff]],
      ['l', 7, [1], [2, 1, 0, 0, 0, 0, 0, 0]],
      ['u', 2, [2], [7, 255]],
      ['b', 9, [3], [1, 0, 1]],
      ['scalar', 1, [], [0, 0, 0x40, 0x40]],
    ]);
  });

  it('writes dims unpacked and raw data as upstream ONNX does', () => {
    const bytes = TensorProto.encode(TensorProto.fromPartial({ dims: [2, 3], dataType: 1 })).finish();
    expect([...bytes]).toEqual([0x08, 2, 0x08, 3, 0x10, 1]);
  });

  it('check data against dims and dtype, and a refused one leaves its name free', () => {
    const g = new GraphBuilder('bad');
    expect(() => g.initializer('w', new Float32Array(6), [2, 2])).toThrow("initializer 'w': dims [2, 2] hold 4 elements, the data 6");
    expect(() => g.initializer('w', new Float32Array(2), [2], 'int32')).toThrow("initializer 'w': dtype int32 needs Int32Array, got Float32Array");
    expect(() => g.initializer('w', Uint8Array.of(0, 2), [2], 'bool')).toThrow('bool elements must be 0 or 1, element 1 is 2');
    expect(() => g.initializer('w', new Float32Array(2), [-1, -2])).toThrow('dims must be non-negative integers');
    expect(g.initializer('w', new Float32Array(2)).name).toBe('w');
  });
});

describe('GraphBuilder', () => {
  it('refuses names used twice and values of another graph', () => {
    const g = new GraphBuilder('names');
    const x = g.input('x', 'float32', [1]);
    expect(() => g.input('x', 'float32', [1])).toThrow("input: the name 'x' is already used in graph 'names'");
    expect(() => g.initializer('x', Float32Array.of(1))).toThrow("the name 'x' is already used");
    g.node('Relu', [x], {}, { name: 'act' });
    expect(() => g.node('Relu', [x], {}, { name: 'act' })).toThrow("node name 'act' is used twice");
    const other = new GraphBuilder('other').input('z', 'float32', [1]);
    expect(() => g.node('Relu', [other])).toThrow("input 0 of node 'relu_0': 'z' is not a value of graph 'names'");
    expect(() => g.input('y', 'float32', [-1])).toThrow("input 'y': a dimension is a non-negative integer, a non-empty name or null, got -1");
  });

  it('names node outputs after their node, or as asked', () => {
    const g = new GraphBuilder('naming');
    const x = g.input('x', 'float32', [2]);
    expect(g.node('LayerNormalization', [x]).name).toBe('layer_normalization_0');
    expect(g.node('Relu', [x], {}, { output: 'activated' }).name).toBe('activated');
    expect(g.nodeWithOutputs('Split', [x], 2, { axis: 0 }, { name: 'halves' }).map(String)).toEqual(['halves:0', 'halves:1']);
  });

  it('renames a node output declared as graph output; inputs and repeated outputs go through Identity', async () => {
    const g = new GraphBuilder('outputs');
    const x = g.input('x', 'float32', [2]);
    const y = g.node('Neg', [x]);
    g.output(y, 'negated', 'float32', [2]);
    g.output(y, 'negated_again', 'float32', [2]);
    g.output(x, 'echo', 'float32', [2]);
    expect(y.name).toBe('negated');
    const bytes = writeModel(g);
    const graph = ModelProto.decode(bytes).graph!;
    expect(graph.node.map((node) => [node.opType, node.input, node.output])).toEqual([
      ['Neg', ['x'], ['negated']],
      ['Identity', ['negated'], ['negated_again']],
      ['Identity', ['x'], ['echo']],
    ]);
    const out = await runOnce(bytes, { x: R.ref([2], [1, -2]) });
    expect([...out.negated.data, ...out.negated_again.data, ...out.echo.data]).toEqual([-1, 2, -1, 2, 1, -2]);
  });

  it('writes omitted optional inputs as empty names', () => {
    const g = new GraphBuilder('optional');
    const x = g.input('x', 'float32', [1, 1, 2, 2]);
    g.output(g.node('Resize', [x, null, g.initializer('scales', Float32Array.of(1, 1, 2, 2))]), 'y', 'float32', [1, 1, 4, 4]);
    expect(ModelProto.decode(writeModel(g)).graph!.node[0].input).toEqual(['x', '', 'scales']);
  });
});

describe('writeModel', () => {
  const identity = () => {
    const g = new GraphBuilder('id');
    g.output(g.node('Identity', [g.input('x', 'float32', [1])]), 'y', 'float32', [1]);
    return g;
  };

  it('writes the model fields', () => {
    const model = ModelProto.decode(
      writeModel(identity(), { opset: 18, producer: { name: 'exporter', version: '2' }, domain: 'org.fmwiss', modelVersion: 3, docString: 'doc' }),
    );
    expect(model).toMatchObject({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 18 }],
      producerName: 'exporter',
      producerVersion: '2',
      domain: 'org.fmwiss',
      modelVersion: 3,
      docString: 'doc',
    });
  });

  it("writes fields in field-number order, as protobuf's serialisers do (files match onnx's byte for byte)", () => {
    const fieldNumbers = (bytes: Uint8Array) => {
      const reader = new BinaryReader(bytes);
      const fields: number[] = [];
      while (reader.pos < reader.len) {
        const [field, wireType] = reader.tag();
        fields.push(field);
        reader.skip(wireType, field);
      }
      return fields;
    };
    const bytes = writeModel(identity(), { producer: { name: 'p', version: '1' }, domain: 'd', modelVersion: 1, docString: 'x', metadata: { k: 'v' } });
    expect(fieldNumbers(bytes)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 14]);
    const node = ModelProto.decode(writeModel(identity())).graph!.node[0];
    expect(fieldNumbers(NodeProto.encode({ ...node, docString: 'n', domain: 'd' }).finish())).toEqual([1, 2, 3, 4, 6, 7]);
  });

  it('knows the IR version of opsets 7 to 23', () => {
    expect([7, 9, 10, 11, 13, 17, 18, 19, 20, 21, 22, 23].map(irVersionForOpset)).toEqual([3, 4, 5, 6, 7, 8, 8, 9, 9, 10, 10, 11]);
    expect(() => writeModel(identity(), { opset: 24 })).toThrow('no known IR version for opset 24: give irVersion explicitly');
    expect(ModelProto.decode(writeModel(identity(), { opset: 24, irVersion: 11 })).irVersion).toBe(11);
  });

  it('refuses a graph without outputs and a domain without an opset', () => {
    const g = new GraphBuilder('empty');
    g.input('x', 'float32', [1]);
    expect(() => writeModel(g)).toThrow("graph 'empty' declares no output");
    const custom = new GraphBuilder('custom');
    custom.output(custom.node('Op', [custom.input('x', 'float32', [1])], {}, { domain: 'com.example' }), 'y', 'float32', [1]);
    expect(() => writeModel(custom)).toThrow("nodes use domain 'com.example': give its version in opsetImports");
  });
});
