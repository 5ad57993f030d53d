// One entry point for every backend: the URI's scheme picks it (docs/model-contracts.md).
import type { ModelBackend } from './backend';
import { ModelLoadError } from './errors';
import { openKServeModel, type KServeBackendOptions } from './kserve';
import { openOnnxModel, type OnnxBackendOptions } from './onnx';

export interface OpenModelOptions {
  onnx?: OnnxBackendOptions;
  kserve?: KServeBackendOptions;
}

/** The URI schemes `openModel` understands. */
export const MODEL_URI_SCHEMES = ['onnx:', 'kserve://', 'kserve+tls://'] as const;

/**
 * Opens a model by URI: `onnx:<path>` (a local file), `kserve://host:port/model[?version=&properties=]`
 * or `kserve+tls://...` (a KServe v2 / Triton server). Rejects with ModelLoadError for an unknown
 * scheme or a model that cannot be opened, ModelUnavailableError for a server that cannot be reached.
 */
export async function openModel(uri: string, options: OpenModelOptions = {}): Promise<ModelBackend> {
  if (uri.startsWith('onnx:')) {
    const modelPath = uri.slice('onnx:'.length);
    if (modelPath === '') throw new ModelLoadError(`model URI "${uri}" names no file (expected onnx:<path>)`);
    return openOnnxModel(modelPath, options.onnx, uri);
  }
  if (uri.startsWith('kserve://') || uri.startsWith('kserve+tls://')) return openKServeModel(uri, options.kserve);
  throw new ModelLoadError(
    `model URI "${uri}" has an unknown scheme; expected one of ${MODEL_URI_SCHEMES.join(' ')} (e.g. onnx:./models/clip-image.onnx)`,
  );
}
