import type { NamedTensors, TensorDType } from './tensor';

/** One declared input or output of a model. `null` dimensions are dynamic (e.g. the batch). */
export interface TensorSpec {
  name: string;
  dtype: TensorDType;
  shape: readonly (number | null)[];
}

/** What a backend knows about the model it serves. */
export interface ModelMetadata {
  /** The model's name: the file's base name for ONNX, the served name for KServe. */
  name: string;
  /** The URI the backend was opened with. */
  uri: string;
  /** Which backend serves it. */
  backend: 'onnx' | 'kserve';
  inputs: readonly TensorSpec[];
  outputs: readonly TensorSpec[];
  /**
   * Free-form key/value properties of the model: ONNX `metadata_props`, or the properties file
   * given for a KServe model. The model contracts (docs/model-contracts.md) read `fmwiss.*` keys
   * from here: input size, mean/std, patch size, tokenizer file...
   */
  properties: Readonly<Record<string, string>>;
  /**
   * The folder that relative resource paths in `properties` (e.g. `fmwiss.tokenizer`) are resolved
   * against: the model file's folder (ONNX) or the properties file's folder (KServe). Unset: the
   * working directory.
   */
  resourceDir?: string;
  /**
   * Hex SHA-256 of the model file's bytes (ONNX). Unset for KServe, where the served name and
   * version identify the weights. Caches keyed by a model's description see a replaced file by it.
   */
  fileSha256?: string;
}

/** Per-call options of `infer`. */
export interface InferOptions {
  /** Only these outputs (default: all the model declares). */
  outputs?: readonly string[];
  /** Aborts the call (a queued call never starts; a running one is abandoned, its result dropped). */
  signal?: AbortSignal;
}

/**
 * A foundation model behind one interface, whatever runs it: a local ONNX file on worker threads or
 * a model on a KServe v2 / Triton server. Obtain one with `openModel(uri)`.
 */
export interface ModelBackend {
  /** The model's declared inputs, outputs and properties (read once when the model was opened). */
  metadata(): ModelMetadata;
  /**
   * Runs the model. Inputs are checked against the declared specs first (names, dtypes, ranks,
   * fixed dimensions): a mismatch rejects with `ModelInputError` before any work is done.
   */
  infer(inputs: NamedTensors, options?: InferOptions): Promise<NamedTensors>;
  /** Releases the model (worker threads, sessions, connections). Idempotent. */
  dispose(): Promise<void>;
}
