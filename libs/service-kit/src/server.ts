// Starts a gRPC server: composes admission (in-flight count, refusal while draining), health,
// reflection, credentials and graceful shutdown around the application's services.
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { describeConfig } from './config';
import { serverCredentials } from './credentials';
import { createHealth, type ServerHealth } from './health';
import { createAdmission } from './in-flight';
import { addReflection } from './reflection';
import type { ServerConfig } from './server-config';
import { gracefulShutdown } from './shutdown';

export interface ServiceRegistration {
  definition: grpc.ServiceDefinition;
  implementation: grpc.UntypedServiceImplementation;
  /** Full name, e.g. 'fmwiss.v1.MemoryBankService': its health status key and admission scope. */
  serviceName: string;
}

export interface StartServerOptions {
  /** Service or app name, for logs. */
  name: string;
  config: ServerConfig;
  logger: Logger;
  services: ServiceRegistration[];
  /**
   * A serialized google.protobuf.FileDescriptorSet describing the services (protoc --include_imports
   * --include_source_info): server reflection serves its files as they are. Without it, reflection
   * still lists the services but describes only health and reflection.
   */
  descriptors?: Uint8Array;
}

export interface RunningServer {
  /** The port actually bound (the ephemeral one when config.port is 0). */
  readonly port: number;
  /** host:port to dial, IPv6 hosts bracketed. */
  readonly address: string;
  /** Graceful shutdown (see shutdown.ts); idempotent: every call returns the same promise. */
  shutdown(reason?: string): Promise<void>;
  readonly health: ServerHealth;
  /** Application calls in flight. */
  inFlight(): number;
  /** Resolves once the server has shut down. */
  readonly closed: Promise<void>;
}

/** `host:port`, with an IPv6 literal bracketed. */
/** The `msg` of the log line a server writes once it accepts calls (it carries `address` and `port`). */
export const SERVER_LISTENING_MESSAGE = 'server listening';

export function joinHostPort(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

function bind(server: grpc.Server, address: string, credentials: grpc.ServerCredentials): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, credentials, (err, port) => {
      if (err) reject(new Error(`cannot listen on ${address}: ${err.message}`, { cause: err }));
      else resolve(port);
    });
  });
}

/** A wrong serviceName would leave the service out of admission and health: refuse it early. */
function checkServiceNames(services: readonly ServiceRegistration[]): void {
  for (const { definition, serviceName } of services) {
    for (const method of Object.values(definition)) {
      if (!method.path.startsWith(`/${serviceName}/`)) {
        throw new Error(`startServer: method ${method.path} does not belong to service "${serviceName}"`);
      }
    }
  }
}

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger, services } = options;
  checkServiceNames(services);
  const serviceNames = services.map((service) => service.serviceName);
  const credentials = serverCredentials(config);
  const admission = createAdmission(serviceNames);
  const health = createHealth(serviceNames);
  const server = new grpc.Server({
    'grpc.max_receive_message_length': config.maxReceiveMessageBytes,
    'grpc.max_send_message_length': config.maxSendMessageBytes,
    interceptors: [admission.interceptor],
  });
  for (const service of services) server.addService(service.definition, service.implementation);
  health.addToServer(server);
  addReflection(server, options.descriptors, serviceNames);

  let port: number;
  try {
    port = await bind(server, joinHostPort(config.host, config.port), credentials);
  } catch (err) {
    server.forceShutdown();
    throw err;
  }
  const address = joinHostPort(config.host, port);
  health.setServing();
  const tls = config.tlsCert ? (config.tlsClientCa ? 'mutual' : 'server') : 'off';
  logger.info({ name: options.name, address, port, services: serviceNames, tls, config: describeConfig(config) }, SERVER_LISTENING_MESSAGE);

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let stopping: Promise<void> | undefined;
  const parts = { server, health, admission, logger, drainDelayMs: config.drainDelayMs, shutdownGraceMs: config.shutdownGraceMs };

  return {
    port,
    address,
    health,
    closed,
    inFlight: admission.inFlight,
    shutdown: (reason = 'shutdown requested') => {
      stopping ??= gracefulShutdown(parts, reason).finally(resolveClosed);
      return stopping;
    },
  };
}
