// Pseudo label maps through the two mask services with nothing but grpc-js and proto-loader on the
// .proto files: what a user's own client does. No fmwiss code is needed to call the services.
import * as path from 'node:path';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/ of this repository. */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');

export interface PlainClients {
  clipMask: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  seedRefiner: grpc.Client & Record<string, (...args: unknown[]) => unknown>;
  close(): void;
}

/** grpc-js clients of ClipMaskService and SeedRefinerService, from the .proto files. */
export function plainClients(clipMaskAddress: string, seedRefinerAddress: string): PlainClients {
  const definition = protoLoader.loadSync(['fmwiss/v1/clip_mask.proto', 'fmwiss/v1/seed_refiner.proto'], {
    includeDirs: [PROTO_ROOT],
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const fmwiss = grpc.loadPackageDefinition(definition) as unknown as { fmwiss: { v1: Record<string, grpc.ServiceClientConstructor> } };
  const limits = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };
  const ClipMask = fmwiss.fmwiss.v1.ClipMaskService!;
  const SeedRefiner = fmwiss.fmwiss.v1.SeedRefinerService!;
  const clipMask = new ClipMask(clipMaskAddress, grpc.credentials.createInsecure(), limits) as PlainClients['clipMask'];
  const seedRefiner = new SeedRefiner(seedRefinerAddress, grpc.credentials.createInsecure(), limits) as PlainClients['seedRefiner'];
  return { clipMask, seedRefiner, close: () => (clipMask.close(), seedRefiner.close()) };
}

function call<T>(client: PlainClients['clipMask'], method: string, request: unknown, deadlineMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method]!(request, { deadline: Date.now() + deadlineMs }, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response)));
  });
}

export interface PseudoMaskRequest {
  imageId: string;
  /** PNG or JPEG bytes. */
  encoded: Uint8Array;
  classes: { id: number; name: string }[];
  /** Background prompts for ClipMask (empty: the service's default set). */
  backgroundPrompts?: string[];
  /** RefineOptions fields as in seed_refiner.proto (snake_case), e.g. { num_seeds: 9, fusion: 'FUSION_UNION' }. */
  refineOptions?: Record<string, unknown>;
  deadlineMs?: number;
}

export interface PseudoMaskResult {
  width: number;
  height: number;
  /** M_init per class as returned (UINT8 maps, round(255 p)), in request order. */
  initialMasks: { class_id: number; data: Buffer }[];
  /** The pseudo label map, an 8-bit palette PNG. */
  labelsPng: Buffer;
  areas: { class_id: number; pixels: number }[];
}

/** ComputeInitialMasks, then RefineMasks with the returned maps. */
export async function pseudoMasks(clients: PlainClients, request: PseudoMaskRequest): Promise<PseudoMaskResult> {
  const deadlineMs = request.deadlineMs ?? 60_000;
  const image = { image_id: request.imageId, encoded: { data: request.encoded } };
  const masks = await call<{ width: number; height: number; masks: { class_id: number; map: { data: Buffer } }[] }>(
    clients.clipMask,
    'ComputeInitialMasks',
    { image, classes: request.classes.map((c) => ({ id: c.id, name: c.name })), options: { encoding: 'MAP_ENCODING_UINT8', background_prompts: request.backgroundPrompts ?? [] } },
    deadlineMs,
  );
  const refined = await call<{ pseudo_labels: { encoded: { data: Buffer } }; areas: { class_id: number; pixels: number }[] }>(
    clients.seedRefiner,
    'RefineMasks',
    { image, initial_masks: masks.masks, options: request.refineOptions ?? {} },
    deadlineMs,
  );
  return {
    width: masks.width,
    height: masks.height,
    initialMasks: masks.masks.map((m) => ({ class_id: m.class_id, data: m.map.data })),
    labelsPng: refined.pseudo_labels.encoded.data,
    areas: refined.areas,
  };
}
