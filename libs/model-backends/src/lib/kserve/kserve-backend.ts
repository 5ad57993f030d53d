// The `kserve` backend: a model on a KServe v2 / Triton server, reached over the open inference
// protocol's gRPC API (proto/inference) with the generated client.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import { inference } from '@fmwiss/contracts';
import {
  CancelledError,
  DeadlineExceededError,
  ResourceExhaustedError,
  createClient,
  unary,
  type ClientTlsFiles,
  type RetryOptions,
} from '@fmwiss/service-kit';

import type { InferOptions, ModelBackend, ModelMetadata, TensorSpec } from '../backend';
import { InferenceError, ModelInputError, ModelLoadError, ModelUnavailableError } from '../errors';
import type { NamedTensors } from '../tensor';
import { validateInputs, validateOutputNames } from '../validate-inputs';
import { KSERVE_DATATYPES, TensorCodecError, decodeContents, decodeRaw, dtypeOfDatatype, encodeRaw } from './tensor-codec';
import { parseKServeUri, type KServeUri } from './uri';

/** Deadline of each call to the server when neither the URI nor the options give one. */
export const DEFAULT_KSERVE_TIMEOUT_MS = 60_000;
/** Largest gRPC message sent or received by default (tensors travel in one message). */
export const DEFAULT_KSERVE_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

export interface KServeBackendOptions {
  /**
   * Deadline of each call to the server (the checks made at open and every `infer`), in ms, when
   * the URI has no `timeout_ms` (default 60000).
   */
  timeoutMs?: number;
  /** Largest message sent or received, in bytes (default 256 MiB). */
  maxMessageBytes?: number;
  /** For `kserve+tls`: a private CA and/or a client certificate (default: the system roots, no client certificate). */
  tls?: ClientTlsFiles;
  /** Retries of UNAVAILABLE with backoff (service-kit's policy; default 5 attempts in all, 1 turns them off). */
  retry?: RetryOptions;
  /** Folder a relative `properties=` path is resolved against (default: the working directory). */
  cwd?: string;
}

type Client = inference.GRPCInferenceServiceClient;

const isServiceError = (err: unknown): err is grpc.ServiceError =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'number';
const codeOf = (err: unknown): grpc.status | undefined => (isServiceError(err) ? err.code : undefined);
const detailsOf = (err: unknown): string => (isServiceError(err) ? err.details || err.message : err instanceof Error ? err.message : String(err));
const codeName = (code: grpc.status | undefined): string => (code === undefined ? 'error' : (grpc.status[code] ?? String(code)));

/**
 * Opens a model on a KServe v2 / Triton server: `kserve://host:port/model`, `kserve+tls://...`, with
 * optional `version=`, `properties=` (a JSON file of string properties, relative to `options.cwd`)
 * and `timeout_ms=`. Checks that the server is live and ready and that the model is ready, then reads
 * the model's metadata.
 *
 * Rejects with `ModelLoadError` for a bad URI, an unreadable properties file, a model the server does
 * not know, a server that does not speak the protocol, or tensors of a type the backends do not
 * carry (FP16, BYTES...); with `ModelUnavailableError` (worth retrying) when the server cannot be
 * reached, is not live or ready, or the model is not ready.
 */
