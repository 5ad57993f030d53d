// gRPC server reflection (grpc.reflection.v1 and v1alpha), served from the application's
// FileDescriptorSet as protoc wrote it: clients get the original files (names, imports, comments),
// each with its transitive dependencies. The listing holds exactly the services the server serves.
import * as grpc from '@grpc/grpc-js';
import { HEALTH_SERVICE_NAME } from './health';
import { fileWithDependencies, indexDescriptorSet, type DescriptorIndex } from './reflection-index';
import { kitFileDescriptors, REFLECTION_VERSIONS, reflectionServiceDefinition } from './reflection-protos';

export const REFLECTION_SERVICE_NAMES = ['grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'] as const;

/** A ServerReflectionRequest as proto-loader decodes it (camelCase, `messageRequest` names the oneof member set). */
export interface ReflectionRequest {
  host?: string;
  messageRequest?: 'fileByFilename' | 'fileContainingSymbol' | 'fileContainingExtension' | 'allExtensionNumbersOfType' | 'listServices';
  fileByFilename?: string;
  fileContainingSymbol?: string;
  fileContainingExtension?: { containingType?: string; extensionNumber?: number };
  allExtensionNumbersOfType?: string;
  listServices?: string;
}

/** A ServerReflectionResponse for proto-loader to encode: exactly one of the four answers is set. */
export interface ReflectionResponse {
  validHost: string;
  originalRequest: ReflectionRequest;
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  allExtensionNumbersResponse?: { baseTypeName: string; extensionNumber: number[] };
  listServicesResponse?: { service: Array<{ name: string }> };
  errorResponse?: { errorCode: number; errorMessage: string };
}

type Answer = Omit<ReflectionResponse, 'validHost' | 'originalRequest'>;

const notFound = (errorMessage: string): Answer => ({ errorResponse: { errorCode: grpc.status.NOT_FOUND, errorMessage } });
const invalid = (errorMessage: string): Answer => ({ errorResponse: { errorCode: grpc.status.INVALID_ARGUMENT, errorMessage } });
const files = (index: DescriptorIndex, fileName: string): Answer => ({
  fileDescriptorResponse: { fileDescriptorProto: fileWithDependencies(index, fileName) },
});

function answer(index: DescriptorIndex, listing: readonly string[], request: ReflectionRequest): Answer {
  switch (request.messageRequest) {
    case 'listServices':
      return { listServicesResponse: { service: listing.map((name) => ({ name })) } };
    case 'fileByFilename': {
      const name = request.fileByFilename ?? '';
      return index.files.has(name) ? files(index, name) : notFound(`file not found: "${name}"`);
    }
    case 'fileContainingSymbol': {
      const symbol = (request.fileContainingSymbol ?? '').replace(/^\./, '');
      const fileName = index.symbols.get(symbol);
      return fileName ? files(index, fileName) : notFound(`symbol not found: "${symbol}" (give a fully-qualified name, e.g. package.Service)`);
    }
    case 'fileContainingExtension': {
      const type = (request.fileContainingExtension?.containingType ?? '').replace(/^\./, '');
      const number = request.fileContainingExtension?.extensionNumber ?? 0;
      if (!index.messages.has(type)) return notFound(`message type not found: "${type}"`);
      const fileName = index.extensions.get(type)?.get(number);
      return fileName ? files(index, fileName) : notFound(`no extension ${number} of "${type}" is known`);
    }
    case 'allExtensionNumbersOfType': {
      const type = (request.allExtensionNumbersOfType ?? '').replace(/^\./, '');
      if (!index.messages.has(type)) return notFound(`message type not found: "${type}"`);
      const numbers = [...(index.extensions.get(type)?.keys() ?? [])].sort((a, b) => a - b);
      return { allExtensionNumbersResponse: { baseTypeName: type, extensionNumber: numbers } };
    }
    default:
      return invalid('the request sets none of file_by_filename, file_containing_symbol, file_containing_extension, all_extension_numbers_of_type, list_services');
  }
}

/**
 * The response to one reflection request: the answer, or an error_response (never a throw), with the
 * request and its host echoed.
 */
export function answerReflectionRequest(index: DescriptorIndex, listing: readonly string[], request: ReflectionRequest): ReflectionResponse {
  let reply: Answer;
  try {
    reply = answer(index, listing, request);
  } catch (err) {
    reply = { errorResponse: { errorCode: grpc.status.INTERNAL, errorMessage: `reflection failed: ${(err as Error).message}` } };
  }
  return { validHost: request.host ?? '', originalRequest: request, ...reply };
}

/** The bidi ServerReflectionInfo handler: one response per request, in order; ends when the client half-closes. */
function reflectionHandler(index: DescriptorIndex, listing: readonly string[]): grpc.handleBidiStreamingCall<ReflectionRequest, ReflectionResponse> {
  return (call) => {
    let ended = false;
    call.on('data', (request: ReflectionRequest) => {
      if (ended || call.cancelled) return;
      if (!call.write(answerReflectionRequest(index, listing, request))) {
        call.pause();
        call.once('drain', () => call.resume());
      }
    });
    call.on('end', () => {
      if (ended) return;
      ended = true;
      call.end();
    });
    // A client that goes away mid-stream ends the call; nothing to report, nothing may throw.
    call.on('error', () => undefined);
  };
}

/**
 * Registers grpc.reflection.v1 and v1alpha ServerReflection. They describe every file of
 * `descriptorSet` (a serialized google.protobuf.FileDescriptorSet with imports, e.g. protoc
 * --include_imports --include_source_info) plus health.proto and reflection.proto, and list
 * `servedServices`, grpc.health.v1.Health and themselves: a set describing more services than the
 * server serves lists only those served. Throws when the descriptor set is malformed.
 */
export function addReflection(server: grpc.Server, descriptorSet: Uint8Array | undefined, servedServices: readonly string[]): void {
  const index = indexDescriptorSet(descriptorSet, kitFileDescriptors());
  const listing = [...new Set([...servedServices, HEALTH_SERVICE_NAME, ...REFLECTION_SERVICE_NAMES])];
  const handler = reflectionHandler(index, listing);
  for (const version of REFLECTION_VERSIONS) {
    server.addService(reflectionServiceDefinition(version), { ServerReflectionInfo: handler as grpc.UntypedHandleCall });
  }
}
