// A set of services a command started: started stage by stage (the coordinator needs the others'
// addresses), stopped together with SIGTERM on success, failure or Ctrl-C, and watched for an
// unexpected exit.
import { ServiceStartError } from './exit-codes';
import type { LaunchedService, ServiceLauncher, ServiceSpec } from './service-launcher';
import type { ServiceName } from './workspace';

export class ServiceGroup {
  private readonly services = new Map<ServiceName, LaunchedService>();
  private stopping = false;

  constructor(
    private readonly launcher: ServiceLauncher,
    /** Told when a service ends while the group is not stopping (a crash). */
    private readonly onUnexpectedExit?: (service: LaunchedService, code: number | null) => void,
  ) {}

  /** Starts `specs` at once; if one fails, throws ServiceStartError (those that started stay in the group: stopAll stops them). */
  async startStage(specs: readonly ServiceSpec[]): Promise<LaunchedService[]> {
    const results = await Promise.allSettled(specs.map((spec) => this.launcher.start(spec)));
    const started: LaunchedService[] = [];
    let failure: unknown;
    for (const result of results) {
      if (result.status === 'fulfilled') {
        started.push(result.value);
        this.add(result.value);
      } else {
        failure ??= result.reason;
      }
    }
    if (failure !== undefined) {
      throw failure instanceof ServiceStartError
        ? failure
        : new ServiceStartError('service', failure instanceof Error ? failure.message : String(failure));
    }
    return started;
  }

  private add(service: LaunchedService): void {
    this.services.set(service.name, service);
    void service.exited.then((code) => {
      if (!this.stopping) this.onUnexpectedExit?.(service, code);
    });
  }

  get(name: ServiceName): LaunchedService | undefined {
    return this.services.get(name);
  }

  address(name: ServiceName): string | undefined {
    return this.services.get(name)?.address;
  }

  list(): LaunchedService[] {
    return [...this.services.values()];
  }

  /** Stops every service (the coordinator first: it stops driving the others), in parallel after it. */
  async stopAll(): Promise<{ name: ServiceName; code: number | null }[]> {
    this.stopping = true;
    const all = this.list();
    const coordinator = all.filter((s) => s.name === 'coordinator');
    const rest = all.filter((s) => s.name !== 'coordinator');
    const codes: { name: ServiceName; code: number | null }[] = [];
    for (const service of coordinator) codes.push({ name: service.name, code: await service.stop() });
    codes.push(...(await Promise.all(rest.map(async (s) => ({ name: s.name, code: await s.stop() })))));
    return codes;
  }
}