export async function openKServeModel(uri: string, options: KServeBackendOptions = {}): Promise<ModelBackend> {
  const target = parseKServeUri(uri);
  const timeoutMs = target.timeoutMs ?? options.timeoutMs ?? DEFAULT_KSERVE_TIMEOUT_MS;
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_KSERVE_MAX_MESSAGE_BYTES;
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) throw new ModelLoadError(`kserve backend option timeoutMs must be an integer >= 1, got ${timeoutMs}`);
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < 1) {
    throw new ModelLoadError(`kserve backend option maxMessageBytes must be an integer >= 1, got ${maxMessageBytes}`);
  }
  const { properties, resourceDir } = await readProperties(target, options.cwd ?? process.cwd());

  let client: Client;
  try {
    client = createClient(inference.GRPCInferenceServiceClient, {
      address: target.address,
      deadlineMs: timeoutMs,
      tls: target.tls ? (options.tls ?? {}) : undefined,
      retry: options.retry,
      maxReceiveMessageBytes: maxMessageBytes,
      maxSendMessageBytes: maxMessageBytes,
    });
  } catch (err) {
    throw new ModelLoadError(`cannot set up a channel to ${target.address} (${uri}): ${detailsOf(err)}`, { cause: err });
  }
  try {
    const described = await describeModel(client, target, timeoutMs);
    const metadata: ModelMetadata = {
      name: described.name || target.model,
      uri,
      backend: 'kserve',
      inputs: tensorSpecs(described.inputs),
      outputs: tensorSpecs(described.outputs),
      properties,
      ...(resourceDir !== undefined && { resourceDir }),
    };
    checkSupported(metadata, described, target);
    return new KServeBackend(metadata, client, target, timeoutMs);
  } catch (err) {
    client.close();
    throw err;
  }
}

