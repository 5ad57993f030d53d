// Turning images into the `pixels` input of an image contract: resize to S x S (bilinear, no crop,
// aspect ratio not kept, so every patch maps back to a fixed region of the original image),
// scale to [0,1], normalise with the model's mean/std, planar NCHW.
import { hwcToChw, resizeBilinear, toFloatTensor, type RgbImage } from '@fmwiss/imaging';

import { float32Tensor, type HostTensor } from '../tensor';
import type { PixelContract } from './contracts';

/** `pixels` [B,3,S,S] for a batch of images of any sizes. */
export function imagesToPixels(images: readonly RgbImage[], contract: PixelContract): HostTensor<'float32'> {
  const side = contract.inputSize;
  const plane = 3 * side * side;
  const data = new Float32Array(images.length * plane) /* [B,3,S,S] */;
  images.forEach((image, index) => {
    const resized = image.width === side && image.height === side ? image : resizeBilinear(image, side, side);
    data.set(hwcToChw(toFloatTensor(resized, contract.mean, contract.std)), index * plane);
  });
  return float32Tensor([images.length, 3, side, side], data);
}
