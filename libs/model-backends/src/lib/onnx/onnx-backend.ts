// The `onnx` backend: a local ONNX file run by onnxruntime-node on worker threads.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';

import { readModelInfoFromFile } from '@fmwiss/onnx-format';

import type { InferOptions, ModelBackend, ModelMetadata, TensorSpec } from '../backend';
import { ModelLoadError } from '../errors';
import type { NamedTensors, TensorDType } from '../tensor';
import { validateInputs, validateOutputNames } from '../validate-inputs';
import { OnnxWorkerPool } from './worker-pool';

export interface OnnxBackendOptions {
  /** Worker threads, each with its own session of the model (default 1). */
  workers?: number;
  /** onnxruntime intra-op threads per session (default 1). */
  intraOpThreads?: number;
  /** onnxruntime inter-op threads per session (default 1). */
  interOpThreads?: number;
  /** Calls allowed to wait for a free worker (default 256). */
  maxQueue?: number;
}

const SUPPORTED_DTYPES: ReadonlySet<string> = new Set<TensorDType>(['float32', 'int32', 'int64', 'uint8', 'bool']);

/**
 * Opens a local ONNX model. Rejects with `ModelLoadError` when the file is missing, is not an ONNX
 * model, or declares tensors of a type the backends do not carry (e.g. float16).
 * `uri` is what the caller configured, kept for messages and metadata.
 */
export async function openOnnxModel(modelPath: string, options: OnnxBackendOptions = {}, uri = `onnx:${modelPath}`): Promise<ModelBackend> {
  const absolutePath = path.resolve(modelPath);
  const workers = positiveInteger(options.workers ?? 1, 'workers');
  const intraOpThreads = positiveInteger(options.intraOpThreads ?? 1, 'intraOpThreads');
  const interOpThreads = positiveInteger(options.interOpThreads ?? 1, 'interOpThreads');
  const maxQueue = positiveInteger(options.maxQueue ?? 256, 'maxQueue');

  const info = await stat(absolutePath).catch(() => undefined);
  if (!info?.isFile()) throw new ModelLoadError(`ONNX model file not found: ${absolutePath} (from ${uri})`);
  let properties: Record<string, string>;
  const fileSha256 = await sha256OfFile(absolutePath);
  try {
    properties = (await readModelInfoFromFile(absolutePath)).metadata;
  } catch (error) {
    throw new ModelLoadError(`${absolutePath} (from ${uri}) is not a readable ONNX model: ${(error as Error).message}`, { cause: error });
  }

  const pool = await OnnxWorkerPool.start({ modelPath: absolutePath, workers, intraOpThreads, interOpThreads, maxQueue });
  const unsupported = [...pool.signature.inputs, ...pool.signature.outputs].filter((spec) => !SUPPORTED_DTYPES.has(spec.dtype));
  if (unsupported.length > 0) {
    await pool.close();
    throw new ModelLoadError(
      `${absolutePath} declares tensors of unsupported types: ${unsupported.map((spec) => `${spec.name} (${spec.dtype})`).join(', ')}; ` +
        `supported: ${[...SUPPORTED_DTYPES].join(', ')}`,
    );
  }

  const metadata: ModelMetadata = {
    name: path.basename(absolutePath, path.extname(absolutePath)),
    uri,
    backend: 'onnx',
    inputs: pool.signature.inputs as TensorSpec[],
    outputs: pool.signature.outputs as TensorSpec[],
    properties,
    resourceDir: path.dirname(absolutePath),
    fileSha256,
  };
  return new OnnxBackend(metadata, pool);
}

/** Hex SHA-256 of a file, read as a stream. */
async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

class OnnxBackend implements ModelBackend {
  constructor(
    private readonly meta: ModelMetadata,
    private readonly pool: OnnxWorkerPool,
  ) {}

  metadata(): ModelMetadata {
    return this.meta;
  }

  async infer(inputs: NamedTensors, options: InferOptions = {}): Promise<NamedTensors> {
    validateInputs(this.meta, inputs);
    const outputs = options.outputs ? validateOutputNames(this.meta, options.outputs) : undefined;
    return this.pool.run(inputs, outputs, options.signal);
  }

  dispose(): Promise<void> {
    return this.pool.close();
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new ModelLoadError(`onnx backend option ${name} must be an integer >= 1, got ${value}`);
  return value;
}
