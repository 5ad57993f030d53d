import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import { runOnce, sessionSignature } from '../../test/onnxruntime';
import * as R from '../../test/reference';
import { ModelProto, TensorProto, TensorProto_DataType, type ValueInfoProto } from '../generated/onnx/onnx';
import { OnnxFormatError } from './errors';
import { GraphBuilder } from './graph-builder';
import { readModelInfo, readModelInfoFromFile } from './read-model-info';
import { writeModel, writeModelFile } from './write-model';

/** A model with an image input, a token input, two outputs and contract metadata. */
function sampleModel(metadata: Record<string, string> = {}): Uint8Array {
  const g = new GraphBuilder('sample');
  const pixels = g.input('pixels', 'float32', ['B', 3, null, 8]);
  const ids = g.input('token_ids', 'int64', ['B', 77]);
  const mask = g.input('mask', 'bool', null);
  g.initializer('unused', Float32Array.of(1, 2));
  g.output(g.node('ReduceMean', [pixels], { axes: [2, 3], keepdims: 0 }), 'global_embedding', 'float32', ['B', 3]);
  g.output(g.node('Cast', [ids], { to: 6 }), 'ids32', 'int32', ['B', 77]);
  g.output(g.node('Not', [mask]), 'inverted', 'bool', null);
  return writeModel(g, { opset: 17, producer: { name: 'fmwiss-test', version: '1.2.3' }, metadata });
}

/** A model assembled from messages (fromPartial fills in the rest), for what GraphBuilder cannot write. */
function encode(model: object): Uint8Array {
  return ModelProto.encode(ModelProto.fromPartial(model as Partial<ModelProto>)).finish();
}

function tensorInput(name: string, elemType: number, dims: number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } };
}

const minimalGraph = (inputs: ValueInfoProto[]) => ({
  name: 'g',
  input: inputs,
  output: [tensorInput('y', TensorProto_DataType.FLOAT, [1])],
  node: [{ opType: 'Identity', input: [inputs[0]?.name ?? 'x'], output: ['y'] }],
});

