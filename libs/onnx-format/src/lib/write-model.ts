// Serialises a GraphBuilder's graph as an ONNX model file.
import { writeFile } from 'node:fs/promises';

import { ModelProto, OperatorSetIdProto, StringStringEntryProto } from '../generated/onnx/onnx';
import type { GraphBuilder } from './graph-builder';

/** How a model is written. */
export interface WriteModelOptions {
  /** Version of the standard operator set (`ai.onnx`); default 17. */
  opset?: number;
  /** Other operator set domains the nodes use, e.g. `{ 'com.microsoft': 1 }`. */
  opsetImports?: Readonly<Record<string, number>>;
  /** IR version; default the one released with `opset` (17: 8). Needed for an opset above 23. */
  irVersion?: number;
  /** `metadata_props`: string properties of the model, e.g. `{ 'fmwiss.contract': 'clip-image/1' }`. */
  metadata?: Readonly<Record<string, string>>;
  /** The tool that wrote the model; default `{ name: 'fmwiss' }`. */
  producer?: { name: string; version?: string };
  /** Reverse-DNS namespace of the model, e.g. `org.fmwiss`. */
  domain?: string;
  modelVersion?: number;
  docString?: string;
}

/** Default standard opset: LayerNormalization exists, ReduceMean still takes `axes` as attribute. */
export const DEFAULT_OPSET = 17;

// The IR version each ONNX release introduced with its opset (onnx.helper.VERSION_TABLE).
const IR_VERSION_OF_OPSET: readonly [maxOpset: number, irVersion: number][] = [
  [8, 3],
  [9, 4],
  [10, 5],
  [11, 6],
  [14, 7],
  [18, 8],
  [20, 9],
  [22, 10],
  [23, 11],
];

/** The IR version released with a standard opset (7..23), which every runtime of that opset reads. */
export function irVersionForOpset(opset: number): number {
  const entry = Number.isInteger(opset) && opset >= 7 ? IR_VERSION_OF_OPSET.find(([maxOpset]) => opset <= maxOpset) : undefined;
  if (!entry) throw new RangeError(`no known IR version for opset ${opset}: give irVersion explicitly (opsets 7 to 23 are known)`);
  return entry[1];
}

/** The model as ONNX protobuf bytes, ready for a file or `InferenceSession.create(bytes)`. */
export function writeModel(graph: GraphBuilder, options: WriteModelOptions = {}): Uint8Array {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < 1) throw new RangeError(`opset must be a positive integer, got ${opset}`);
  const irVersion = options.irVersion ?? irVersionForOpset(opset);
  if (!Number.isInteger(irVersion) || irVersion < 3) throw new RangeError(`irVersion must be an integer >= 3, got ${irVersion}`);

  const imports = { ...options.opsetImports };
  for (const domain of graph.usedDomains()) {
    if (imports[domain] === undefined) throw new Error(`nodes use domain '${domain}': give its version in opsetImports`);
  }
  const opsetImport = [
    OperatorSetIdProto.create({ domain: '', version: opset }),
    ...Object.entries(imports).map(([domain, version]) => {
      if (domain === '' || domain === 'ai.onnx') throw new Error(`give the standard opset as 'opset', not in opsetImports`);
      if (!Number.isInteger(version) || version < 1) throw new RangeError(`opsetImports['${domain}'] must be a positive integer, got ${version}`);
      return OperatorSetIdProto.create({ domain, version });
    }),
  ];

  const metadataProps = Object.entries(options.metadata ?? {}).map(([key, value]) => {
    if (typeof value !== 'string') throw new TypeError(`metadata '${key}' must be a string, got ${typeof value}`);
    return StringStringEntryProto.create({ key, value });
  });

  const producer = options.producer ?? { name: 'fmwiss' };
  const model = ModelProto.create({
    irVersion,
    opsetImport,
    producerName: producer.name,
    producerVersion: producer.version,
    domain: options.domain,
    modelVersion: options.modelVersion,
    docString: options.docString,
    graph: graph.toGraphProto(),
    metadataProps,
  });
  const bytes = ModelProto.encode(model).finish();
  if (bytes.length > MAX_PROTOBUF_BYTES) {
    throw new RangeError(`the model takes ${bytes.length} bytes; a protobuf ONNX file holds at most 2 GiB (external data is not supported)`);
  }
  return bytes;
}

/** Protobuf messages, and so ONNX files without external data, are limited to 2 GiB. */
const MAX_PROTOBUF_BYTES = 2 ** 31 - 1;

/** Writes the model to a file (see `writeModel`). */
export async function writeModelFile(path: string, graph: GraphBuilder, options: WriteModelOptions = {}): Promise<void> {
  await writeFile(path, writeModel(graph, options));
}
