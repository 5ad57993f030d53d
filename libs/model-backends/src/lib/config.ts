// The backend options a service exposes as flags, shared so every service spells them the same.
import { z } from 'zod';

import type { OpenModelOptions } from './open-model';

/** Zod shape to spread into a service's configuration schema. */
export const modelBackendConfigShape = {
  onnxWorkers: z.int().min(1).max(64).default(1).describe('onnx backend: worker threads per model, each with its own session.'),
  onnxIntraOpThreads: z.int().min(1).max(256).default(1).describe('onnx backend: onnxruntime intra-op threads per session.'),
  onnxInterOpThreads: z.int().min(1).max(256).default(1).describe('onnx backend: onnxruntime inter-op threads per session.'),
  modelQueueLimit: z.int().min(1).default(256).describe('onnx backend: calls allowed to wait for a worker before RESOURCE_EXHAUSTED.'),
  kserveTimeoutMs: z.int().min(1).default(60_000).describe('kserve backend: deadline of one inference call, in ms.'),
};

export interface ModelBackendConfig {
  onnxWorkers: number;
  onnxIntraOpThreads: number;
  onnxInterOpThreads: number;
  modelQueueLimit: number;
  kserveTimeoutMs: number;
}

export function openModelOptionsFrom(config: ModelBackendConfig): OpenModelOptions {
  return {
    onnx: {
      workers: config.onnxWorkers,
      intraOpThreads: config.onnxIntraOpThreads,
      interOpThreads: config.onnxInterOpThreads,
      maxQueue: config.modelQueueLimit,
    },
    kserve: { timeoutMs: config.kserveTimeoutMs },
  };
}
