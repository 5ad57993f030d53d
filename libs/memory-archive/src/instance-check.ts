import sharp from 'sharp';
import { ImageFormat, type Instance } from '@fmwiss/contracts';
import { InvalidArgumentError } from '@fmwiss/service-kit';

/** An offered instance that passed every check, ready to store. */
export interface CheckedInstance {
  classId: number;
  imageFormat: 'png' | 'jpeg';
  image: Buffer;
  mask: Buffer;
  width: number;
  height: number;
  /** Foreground pixels of the mask. */
  maskArea: number;
  sourceImageId: string;
  sourceBox: { x: number; y: number; width: number; height: number } | undefined;
}

export interface InstanceLimits {
  /** The longest side a crop may have, in pixels. */
  maxSide: number;
  /** Classes the archive accepts; null: any class in 1..254. */
  acceptedClassIds: ReadonlySet<number> | null;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

/**
 * Checks an offered instance: a known class, a decodable PNG or JPEG crop within the size limit, and
 * a decodable PNG mask of the crop's size with at least one foreground pixel (a pixel whose colour
 * channels are not all zero). Every failure is an InvalidArgumentError whose message starts with
 * `what` (e.g. "instance #3") and says what was wrong.
 */
export async function checkInstance(
  instance: Instance | undefined,
  limits: InstanceLimits,
  what: string,
): Promise<CheckedInstance> {
  if (!instance) throw new InvalidArgumentError(`${what}: the message carries no instance`);
  const label = instance.sourceImageId ? `${what} (source image '${instance.sourceImageId}')` : what;
  const fail = (problem: string): never => {
    throw new InvalidArgumentError(`${label}: ${problem}`);
  };

  const { classId } = instance;
  if (!Number.isInteger(classId) || classId < 1 || classId > 254) {
    fail(`class_id ${classId} is not a foreground class (1..254)`);
  }
  if (limits.acceptedClassIds && !limits.acceptedClassIds.has(classId)) {
    fail(`class_id ${classId} is not one of the archive's classes [${[...limits.acceptedClassIds].join(', ')}]`);
  }

  const imageBytes = Buffer.from(instance.image?.data ?? []);
  const imageFormat = sniffFormat(imageBytes);
  if (imageFormat === undefined) fail(`image is ${describeBytes(imageBytes)}, not a PNG or JPEG file`);
  const declared = instance.image?.format ?? ImageFormat.IMAGE_FORMAT_UNSPECIFIED;
  if (declared === ImageFormat.IMAGE_FORMAT_PNG && imageFormat !== 'png') fail('image is declared PNG but is a JPEG file');
  if (declared === ImageFormat.IMAGE_FORMAT_JPEG && imageFormat !== 'jpeg') fail('image is declared JPEG but is a PNG file');

  const maskBytes = Buffer.from(instance.mask?.data ?? []);
  if (sniffFormat(maskBytes) !== 'png') fail(`mask is ${describeBytes(maskBytes)}, not a PNG file (masks must be lossless)`);

  const image = await decode(imageBytes, limits.maxSide).catch((e: Error) => fail(`image cannot be decoded: ${e.message}`));
  const mask = await decode(maskBytes, limits.maxSide).catch((e: Error) => fail(`mask cannot be decoded: ${e.message}`));
  if (mask.width !== image.width || mask.height !== image.height) {
    fail(`mask is ${mask.width}x${mask.height} but the image crop is ${image.width}x${image.height}`);
  }
  const maskArea = countForeground(mask.pixels, mask.channels);
  if (maskArea === 0) fail('mask is empty (no foreground pixel)');

  const box = instance.sourceBox;
  if (box && (box.width < 0 || box.height < 0 || box.x < 0 || box.y < 0)) {
    fail(`source_box ${JSON.stringify(box)} has a negative coordinate or size`);
  }
  return {
    classId,
    imageFormat: imageFormat!,
    image: imageBytes,
    mask: maskBytes,
    width: image.width,
    height: image.height,
    maskArea,
    sourceImageId: instance.sourceImageId,
    sourceBox: box && box.width > 0 && box.height > 0 ? { x: box.x, y: box.y, width: box.width, height: box.height } : undefined,
  };
}

export function sniffFormat(bytes: Buffer): 'png' | 'jpeg' | undefined {
  if (bytes.subarray(0, PNG_MAGIC.length).equals(PNG_MAGIC)) return 'png';
  if (bytes.subarray(0, JPEG_MAGIC.length).equals(JPEG_MAGIC)) return 'jpeg';
  return undefined;
}

function describeBytes(bytes: Buffer): string {
  if (bytes.length === 0) return 'empty';
  return `${bytes.length} bytes starting ${bytes.subarray(0, 8).toString('hex')}`;
}

interface Decoded {
  width: number;
  height: number;
  channels: number;
  pixels: Buffer;
}

/** Reads the header first so that an oversized image is refused before it is decoded. */
async function decode(bytes: Buffer, maxSide: number): Promise<Decoded> {
  const meta = await sharp(bytes).metadata();
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width > maxSide || height > maxSide) {
    throw new Error(`it is ${width}x${height}, larger than the limit of ${maxSide} pixels per side`);
  }
  const { data, info } = await sharp(bytes, { failOn: 'truncated' })
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, pixels: data };
}

function countForeground(pixels: Buffer, channels: number): number {
  let count = 0;
  for (let i = 0; i < pixels.length; i += channels) {
    for (let c = 0; c < channels; c++) {
      if (pixels[i + c] !== 0) {
        count++;
        break;
      }
    }
  }
  return count;
}
