// ServiceHandlers infers each handler's shape and message types from a ts-proto-style definition
// (checked by `tsc`), and implementService refuses a definition method without a handler.
import type * as grpc from '@grpc/grpc-js';
import {
  createClient,
  implementService,
  type BidiStreamingHandler,
  type ClientStreamingHandler,
  type MethodHandler,
  type ServerStreamingHandler,
  type ServiceHandlers,
  type UnaryHandler,
  type UntypedMethodHandler,
} from '../src';
import type { EchoDefinition, EchoRequest, EchoResponse, StreamRequest } from './fixtures/echo';
import { EchoClient, echoDefinition } from './fixtures/echo';
import { silentLogger } from './fixtures/harness';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(_proof?: T): void {}

interface Thing {
  id: string;
}
// Shaped like ts-proto's output: `... as const` literals and typed (de)serializers.
const ThingService = {
  getThing: {
    path: '/t.v1.ThingService/GetThing' as const,
    requestStream: false as const,
    responseStream: false as const,
    requestSerialize: (value: Thing): Buffer => Buffer.from(value.id),
    requestDeserialize: (value: Buffer): Thing => ({ id: value.toString() }),
    responseSerialize: (value: Thing): Buffer => Buffer.from(value.id),
    responseDeserialize: (value: Buffer): Thing => ({ id: value.toString() }),
  },
} as const;

describe('handler types', () => {
  it('pick the handler shape from requestStream/responseStream', () => {
    assertType<Equal<MethodHandler<EchoDefinition['Unary']>, UnaryHandler<EchoRequest, EchoResponse>>>();
    assertType<Equal<MethodHandler<EchoDefinition['ServerStream']>, ServerStreamingHandler<StreamRequest, EchoResponse>>>();
    assertType<Equal<MethodHandler<EchoDefinition['ClientStream']>, ClientStreamingHandler<EchoRequest, EchoResponse>>>();
    assertType<Equal<MethodHandler<EchoDefinition['Bidi']>, BidiStreamingHandler<EchoRequest, EchoResponse>>>();
    assertType<Equal<MethodHandler<grpc.MethodDefinition<object, object>>, UntypedMethodHandler>>();
    assertType<Equal<ServiceHandlers<typeof ThingService>['getThing'], UnaryHandler<Thing, Thing>>>();

    const handlers: ServiceHandlers<typeof ThingService> = { getThing: async (request) => ({ id: request.id.toUpperCase() }) };
    expect(Object.keys(implementService(ThingService, handlers, { logger: silentLogger }))).toEqual(['getThing']);

    // @ts-expect-error the response must be a Thing
    const wrong: ServiceHandlers<typeof ThingService> = { getThing: async () => ({ name: 'x' }) };
    expect(wrong).toBeDefined();
  });

  it('createClient accepts a ts-proto-style client constructor and returns its client type', () => {
    interface ThingClient extends grpc.Client {
      getThing(request: Thing, callback: (error: grpc.ServiceError | null, response: Thing) => void): grpc.ClientUnaryCall;
    }
    const ThingClientCtor = EchoClient as unknown as new (
      address: string,
      credentials: grpc.ChannelCredentials,
      options?: Partial<grpc.ClientOptions>,
    ) => ThingClient;
    const client = createClient(ThingClientCtor, { address: '127.0.0.1:1' });
    assertType<Equal<typeof client, ThingClient>>();
    client.close();
  });

  it('implementService throws when a method has no handler', () => {
    expect(() => implementService(echoDefinition, {} as ServiceHandlers<EchoDefinition>, { logger: silentLogger })).toThrow(
      'implementService: no handler for /kit.test.v1.Echo/Unary',
    );
  });
});
