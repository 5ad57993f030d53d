// @fmwiss/model-backends: foundation models behind one interface (docs/model-contracts.md).
export * from './lib/tensor';
export * from './lib/backend';
export * from './lib/errors';
// Input checks shared by every backend, and the kserve backend (a KServe v2 / Triton server) with
// a server of the same protocol in front of any backend.
export { validateInputs, validateOutputNames, tensorProblems, formatShape } from './lib/validate-inputs';
export * from './lib/kserve';
// The onnx backend (a local file on worker threads), the URI entry point, the shared flags, and the
// three model contracts with their image preprocessing.
export * from './lib/onnx';
export * from './lib/open-model';
export * from './lib/config';
export * from './lib/contracts';
export { describeModelBackend } from './lib/describe';
