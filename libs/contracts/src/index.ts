// The fmwiss.v1 contracts. Everything under ./generated is produced by `npm run gen:proto` from
// proto/fmwiss/v1 and is never edited by hand.
export * from './generated/fmwiss/v1/common';
export * from './generated/fmwiss/v1/memory_bank';
export * from './generated/fmwiss/v1/clip_mask';
export * from './generated/fmwiss/v1/seed_refiner';
export * from './generated/fmwiss/v1/trainer';
export * from './generated/fmwiss/v1/pipeline';
export { Timestamp } from './generated/google/protobuf/timestamp';
export { fmwissDescriptorSet, fmwissPackageDefinition, FMWISS_SERVICE_NAMES } from './package-definition';
