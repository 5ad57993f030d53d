// The inference worker thread: Evaluate and Predict with step-training, tfjs initialised here.
import { evaluateCheckpoint, loadStepModel, predictImage } from '@fmwiss/step-training';
import { initTensorRuntime } from '@fmwiss/tensor-runtime';
import { serveInferenceWorker } from '../lib/inference/worker-runtime';

serveInferenceWorker(async (input) => {
  await initTensorRuntime({ backend: input.backend });
  return { evaluateCheckpoint, loadStepModel, predictImage };
});
