// A graph under construction: typed inputs, constant initializers, operator nodes and typed
// outputs. Values are objects handed out by the builder, so a node can only consume values that
// exist already: the node list is topologically sorted by construction.
import {
  AttributeProto,
  AttributeProto_AttributeType as AttributeType,
  GraphProto,
  NodeProto,
  TensorProto,
  TensorShapeProto_Dimension,
  ValueInfoProto,
} from '../generated/onnx/onnx';
import { checkDataMatches, type DType, dtypeOfData, onnxElemType, type TensorData, toLittleEndianBytes } from './dtype';

/**
 * One dimension of a declared shape: a size; a symbolic name (`'B'`), which says that dimensions
 * with the same name have the same size; or `null`, unknown.
 */
export type Dim = number | string | null;

type ValueKind = 'input' | 'initializer' | 'node';

/**
 * A value of one graph: a graph input, an initializer or a node output. Only a `GraphBuilder` makes
 * them; pass them back to the same builder as node inputs or graph outputs.
 */
export class Value {
  /** @internal */
  constructor(
    /** @internal */ readonly owner: GraphBuilder,
    private valueName: string,
    /** @internal */ readonly kind: ValueKind,
  ) {}

  /** The value's name in the graph (a node output may be renamed when declared a graph output). */
  get name(): string {
    return this.valueName;
  }

  /** @internal */
  rename(name: string): void {
    this.valueName = name;
  }

  toString(): string {
    return this.valueName;
  }
}

/** An attribute whose ONNX type is given explicitly (see `Attr`). */
export type TypedAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly dtype: DType; readonly dims: readonly number[]; readonly data: TensorData };

/**
 * A node attribute. Plain values are typed by what they hold: an integral number is INT, any other
 * number FLOAT, a string STRING, an array of integral numbers (or an empty array) INTS, an array
 * with a fraction FLOATS, an array of strings STRINGS. Use `Attr.float(1)` / `Attr.floats([1, 2])`
 * for a float attribute whose values happen to be integral: onnxruntime refuses an attribute of the
 * wrong type when it loads the model.
 */
export type AttributeValue = number | string | readonly number[] | readonly string[] | TypedAttribute;

/** Named attributes of one node. */
export type Attributes = Readonly<Record<string, AttributeValue>>;

/** Attributes with an explicit ONNX type. */
export const Attr = {
  int: (value: number): TypedAttribute => ({ kind: 'int', value }),
  float: (value: number): TypedAttribute => ({ kind: 'float', value }),
  string: (value: string): TypedAttribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): TypedAttribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): TypedAttribute => ({ kind: 'floats', value }),
  strings: (value: readonly string[]): TypedAttribute => ({ kind: 'strings', value }),
  /** A tensor attribute (e.g. Constant's `value`); dims default to `[data.length]`, dtype to the array's. */
  tensor: (data: TensorData, dims: readonly number[] = [data.length], dtype: DType = dtypeOfData(data)): TypedAttribute => ({
    kind: 'tensor',
    dtype,
    dims,
    data,
  }),
} as const;

/** Options of one node. */
export interface NodeOptions {
  /** The node's name (default: `<op>_<n>`, e.g. `conv_3`). */
  name?: string;
  /** The name of its output value (`node`) ; default: the node's name. */
  output?: string;
  /** The operator set domain; default `''`, the standard ONNX operators. */
  domain?: string;
  docString?: string;
}

interface GraphOutput {
  value: Value;
  dtype: DType;
  shape: readonly Dim[] | null;
}

/**
 * Builds one ONNX graph. Names of inputs, initializers and node outputs are unique within the graph;
 * node names too.
 *
 * ```ts
 * const g = new GraphBuilder('classifier');
 * const x = g.input('pixels', 'float32', ['B', 3, 8, 8]);
 * const w = g.initializer('conv.weight', weights, [4, 3, 3, 3]);
 * const y = g.node('Conv', [x, w], { pads: [1, 1, 1, 1] });
 * g.output(y, 'features', 'float32', ['B', 4, 8, 8]);
 * const bytes = writeModel(g, { opset: 17 });
 * ```
 */
export class GraphBuilder {
  private readonly names = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly inputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly nodes: { proto: Omit<NodeProto, 'input' | 'output'>; inputs: (Value | null)[]; outputs: Value[] }[] = [];
  private readonly outputs: GraphOutput[] = [];
  private readonly domains = new Set<string>();
  private nodeCounter = 0;

  constructor(
    /** The graph's name. */
    readonly name: string,
    private readonly docString?: string,
  ) {
    if (!name) throw new Error('a graph needs a name');
  }

  /** Declares a graph input: a tensor the caller feeds. `shape` null: rank unknown. */
  input(name: string, dtype: DType, shape: readonly Dim[] | null): Value {
    const info = valueInfo(name, dtype, shape, `input '${name}'`);
    this.claim(name, 'input');
    this.inputs.push(info);
    return new Value(this, name, 'input');
  }

