import { loadFileDescriptorSetFromBuffer, type PackageDefinition } from '@grpc/proto-loader';
import { FILE_DESCRIPTOR_SET_BASE64 } from './generated/descriptor-set';

/** Full names of the five fmwiss services, as reflection and health checking name them. */
export const FMWISS_SERVICE_NAMES = {
  clipMask: 'fmwiss.v1.ClipMaskService',
  seedRefiner: 'fmwiss.v1.SeedRefinerService',
  memoryBank: 'fmwiss.v1.MemoryBankService',
  trainer: 'fmwiss.v1.TrainerService',
  pipeline: 'fmwiss.v1.PipelineService',
} as const;

/**
 * The google.protobuf.FileDescriptorSet of every fmwiss.v1 file and the open inference protocol (proto/inference) with their google/protobuf imports, as
 * protoc wrote it (with source info, so comments included): what server reflection serves. A fresh
 * copy on each call.
 */
export function fmwissDescriptorSet(): Uint8Array {
  return Buffer.from(FILE_DESCRIPTOR_SET_BASE64, 'base64');
}

let cached: PackageDefinition | undefined;

/**
 * The proto-loader package definition of every fmwiss.v1 and inference file (with google/protobuf imports and
 * comments), built from the generated descriptor set.
 */
export function fmwissPackageDefinition(): PackageDefinition {
  cached ??= loadFileDescriptorSetFromBuffer(Buffer.from(FILE_DESCRIPTOR_SET_BASE64, 'base64'), {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  return cached;
}
