export {
  assertFloatImage,
  assertLabelImage,
  assertRgbImage,
  IGNORE_LABEL,
  type FloatImage,
  type LabelImage,
  type RgbImage,
} from './types';
export { ImageError } from './image-error';
export { decodeImage, encodeJpeg, encodePng, readImageFile, readImageSize } from './image-codec';
export { decodeLabelPng, encodeGrayPng, encodeLabelPng, MAX_LABEL_PIXELS, readLabelFile } from './label-png';
export { VOC_PALETTE } from './voc-palette';
export { resizeBilinear, resizeBilinearWindow, resizeNearest, resizeNearestWindow, type ResizeWindow } from './resize';
export { centerCropOrPadImage, centerCropOrPadLabels, centerOffset, cutWindow, DEFAULT_IMAGE_FILL } from './crop';
export {
  mapPointToAugmented,
  randomScaleCropFlip,
  type AugmentedSample,
  type LabelledImage,
  type ScaleCropFlipOptions,
  type ScaleCropFlipTransform,
} from './augment';
export { hwcToChw, IMAGENET_MEAN, IMAGENET_STD, toFloatTensor } from './normalize';
