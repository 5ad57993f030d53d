// The fmwiss.v1 contracts, and the open inference protocol (KServe v2 / Triton) that the kserve model
// backend speaks. Everything under ./generated is produced by `npm run gen:proto` from proto/fmwiss/v1
// and proto/inference and is never edited by hand.
export * from './generated/fmwiss/v1/common';
export * from './generated/fmwiss/v1/memory_bank';
export * from './generated/fmwiss/v1/clip_mask';
export * from './generated/fmwiss/v1/seed_refiner';
export * from './generated/fmwiss/v1/trainer';
export * from './generated/fmwiss/v1/pipeline';
export { Timestamp } from './generated/google/protobuf/timestamp';
export { fmwissDescriptorSet, fmwissPackageDefinition, FMWISS_SERVICE_NAMES } from './package-definition';
// The KServe v2 / Triton open inference protocol (package `inference`), as one namespace so that its
// message names (ModelInferRequest, InferParameter...) stay apart from fmwiss's own.
export * as inference from './generated/inference/grpc_predict_v2';
