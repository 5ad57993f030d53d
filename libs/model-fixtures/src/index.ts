// @fmwiss/model-fixtures: tiny ONNX models whose outputs are known in closed form, under the
// project's model contracts (docs/model-contracts.md). Tests check every step of the pseudo-mask
// path against them; benchmarks and smoke runs use them where the real models are not needed.
export * from './colour-clip';
export * from './blob-vit';
