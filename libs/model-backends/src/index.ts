// @fmwiss/model-backends: foundation models behind one interface (docs/model-contracts.md).
export * from './lib/tensor';
export * from './lib/backend';
export * from './lib/errors';
