// The memory bank as step-training sees it (MemoryBankPort), over a gRPC client of MemoryBankService,
// with retries on UNAVAILABLE reported as warnings.
import * as grpc from '@grpc/grpc-js';
import { ImageFormat, MemoryBankServiceClient, type Instance, type PutRequest, type PutResponse } from '@fmwiss/contracts';
import { decodeImage, encodeGrayPng, encodePng, type RgbImage } from '@fmwiss/imaging';
import { bidiStream, createClient, serverStream, unary } from '@fmwiss/service-kit';
import type { InstanceOffer, MemoryBankPort, SampledInstance } from '../step-api';
import type { MemoryBankSettings } from '../store/job-store';
import type { MemoryBankRetrySettings } from '../worker/protocol';
import { statusText, withRetries } from './retry';

export interface GrpcMemoryBankOptions {
  settings: MemoryBankSettings;
  retry: MemoryBankRetrySettings;
  onWarning?(message: string): void;
  signal?: AbortSignal;
  /** Injected wait (tests). */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** An instance's crop and mask as the Put message wants them (PNG; mask 255 on the object). */
export async function instanceMessage(offer: InstanceOffer): Promise<Instance> {
  const { image, mask } = offer;
  if (mask.length !== image.width * image.height) {
    throw new Error(`instance of class ${offer.classId} from "${offer.sourceImageId}": mask has ${mask.length} pixels, crop ${image.width}x${image.height}`);
  }
  const maskBytes = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) maskBytes[i] = mask[i] ? 255 : 0;
  return {
    classId: offer.classId,
    image: { format: ImageFormat.IMAGE_FORMAT_PNG, data: await encodePng(image) },
    mask: { format: ImageFormat.IMAGE_FORMAT_PNG, data: encodeGrayPng({ width: image.width, height: image.height, data: maskBytes }) },
    sourceImageId: offer.sourceImageId,
    sourceBox: offer.box ? { ...offer.box } : undefined,
  };
}

/** A stored mask PNG back to 0/1 per pixel (any non-zero colour channel is the object). */
function maskFrom(decoded: RgbImage, width: number, height: number, what: string): Uint8Array {
  if (decoded.width !== width || decoded.height !== height) {
    throw new Error(`${what}: mask is ${decoded.width}x${decoded.height}, crop ${width}x${height}`);
  }
  const mask = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) {
    mask[i] = decoded.data[3 * i] || decoded.data[3 * i + 1] || decoded.data[3 * i + 2] ? 1 : 0;
  }
  return mask;
}

const sameIds = (a: readonly number[], b: readonly number[]): boolean => {
  const sa = [...new Set(a)].sort((x, y) => x - y);
  const sb = [...new Set(b)].sort((x, y) => x - y);
  return sa.length === sb.length && sa.every((v, i) => v === sb[i]);
};

export class GrpcMemoryBank implements MemoryBankPort {
  private readonly client: MemoryBankServiceClient;
  private readonly address: string;

  constructor(private readonly options: GrpcMemoryBankOptions) {
    const { retry, settings } = options;
    this.address = settings.address;
    this.client = createClient(MemoryBankServiceClient, {
      address: settings.address,
      deadlineMs: retry.deadlineMs,
      retry: { maxAttempts: 1 }, // retried here, so that every retry is reported
      channelOptions: {
        'grpc.initial_reconnect_backoff_ms': retry.initialBackoffMs,
        'grpc.max_reconnect_backoff_ms': retry.maxBackoffMs,
      },
    });
  }

  close(): void {
    this.client.close();
  }

  private retrying<T>(call: string, attempt: () => Promise<T>): Promise<T> {
    return withRetries(`memory bank ${this.address} ${call}`, attempt, {
      schedule: this.options.retry,
      onRetry: (message) => this.options.onWarning?.(message),
      signal: this.options.signal,
      sleep: this.options.sleep,
    });
  }

  /**
   * Creates the run's archive. The capacity of the request's MemoryBankRef wins when set. An archive
   * that exists with the same capacity, seed and classes counts as created (ALREADY_EXISTS included).
   */
  async create(capacityPerClass: number, classIds: number[], seed: number): Promise<void> {
    const { runId } = this.options.settings;
    const capacity = this.options.settings.capacityPerClass > 0 ? this.options.settings.capacityPerClass : capacityPerClass;
    try {
      await this.retrying('CreateArchive', () => unary(this.client, 'createArchive', { runId, capacityPerClass: capacity, seed, classIds }));
    } catch (error) {
      if ((error as { code?: unknown }).code !== grpc.status.ALREADY_EXISTS) throw error;
      const stats = await this.retrying('GetStats', () => unary(this.client, 'getStats', { runId }));
      if (stats.capacityPerClass === capacity && stats.seed === seed && sameIds(stats.acceptedClassIds, classIds)) return;
      throw new Error(
        `memory bank ${this.address}: run "${runId}" already has an archive with capacity ${stats.capacityPerClass}, seed ${stats.seed}, ` +
          `classes [${stats.acceptedClassIds.join(', ')}], not capacity ${capacity}, seed ${seed}, classes [${classIds.join(', ')}] (${statusText(error)})`,
      );
    }
  }

  /** Offers instances in one Put stream; after UNAVAILABLE only the unacknowledged ones are sent again. */
  async offer(instances: InstanceOffer[]): Promise<void> {
    if (instances.length === 0) return;
    const messages = await Promise.all(instances.map(instanceMessage));
    const { runId } = this.options.settings;
    let acknowledged = 0;
    await this.retrying('Put', async () => {
      const from = acknowledged;
      const requests: PutRequest[] = [
        { item: { $case: 'header', header: { runId } } },
        ...messages.slice(from).map((instance): PutRequest => ({ item: { $case: 'instance', instance } })),
      ];
      for await (const ack of bidiStream(this.client, 'put', requests) as AsyncIterable<PutResponse>) {
        acknowledged = Math.max(acknowledged, from + ack.index + 1);
      }
      if (acknowledged < messages.length) {
        throw Object.assign(new Error(`Put ended after ${acknowledged} of ${messages.length} acknowledgements`), { code: grpc.status.UNAVAILABLE });
      }
    });
  }

  /** Draws `count` instances (class-uniform, with replacement), decoded. */
  async sample(classIds: number[], count: number, seed: number): Promise<SampledInstance[]> {
    if (count <= 0) return [];
    const { runId } = this.options.settings;
    return this.retrying('Sample', async () => {
      const sampled: SampledInstance[] = [];
      const request = { runId, classIds, count, seed, weighting: 0, withoutReplacement: false };
      for await (const response of serverStream(this.client, 'sample', request)) {
        const stored = response.instance;
        const instance = stored?.instance;
        if (!stored || !instance?.image || !instance.mask) throw new Error(`memory bank ${this.address}: Sample draw ${response.index} holds no instance`);
        const what = `memory bank instance ${stored.instanceId}`;
        const image = await decodeImage(instance.image.data, what);
        const mask = maskFrom(await decodeImage(instance.mask.data, `${what} mask`), image.width, image.height, what);
        sampled.push({ instanceId: stored.instanceId, classId: instance.classId, image, mask });
      }
      return sampled;
    });
  }
}
