// A small server of the open inference protocol (KServe v2 / Triton gRPC) in front of any
// ModelBackend: it lets a KServe client (Triton's client libraries, the kserve backend, grpcurl) run
// the project's models. Built on the service kit: health, reflection, precise status codes, graceful
// shutdown.
import { fmwissDescriptorSet, inference } from '@fmwiss/contracts';
import {
  NotFoundError,
  createLogger,
  implementService,
  serverConfigSchema,
  startServer,
  type Logger,
  type ServerTlsFiles,
  type ServiceHandlers,
} from '@fmwiss/service-kit';

import type { ModelBackend, TensorSpec } from '../backend';
import { InferenceError, ModelInputError } from '../errors';
import { elementCount, type HostTensor, type NamedTensors } from '../tensor';
import { DEFAULT_KSERVE_MAX_MESSAGE_BYTES } from './kserve-backend';
import { KSERVE_DATATYPES, TensorCodecError, decodeContents, decodeRaw, dtypeOfDatatype, encodeContents, encodeRaw } from './tensor-codec';

/** Full name of the protocol's service, as health checking and reflection name it. */
export const KSERVE_SERVICE_NAME = 'inference.GRPCInferenceService';

/** The one version each served model has. */
export const KSERVE_SERVED_VERSION = '1';

export interface KServeServerOptions {
  /** The models to serve, by served name. Looked up on each call; the server never disposes them. */
  models: ReadonlyMap<string, ModelBackend>;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Largest message received or sent, in bytes (default 256 MiB). */
  maxMessageBytes?: number;
  /** How output tensors travel: `raw` (raw_output_contents, the default, as Triton) or `typed` (each output's `contents`). */
  outputContents?: 'raw' | 'typed';
  /** PEM files for TLS (default: plaintext). */
  tls?: ServerTlsFiles;
  /** On shutdown, how long calls in flight may run before they are cancelled, in ms (default 10000). */
  shutdownGraceMs?: number;
  /** Logger for one line per call (default: silent). */
  logger?: Logger;
}

export interface KServeServer {
  /** The port bound (the ephemeral one when `port` was 0). */
  readonly port: number;
  /** `host:port` to dial. */
  readonly address: string;
  /** Stops the server gracefully (idempotent). The models stay open: their owner disposes them. */
  shutdown(): Promise<void>;
}

/**
 * Serves `models` over the KServe v2 gRPC protocol. Every model has one version, "1"; its platform
 * reads `fmwiss_<backend>`. Status codes: NOT_FOUND for an unknown model or version,
 * INVALID_ARGUMENT (with the reason) for tensors that do not decode or do not match the model's
 * inputs, the model's own AppError codes, INTERNAL for anything else; never UNKNOWN.
 */
export async function startKServeServer(options: KServeServerOptions): Promise<KServeServer> {
  const logger = options.logger ?? createLogger({ name: 'kserve-server', level: 'silent' });
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_KSERVE_MAX_MESSAGE_BYTES;
  const config = serverConfigSchema.parse({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    maxReceiveMessageBytes: maxMessageBytes,
    maxSendMessageBytes: maxMessageBytes,
    ...(options.shutdownGraceMs !== undefined && { shutdownGraceMs: options.shutdownGraceMs }),
    ...options.tls,
  });
  const handlers = kserveHandlers(options.models, options.outputContents ?? 'raw');
  const server = await startServer({
    name: 'kserve-server',
    config,
    logger,
    services: [
      {
        definition: inference.GRPCInferenceServiceService,
        implementation: implementService(inference.GRPCInferenceServiceService, handlers, { logger }),
        serviceName: KSERVE_SERVICE_NAME,
      },
    ],
    descriptors: fmwissDescriptorSet(),
  });
  return { port: server.port, address: server.address, shutdown: () => server.shutdown('kserve server shutdown') };
}

