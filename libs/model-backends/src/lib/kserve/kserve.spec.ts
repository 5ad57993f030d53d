// The kserve backend against startKServeServer, through real gRPC on 127.0.0.1: pure-JS fake
// models behind the server, openKServeModel in front of it, and a raw generated client for what the
// backend never sends.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import { inference } from '@fmwiss/contracts';
import {
  AppError,
  CancelledError,
  DeadlineExceededError,
  checkHealth,
  createLogger,
  createReflectionClient,
  implementService,
  serverConfigSchema,
  startServer,
  unary,
  type ServiceHandlers,
} from '@fmwiss/service-kit';

import type { InferOptions, ModelBackend, ModelMetadata } from '../backend';
import { InferenceError, ModelInputError, ModelLoadError, ModelUnavailableError } from '../errors';
import type { HostTensor, NamedTensors } from '../tensor';
import { validateInputs, validateOutputNames } from '../validate-inputs';
import { openKServeModel, type KServeBackendOptions } from './kserve-backend';
import { KSERVE_SERVICE_NAME, kserveHandlers, startKServeServer, type KServeServer } from './kserve-server';

// --- fake models -----------------------------------------------------------------------------------

/** A ModelBackend over a pure function, checking its inputs like every backend does. */
function fakeModel(
  metadata: Omit<ModelMetadata, 'uri' | 'backend' | 'properties'>,
  run: (inputs: NamedTensors, options: InferOptions) => Promise<NamedTensors> | NamedTensors,
): ModelBackend {
  const meta: ModelMetadata = { ...metadata, uri: `fake:${metadata.name}`, backend: 'onnx', properties: {} };
  return {
    metadata: () => meta,
    infer: async (inputs, options = {}) => {
      validateInputs(meta, inputs);
      const wanted = options.outputs ? validateOutputNames(meta, options.outputs) : meta.outputs.map((spec) => spec.name);
      const all = await run(inputs, options);
      return Object.fromEntries(wanted.map((name) => [name, all[name]]));
    },
    dispose: async () => undefined,
  };
}

const TWO_POW_40 = 2n ** 40n;

/**
 * Every dtype in and out, with a dynamic batch B:
 *   y [B,3] f32 = 2x + 1;  token_sum [B] i64 = sum of the row's tokens + 2^40;
 *   inverted [B,2] u8 = 255 - pixels;  negated [B,2] bool = !mask;  scaled [2] i32 = -3 * offsets.
 */
const kitchenSink = fakeModel(
  {
    name: 'kitchen_sink',
    inputs: [
      { name: 'x', dtype: 'float32', shape: [null, 3] },
      { name: 'tokens', dtype: 'int64', shape: [null, 4] },
      { name: 'pixels', dtype: 'uint8', shape: [null, 2] },
      { name: 'mask', dtype: 'bool', shape: [null, 2] },
      { name: 'offsets', dtype: 'int32', shape: [2] },
    ],
    outputs: [
      { name: 'y', dtype: 'float32', shape: [null, 3] },
      { name: 'token_sum', dtype: 'int64', shape: [null] },
      { name: 'inverted', dtype: 'uint8', shape: [null, 2] },
      { name: 'negated', dtype: 'bool', shape: [null, 2] },
      { name: 'scaled', dtype: 'int32', shape: [2] },
    ],
  },
  (inputs) => {
    const x = inputs.x.data as Float32Array;
    const tokens = inputs.tokens.data as BigInt64Array;
    const batch = inputs.x.shape[0];
    const sums = new BigInt64Array(inputs.tokens.shape[0]);
    for (let b = 0; b < sums.length; b++) sums[b] = tokens.subarray(b * 4, b * 4 + 4).reduce((sum, t) => sum + t, 0n) + TWO_POW_40;
    return {
      y: { dtype: 'float32', shape: [batch, 3], data: x.map((v) => 2 * v + 1) },
      token_sum: { dtype: 'int64', shape: [sums.length], data: sums },
      inverted: { dtype: 'uint8', shape: inputs.pixels.shape, data: (inputs.pixels.data as Uint8Array).map((p) => 255 - p) },
      negated: { dtype: 'bool', shape: inputs.mask.shape, data: (inputs.mask.data as Uint8Array).map((m) => (m ? 0 : 1)) },
      scaled: { dtype: 'int32', shape: [2], data: (inputs.offsets.data as Int32Array).map((o) => -3 * o) },
    };
  },
);