  /**
   * Adds a constant tensor (stored as little-endian raw_data). `dims` default to `[data.length]`; the
   * dtype is the array's (Float32Array float32, Int32Array int32, BigInt64Array int64, Uint8Array
   * uint8) unless given, which a bool tensor needs (`Uint8Array` of 0/1, dtype `'bool'`). The array
   * is referenced, not copied, until the model is written.
   */
  initializer(name: string, data: TensorData, dims: readonly number[] = [data.length], dtype: DType = dtypeOfData(data)): Value {
    const tensor = tensorProto(data, dims, dtype, `initializer '${name}'`, name);
    this.claim(name, 'initializer');
    this.initializers.push(tensor);
    return new Value(this, name, 'initializer');
  }

  /**
   * Adds a node with one output and returns that output. `inputs` in the operator's order; `null`
   * omits an optional input (e.g. Resize's `roi`).
   */
  node(opType: string, inputs: readonly (Value | null)[], attributes: Attributes = {}, options: NodeOptions = {}): Value {
    const names = options.output === undefined ? undefined : [options.output];
    return this.addNode(opType, inputs, 1, names, attributes, options)[0];
  }

  /**
   * Adds a node with several outputs (e.g. Split, TopK): `outputs` is their number (named
   * `<node>:<i>`) or their names.
   */
  nodeWithOutputs(
    opType: string,
    inputs: readonly (Value | null)[],
    outputs: number | readonly string[],
    attributes: Attributes = {},
    options: Omit<NodeOptions, 'output'> = {},
  ): Value[] {
    const count = typeof outputs === 'number' ? outputs : outputs.length;
    return this.addNode(opType, inputs, count, typeof outputs === 'number' ? undefined : outputs, attributes, options);
  }

  /**
   * Declares `value` a graph output named `name`, with its dtype and shape (`null`: rank unknown).
   * A node output not yet declared is renamed; an input, an initializer, or a value already declared
   * goes through an Identity node.
   */
  output(value: Value, name: string, dtype: DType, shape: readonly Dim[] | null): void {
    this.own(value, `output '${name}'`);
    valueInfo(name, dtype, shape, `output '${name}'`); // validates before anything changes
    const declared = this.outputs.some((output) => output.value === value);
    if (value.kind === 'node' && !declared) {
      if (name !== value.name) {
        this.claim(name, 'output');
        this.names.delete(value.name);
        value.rename(name);
      }
      this.outputs.push({ value, dtype, shape });
      return;
    }
    const identity = this.node('Identity', [value], {}, { output: name });
    this.outputs.push({ value: identity, dtype, shape });
  }

  /** The non-default operator set domains the nodes use. @internal */
  usedDomains(): ReadonlySet<string> {
    return this.domains;
  }

  /** The graph as an ONNX GraphProto. @internal */
  toGraphProto(): GraphProto {
    if (this.outputs.length === 0) throw new Error(`graph '${this.name}' declares no output`);
    return GraphProto.create({
      name: this.name,
      docString: this.docString,
      input: this.inputs,
      initializer: this.initializers,
      node: this.nodes.map(({ proto, inputs, outputs }) =>
        NodeProto.create({ ...proto, input: inputs.map((value) => value?.name ?? ''), output: outputs.map((value) => value.name) }),
      ),
      output: this.outputs.map(({ value, dtype, shape }) => valueInfo(value.name, dtype, shape, `output '${value.name}'`)),
    });
  }

  private addNode(
    opType: string,
    inputs: readonly (Value | null)[],
    outputCount: number,
    outputNames: readonly string[] | undefined,
    attributes: Attributes,
    options: NodeOptions,
  ): Value[] {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opType)) throw new Error(`'${opType}' is not an operator name`);
    if (!Number.isInteger(outputCount) || outputCount < 1) throw new Error(`${opType}: a node needs at least one output, got ${outputCount}`);
    const nodeName = options.name ?? this.freshNodeName(opType);
    if (this.nodeNames.has(nodeName)) throw new Error(`node name '${nodeName}' is used twice`);
    inputs.forEach((value, i) => value && this.own(value, `input ${i} of node '${nodeName}'`));
    const names = outputNames ?? (outputCount === 1 ? [nodeName] : Array.from({ length: outputCount }, (_, i) => `${nodeName}:${i}`));
    const domain = options.domain ?? '';
    const proto = {
      name: nodeName,
      opType,
      domain: domain === '' ? undefined : domain,
      docString: options.docString,
      attribute: Object.entries(attributes).map(([key, value]) => attributeProto(key, value, `attribute '${key}' of node '${nodeName}'`)),
    };
    // Everything is checked; now the names are taken.
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i) throw new Error(`output of node '${nodeName}': the name '${name}' is given twice`);
      this.check(name, `output of node '${nodeName}'`);
    });
    names.forEach((name) => this.names.add(name));
    this.nodeNames.add(nodeName);
    if (domain !== '' && domain !== 'ai.onnx') this.domains.add(domain);
    const outputs = names.map((name) => new Value(this, name, 'node'));
    this.nodes.push({ proto, inputs: [...inputs], outputs });
    return outputs;
  }

  private freshNodeName(opType: string): string {
    const stem = opType.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
    let name: string;
    do name = `${stem}_${this.nodeCounter++}`;
    while (this.nodeNames.has(name) || this.names.has(name));
    return name;
  }

  private check(name: string, what: string): void {
    if (typeof name !== 'string' || name === '') throw new Error(`${what}: a value needs a non-empty name`);
    if (this.names.has(name)) throw new Error(`${what}: the name '${name}' is already used in graph '${this.name}'`);
  }

  private claim(name: string, what: string): void {
    this.check(name, what);
    this.names.add(name);
  }

  private own(value: Value, what: string): void {
    if (!(value instanceof Value) || value.owner !== this) {
      throw new Error(`${what}: '${String(value)}' is not a value of graph '${this.name}'`);
    }
  }
}

