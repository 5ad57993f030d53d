// fmwiss.v1.Image -> RGB pixels, with the service's pixel limit checked before anything is decoded.
import type { Image } from '@fmwiss/contracts';
import { decodeImage, ImageError, readImageSize, type RgbImage } from '@fmwiss/imaging';
import { InvalidArgumentError } from '@fmwiss/service-kit';

import { decodeTensor } from './tensor-message';

export interface DecodeImageOptions {
  /** Largest width * height accepted. */
  maxPixels: number;
}

/** Human name of an image in errors: its id when the caller gave one. */
export function describeImage(image: Image | undefined, fallback = 'image'): string {
  return image?.imageId ? `image "${image.imageId}"` : fallback;
}

/**
 * Decodes an Image message (encoded PNG/JPEG, or a UINT8 [H,W,3] tensor). Throws InvalidArgumentError
 * for a missing image, bytes that are no image, a truncated file, a bad tensor, or an image above
 * `maxPixels` (checked from the header, before decoding).
 */
export async function decodeImageMessage(image: Image | undefined, options: DecodeImageOptions): Promise<RgbImage> {
  const what = describeImage(image);
  const source = image?.source;
  if (!source) throw new InvalidArgumentError(`${what} has neither encoded bytes nor pixels`);
  const checkSize = (width: number, height: number): void => {
    if (width * height > options.maxPixels) {
      throw new InvalidArgumentError(`${what} is ${width}x${height} = ${width * height} pixels, above this server's limit of ${options.maxPixels}`);
    }
  };
  if (source.$case === 'pixels') {
    const tensor = decodeTensor(source.pixels, `${what} pixels`, { dtypes: ['uint8'], shape: [null, null, 3], maxElements: Number.MAX_SAFE_INTEGER });
    const [height, width] = tensor.shape as [number, number, number];
    if (width === 0 || height === 0) throw new InvalidArgumentError(`${what} pixels are empty (shape [${tensor.shape.join(',')}])`);
    checkSize(width, height);
    return { width, height, data: tensor.data };
  }
  const bytes = source.encoded.data;
  try {
    const size = await readImageSize(bytes, what);
    checkSize(size.width, size.height);
    return await decodeImage(bytes, what);
  } catch (error) {
    if (error instanceof ImageError) throw new InvalidArgumentError(error.message, { cause: error });
    throw error;
  }
}