/** Waits for its signal: the probe for cancellation and deadlines. */
let slowSawAbort: Promise<string>;
let reportSlowAbort: (reason: string) => void = () => undefined;
const slow = fakeModel(
  { name: 'slow', inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1] }] },
  (_inputs, { signal }) =>
    new Promise<NamedTensors>((_resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('slow model was never cancelled')), 20_000);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reportSlowAbort(signal.reason instanceof Error ? signal.reason.name : String(signal.reason));
        reject(signal.reason);
      });
    }),
);
function expectSlowAbort(): void {
  slowSawAbort = new Promise((resolve) => (reportSlowAbort = resolve));
}

/** Fails: with a plain Error (a bug) or an InferenceError (a runtime failure). */
const broken = fakeModel(
  { name: 'broken', inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1] }] },
  (inputs) => {
    if ((inputs.x.data as Float32Array)[0] > 0) throw new InferenceError('the runtime ran out of patience');
    throw new Error('secret internals');
  },
);

/** Declares one output, returns it with the wrong element count. */
const lying = fakeModel(
  { name: 'lying', inputs: [{ name: 'x', dtype: 'float32', shape: [1] }], outputs: [{ name: 'y', dtype: 'float32', shape: [1] }] },
  () => ({ y: { dtype: 'float32', shape: [1], data: new Float32Array(3) } }),
);

// --- helpers ---------------------------------------------------------------------------------------

const f32 = (shape: number[], values: number[]): HostTensor => ({ dtype: 'float32', shape, data: Float32Array.from(values) });
const i32 = (shape: number[], values: number[]): HostTensor => ({ dtype: 'int32', shape, data: Int32Array.from(values) });
const i64 = (shape: number[], values: bigint[]): HostTensor => ({ dtype: 'int64', shape, data: BigInt64Array.from(values) });
const u8 = (shape: number[], values: number[]): HostTensor => ({ dtype: 'uint8', shape, data: Uint8Array.from(values) });
const bool = (shape: number[], values: number[]): HostTensor => ({ dtype: 'bool', shape, data: Uint8Array.from(values) });

/** Inputs of the kitchen-sink model for a batch of `batch` rows, with values that catch byte-order or width mistakes. */
function sinkInputs(batch: number): NamedTensors {
  const x: number[] = [];
  const tokens: bigint[] = [];
  const pixels: number[] = [];
  const mask: number[] = [];
  for (let b = 0; b < batch; b++) {
    x.push(b + 0.5, -1.25 * b, 3.0e-7 * (b + 1));
    tokens.push(BigInt(b), -7n, 2n ** 33n + BigInt(b), 49406n);
    pixels.push(b % 256, 200);
    mask.push(b % 2, 1);
  }
  return {
    x: f32([batch, 3], x),
    tokens: i64([batch, 4], tokens),
    pixels: u8([batch, 2], pixels),
    mask: bool([batch, 2], mask),
    offsets: i32([2], [123456789, -5]),
  };
}

/** What the kitchen-sink model must return for `inputs`, computed here the same way. */
function sinkExpected(inputs: NamedTensors): NamedTensors {
  const batch = inputs.x.shape[0];
  const tokens = inputs.tokens.data as BigInt64Array;
  return {
    y: f32([batch, 3], Array.from(inputs.x.data as Float32Array, (v) => Math.fround(2 * v + 1))),
    token_sum: i64([batch], Array.from({ length: batch }, (_, b) => tokens[b * 4] + tokens[b * 4 + 1] + tokens[b * 4 + 2] + tokens[b * 4 + 3] + TWO_POW_40)),
    inverted: u8([batch, 2], Array.from(inputs.pixels.data as Uint8Array, (p) => 255 - p)),
    negated: bool([batch, 2], Array.from(inputs.mask.data as Uint8Array, (m) => (m ? 0 : 1))),
    scaled: i32([2], [-370370367, 15]),
  };
}

