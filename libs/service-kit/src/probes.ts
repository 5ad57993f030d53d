// Client-side probes of any fmwiss (or gRPC) server: its health status and, through server
// reflection, the services it serves and their descriptors. Used by the demo, the CLI and tests.
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { FileDescriptorProto } from 'protobufjs/ext/descriptor';
import { bidiStream, createClient, unary, type ClientFactoryOptions, type UntypedClient } from './client';
import { HEALTH_SERVICE_NAME, healthServiceDefinition } from './health';

export type ProbeOptions = Omit<ClientFactoryOptions, 'address'>;

const HealthClient = grpc.makeClientConstructor(healthServiceDefinition as unknown as grpc.ServiceDefinition, HEALTH_SERVICE_NAME);

/** The server's health status for `service` ('' = the whole server): 'SERVING', 'NOT_SERVING', ... */
export async function checkHealth(address: string, service = '', options: ProbeOptions = {}): Promise<string> {
  const client = createClient(HealthClient, { deadlineMs: 5000, ...options, address }) as UntypedClient;
  try {
    const response = await unary<{ service: string }, { status: string }>(client, 'Check', { service });
    return response.status;
  } finally {
    client.close();
  }
}

/** A file descriptor as reflection returns it, decoded (protobufjs descriptor objects). */
export interface DescribedFile {
  name: string;
  package: string;
  dependency?: string[];
  messageType?: Array<{ name: string; field?: Array<{ name: string; number: number; typeName?: string }> }>;
  enumType?: Array<{ name: string; value?: Array<{ name: string; number: number }> }>;
  service?: Array<{ name: string; method?: Array<{ name: string; inputType: string; outputType: string }> }>;
}

export interface ReflectionClient {
  /** Full names of every service the server offers by reflection. */
  listServices(): Promise<string[]>;
  /** The file defining `symbol` (a service, message or enum full name) and its dependencies. */
  describeSymbol(symbol: string): Promise<DescribedFile[]>;
  close(): void;
}

// @grpc/reflection ships its .proto files next to its build output.
const REFLECTION_PROTO_ROOT = join(dirname(require.resolve('@grpc/reflection')), '../proto');

/** The grpc.reflection.{v1,v1alpha}.ServerReflection client constructor. */
export function reflectionClientConstructor(version: 'v1' | 'v1alpha'): grpc.ServiceClientConstructor {
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [REFLECTION_PROTO_ROOT], oneofs: true });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
  };
  return loaded.grpc.reflection[version]!.ServerReflection;
}

interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

/** A server-reflection (v1) client of the server at `address`. */
export function createReflectionClient(address: string, options: ProbeOptions = {}): ReflectionClient {
  const client = createClient(reflectionClientConstructor('v1'), { deadlineMs: 5000, ...options, address });
  const ask = async (request: Record<string, string>): Promise<ReflectionResponse> => {
    for await (const response of bidiStream<Record<string, string>, ReflectionResponse>(client, 'ServerReflectionInfo', [request])) {
      if (response.errorResponse) {
        const { errorCode, errorMessage } = response.errorResponse;
        throw Object.assign(new Error(`reflection: ${errorMessage}`), { code: errorCode, details: errorMessage });
      }
      return response;
    }
    throw new Error('reflection: the server closed the stream without an answer');
  };
  return {
    listServices: async () => ((await ask({ listServices: '*' })).listServicesResponse?.service ?? []).map((s) => s.name),
    describeSymbol: async (symbol) =>
      ((await ask({ fileContainingSymbol: symbol })).fileDescriptorResponse?.fileDescriptorProto ?? []).map(
        (bytes) => FileDescriptorProto.toObject(FileDescriptorProto.decode(bytes)) as DescribedFile,
      ),
    close: () => client.close(),
  };
}

/** Convenience: the services a server lists by reflection. */
export async function listServicesByReflection(address: string, options: ProbeOptions = {}): Promise<string[]> {
  const client = createReflectionClient(address, options);
  try {
    return await client.listServices();
  } finally {
    client.close();
  }
}
