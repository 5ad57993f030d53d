// Reads what a model file declares (IR version, opsets, producer, graph inputs and outputs,
// metadata_props) without decoding its nodes or weights. Only the model and graph levels are walked
// field by field; everything else is skipped, so a large model costs one pass over its bytes.
import { readFile } from 'node:fs/promises';

import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

import { OperatorSetIdProto, StringStringEntryProto, ValueInfoProto } from '../generated/onnx/onnx';
import { type DType, requireDType } from './dtype';
import { OnnxFormatError } from './errors';

/** A graph input or output as the model declares it. */
export interface TensorInfo {
  name: string;
  dtype: DType;
  /** Outermost first; `null` for a dynamic dimension (named or not). `null` as a whole: rank unknown. */
  shape: (number | null)[] | null;
  /** The symbolic names of the dimensions (`'B'`), `null` where a dimension has none. */
  dimNames: (string | null)[] | null;
}

/** What an ONNX model file declares. */
export interface ModelInfo {
  irVersion: number;
  /** Operator set versions by domain; the standard domain (`''` in the file) is `'ai.onnx'`. */
  opsets: Record<string, number>;
  producer: { name: string; version: string };
  graphName: string;
  /** Graph inputs a caller feeds: initializers listed as inputs (overridable constants) are left out. */
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** `metadata_props`, e.g. `fmwiss.contract`. */
  metadata: Record<string, string>;
}

/**
 * Describes a model from its bytes. Throws `OnnxFormatError` when the bytes are not an ONNX model
 * (not protobuf, no graph, no operator set, no IR version) or when a graph input or output is not a
 * tensor of a dtype fmwiss carries (float32, int32, int64, uint8, bool). `source` names the bytes in
 * messages (a file path).
 */
export function readModelInfo(bytes: Uint8Array, source = 'the model bytes'): ModelInfo {
  try {
    return describe(bytes, source);
  } catch (error) {
    if (error instanceof OnnxFormatError) throw error;
    throw new OnnxFormatError(`${source} is not an ONNX model: cannot decode it as protobuf (${(error as Error).message})`, { cause: error });
  }
}

/** `readModelInfo` of a file. A missing or unreadable file rejects with the file system's error. */
export async function readModelInfoFromFile(path: string): Promise<ModelInfo> {
  return readModelInfo(await readFile(path), path);
}

// ModelProto and GraphProto field numbers (proto/onnx/onnx.proto).
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8, metadataProps: 14 } as const;
const GRAPH = { name: 2, initializer: 5, input: 11, output: 12 } as const;
const TENSOR_NAME = 8;

function describe(bytes: Uint8Array, source: string): ModelInfo {
  const notOnnx = (reason: string) => new OnnxFormatError(`${source} is not an ONNX model: ${reason}`);
  if (bytes.length === 0) throw notOnnx('it is empty');

  let irVersion: number | undefined;
  let producerName = '';
  let producerVersion = '';
  let graphBytes: Uint8Array | undefined;
  const opsets: Record<string, number> = {};
  const metadata: Record<string, string> = {};
  const fields = new Fields(bytes);
  for (const field of fields) {
    switch (field) {
      case MODEL.irVersion:
        irVersion = toNumber(fields.varint(), 'ir_version');
        break;
      case MODEL.producerName:
        producerName = fields.string();
        break;
      case MODEL.producerVersion:
        producerVersion = fields.string();
        break;
      case MODEL.graph:
        graphBytes = fields.bytes();
        break;
      case MODEL.opsetImport: {
        const opset = OperatorSetIdProto.decode(fields.bytes());
        const domain = opset.domain || 'ai.onnx';
        if (opsets[domain] !== undefined) throw notOnnx(`it imports operator set domain '${domain}' twice`);
        opsets[domain] = opset.version ?? 0;
        break;
      }
      case MODEL.metadataProps: {
        const { key = '', value = '' } = StringStringEntryProto.decode(fields.bytes());
        if (Object.hasOwn(metadata, key)) throw new OnnxFormatError(`${source}: metadata_props has the key '${key}' twice`);
        metadata[key] = value;
        break;
      }
      default:
        fields.skip();
    }
  }

  if (irVersion === undefined) throw notOnnx('it has no ir_version (field 1 of ModelProto)');
  if (irVersion < 1) throw notOnnx(`ir_version is ${irVersion}`);
  if (graphBytes === undefined) throw notOnnx('it has no graph (field 7 of ModelProto)');
  if (irVersion >= 3 && Object.keys(opsets).length === 0) throw notOnnx('it imports no operator set');

  const graph = describeGraph(graphBytes, source);
  return { irVersion, opsets, producer: { name: producerName, version: producerVersion }, metadata, ...graph };
}