describe('readModelInfo', () => {
  it('describes IR version, opsets, producer, inputs, outputs and metadata', () => {
    const metadata = { 'fmwiss.contract': 'clip-image/1', 'fmwiss.mean': '0.48145466,0.4578275,0.40821073', empty: '', 'ünï': 'cödé ✓' };
    const info = readModelInfo(sampleModel(metadata));
    expect(info).toEqual({
      irVersion: 8,
      opsets: { 'ai.onnx': 17 },
      producer: { name: 'fmwiss-test', version: '1.2.3' },
      graphName: 'sample',
      inputs: [
        { name: 'pixels', dtype: 'float32', shape: [null, 3, null, 8], dimNames: ['B', null, null, null] },
        { name: 'token_ids', dtype: 'int64', shape: [null, 77], dimNames: ['B', null] },
        { name: 'mask', dtype: 'bool', shape: null, dimNames: null },
      ],
      outputs: [
        { name: 'global_embedding', dtype: 'float32', shape: [null, 3], dimNames: ['B', null] },
        { name: 'ids32', dtype: 'int32', shape: [null, 77], dimNames: ['B', null] },
        { name: 'inverted', dtype: 'bool', shape: null, dimNames: null },
      ],
      metadata,
    });
  });

  it('agrees with what onnxruntime reports about inputs and outputs', async () => {
    const bytes = sampleModel();
    const info = readModelInfo(bytes);
    const ort = await sessionSignature(bytes);
    const asOrt = (tensors: typeof info.inputs) =>
      tensors.map(({ name, dtype, shape, dimNames }) => ({
        name,
        isTensor: true,
        type: dtype,
        // onnxruntime: a symbolic dim is its name, an unknown one '', an unknown rank [].
        shape: shape?.map((dim, i) => dim ?? dimNames?.[i] ?? '') ?? [],
      }));
    expect(ort.inputs).toEqual(asOrt(info.inputs));
    expect(ort.outputs).toEqual(asOrt(info.outputs));
  });

  it('leaves out initializers listed as graph inputs (overridable constants)', async () => {
    const scale = TensorProto.fromPartial({ name: 'scale', dims: [1], dataType: TensorProto_DataType.FLOAT, rawData: Buffer.from(Float32Array.of(3).buffer) });
    const bytes = encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        input: [tensorInput('x', TensorProto_DataType.FLOAT, [1]), tensorInput('scale', TensorProto_DataType.FLOAT, [1])],
        initializer: [scale],
        output: [tensorInput('y', TensorProto_DataType.FLOAT, [1])],
        node: [{ opType: 'Mul', input: ['x', 'scale'], output: ['y'] }],
      },
    });
    expect(readModelInfo(bytes).inputs.map((input) => input.name)).toEqual(['x']);
    expect((await sessionSignature(bytes)).inputs.map((input) => input.name)).toEqual(['x']);
    expect([...(await runOnce(bytes, { x: R.ref([1], [2]) })).y.data]).toEqual([6]);
  });

  it('reads opsets of other domains and the standard one under either name', () => {
    const g = new GraphBuilder('domains');
    g.output(g.node('Identity', [g.input('x', 'float32', [1])]), 'y', 'float32', [1]);
    const info = readModelInfo(writeModel(g, { opset: 13, opsetImports: { 'com.microsoft': 1 } }));
    expect(info.irVersion).toBe(7);
    expect(info.opsets).toEqual({ 'ai.onnx': 13, 'com.microsoft': 1 });
    const explicit = encode({ irVersion: 8, opsetImport: [{ domain: 'ai.onnx', version: 18 }], graph: minimalGraph([tensorInput('x', 1, [1])]) });
    expect(readModelInfo(explicit).opsets).toEqual({ 'ai.onnx': 18 });
  });

  it('names a graph input of an element type fmwiss does not carry', () => {
    const bytes = encode({ irVersion: 8, opsetImport: [{ version: 17 }], graph: minimalGraph([tensorInput('half', TensorProto_DataType.FLOAT16, [2])]) });
    expect(() => readModelInfo(bytes, 'half.onnx')).toThrow(
      new OnnxFormatError(
        "half.onnx: graph input 'half' has element type FLOAT16 (10), which fmwiss does not carry (supported: float32, int32, int64, uint8, bool)",
      ),
    );
  });

  it('refuses a graph output that is not a tensor', () => {
    const bytes = encode({
      irVersion: 8,
      opsetImport: [{ version: 17 }],
      graph: { ...minimalGraph([tensorInput('x', 1, [1])]), output: [{ name: 'seq', type: {} }] },
    });
    expect(() => readModelInfo(bytes)).toThrow("graph output 'seq' is not a tensor");
  });

  it('refuses duplicate metadata keys', () => {
    const bytes = encode({
      irVersion: 8,
      opsetImport: [{ version: 17 }],
      graph: minimalGraph([tensorInput('x', 1, [1])]),
      metadataProps: [
        { key: 'fmwiss.contract', value: 'clip-image/1' },
        { key: 'fmwiss.contract', value: 'clip-text/1' },
      ],
    });
    expect(() => readModelInfo(bytes, 'm.onnx')).toThrow("m.onnx: metadata_props has the key 'fmwiss.contract' twice");
  });

  describe('bytes that are not an ONNX model', () => {
    const valid = sampleModel({ 'fmwiss.contract': 'clip-image/1' });
    const randomBytes = Uint8Array.from(R.random([4096], 60, 0, 256).data, Math.floor);
    const cases: [string, Uint8Array, RegExp][] = [
      ['an empty file', new Uint8Array(0), /it is empty/],
      ['random bytes', randomBytes, /./],
      ['a truncated model', valid.subarray(0, Math.floor(valid.length * 0.6)), /premature EOF|no graph/],
      ['a TF.js model.json', Buffer.from('{"format": "layers-model", "modelTopology": {}}'), /wire type/],
      ['a PNG file', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /./],
      ['a serialised TensorProto', TensorProto.encode(TensorProto.fromPartial({ dims: [3], dataType: 1, name: 't' })).finish(), /wire type/],
      ['a model without a graph', encode({ irVersion: 8, opsetImport: [{ version: 17 }] }), /no graph/],
      ['a model without opsets', encode({ irVersion: 8, graph: minimalGraph([tensorInput('x', 1, [1])]) }), /imports no operator set/],
      ['a model without ir_version', encode({ opsetImport: [{ version: 17 }], graph: minimalGraph([tensorInput('x', 1, [1])]) }), /no ir_version/],
    ];

    it.each(cases)('%s', (_, bytes, reason) => {
      let error: unknown;
      try {
        readModelInfo(bytes, 'model.onnx');
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(OnnxFormatError);
      expect((error as Error).message).toMatch(/^model\.onnx is not an ONNX model: /);
      expect((error as Error).message).toMatch(reason);
    });
  });
});

describe('readModelInfoFromFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'onnx-format-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a model written by writeModelFile', async () => {
    const g = new GraphBuilder('file');
    g.output(g.node('Relu', [g.input('x', 'float32', ['B', 2])]), 'y', 'float32', ['B', 2]);
    const file = path.join(dir, 'relu.onnx');
    await writeModelFile(file, g, { metadata: { 'fmwiss.contract': 'test/1' } });
    const info = await readModelInfoFromFile(file);
    expect(info.metadata).toEqual({ 'fmwiss.contract': 'test/1' });
    expect(info.inputs).toEqual([{ name: 'x', dtype: 'float32', shape: [null, 2], dimNames: ['B', null] }]);
  });

  it('names the file that is not a model', async () => {
    const file = path.join(dir, 'notes.onnx');
    await writeFile(file, 'not a model\n');
    await expect(readModelInfoFromFile(file)).rejects.toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not an ONNX model: `));
    await expect(readModelInfoFromFile(file)).rejects.toBeInstanceOf(OnnxFormatError);
  });

  it('passes the file system error for a missing file', async () => {
    await expect(readModelInfoFromFile(path.join(dir, 'missing.onnx'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