/** The `properties=` file: a JSON object of string values, and its folder; `{}` without one. */
async function readProperties(target: KServeUri, cwd: string): Promise<{ properties: Readonly<Record<string, string>>; resourceDir?: string }> {
  if (target.propertiesPath === undefined) return { properties: Object.freeze({}) };
  const file = path.resolve(cwd, target.propertiesPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ModelLoadError(`cannot read the properties file ${file} (from ${target.uri}): ${(err as Error).message}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError(`properties file ${file} (from ${target.uri}) is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelLoadError(`properties file ${file} (from ${target.uri}) must hold a JSON object of string values`);
  }
  const notStrings = Object.entries(value).filter(([, v]) => typeof v !== 'string');
  if (notStrings.length > 0) {
    throw new ModelLoadError(
      `properties file ${file} (from ${target.uri}): every value must be a string (lists of numbers comma-separated); ` +
        `not strings: ${notStrings.map(([key, v]) => `${key} (${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v})`).join(', ')}`,
    );
  }
  return { properties: Object.freeze({ ...(value as Record<string, string>) }), resourceDir: path.dirname(file) };
}

/**
 * The open-time checks: server live, server ready, model ready; then the model's metadata. Each
 * failure becomes the error a caller can act on (see openKServeModel).
 */
async function describeModel(client: Client, target: KServeUri, timeoutMs: number): Promise<inference.ModelMetadataResponse> {
  const server = `KServe server ${target.address}`;
  const model = `model '${target.model}'${target.version ? ` version ${target.version}` : ''}`;
  const options = { deadlineMs: timeoutMs };
  /** A failure of a server-wide check: transient (unreachable) or not this protocol at all. */
  const serverFailure = (err: unknown, check: string): Error => {
    const code = codeOf(err);
    const details = `${codeName(code)}: ${detailsOf(err)}`;
    if (code === grpc.status.UNIMPLEMENTED) {
      return new ModelLoadError(`${server} (${target.uri}) does not serve the KServe v2 gRPC protocol (${check}: ${details})`, { cause: err });
    }
    if (code === grpc.status.UNAVAILABLE || code === grpc.status.DEADLINE_EXCEEDED || code === undefined) {
      return new ModelUnavailableError(`cannot reach ${server} for ${model} (${target.uri}): ${details}`, { cause: err });
    }
    return new ModelLoadError(`${server} (${target.uri}) failed ${check}: ${details}`, { cause: err });
  };
  const isUnknownModel = (err: unknown) =>
    codeOf(err) === grpc.status.NOT_FOUND || /unknown model|not found|no such model/i.test(detailsOf(err));
  const unknownModel = (err: unknown) =>
    new ModelLoadError(`${server} does not serve ${model} (${target.uri}): ${detailsOf(err)}`, { cause: err });

  const live = await unary(client, 'serverLive', {}, options).catch((err: unknown) => {
    throw serverFailure(err, 'ServerLive');
  });
  if (!live.live) throw new ModelUnavailableError(`${server} is not live (${target.uri})`);
  const ready = await unary(client, 'serverReady', {}, options).catch((err: unknown) => {
    throw serverFailure(err, 'ServerReady');
  });
  if (!ready.ready) throw new ModelUnavailableError(`${server} is not ready (${target.uri})`);

  const modelReady = await unary(client, 'modelReady', { name: target.model, version: target.version }, options).catch((err: unknown) => {
    throw isUnknownModel(err) ? unknownModel(err) : serverFailure(err, 'ModelReady');
  });
  let metadata: inference.ModelMetadataResponse;
  try {
    metadata = await unary(client, 'modelMetadata', { name: target.model, version: target.version }, options);
  } catch (err) {
    // Some servers answer ModelReady `false` for a model they do not know; the metadata call tells.
    if (isUnknownModel(err)) throw unknownModel(err);
    if (!modelReady.ready) throw new ModelUnavailableError(`${model} is not ready on ${server} (${target.uri})`, { cause: err });
    throw serverFailure(err, 'ModelMetadata');
  }
  if (!modelReady.ready) throw new ModelUnavailableError(`${model} is not ready on ${server} (${target.uri})`);
  return metadata;
}

/** Declared tensors as TensorSpecs; an unsupported datatype keeps dtype float32 here and is refused by checkSupported. */
function tensorSpecs(tensors: readonly inference.ModelMetadataResponse_TensorMetadata[]): TensorSpec[] {
  return tensors.map((tensor) => ({
    name: tensor.name,
    dtype: dtypeOfDatatype(tensor.datatype) ?? 'float32',
    shape: tensor.shape.map((dim) => (dim < 0 ? null : dim)),
  }));
}

/** Refuses a model that declares tensors the backends cannot carry, naming each. */
function checkSupported(metadata: ModelMetadata, described: inference.ModelMetadataResponse, target: KServeUri): void {
  const unsupported = [...described.inputs, ...described.outputs].filter((tensor) => dtypeOfDatatype(tensor.datatype) === undefined);
  if (unsupported.length > 0) {
    throw new ModelLoadError(
      `model ${metadata.name} on ${target.address} declares tensors of unsupported types: ` +
        `${unsupported.map((tensor) => `${tensor.name} (${tensor.datatype})`).join(', ')}; supported: ${Object.values(KSERVE_DATATYPES).join(', ')}`,
    );
  }
}

class KServeBackend implements ModelBackend {
  /** Aborted by dispose(): cancels every call in flight. */
  private readonly closing = new AbortController();

  constructor(
    private readonly meta: ModelMetadata,
    private readonly client: Client,
    private readonly target: KServeUri,
    private readonly timeoutMs: number,
  ) {}

  metadata(): ModelMetadata {
    return this.meta;
  }

  async infer(inputs: NamedTensors, options: InferOptions = {}): Promise<NamedTensors> {
    if (this.closing.signal.aborted) throw new CancelledError(`model ${this.meta.name} (${this.meta.uri}) has been disposed`);
    validateInputs(this.meta, inputs);
    const outputNames = options.outputs ? validateOutputNames(this.meta, options.outputs) : this.meta.outputs.map((spec) => spec.name);
    if (options.signal?.aborted) throw abortError(options.signal);

    const specs = this.meta.inputs;
    const request: inference.ModelInferRequest = {
      modelName: this.target.model,
      modelVersion: this.target.version,
      id: '',
      parameters: {},
      inputs: specs.map((spec) => ({
        name: spec.name,
        datatype: KSERVE_DATATYPES[spec.dtype],
        shape: [...inputs[spec.name].shape],
        parameters: {},
        contents: undefined,
      })),
      outputs: outputNames.map((name) => ({ name, parameters: {} })),
      rawInputContents: specs.map((spec) => {
        const bytes = encodeRaw(inputs[spec.name]);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }),
    };

    // One controller per call, fired by the caller's signal or by dispose().
    const call = new AbortController();
    const cancel = () => call.abort();
    options.signal?.addEventListener('abort', cancel, { once: true });
    this.closing.signal.addEventListener('abort', cancel, { once: true });
    let response: inference.ModelInferResponse;
    try {
      response = await unary(this.client, 'modelInfer', request, { deadlineMs: this.timeoutMs, signal: call.signal });
    } catch (err) {
      throw this.inferError(err, options.signal);
    } finally {
      options.signal?.removeEventListener('abort', cancel);
      this.closing.signal.removeEventListener('abort', cancel);
    }
    return this.decodeResponse(response, outputNames);
  }

  async dispose(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort();
    this.client.close();
  }

  /** The error for a failed ModelInfer call. */
  private inferError(err: unknown, signal: AbortSignal | undefined): Error {
    if (signal?.aborted) return abortError(signal);
    if (this.closing.signal.aborted) return new CancelledError(`model ${this.meta.name} (${this.meta.uri}) was disposed during the call`);
    const code = codeOf(err);
    const details = detailsOf(err);
    const server = `KServe server ${this.target.address}`;
    const model = `model ${this.meta.name}`;
    switch (code) {
      case grpc.status.INVALID_ARGUMENT:
        return new ModelInputError(`${server} refused the inputs of ${model}: ${details}`, { cause: err });
      case grpc.status.UNAVAILABLE:
        return new ModelUnavailableError(`${server} is unavailable for ${model}: ${details}`, { cause: err });
      case grpc.status.NOT_FOUND:
        return new ModelUnavailableError(`${server} no longer serves ${model}: ${details}`, { cause: err });
      case grpc.status.DEADLINE_EXCEEDED:
        return new DeadlineExceededError(`${model} on ${server} did not answer within ${this.timeoutMs} ms`, { cause: err });
      case grpc.status.RESOURCE_EXHAUSTED:
        return new ResourceExhaustedError(`${server}, ${model}: ${details}`, { cause: err });
      case grpc.status.CANCELLED:
        return new CancelledError(`${server} cancelled the call to ${model}: ${details}`, { cause: err });
      default:
        return new InferenceError(`${model} failed on ${server}: ${codeName(code)}: ${details}`, { cause: err });
    }
  }

  /** The requested outputs of a ModelInfer response, from raw bytes or typed contents. */
  private decodeResponse(response: inference.ModelInferResponse, outputNames: readonly string[]): NamedTensors {
    const raw = response.rawOutputContents;
    const from = `KServe server ${this.target.address} answered model ${this.meta.name} with`;
    if (raw.length > 0 && raw.length !== response.outputs.length) {
      throw new InferenceError(`${from} ${response.outputs.length} outputs but ${raw.length} raw_output_contents`);
    }
    const wanted = new Set(outputNames);
    const declared = new Map(this.meta.outputs.map((spec) => [spec.name, spec]));
    const decoded: NamedTensors = {};
    const problems: string[] = [];
    response.outputs.forEach((output, index) => {
      if (!wanted.has(output.name)) return;
      const dtype = dtypeOfDatatype(output.datatype);
      const spec = declared.get(output.name);
      if (dtype === undefined) return problems.push(`output '${output.name}' of unsupported datatype ${output.datatype}`);
      if (spec && spec.dtype !== dtype) return problems.push(`output '${output.name}' as ${output.datatype}, the model declares ${KSERVE_DATATYPES[spec.dtype]}`);
      try {
        decoded[output.name] = raw.length > 0 ? decodeRaw(dtype, output.shape, raw[index]) : decodeContents(dtype, output.shape, output.contents);
      } catch (err) {
        if (!(err instanceof TensorCodecError)) throw err;
        problems.push(`output '${output.name}': ${err.message}`);
      }
      return undefined;
    });
    for (const name of outputNames) {
      if (!(name in decoded) && !problems.some((line) => line.startsWith(`output '${name}'`))) problems.push(`no output '${name}'`);
    }
    if (problems.length > 0) throw new InferenceError(`${from}:\n  ${problems.join('\n  ')}`);
    // In the order asked for.
    return Object.fromEntries(outputNames.map((name) => [name, decoded[name]]));
  }
}

function abortError(signal: AbortSignal): CancelledError {
  const reason = signal.reason instanceof Error ? signal.reason.message : 'the call was aborted';
  return new CancelledError(`inference cancelled: ${reason}`);
}
