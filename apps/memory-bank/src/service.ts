import { MemoryBankServiceService, type PutResponse } from '@fmwiss/contracts';
import type { MemoryArchive } from '@fmwiss/memory-archive';
import { InvalidArgumentError, type ServiceHandlers } from '@fmwiss/service-kit';

/** The gRPC adapter of MemoryBankService: message plumbing only, the logic is MemoryArchive's. */
export function memoryBankHandlers(archive: MemoryArchive): ServiceHandlers<typeof MemoryBankServiceService> {
  return {
    createArchive: async (request) => archive.createArchive(request),

    put: async (requests, ctx, send) => {
      let runId: string | undefined;
      let index = 0;
      let message = 0;
      for await (const request of requests) {
        const item = request.item;
        if (item?.$case === 'header') {
          if (runId !== undefined) throw new InvalidArgumentError(`message #${message}: a Put stream takes one header, this is a second`);
          runId = archive.requireArchive(item.header.runId).runId;
        } else if (item?.$case === 'instance') {
          if (runId === undefined) {
            throw new InvalidArgumentError('the first message of a Put stream must be a header naming the run');
          }
          const record = archive.requireArchive(runId);
          const checked = await archive.checkInstance(record, item.instance, `instance #${index}`);
          const ack: PutResponse = archive.offer(runId, checked, index);
          ctx.logger.debug({ runId, ack: { ...ack } }, 'instance offered');
          await send(ack);
          index++;
        } else {
          throw new InvalidArgumentError(`message #${message} of the Put stream holds neither a header nor an instance`);
        }
        message++;
      }
      if (runId === undefined) throw new InvalidArgumentError('the Put stream ended without a header');
    },

    sample: async (request, ctx, send) => {
      const { runId, instanceIds } = archive.planSample(request);
      for (const [index, instanceId] of instanceIds.entries()) {
        if (ctx.signal.aborted) return;
        await send({ index, instance: archive.readInstance(runId, instanceId) });
      }
    },

    getStats: async (request) => archive.stats(request.runId),

    listArchives: async () => ({ archives: archive.list() }),

    deleteArchive: async (request) => archive.deleteArchive(request.runId, request.allowMissing),
  };
}
