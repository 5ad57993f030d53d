// @fmwiss/service-kit: the shared gRPC service kit. Each concern is its own module; startServer composes them.
export * from './errors';
export { type CallContext, REQUEST_ID_HEADER, requestIdFrom } from './call-context';
export {
  implementService,
  type ImplementServiceOptions,
  type ServiceHandlers,
  type MethodHandler,
  type UnaryHandler,
  type ServerStreamingHandler,
  type ClientStreamingHandler,
  type BidiStreamingHandler,
  type UntypedMethodHandler,
  type Send,
} from './handlers';
export {
  loadConfig,
  formatUsage,
  describeConfig,
  ConfigError,
  ConfigHelpRequested,
  toKebabCase,
  toUpperSnakeCase,
  type LoadConfigOptions,
} from './config';
export { serverConfigSchema, serverConfigSchemaWithPort, type ServerConfig } from './server-config';
export { createLogger, routeGrpcLogs, LOG_LEVELS, type CreateLoggerOptions, type LogLevel, type Logger } from './logger';
export { createHealth, healthServiceDefinition, HEALTH_SERVICE_NAME, HEALTH_PROTO_PATH, type ServerHealth } from './health';
export { addReflection, REFLECTION_SERVICE_NAMES } from './reflection';
export { indexDescriptorSet, fileWithDependencies, type DescriptorIndex } from './reflection-index';
export { serverCredentials, channelCredentials, type ServerTlsFiles, type ClientTlsFiles } from './credentials';
export { createAdmission, SHUTTING_DOWN_MESSAGE, type Admission } from './in-flight';
export { gracefulShutdown, installShutdownSignals, type SignalTarget, type Shutdownable } from './shutdown';
export { startServer, joinHostPort, SERVER_LISTENING_MESSAGE, type StartServerOptions, type RunningServer, type ServiceRegistration } from './server';
export {
  createClient,
  waitForReady,
  unary,
  serverStream,
  clientStream,
  bidiStream,
  statusOf,
  deadlineInterceptor,
  retryChannelOptions,
  DEFAULT_DEADLINE_MS,
  type ClientFactoryOptions,
  type ClientConstructor,
  type RetryOptions,
  type CallHelperOptions,
  type UntypedClient,
  type UnaryMethodName,
  type UnaryRequest,
  type UnaryResponse,
  type ServerStreamMethodName,
  type ServerStreamRequest,
  type ServerStreamResponse,
  type BidiMethodName,
  type BidiRequest,
  type BidiResponse,
} from './client';
export { startChildService, type ChildService, type StartChildServiceOptions } from './child-service';
export {
  checkHealth,
  createReflectionClient,
  listServicesByReflection,
  reflectionClientConstructor,
  type DescribedFile,
  type ProbeOptions,
  type ReflectionClient,
} from './probes';
export { answerEachInOrder, orderedConcurrentMap } from './ordered-map';
