// Server reflection: the descriptor index (unit), then a real server on 127.0.0.1 asked by
// v1 and v1alpha clients: listing, the original files with comments and dependencies, errors.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { FileDescriptorProto, FileDescriptorSet, type IFileDescriptorProto } from 'protobufjs/ext/descriptor';
import {
  HEALTH_PROTO_PATH,
  HEALTH_SERVICE_NAME,
  REFLECTION_SERVICE_NAMES,
  bidiStream,
  createClient,
  createReflectionClient,
  fileWithDependencies,
  indexDescriptorSet,
  reflectionClientConstructor,
  startServer,
  type RunningServer,
  type UntypedClient,
} from '../src';
import { answerReflectionRequest } from '../src/reflection';
import { splitDescriptorSet } from '../src/reflection-index';
import { kitFileDescriptors, mapEntryName } from '../src/reflection-protos';
import { ECHO_SERVICE_NAME, echoDescriptorSet } from './fixtures/echo';
import { silentLogger, startEcho, testConfig, type EchoServer } from './fixtures/harness';

interface ReflectionResponse {
  validHost: string;
  originalRequest?: Record<string, unknown>;
  messageResponse: string;
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  allExtensionNumbersResponse?: { baseTypeName: string; extensionNumber: number[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

interface DecodedFile extends IFileDescriptorProto {
  name: string;
  dependency?: string[];
  sourceCodeInfo?: { location?: Array<{ path?: number[]; leadingComments?: string }> };
}

const decode = (bytes: Uint8Array) => FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes)) as DecodedFile;
const encodeSet = (files: IFileDescriptorProto[]) => Buffer.from(FileDescriptorSet.encode(FileDescriptorSet.fromObject({ file: files })).finish());
const namesOf = (response: ReflectionResponse) => (response.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => decode(bytes).name);

const ECHO_FILE = 'echo.proto';
const TIMESTAMP_FILE = 'google/protobuf/timestamp.proto';
const KIT_FILES = ['grpc/health/v1/health.proto', 'grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'];

describe('descriptor index', () => {
  const echoSet = echoDescriptorSet();

  it('splits a descriptor set into its files, byte for byte', () => {
    const files = splitDescriptorSet(echoSet);
    expect(files.map((bytes) => decode(bytes).name)).toEqual([TIMESTAMP_FILE, ECHO_FILE]);
    for (const bytes of files) expect(echoSet.includes(bytes)).toBe(true);
    expect(Buffer.concat(files).length).toBeLessThan(echoSet.length);
  });

  it('maps every kind of symbol to its file, and imports to files', () => {
    const index = indexDescriptorSet(echoSet);
    expect([...index.files.keys()]).toEqual([TIMESTAMP_FILE, ECHO_FILE]);
    expect(index.deps.get(ECHO_FILE)).toEqual([TIMESTAMP_FILE]);
    expect(index.services).toEqual([ECHO_SERVICE_NAME]);
    for (const symbol of [
      'kit.test.v1.Echo',
      'kit.test.v1.Echo.Unary',
      'kit.test.v1.EchoRequest',
      'kit.test.v1.EchoRequest.payload',
      'kit.test.v1.Envelope.Sender',
      'kit.test.v1.Envelope.Sender.name',
      'kit.test.v1.Envelope.sent_at',
      'kit.test.v1.Envelope.body',
      'kit.test.v1.Envelope.Priority',
      'kit.test.v1.Envelope.PRIORITY_HIGH',
      'kit.test.v1.Envelope.Priority.PRIORITY_HIGH',
    ]) {
      expect([symbol, index.symbols.get(symbol)]).toEqual([symbol, ECHO_FILE]);
    }
    expect(index.symbols.get('google.protobuf.Timestamp')).toBe(TIMESTAMP_FILE);
    expect(index.symbols.has('.kit.test.v1.Echo')).toBe(false);
    expect(index.messages.has('kit.test.v1.Envelope.Sender')).toBe(true);
    expect(index.messages.has('kit.test.v1.Envelope.Priority')).toBe(false);
    expect(fileWithDependencies(index, ECHO_FILE)).toEqual([index.files.get(ECHO_FILE), index.files.get(TIMESTAMP_FILE)]);
  });

  it('returns each transitive dependency once', () => {
    const set = encodeSet([
      { name: 'd.proto', package: 'p' },
      { name: 'b.proto', package: 'p', dependency: ['d.proto'] },
      { name: 'c.proto', package: 'p', dependency: ['d.proto'] },
      { name: 'a.proto', package: 'p', dependency: ['b.proto', 'c.proto'] },
    ]);
    const index = indexDescriptorSet(set);
    expect(fileWithDependencies(index, 'a.proto').map((bytes) => decode(bytes).name)).toEqual(['a.proto', 'b.proto', 'd.proto', 'c.proto']);
    expect(fileWithDependencies(index, 'nope.proto')).toEqual([]);
  });

  it('adds fallback files only where the set has no file of that name', () => {
    const own = { name: 'grpc/health/v1/health.proto', package: 'grpc.health.v1', messageType: [{ name: 'Own' }] };
    const index = indexDescriptorSet(encodeSet([own]), kitFileDescriptors());
    expect([...index.files.keys()]).toEqual(['grpc/health/v1/health.proto', ...KIT_FILES.slice(1)]);
    expect(decode(index.files.get('grpc/health/v1/health.proto')!).messageType?.map((m) => m.name)).toEqual(['Own']);
    expect(index.symbols.has('grpc.health.v1.HealthCheckRequest')).toBe(false);
    expect(indexDescriptorSet(undefined, kitFileDescriptors()).services).toEqual([HEALTH_SERVICE_NAME, ...REFLECTION_SERVICE_NAMES]);
  });

  it('indexes extensions and answers the extension requests', () => {
    const index = indexDescriptorSet(
      encodeSet([
        { name: 'base.proto', package: 'p', syntax: 'proto2', messageType: [{ name: 'Base', extensionRange: [{ start: 100, end: 200 }] }] },
        {
          name: 'ext.proto',
          package: 'q',
          syntax: 'proto2',
          dependency: ['base.proto'],
          extension: [{ name: 'tag', number: 101, label: 1, type: 9, extendee: '.p.Base' }],
          messageType: [{ name: 'Holder', extension: [{ name: 'more', number: 150, label: 1, type: 5, extendee: '.p.Base' }] }],
        },
      ]),
    );
    expect(index.symbols.get('q.tag')).toBe('ext.proto');
    expect(index.symbols.get('q.Holder.more')).toBe('ext.proto');
    const ask = (request: Parameters<typeof answerReflectionRequest>[2]) => answerReflectionRequest(index, [], request);
    expect(ask({ messageRequest: 'allExtensionNumbersOfType', allExtensionNumbersOfType: 'p.Base' }).allExtensionNumbersResponse).toEqual({
      baseTypeName: 'p.Base',
      extensionNumber: [101, 150],
    });
    const found = ask({ messageRequest: 'fileContainingExtension', fileContainingExtension: { containingType: 'p.Base', extensionNumber: 150 } });
    expect(found.fileDescriptorResponse?.fileDescriptorProto.map((bytes) => decode(bytes).name)).toEqual(['ext.proto', 'base.proto']);
    const missing = ask({ messageRequest: 'fileContainingExtension', fileContainingExtension: { containingType: 'p.Base', extensionNumber: 102 } });
    expect(missing.errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
    expect(ask({ messageRequest: 'allExtensionNumbersOfType', allExtensionNumbersOfType: 'q.Nope' }).errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
  });

  it('refuses bytes that are no descriptor set, and a set missing an import', () => {
    expect(() => indexDescriptorSet(Buffer.from([0x0a, 0xff, 0xff, 0x03]))).toThrow(/not a serialized google.protobuf.FileDescriptorSet/);
    expect(() => indexDescriptorSet(encodeSet([{ package: 'p' }]))).toThrow(/without a name/);
    expect(() => indexDescriptorSet(encodeSet([{ name: 'a.proto', dependency: ['b.proto'] }]))).toThrow(/a.proto imports b.proto.*--include_imports/);
    expect(() => indexDescriptorSet(encodeSet([{ name: 'a.proto', package: 'p' }, { name: 'a.proto', package: 'q' }]))).toThrow(/two different files named a.proto/);
    expect(indexDescriptorSet(encodeSet([{ name: 'a.proto' }, { name: 'a.proto' }])).files.size).toBe(1);
  });

  it('describes health.proto as protoc does (qualified type names, map entries)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'service-kit-health-'));
    let protocHealth: DecodedFile;
    try {
      const protocRoot = dirname(require.resolve('protoc/package.json'));
      const out = join(dir, 'health.binpb');
      const includeDir = dirname(dirname(dirname(HEALTH_PROTO_PATH)));
      execFileSync(process.execPath, [join(protocRoot, 'protoc.cjs'), `-I${includeDir}`, `--descriptor_set_out=${out}`, 'health/v1/health.proto']);
      protocHealth = decode(splitDescriptorSet(readFileSync(out))[0]!);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Compare structure only: protoc also writes json names and file options we do not rebuild.
    const shape = (file: DecodedFile) =>
      JSON.parse(JSON.stringify({ ...file, name: undefined, options: undefined }, (key, value) => (key === 'jsonName' ? undefined : value)));
    expect(shape(decode(kitFileDescriptors()[0]!))).toEqual(shape(protocHealth));
    expect(mapEntryName('foo_bar')).toBe('FooBarEntry');
  });

  it('writes only fully-qualified type names that resolve, in the kit files', () => {
    const index = indexDescriptorSet(undefined, kitFileDescriptors());
    const typeNames = [...index.files.values()].flatMap((bytes) =>
      JSON.stringify(decode(bytes)).match(/"(typeName|inputType|outputType)":"[^"]*"/g) ?? [],
    );
    expect(typeNames.length).toBeGreaterThan(10);
    for (const entry of typeNames) {
      const name = entry.split(':')[1]!.slice(1, -1);
      expect([name, name.startsWith('.') && index.symbols.has(name.slice(1))]).toEqual([name, true]);
    }
  });
});

describe('reflection', () => {
  let echo: EchoServer;
  const clients: grpc.Client[] = [];

  function reflectionClient(version: 'v1' | 'v1alpha', address = echo.server.address): UntypedClient {
    const client = createClient(reflectionClientConstructor(version), { address, deadlineMs: 5000 });
    clients.push(client);
    return client as UntypedClient;
  }

  async function ask(version: 'v1' | 'v1alpha', request: Record<string, unknown>, address?: string): Promise<ReflectionResponse> {
    const responses: ReflectionResponse[] = [];
    for await (const response of bidiStream<Record<string, unknown>, ReflectionResponse>(reflectionClient(version, address), 'ServerReflectionInfo', [request])) {
      responses.push(response);
    }
    expect(responses).toHaveLength(1);
    return responses[0]!;
  }

  /** One stream: each request written only after the previous answer arrived; then half-close. */
  async function converse(version: 'v1' | 'v1alpha', requests: Array<Record<string, unknown>>): Promise<ReflectionResponse[]> {
    const client = reflectionClient(version) as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<Record<string, unknown>, ReflectionResponse> };
    const call = client.ServerReflectionInfo();
    const responses = call[Symbol.asyncIterator]() as AsyncIterator<ReflectionResponse>;
    const answers: ReflectionResponse[] = [];
    for (const request of requests) {
      call.write(request);
      const next = await responses.next();
      expect(next.done).toBeFalsy();
      answers.push(next.value as ReflectionResponse);
    }
    call.end();
    expect((await responses.next()).done).toBe(true);
    return answers;
  }

  beforeAll(async () => {
    echo = await startEcho();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await echo.close();
  });

  it.each(['v1', 'v1alpha'] as const)('lists exactly the served services, health and reflection (%s)', async (version) => {
    const response = await ask(version, { listServices: '' });
    expect(response.listServicesResponse?.service.map((service) => service.name).sort()).toEqual(
      [ECHO_SERVICE_NAME, HEALTH_SERVICE_NAME, ...REFLECTION_SERVICE_NAMES].sort(),
    );
  });

  it.each(['v1', 'v1alpha'] as const)('returns the original echo.proto with its comments and imports for the service (%s)', async (version) => {
    const response = await ask(version, { fileContainingSymbol: ECHO_SERVICE_NAME, host: 'reflection.test' });
    expect(response.validHost).toBe('reflection.test');
    expect(response.originalRequest).toMatchObject({ fileContainingSymbol: ECHO_SERVICE_NAME });
    const [echoBytes, ...deps] = response.fileDescriptorResponse!.fileDescriptorProto;
    expect(echoDescriptorSet().includes(echoBytes!)).toBe(true); // the bytes protoc wrote, not re-encoded
    const file = decode(echoBytes!);
    expect(file.name).toBe(ECHO_FILE);
    expect(file.dependency).toEqual([TIMESTAMP_FILE]);
    expect(file.service?.map((service) => service.name)).toEqual(['Echo']);
    expect(file.service?.[0]?.method?.map((method) => method.name)).toEqual(['Unary', 'ServerStream', 'ClientStream', 'Bidi', 'Sleep', 'Fail']);
    expect(file.messageType?.find((m) => m.name === 'EchoRequest')?.field?.map((f) => [f.name, f.number])).toEqual([
      ['message', 1],
      ['payload', 2],
      ['fail', 3],
    ]);
    // path [6, 0] = service 0 of the file.
    const serviceComment = file.sourceCodeInfo?.location?.find((l) => l.path?.join() === '6,0')?.leadingComments;
    expect(serviceComment).toContain('Echo answers every call shape');
    expect(deps.map((bytes) => decode(bytes).name)).toEqual([TIMESTAMP_FILE]);
  });

  it('resolves methods, nested messages, fields, oneofs, enums and enum values to echo.proto', async () => {
    const symbols = [
      'kit.test.v1.Echo.Bidi',
      'kit.test.v1.Envelope.Sender',
      'kit.test.v1.Envelope.sender',
      'kit.test.v1.Envelope.body',
      'kit.test.v1.Envelope.Priority',
      'kit.test.v1.Envelope.PRIORITY_HIGH',
      '.kit.test.v1.EchoResponse',
    ];
    const answers = await converse('v1', symbols.map((fileContainingSymbol) => ({ fileContainingSymbol })));
    for (const [i, answer] of answers.entries()) expect([symbols[i], namesOf(answer)]).toEqual([symbols[i], [ECHO_FILE, TIMESTAMP_FILE]]);
    expect(namesOf(await ask('v1', { fileContainingSymbol: 'google.protobuf.Timestamp' }))).toEqual([TIMESTAMP_FILE]);
  });

  it('answers an unknown symbol with NOT_FOUND and the same stream goes on, in order', async () => {
    const answers = await converse('v1alpha', [
      { fileContainingSymbol: 'no.such.Thing' },
      { listServices: '*' },
      { fileByFilename: 'nope.proto' },
      { fileByFilename: ECHO_FILE },
      {},
    ]);
    expect(answers[0]!.errorResponse).toEqual({ errorCode: grpc.status.NOT_FOUND, errorMessage: expect.stringContaining('no.such.Thing') });
    expect(answers[0]!.originalRequest).toMatchObject({ fileContainingSymbol: 'no.such.Thing' });
    expect(answers[1]!.listServicesResponse?.service.map((s) => s.name)).toContain(ECHO_SERVICE_NAME);
    expect(answers[2]!.errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
    expect(answers[2]!.errorResponse?.errorMessage).toContain('nope.proto');
    expect(namesOf(answers[3]!)).toEqual([ECHO_FILE, TIMESTAMP_FILE]);
    expect(answers[4]!.errorResponse?.errorCode).toBe(grpc.status.INVALID_ARGUMENT);
  });

  it('serves files by name, health and reflection included', async () => {
    expect(namesOf(await ask('v1', { fileByFilename: TIMESTAMP_FILE }))).toEqual([TIMESTAMP_FILE]);
    for (const name of KIT_FILES) expect(namesOf(await ask('v1', { fileByFilename: name }))).toEqual([name]);
    expect(namesOf(await ask('v1', { fileContainingSymbol: 'grpc.health.v1.HealthCheckRequest' }))).toEqual(['grpc/health/v1/health.proto']);
    expect(namesOf(await ask('v1', { fileContainingSymbol: 'grpc.reflection.v1alpha.ServerReflection' }))).toEqual([
      'grpc/reflection/v1alpha/reflection.proto',
    ]);
  });

  it('answers the extension requests: none known, message types only', async () => {
    const numbers = await ask('v1', { allExtensionNumbersOfType: 'kit.test.v1.EchoRequest' });
    expect(numbers.allExtensionNumbersResponse?.baseTypeName).toBe('kit.test.v1.EchoRequest');
    expect(numbers.allExtensionNumbersResponse?.extensionNumber ?? []).toEqual([]); // an empty repeated field decodes as absent
    expect((await ask('v1', { allExtensionNumbersOfType: 'kit.test.v1.Echo' })).errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
    const extension = await ask('v1', { fileContainingExtension: { containingType: 'kit.test.v1.EchoRequest', extensionNumber: 100 } });
    expect(extension.errorResponse?.errorCode).toBe(grpc.status.NOT_FOUND);
  });

  it('ends a stream the client half-closes at once, and survives a client that cancels mid-stream', async () => {
    expect(await converse('v1', [])).toEqual([]);
    const client = reflectionClient('v1') as unknown as { ServerReflectionInfo(): grpc.ClientDuplexStream<Record<string, unknown>, ReflectionResponse> };
    const call = client.ServerReflectionInfo();
    const cancelled = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
    call.on('error', () => undefined);
    for (let i = 0; i < 50; i += 1) call.write({ fileContainingSymbol: ECHO_SERVICE_NAME });
    call.cancel();
    expect((await cancelled).code).toBe(grpc.status.CANCELLED);
    expect(namesOf(await ask('v1', { fileContainingSymbol: ECHO_SERVICE_NAME }))).toEqual([ECHO_FILE, TIMESTAMP_FILE]);
  });

  it('createReflectionClient lists and describes, and reports an unknown symbol as NOT_FOUND', async () => {
    const reflection = createReflectionClient(echo.server.address);
    try {
      expect(await reflection.listServices()).toEqual(expect.arrayContaining([ECHO_SERVICE_NAME, HEALTH_SERVICE_NAME]));
      const files = await reflection.describeSymbol('kit.test.v1.EchoRequest');
      expect(files.map((file) => file.name)).toEqual([ECHO_FILE, TIMESTAMP_FILE]);
      expect(files[0]?.messageType?.map((m) => m.name)).toContain('EchoRequest');
      await expect(reflection.describeSymbol('no.such.Thing')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    } finally {
      reflection.close();
    }
  });

  describe('on a server serving less than its descriptors describe', () => {
    let bare: RunningServer;
    beforeAll(async () => {
      bare = await startServer({ name: 'bare', config: testConfig(), logger: silentLogger, services: [], descriptors: echoDescriptorSet() });
    });
    afterAll(async () => bare.shutdown('test finished'));

    it('lists only what it serves, yet describes every file', async () => {
      const listed = await ask('v1', { listServices: '' }, bare.address);
      expect(listed.listServicesResponse?.service.map((s) => s.name).sort()).toEqual([HEALTH_SERVICE_NAME, ...REFLECTION_SERVICE_NAMES].sort());
      expect(namesOf(await ask('v1', { fileContainingSymbol: ECHO_SERVICE_NAME }, bare.address))).toEqual([ECHO_FILE, TIMESTAMP_FILE]);
    });
  });

  it('refuses to start on bytes that are no descriptor set', async () => {
    await expect(
      startServer({ name: 'bad', config: testConfig(), logger: silentLogger, services: [], descriptors: Buffer.from('not a descriptor set') }),
    ).rejects.toThrow(/descriptors:/);
  });
});
