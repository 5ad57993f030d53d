/**
 * Bytes or a file that are not an ONNX model this library can describe: not a protobuf ModelProto,
 * a model without a graph or operator sets, or a graph input/output of a type fmwiss does not carry.
 * The message says what is wrong and, for a file, names it.
 */
export class OnnxFormatError extends Error {
  override readonly name = 'OnnxFormatError';
}
