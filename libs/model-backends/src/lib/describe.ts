import type { ModelBackend } from './backend';

/**
 * A model in a few strings, for GetInfo-style answers and logs: its URI, and as key/values its
 * properties, backend, name, the file's SHA-256 (`file.sha256`, ONNX) and every declared tensor
 * (`tensor.pixels` = `float32[?,3,224,224]`).
 */
export function describeModelBackend(model: ModelBackend): { uri: string; metadata: Record<string, string> } {
  const meta = model.metadata();
  const metadata: Record<string, string> = { ...meta.properties, backend: meta.backend, name: meta.name };
  if (meta.fileSha256 !== undefined) metadata['file.sha256'] = meta.fileSha256;
  for (const spec of [...meta.inputs, ...meta.outputs]) {
    metadata[`tensor.${spec.name}`] = `${spec.dtype}[${spec.shape.map((dim) => (dim === null ? '?' : dim)).join(',')}]`;
  }
  return { uri: meta.uri, metadata };
}
