import { PipelineServiceService } from '@fmwiss/contracts';
import type { Coordinator } from '@fmwiss/pipeline';
import type { ServiceHandlers } from '@fmwiss/service-kit';

/** The gRPC adapter of PipelineService: message plumbing only, the logic is the Coordinator's. */
export function pipelineHandlers(coordinator: Coordinator): ServiceHandlers<typeof PipelineServiceService> {
  return {
    startRun: async (request) => coordinator.startRun(request),

    watchRun: async (request, ctx, send) => {
      for await (const event of coordinator.watchRun(request.runId, request.afterSequence, ctx.signal)) await send(event);
    },

    getRun: async (request) => coordinator.getRun(request.runId),

    cancelRun: async (request) => coordinator.cancelRun(request.runId),

    listRuns: async () => ({ runs: coordinator.listRuns() }),
  };
}