/** The protocol's handlers over a table of models. Exported for tests and for embedding in another server. */
export function kserveHandlers(
  models: ReadonlyMap<string, ModelBackend>,
  outputContents: 'raw' | 'typed' = 'raw',
): ServiceHandlers<typeof inference.GRPCInferenceServiceService> {
  const modelOf = (name: string, version: string): ModelBackend => {
    const model = models.get(name);
    if (!model) {
      const served = [...models.keys()].map((key) => `'${key}'`).join(', ') || 'none';
      throw new NotFoundError(`unknown model '${name}'; this server serves ${served}`);
    }
    if (version !== '' && version !== KSERVE_SERVED_VERSION) {
      throw new NotFoundError(`model '${name}' has no version '${version}'; it has version ${KSERVE_SERVED_VERSION} only`);
    }
    return model;
  };

  return {
    serverLive: async () => ({ live: true }),
    serverReady: async () => ({ ready: true }),
    serverMetadata: async () => ({ name: 'fmwiss', version: '', extensions: [] }),
    modelReady: async (request) => {
      modelOf(request.name, request.version);
      return { ready: true };
    },
    modelMetadata: async (request) => {
      const metadata = modelOf(request.name, request.version).metadata();
      const describe = (spec: TensorSpec): inference.ModelMetadataResponse_TensorMetadata => ({
        name: spec.name,
        datatype: KSERVE_DATATYPES[spec.dtype],
        shape: spec.shape.map((dim) => dim ?? -1),
      });
      return {
        name: request.name,
        versions: [KSERVE_SERVED_VERSION],
        platform: `fmwiss_${metadata.backend}`,
        inputs: metadata.inputs.map(describe),
        outputs: metadata.outputs.map(describe),
      };
    },
    modelInfer: async (request, ctx) => {
      const model = modelOf(request.modelName, request.modelVersion);
      const inputs = decodeInputs(request);
      const requested = request.outputs.map((output) => output.name);
      const outputs = await model.infer(inputs, { ...(requested.length > 0 && { outputs: requested }), signal: ctx.signal });
      const declared = model.metadata().outputs.map((spec) => spec.name);
      const order = requested.length > 0 ? requested : [...declared, ...Object.keys(outputs).filter((name) => !declared.includes(name))];
      return encodeOutputs(request, order, outputs, outputContents);
    },
  };
}

/** The input tensors of a ModelInfer request; INVALID_ARGUMENT listing every tensor that does not decode. */
function decodeInputs(request: inference.ModelInferRequest): NamedTensors {
  const raw = request.rawInputContents;
  const where = `request for model '${request.modelName}'`;
  if (raw.length > 0 && raw.length !== request.inputs.length) {
    throw new ModelInputError(`${where}: raw_input_contents holds ${raw.length} entries for ${request.inputs.length} inputs`);
  }
  const problems: string[] = [];
  const inputs: NamedTensors = {};
  request.inputs.forEach((input, index) => {
    const name = `input '${input.name}'`;
    if (Object.prototype.hasOwnProperty.call(inputs, input.name)) return problems.push(`${name} is given twice`);
    if (raw.length > 0 && input.contents !== undefined) return problems.push(`${name} sets contents although the request uses raw_input_contents`);
    const dtype = dtypeOfDatatype(input.datatype);
    if (dtype === undefined) {
      return problems.push(`${name}: datatype '${input.datatype}' is not supported (supported: ${Object.values(KSERVE_DATATYPES).join(', ')})`);
    }
    try {
      inputs[input.name] = raw.length > 0 ? decodeRaw(dtype, input.shape, raw[index]) : decodeContents(dtype, input.shape, input.contents);
    } catch (err) {
      if (!(err instanceof TensorCodecError)) throw err;
      problems.push(`${name}: ${err.message}`);
    }
    return undefined;
  });
  if (problems.length > 0) throw new ModelInputError(`${where}: bad input tensors:\n  ${problems.join('\n  ')}`);
  return inputs;
}

/** The response: the outputs in `order`, as raw bytes or typed contents. */
function encodeOutputs(
  request: inference.ModelInferRequest,
  order: readonly string[],
  outputs: NamedTensors,
  outputContents: 'raw' | 'typed',
): inference.ModelInferResponse {
  const tensors = order.map((name) => [name, checkedOutput(request.modelName, name, outputs[name])] as const);
  const encodeTyped = (name: string, tensor: HostTensor) => {
    try {
      return encodeContents(tensor);
    } catch (err) {
      if (!(err instanceof TensorCodecError)) throw err;
      throw new InferenceError(`model '${request.modelName}', output '${name}': ${err.message}`);
    }
  };
  return {
    modelName: request.modelName,
    modelVersion: KSERVE_SERVED_VERSION,
    id: request.id,
    parameters: {},
    outputs: tensors.map(([name, tensor]) => ({
      name,
      datatype: KSERVE_DATATYPES[tensor.dtype],
      shape: [...tensor.shape],
      parameters: {},
      contents: outputContents === 'typed' ? encodeTyped(name, tensor) : undefined,
    })),
    rawOutputContents:
      outputContents === 'raw'
        ? tensors.map(([, tensor]) => {
            const bytes = encodeRaw(tensor);
            return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          })
        : [],
  };
}

/** An output the model returned, checked to be a well-formed host tensor (a broken backend is INTERNAL). */
function checkedOutput(modelName: string, name: string, tensor: HostTensor | undefined): HostTensor {
  const where = `model '${modelName}' returned`;
  if (!tensor) throw new InferenceError(`${where} no output '${name}'`);
  if (!(tensor.dtype in KSERVE_DATATYPES)) throw new InferenceError(`${where} output '${name}' of unsupported dtype ${String(tensor.dtype)}`);
  if (tensor.data.length !== elementCount(tensor.shape)) {
    throw new InferenceError(`${where} output '${name}' of shape [${tensor.shape.join(',')}] with ${tensor.data.length} elements`);
  }
  return tensor;
}
