export { openOnnxModel, type OnnxBackendOptions } from './onnx-backend';
export { ONNX_WORKER_PATH } from './worker-pool';