function describeGraph(bytes: Uint8Array, source: string): Pick<ModelInfo, 'graphName' | 'inputs' | 'outputs'> {
  let graphName = '';
  const initializers = new Set<string>();
  const inputs: ValueInfoProto[] = [];
  const outputs: ValueInfoProto[] = [];
  const fields = new Fields(bytes);
  for (const field of fields) {
    switch (field) {
      case GRAPH.name:
        graphName = fields.string();
        break;
      case GRAPH.initializer:
        initializers.add(tensorName(fields.bytes()));
        break;
      case GRAPH.input:
        inputs.push(ValueInfoProto.decode(fields.bytes()));
        break;
      case GRAPH.output:
        outputs.push(ValueInfoProto.decode(fields.bytes()));
        break;
      default:
        fields.skip();
    }
  }
  if (outputs.length === 0) throw new OnnxFormatError(`${source} is not an ONNX model: its graph has no output`);
  return {
    graphName,
    inputs: inputs.filter((input) => !initializers.has(input.name ?? '')).map((input) => tensorInfo(input, 'input', source)),
    outputs: outputs.map((output) => tensorInfo(output, 'output', source)),
  };
}

function tensorInfo(value: ValueInfoProto, role: 'input' | 'output', source: string): TensorInfo {
  const name = value.name ?? '';
  const what = `${source}: graph ${role} '${name}'`;
  if (name === '') throw new OnnxFormatError(`${source}: a graph ${role} has no name`);
  const tensorType = value.type?.tensorType;
  if (tensorType === undefined) throw new OnnxFormatError(`${what} is not a tensor (sequence, map and optional values are not supported)`);
  const dtype = requireDType(tensorType.elemType, what);
  const dims = tensorType.shape?.dim;
  return {
    name,
    dtype,
    shape: dims?.map((dim) => dim.dimValue ?? null) ?? null,
    dimNames: dims?.map((dim) => (dim.dimValue === undefined && dim.dimParam ? dim.dimParam : null)) ?? null,
  };
}

/** The name of a serialised TensorProto, read without decoding its data. */
function tensorName(bytes: Uint8Array): string {
  let name = '';
  const fields = new Fields(bytes);
  for (const field of fields) {
    if (field === TENSOR_NAME) name = fields.string();
    else fields.skip();
  }
  return name;
}

/**
 * The fields of one message, in file order, with strict checks: ONNX has no groups, and a known
 * field must come with its wire type. Each step yields a field number; the caller then reads its
 * value with `varint`, `string` or `bytes`, or `skip`s it.
 */
class Fields implements Iterable<number> {
  private readonly reader: BinaryReader;
  private wireType = 0;
  private field = 0;

  constructor(bytes: Uint8Array) {
    this.reader = new BinaryReader(bytes);
  }

  *[Symbol.iterator](): Iterator<number> {
    while (this.reader.pos < this.reader.len) {
      [this.field, this.wireType] = this.reader.tag();
      if (this.wireType === WireType.StartGroup || this.wireType === WireType.EndGroup) {
        throw new Error(`field ${this.field} has wire type ${this.wireType} (group), which ONNX does not use`);
      }
      yield this.field;
    }
  }

  varint(): bigint | string {
    this.expect(WireType.Varint);
    return this.reader.int64();
  }

  string(): string {
    this.expect(WireType.LengthDelimited);
    return this.reader.string();
  }

  bytes(): Uint8Array {
    this.expect(WireType.LengthDelimited);
    return this.reader.bytes();
  }

  skip(): void {
    this.reader.skip(this.wireType, this.field);
  }

  private expect(wireType: WireType): void {
    if (this.wireType !== wireType) throw new Error(`field ${this.field} has wire type ${this.wireType}, expected ${wireType}`);
  }
}

function toNumber(value: bigint | string, what: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new Error(`${what} ${value} is out of range`);
  return number;
}
