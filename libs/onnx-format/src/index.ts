// @fmwiss/onnx-format: ONNX model files written and read by fmwiss.
//
// - `GraphBuilder` + `writeModel`: build a graph (inputs, initializers, operator nodes, outputs)
//   and serialise it as an ONNX model with metadata_props (docs/model-contracts.md). Used for
//   known-answer test models and the exporter of trained models.
// - `readModelInfo` / `readModelInfoFromFile`: what a model file declares (IR version, opsets,
//   producer, graph inputs and outputs with dtype and shape, metadata_props), without running it.
//
// The protobuf messages are generated from proto/onnx/onnx.proto (`npm run gen:proto`).
export { OnnxFormatError } from './lib/errors';
export { DTYPES, onnxElemType, type DType, type TensorData } from './lib/dtype';
export {
  Attr,
  GraphBuilder,
  Value,
  type AttributeValue,
  type Attributes,
  type Dim,
  type NodeOptions,
  type TypedAttribute,
} from './lib/graph-builder';
export { DEFAULT_OPSET, irVersionForOpset, writeModel, writeModelFile, type WriteModelOptions } from './lib/write-model';
export { readModelInfo, readModelInfoFromFile, type ModelInfo, type TensorInfo } from './lib/read-model-info';