/** Rejection of `promise`, for asserting on the error's class, code and message together. */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

// --- the tests -------------------------------------------------------------------------------------

describe('kserve backend and server over gRPC', () => {
  let server: KServeServer;
  let typedServer: KServeServer;
  let raw: inference.GRPCInferenceServiceClient;
  let workDir: string;
  const opened: ModelBackend[] = [];
  const rawClients: inference.GRPCInferenceServiceClient[] = [];
  const models = new Map<string, ModelBackend>([
    ['kitchen_sink', kitchenSink],
    ['slow', slow],
    ['broken', broken],
    ['lying', lying],
  ]);

  /** Opens a model and remembers to dispose it. */
  async function open(uri: string, options: KServeBackendOptions = {}): Promise<ModelBackend> {
    const model = await openKServeModel(uri, { retry: { maxAttempts: 1 }, ...options });
    opened.push(model);
    return model;
  }

  /** A raw generated client, closed after the suite. */
  function rawTo(target: KServeServer): inference.GRPCInferenceServiceClient {
    const client = new inference.GRPCInferenceServiceClient(target.address, grpc.credentials.createInsecure());
    rawClients.push(client);
    return client;
  }

  beforeAll(async () => {
    server = await startKServeServer({ models, shutdownGraceMs: 1000 });
    typedServer = await startKServeServer({ models, outputContents: 'typed', shutdownGraceMs: 1000 });
    raw = rawTo(server);
    workDir = await mkdtemp(path.join(tmpdir(), 'kserve-spec-'));
  });

  afterAll(async () => {
    await Promise.all(opened.map((model) => model.dispose()));
    rawClients.forEach((client) => client.close());
    await Promise.all([server.shutdown(), typedServer.shutdown()]);
    await rm(workDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and reports the service SERVING to health checks', async () => {
    expect(server.address).toBe(`127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);
    expect(await checkHealth(server.address, KSERVE_SERVICE_NAME)).toBe('SERVING');
  });

  it('describes the protocol by reflection with the official field numbers (what Triton interoperates on)', async () => {
    const reflection = createReflectionClient(server.address);
    try {
      expect(await reflection.listServices()).toContain(KSERVE_SERVICE_NAME);
      const [file] = await reflection.describeSymbol(KSERVE_SERVICE_NAME);
      expect([file.name, file.package]).toEqual(['inference/grpc_predict_v2.proto', 'inference']);
      expect(file.service?.[0].method?.map((m) => m.name)).toEqual([
        'ServerLive',
        'ServerReady',
        'ModelReady',
        'ServerMetadata',
        'ModelMetadata',
        'ModelInfer',
      ]);
      const fields = (message: string) =>
        Object.fromEntries(file.messageType?.find((m) => m.name === message)?.field?.map((f) => [f.name, f.number]) ?? []);
      expect(fields('ModelInferRequest')).toEqual({
        model_name: 1,
        model_version: 2,
        id: 3,
        parameters: 4,
        inputs: 5,
        outputs: 6,
        raw_input_contents: 7,
      });
      expect(fields('ModelInferResponse')).toEqual({
        model_name: 1,
        model_version: 2,
        id: 3,
        parameters: 4,
        outputs: 5,
        raw_output_contents: 6,
      });
      expect(fields('ModelMetadataResponse')).toEqual({ name: 1, versions: 2, platform: 3, inputs: 4, outputs: 5 });
      expect(fields('InferParameter')).toEqual({ bool_param: 1, int64_param: 2, string_param: 3, double_param: 4, uint64_param: 5 });
      expect(fields('InferTensorContents')).toEqual({
        bool_contents: 1,
        int_contents: 2,
        int64_contents: 3,
        uint_contents: 4,
        uint64_contents: 5,
        fp32_contents: 6,
        fp64_contents: 7,
        bytes_contents: 8,
      });
    } finally {
      reflection.close();
    }
  });

  it('maps the model metadata: datatypes to dtypes, -1 to null, no properties without a file', async () => {
    const uri = `kserve://${server.address}/kitchen_sink`;
    const model = await open(uri);
    expect(model.metadata()).toEqual({
      name: 'kitchen_sink',
      uri,
      backend: 'kserve',
      inputs: kitchenSink.metadata().inputs,
      outputs: kitchenSink.metadata().outputs,
      properties: {},
    });
    const described = await unary(raw, 'modelMetadata', { name: 'kitchen_sink', version: '' });
    expect(described.inputs.map((t) => [t.name, t.datatype, t.shape])).toEqual([
      ['x', 'FP32', [-1, 3]],
      ['tokens', 'INT64', [-1, 4]],
      ['pixels', 'UINT8', [-1, 2]],
      ['mask', 'BOOL', [-1, 2]],
      ['offsets', 'INT32', [2]],
    ]);
    expect(described.versions).toEqual(['1']);
    expect(described.platform).toBe('fmwiss_onnx');
  });

  it('runs every dtype with exact numbers, for several batch sizes', async () => {
    const model = await open(`kserve://${server.address}/kitchen_sink`);
    for (const batch of [1, 2, 5]) {
      const inputs = sinkInputs(batch);
      const outputs = await model.infer(inputs);
      expect(outputs).toEqual(sinkExpected(inputs));
      expect(outputs.y.data).toBeInstanceOf(Float32Array);
      expect(outputs.token_sum.data).toBeInstanceOf(BigInt64Array);
      expect(outputs.scaled.data).toBeInstanceOf(Int32Array);
      expect(outputs.inverted.data).toBeInstanceOf(Uint8Array);
    }
    // An empty batch is a batch too.
    expect((await model.infer(sinkInputs(0))).y.shape).toEqual([0, 3]);
  });

  it('returns only the outputs asked for, in that order', async () => {
    const model = await open(`kserve://${server.address}/kitchen_sink`);
    const outputs = await model.infer(sinkInputs(2), { outputs: ['token_sum', 'y'] });
    expect(Object.keys(outputs)).toEqual(['token_sum', 'y']);
    expect(outputs.token_sum).toEqual(sinkExpected(sinkInputs(2)).token_sum);
    const err = await failure(model.infer(sinkInputs(2), { outputs: ['y', 'logits'] }));
    expect(err).toBeInstanceOf(ModelInputError);
    expect(err.message).toContain("no output 'logits'");
  });

  it('decodes responses that carry typed contents instead of raw bytes', async () => {
    const model = await open(`kserve://${typedServer.address}/kitchen_sink`);
    const inputs = sinkInputs(3);
    expect(await model.infer(inputs)).toEqual(sinkExpected(inputs));
    const response = await unary(rawTo(typedServer), 'modelInfer', rawRequest('kitchen_sink', inputs));
    expect(response.rawOutputContents).toEqual([]);
    expect(response.outputs[0].contents?.fp32Contents).toEqual(Array.from(sinkExpected(inputs).y.data as Float32Array));
  });

  it('carries tensors far above grpc-js default 4 MiB message limit', async () => {
    const big = fakeModel(
      { name: 'big', inputs: [{ name: 'x', dtype: 'float32', shape: [null] }], outputs: [{ name: 'y', dtype: 'float32', shape: [null] }] },
      (inputs) => ({ y: { dtype: 'float32', shape: inputs.x.shape, data: (inputs.x.data as Float32Array).map((v) => v + 1) } }),
    );
    models.set('big', big);
    try {
      const model = await open(`kserve://${server.address}/big`);
      const n = 6 * 1024 * 1024; // 24 MiB each way
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = i % 1000;
      const { y } = await model.infer({ x: { dtype: 'float32', shape: [n], data: x } });
      expect(y.shape).toEqual([n]);
      expect([(y.data as Float32Array)[0], (y.data as Float32Array)[n - 1]]).toEqual([1, ((n - 1) % 1000) + 1]);
    } finally {
      models.delete('big');
    }
  });

  it('refuses inputs that do not match the declared specs, listing every problem, before sending', async () => {
    const model = await open(`kserve://${server.address}/kitchen_sink`);
    const inputs = sinkInputs(2);
    const err = await failure(
      model.infer({
        x: i32([2, 3], [1, 2, 3, 4, 5, 6]), // wrong dtype
        tokens: i64([2, 4, 1], inputs.tokens.data as unknown as bigint[]), // wrong rank
        pixels: u8([2, 2], [1, 2, 3]), // data shorter than the shape
        offsets: i32([3], [1, 2, 3]), // fixed dimension differs
        extra: f32([1], [0]), // not an input
        // mask missing
      }),
    );
    expect(err).toBeInstanceOf(ModelInputError);
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    for (const part of [
      "input 'x': dtype int32, the model declares float32",
      "input 'tokens': rank 3",
      "input 'pixels': shape [2,2] needs 4 elements, the data holds 3",
      "input 'offsets': dimension 0 is 3, the model declares 2",
      "input 'mask' is missing",
      "input 'extra' is not an input",
    ]) {
      expect(err.message).toContain(part);
    }
  });

  it('opens a given version, and refuses an unknown one or an unknown model with ModelLoadError', async () => {
    await expect(open(`kserve://${server.address}/kitchen_sink?version=1`)).resolves.toBeDefined();
    const badVersion = await failure(open(`kserve://${server.address}/kitchen_sink?version=7`));
    expect(badVersion).toBeInstanceOf(ModelLoadError);
    expect(badVersion.message).toContain("no version '7'");
    const unknown = await failure(open(`kserve://${server.address}/nope`));
    expect(unknown).toBeInstanceOf(ModelLoadError);
    expect(unknown.message).toContain("unknown model 'nope'");
    expect(unknown.message).toContain(server.address);
  });

  it('fails with ModelUnavailableError naming the address when no server listens', async () => {
    const gone = await startKServeServer({ models });
    const address = gone.address;
    await gone.shutdown();
    const err = await failure(open(`kserve://${address}/kitchen_sink`));
    expect(err).toBeInstanceOf(ModelUnavailableError);
    expect(err.code).toBe(grpc.status.UNAVAILABLE);
    expect(err.message).toContain(address);
    // With the default retries too (a few backoffs, then the same answer).
    const retried = await failure(openKServeModel(`kserve://${address}/kitchen_sink`, { retry: { initialBackoffMs: 20, maxBackoffMs: 50 } }));
    expect(retried).toBeInstanceOf(ModelUnavailableError);
  });

  it('reads properties from a JSON file relative to the working directory', async () => {
    const dir = path.join(workDir, 'props');
    await rm(dir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    const properties = { 'fmwiss.contract': 'clip-text/1', 'fmwiss.context_length': '77', 'fmwiss.mean': '0.5,0.5,0.5' };
    await writeFile(path.join(dir, 'model.properties.json'), JSON.stringify(properties));
    const model = await open(`kserve://${server.address}/kitchen_sink?properties=./props/model.properties.json&timeout_ms=5000`, { cwd: workDir });
    expect(model.metadata().properties).toEqual(properties);
    expect(model.metadata().resourceDir).toBe(dir);

    await writeFile(path.join(dir, 'numbers.json'), JSON.stringify({ 'fmwiss.input_size': 224, 'fmwiss.contract': 'x', list: [1] }));
    const notStrings = await failure(open(`kserve://${server.address}/kitchen_sink?properties=${path.join(dir, 'numbers.json')}`));
    expect(notStrings).toBeInstanceOf(ModelLoadError);
    expect(notStrings.message).toContain('fmwiss.input_size (number), list (array)');
    const missing = await failure(open(`kserve://${server.address}/kitchen_sink?properties=missing.json`, { cwd: workDir }));
    expect(missing).toBeInstanceOf(ModelLoadError);
    expect(missing.message).toContain(path.join(workDir, 'missing.json'));
  });

  it('cancels a call when the signal aborts, on both sides', async () => {
    const model = await open(`kserve://${server.address}/slow`);
    expectSlowAbort();
    const controller = new AbortController();
    const started = Date.now();
    const call = model.infer({ x: f32([1], [1]) }, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('user went away')), 100);
    const err = await failure(call);
    expect(err).toBeInstanceOf(CancelledError);
    expect(err.message).toContain('user went away');
    expect(Date.now() - started).toBeLessThan(5000);
    // The server's model saw the cancellation (grpc-js cancelled the server call).
    expect(await slowSawAbort).toBe('CancelledError');
    // An already aborted signal: nothing is sent.
    await expect(model.infer({ x: f32([1], [1]) }, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(CancelledError);
  });

  it('gives each call the deadline of timeout_ms', async () => {
    const model = await open(`kserve://${server.address}/slow?timeout_ms=300`);
    expectSlowAbort();
    const err = await failure(model.infer({ x: f32([1], [1]) }));
    expect(err).toBeInstanceOf(DeadlineExceededError);
    expect(err.message).toContain('300 ms');
    // The server's model was stopped. Which reason it sees depends on which arrives first on a busy
    // machine: the server's own deadline timer (DeadlineExceeded) or the client's RST_STREAM after
    // its deadline (grpc-js reports that as a cancelled call). Seen in CI under load.
    expect(['DeadlineExceededError', 'CancelledError']).toContain(await slowSawAbort);
  });

  it('maps model failures to INTERNAL and a broken model answer to InferenceError', async () => {
    const model = await open(`kserve://${server.address}/broken`);
    const runtime = await failure(model.infer({ x: f32([1], [1]) }));
    expect(runtime).toBeInstanceOf(InferenceError);
    expect(runtime.message).toContain('INTERNAL: the runtime ran out of patience');
    const bug = await failure(model.infer({ x: f32([1], [-1]) }));
    expect(bug).toBeInstanceOf(InferenceError);
    expect(bug.message).toMatch(/INTERNAL: internal error \(request id .+\); see the server log/);
    expect(bug.message).not.toContain('secret');
    const lies = await failure((await open(`kserve://${server.address}/lying`)).infer({ x: f32([1], [1]) }));
    expect(lies).toBeInstanceOf(InferenceError);
    expect(lies.message).toContain("output 'y' of shape [1] with 3 elements");
  });

  it('disposes idempotently; a disposed model refuses calls', async () => {
    const model = await openKServeModel(`kserve://${server.address}/kitchen_sink`);
    await model.dispose();
    await model.dispose();
    await expect(model.infer(sinkInputs(1))).rejects.toBeInstanceOf(CancelledError);
  });

  describe('servers that behave otherwise', () => {
    type Handlers = ServiceHandlers<typeof inference.GRPCInferenceServiceService>;
    /** A server of the protocol with some handlers replaced; resolves to its address and a stop function. */
    async function startOdd(overrides: Partial<Handlers>, serveProtocol = true) {
      const logger = createLogger({ name: 'odd', level: 'silent' });
      const handlers = { ...kserveHandlers(models), ...overrides };
      const running = await startServer({
        name: 'odd',
        config: serverConfigSchema.parse({ port: 0, shutdownGraceMs: 500 }),
        logger,
        services: serveProtocol
          ? [
              {
                definition: inference.GRPCInferenceServiceService,
                implementation: implementService(inference.GRPCInferenceServiceService, handlers, { logger }),
                serviceName: KSERVE_SERVICE_NAME,
              },
            ]
          : [],
      });
      return running;
    }

    it('a server without the protocol: ModelLoadError', async () => {
      const odd = await startOdd({}, false);
      try {
        const err = await failure(open(`kserve://${odd.address}/kitchen_sink`));
        expect(err).toBeInstanceOf(ModelLoadError);
        expect(err.message).toContain('does not serve the KServe v2 gRPC protocol');
      } finally {
        await odd.shutdown();
      }
    });

    it('a server or model that is not ready: ModelUnavailableError', async () => {
      const notReady = await startOdd({ serverReady: async () => ({ ready: false }) });
      const modelNotReady = await startOdd({ modelReady: async () => ({ ready: false }) });
      try {
        const server = await failure(open(`kserve://${notReady.address}/kitchen_sink`));
        expect(server).toBeInstanceOf(ModelUnavailableError);
        expect(server.message).toContain(`KServe server ${notReady.address} is not ready`);
        const model = await failure(open(`kserve://${modelNotReady.address}/kitchen_sink`));
        expect(model).toBeInstanceOf(ModelUnavailableError);
        expect(model.message).toContain(`model 'kitchen_sink' is not ready on KServe server ${modelNotReady.address}`);
        // Triton-style: ModelReady false for a model it does not know; the metadata call tells.
        const unknown = await failure(open(`kserve://${modelNotReady.address}/nope`));
        expect(unknown).toBeInstanceOf(ModelLoadError);
      } finally {
        await Promise.all([notReady.shutdown(), modelNotReady.shutdown()]);
      }
    });

    it('a model with tensors the backends do not carry: ModelLoadError naming them', async () => {
      const odd = await startOdd({
        modelMetadata: async (request) => ({
          name: request.name,
          versions: ['1'],
          platform: 'tensorrt_plan',
          inputs: [{ name: 'x', datatype: 'FP16', shape: [-1, 3] }],
          outputs: [{ name: 'names', datatype: 'BYTES', shape: [-1] }, { name: 'y', datatype: 'FP32', shape: [-1] }],
        }),
      });
      try {
        const err = await failure(open(`kserve://${odd.address}/kitchen_sink`));
        expect(err).toBeInstanceOf(ModelLoadError);
        expect(err.message).toContain('unsupported types: x (FP16), names (BYTES)');
      } finally {
        await odd.shutdown();
      }
    });

    it('a response whose outputs do not match what was asked: InferenceError', async () => {
      const odd = await startOdd({
        modelInfer: async () => ({
          modelName: 'kitchen_sink',
          modelVersion: '1',
          id: '',
          parameters: {},
          outputs: [{ name: 'y', datatype: 'INT32', shape: [1, 3], parameters: {}, contents: undefined }],
          rawOutputContents: [Buffer.alloc(12)],
        }),
      });
      try {
        const model = await open(`kserve://${odd.address}/kitchen_sink`);
        const err = await failure(model.infer(sinkInputs(1)));
        expect(err).toBeInstanceOf(InferenceError);
        expect(err.message).toContain("output 'y' as INT32, the model declares FP32");
        expect(err.message).toContain("no output 'token_sum'");
      } finally {
        await odd.shutdown();
      }
    });
  });

  describe('the server, to a raw client', () => {
    /** What a raw ModelInfer call fails with. */
    async function rawFailure(request: Partial<inference.ModelInferRequest>): Promise<grpc.ServiceError> {
      return (await failure(unary(raw, 'modelInfer', { ...rawRequest('kitchen_sink', sinkInputs(1)), ...request }))) as unknown as grpc.ServiceError;
    }

    it('accepts typed contents in requests', async () => {
      const inputs = sinkInputs(2);
      const request = rawRequest('kitchen_sink', inputs, 'typed');
      const response = await unary(raw, 'modelInfer', { ...request, id: 'req-7' });
      expect(response.id).toBe('req-7');
      expect(response.modelVersion).toBe('1');
      expect(response.outputs.map((o) => [o.name, o.datatype, o.shape])).toEqual([
        ['y', 'FP32', [2, 3]],
        ['token_sum', 'INT64', [2]],
        ['inverted', 'UINT8', [2, 2]],
        ['negated', 'BOOL', [2, 2]],
        ['scaled', 'INT32', [2]],
      ]);
      expect(response.rawOutputContents[4]).toEqual(Buffer.from(new Int32Array([-370370367, 15]).buffer));
    });

    it('answers NOT_FOUND for an unknown model or version', async () => {
      const unknown = await rawFailure({ modelName: 'nope' });
      expect([unknown.code, unknown.details]).toEqual([grpc.status.NOT_FOUND, "unknown model 'nope'; this server serves 'kitchen_sink', 'slow', 'broken', 'lying'"]);
      expect((await rawFailure({ modelVersion: '2' })).code).toBe(grpc.status.NOT_FOUND);
      const ready = await failure(unary(raw, 'modelReady', { name: 'nope', version: '' }));
      expect((ready as unknown as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
    });

    it('answers INVALID_ARGUMENT with the reason for tensors that do not decode or do not fit', async () => {
      const good = rawRequest('kitchen_sink', sinkInputs(1));
      const short = await rawFailure({ rawInputContents: [good.rawInputContents[0].subarray(1), ...good.rawInputContents.slice(1)] });
      expect(short.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(short.details).toContain("input 'x': FP32 [1,3] needs 12 bytes (3 x 4), got 11");

      const fp16 = await rawFailure({ inputs: good.inputs.map((input, i) => (i === 0 ? { ...input, datatype: 'FP16' } : input)) });
      expect(fp16.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(fp16.details).toContain("input 'x': datatype 'FP16' is not supported");

      const count = await rawFailure({ rawInputContents: good.rawInputContents.slice(1) });
      expect([count.code, count.details]).toEqual([
        grpc.status.INVALID_ARGUMENT,
        "request for model 'kitchen_sink': raw_input_contents holds 4 entries for 5 inputs",
      ]);

      // Decodes, but does not fit the model: the backend's own check, as INVALID_ARGUMENT.
      const wide = rawRequest('kitchen_sink', { ...sinkInputs(1), offsets: i32([3], [1, 2, 3]) });
      const shape = await rawFailure(wide);
      expect(shape.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(shape.details).toContain("input 'offsets': dimension 0 is 3, the model declares 2");

      const missingContents = await rawFailure({ rawInputContents: [] });
      expect(missingContents.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(missingContents.details).toContain('neither raw contents nor typed contents were sent');
    });

    it('answers INTERNAL, never UNKNOWN, when the model throws', async () => {
      const err = (await failure(unary(raw, 'modelInfer', rawRequest('broken', { x: f32([1], [-1]) })))) as unknown as grpc.ServiceError;
      expect(err.code).toBe(grpc.status.INTERNAL);
    });

    it('answers ServerLive, ServerReady and ServerMetadata', async () => {
      expect(await unary(raw, 'serverLive', {})).toEqual({ live: true });
      expect(await unary(raw, 'serverReady', {})).toEqual({ ready: true });
      expect((await unary(raw, 'serverMetadata', {})).name).toBe('fmwiss');
    });
  });
});

/** A ModelInfer request for `inputs`, with raw bytes (as the backend sends) or typed contents. */
function rawRequest(modelName: string, inputs: NamedTensors, encoding: 'raw' | 'typed' = 'raw'): inference.ModelInferRequest {
  const datatype = { float32: 'FP32', int32: 'INT32', int64: 'INT64', uint8: 'UINT8', bool: 'BOOL' } as const;
  const entries = Object.entries(inputs);
  return {
    modelName,
    modelVersion: '',
    id: '',
    parameters: {},
    inputs: entries.map(([name, tensor]) => ({
      name,
      datatype: datatype[tensor.dtype],
      shape: [...tensor.shape],
      parameters: {},
      contents:
        encoding === 'raw'
          ? undefined
          : inference.InferTensorContents.fromPartial({
              fp32Contents: tensor.dtype === 'float32' ? Array.from(tensor.data as Float32Array) : [],
              intContents: tensor.dtype === 'int32' ? Array.from(tensor.data as Int32Array) : [],
              int64Contents: tensor.dtype === 'int64' ? Array.from(tensor.data as BigInt64Array, Number) : [],
              uintContents: tensor.dtype === 'uint8' ? Array.from(tensor.data as Uint8Array) : [],
              boolContents: tensor.dtype === 'bool' ? Array.from(tensor.data as Uint8Array, Boolean) : [],
            }),
    })),
    outputs: [],
    rawInputContents: encoding === 'raw' ? entries.map(([, tensor]) => Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength)) : [],
  };
}