/** A TensorProto with little-endian raw_data. */
export function tensorProto(data: TensorData, dims: readonly number[], dtype: DType, what: string, name?: string): TensorProto {
  checkDataMatches(dtype, data, what);
  dims.forEach((dim) => {
    if (!Number.isSafeInteger(dim) || dim < 0) throw new RangeError(`${what}: dims must be non-negative integers, got [${dims.join(', ')}]`);
  });
  const count = dims.reduce((product, dim) => product * dim, 1);
  if (count !== data.length) throw new RangeError(`${what}: dims [${dims.join(', ')}] hold ${count} elements, the data ${data.length}`);
  return TensorProto.create({ name, dims: [...dims], dataType: onnxElemType(dtype), rawData: toLittleEndianBytes(dtype, data) });
}

function valueInfo(name: string, dtype: DType, shape: readonly Dim[] | null, what: string): ValueInfoProto {
  const dims = shape?.map((dim): TensorShapeProto_Dimension => {
    if (dim === null) return {};
    if (typeof dim === 'string' && dim !== '') return { dimParam: dim };
    if (typeof dim === 'number' && Number.isSafeInteger(dim) && dim >= 0) return { dimValue: dim };
    throw new RangeError(`${what}: a dimension is a non-negative integer, a non-empty name or null, got ${JSON.stringify(dim)}`);
  });
  return ValueInfoProto.create({
    name,
    type: { tensorType: { elemType: onnxElemType(dtype), shape: dims === undefined ? undefined : { dim: dims } } },
  });
}

function attributeProto(name: string, value: AttributeValue, what: string): AttributeProto {
  const typed = typeAttribute(value, what);
  const base = { name, type: ATTRIBUTE_TYPES[typed.kind] };
  switch (typed.kind) {
    case 'int':
      return AttributeProto.create({ ...base, i: int64(typed.value, what) });
    case 'float':
      return AttributeProto.create({ ...base, f: float(typed.value, what) });
    case 'string':
      return AttributeProto.create({ ...base, s: Buffer.from(typed.value, 'utf8') });
    case 'ints':
      return AttributeProto.create({ ...base, ints: typed.value.map((v) => int64(v, what)) });
    case 'floats':
      return AttributeProto.create({ ...base, floats: typed.value.map((v) => float(v, what)) });
    case 'strings':
      return AttributeProto.create({ ...base, strings: typed.value.map((v) => Buffer.from(v, 'utf8')) });
    case 'tensor':
      return AttributeProto.create({ ...base, t: tensorProto(typed.data, typed.dims, typed.dtype, what) });
  }
}

const ATTRIBUTE_TYPES: Readonly<Record<TypedAttribute['kind'], AttributeType>> = {
  int: AttributeType.INT,
  float: AttributeType.FLOAT,
  string: AttributeType.STRING,
  ints: AttributeType.INTS,
  floats: AttributeType.FLOATS,
  strings: AttributeType.STRINGS,
  tensor: AttributeType.TENSOR,
};

function typeAttribute(value: AttributeValue, what: string): TypedAttribute {
  if (typeof value === 'number') return Number.isInteger(value) ? Attr.int(value) : Attr.float(value);
  if (typeof value === 'string') return Attr.string(value);
  if (Array.isArray(value)) {
    const list = value as readonly unknown[];
    if (list.every((v): v is string => typeof v === 'string') && list.length > 0) return Attr.strings(list);
    if (list.every((v): v is number => typeof v === 'number')) return list.every(Number.isInteger) ? Attr.ints(list) : Attr.floats(list);
    throw new TypeError(`${what}: a list attribute holds only numbers or only strings`);
  }
  if (typeof value === 'object' && value !== null && 'kind' in value && value.kind in ATTRIBUTE_TYPES) return value;
  throw new TypeError(`${what}: unsupported attribute value ${String(value)}`);
}

function int64(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what}: ${value} is not a safe integer`);
  return value;
}

function float(value: number, what: string): number {
  if (typeof value !== 'number') throw new TypeError(`${what}: ${String(value)} is not a number`);
  return value;
}
