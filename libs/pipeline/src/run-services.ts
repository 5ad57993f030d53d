// The four services a run talks to, as retrying connections shared by every run that names the same
// address.
import {
  ClipMaskServiceClient,
  MemoryBankServiceClient,
  SeedRefinerServiceClient,
  TrainerServiceClient,
} from '@fmwiss/contracts';
import type { ServiceAddresses } from './run-request';
import type { RetryPolicy } from './retry';
import { ServiceConnection } from './service-connection';

export interface RunServices {
  clipMask: ServiceConnection<ClipMaskServiceClient>;
  seedRefiner: ServiceConnection<SeedRefinerServiceClient>;
  memoryBank: ServiceConnection<MemoryBankServiceClient>;
  trainer: ServiceConnection<TrainerServiceClient>;
}

export interface ConnectionPoolOptions {
  policy: RetryPolicy;
  /** Deadline of each unary call (mask calls, Predict, GetTraining...), in ms. */
  deadlineMs: number;
  maxMessageBytes?: number;
}

/** One connection per (service, address), created when first needed. */
export class ConnectionPool {
  private readonly connections = new Map<string, ServiceConnection<never>>();

  constructor(private readonly options: ConnectionPoolOptions) {}

  forRun(addresses: ServiceAddresses): RunServices {
    return {
      clipMask: this.get('clip-mask', addresses.clipMask, ClipMaskServiceClient),
      seedRefiner: this.get('seed-refiner', addresses.seedRefiner, SeedRefinerServiceClient),
      memoryBank: this.get('memory-bank', addresses.memoryBank, MemoryBankServiceClient),
      trainer: this.get('trainer', addresses.trainer, TrainerServiceClient),
    };
  }

  close(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private get<C extends ClipMaskServiceClient | SeedRefinerServiceClient | MemoryBankServiceClient | TrainerServiceClient>(
    service: string,
    address: string,
    ClientCtor: new (...args: ConstructorParameters<typeof ClipMaskServiceClient>) => C,
  ): ServiceConnection<C> {
    const key = `${service} ${address}`;
    let connection = this.connections.get(key) as ServiceConnection<C> | undefined;
    if (!connection) {
      connection = new ServiceConnection({ service, address }, ClientCtor, this.options);
      this.connections.set(key, connection as unknown as ServiceConnection<never>);
    }
    return connection;
  }
}
