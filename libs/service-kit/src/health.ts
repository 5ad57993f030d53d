// grpc.health.v1.Health for a server: one status for the whole server ('') and one per service.
import type * as grpc from '@grpc/grpc-js';
import { HealthImplementation, protoPath, service as healthServiceDefinition, type ServingStatus } from 'grpc-health-check';

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';
/** Where grpc-health-check ships health.proto (for reflection). */
export const HEALTH_PROTO_PATH = protoPath;
export { healthServiceDefinition };

export interface ServerHealth {
  /** Status of '' (the whole server) and of every service name given at creation. */
  status(service?: string): ServingStatus | undefined;
  setServing(): void;
  setNotServing(): void;
  /** Registers grpc.health.v1.Health (Check, Watch, List) on the server. */
  addToServer(server: grpc.Server): void;
}

/** Starts NOT_SERVING for '' and each service; the server flips it to SERVING once bound. */
export function createHealth(serviceNames: readonly string[]): ServerHealth {
  const names = ['', ...serviceNames];
  const statuses = new Map<string, ServingStatus>(names.map((name) => [name, 'NOT_SERVING']));
  const implementation = new HealthImplementation(Object.fromEntries(statuses));
  const setAll = (status: ServingStatus) => {
    for (const name of names) {
      statuses.set(name, status);
      implementation.setStatus(name, status);
    }
  };
  return {
    status: (service = '') => statuses.get(service),
    setServing: () => setAll('SERVING'),
    setNotServing: () => setAll('NOT_SERVING'),
    addToServer: (server) => implementation.addToServer(server),
  };
}
