// The training worker thread: one job, run with step-training's runTrainingStep. tfjs is
// initialised here (each worker thread has its own tfjs), and the memory bank is a gRPC client made
// here from the request's MemoryBankRef.
import { runTrainingStep } from '@fmwiss/step-training';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { GrpcMemoryBank } from '../lib/memory-bank/grpc-memory-bank';
import { serveTrainingWorker } from '../lib/worker/worker-runtime';

serveTrainingWorker(async (input, hooks) => {
  await initTensorRuntime({ backend: input.backend });
  const settings = input.work.memoryBank;
  const memoryBank = settings
    ? new GrpcMemoryBank({ settings, retry: input.memoryBankRetry, onWarning: hooks.onWarning, signal: hooks.signal })
    : undefined;
  try {
    return await runTrainingStep(input.work.spec, { ...hooks, ...(memoryBank ? { memoryBank } : {}) });
  } finally {
    memoryBank?.close();
  }
});
