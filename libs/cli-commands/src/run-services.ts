// The services a run needs: the addresses the user gave, and the rest started here (stage 1: mask
// services, memory bank, trainer; stage 2: the coordinator, told the others' addresses).
import { mkdirSync } from 'node:fs';
import type { ServiceEndpoints } from '@fmwiss/contracts';
import { coordinatorSpec, workerServiceSpec, type LocalServiceOptions } from './local-services';
import { ServiceGroup } from './service-group';
import type { LaunchedService, ServiceLauncher } from './service-launcher';
import type { ServiceName } from './workspace';
import type { ServiceFlags } from './flags';

export interface RunServicesOptions extends LocalServiceOptions {
  given: ServiceFlags;
  /** The method needs the mask services (fmwiss); baselines do not. */
  needMasks: boolean;
  launcher: ServiceLauncher;
  /** A line per started service. */
  log: (line: string) => void;
  /** A service this command started ended on its own. */
  onUnexpectedExit?: (service: LaunchedService, code: number | null) => void;
}

export interface RunServices {
  /** host:port of the coordinator. */
  coordinator: string;
  /** Put in every StartRunRequest (a remote coordinator's defaults apply to the empty ones). */
  endpoints: Partial<ServiceEndpoints>;
  /** The services started here (empty with --coordinator); stopAll() stops them. */
  group: ServiceGroup;
  /** True when the CLI started the coordinator (its run folders are then under the work folder). */
  local: boolean;
}

const ENDPOINT_KEYS: [Exclude<ServiceName, 'coordinator'>, keyof ServiceEndpoints][] = [
  ['clip-mask', 'clipMask'],
  ['seed-refiner', 'seedRefiner'],
  ['memory-bank', 'memoryBank'],
  ['trainer', 'trainer'],
];

/** Starts what is missing; on a start failure the started ones are stopped and ServiceStartError thrown. */
export async function prepareRunServices(options: RunServicesOptions): Promise<RunServices> {
  const group = new ServiceGroup(options.launcher, options.onUnexpectedExit);
  const { given } = options;
  const endpoints: Partial<ServiceEndpoints> = {};
  for (const [, key] of ENDPOINT_KEYS) if (given[key]) endpoints[key] = given[key];
  if (given.coordinator) return { coordinator: given.coordinator, endpoints, group, local: false };

  mkdirSync(options.workDir, { recursive: true });
  const missing = ENDPOINT_KEYS.filter(([name, key]) => !given[key] && (options.needMasks || (name !== 'clip-mask' && name !== 'seed-refiner')));
  try {
    if (missing.length > 0) {
      options.log(`starting ${missing.map(([name]) => name).join(', ')} on 127.0.0.1 ...`);
      const started = await group.startStage(missing.map(([name]) => workerServiceSpec(name, options)));
      for (const service of started) options.log(describeStarted(service));
    }
    for (const [name, key] of ENDPOINT_KEYS) endpoints[key] ??= group.address(name);
    options.log('starting coordinator ...');
    const addresses: Partial<Record<ServiceName, string>> = {};
    for (const [name, key] of ENDPOINT_KEYS) if (endpoints[key]) addresses[name] = endpoints[key];
    const [coordinator] = await group.startStage([coordinatorSpec(options, addresses)]);
    options.log(describeStarted(coordinator as LaunchedService));
    return { coordinator: (coordinator as LaunchedService).address, endpoints, group, local: true };
  } catch (error) {
    await group.stopAll();
    throw error;
  }
}

function describeStarted(service: LaunchedService): string {
  const details = [service.pid !== undefined ? `pid ${service.pid}` : '', service.logFile ? `log ${service.logFile}` : ''].filter(Boolean);
  return `  ${service.name.padEnd(12)} ${service.address}${details.length > 0 ? `  (${details.join(', ')})` : ''}`;
}
