/** An 8-bit RGB image, row-major: pixel (x, y) channel c is `data[(y * width + x) * 3 + c]`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array /* [H,W,3] */;
}

/** A label map: one class id per pixel, row-major; 255 = ignore. */
export interface LabelImage {
  width: number;
  height: number;
  data: Uint8Array /* [H,W] */;
}

/** A float image or tensor, row-major with interleaved channels. */
export interface FloatImage {
  width: number;
  height: number;
  channels: number;
  data: Float32Array /* [H,W,C] */;
}

/** The label value that marks pixels to ignore (object borders, padding). */
export const IGNORE_LABEL = 255;

function checkSize(kind: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${kind} needs positive integer width and height, got ${width}x${height}`);
  }
}

/** Throws a RangeError unless `image` is a well-formed RgbImage (positive size, data of H*W*3 bytes). */
export function assertRgbImage(image: RgbImage, name = 'image'): void {
  checkSize(name, image.width, image.height);
  const expected = image.width * image.height * 3;
  if (!(image.data instanceof Uint8Array) || image.data.length !== expected) {
    throw new RangeError(
      `${name} ${image.width}x${image.height} RGB needs ${expected} bytes of data, got ${describeData(image.data)}`,
    );
  }
}

/** Throws a RangeError unless `labels` is a well-formed LabelImage (positive size, data of H*W bytes). */
export function assertLabelImage(labels: LabelImage, name = 'labels'): void {
  checkSize(name, labels.width, labels.height);
  const expected = labels.width * labels.height;
  if (!(labels.data instanceof Uint8Array) || labels.data.length !== expected) {
    throw new RangeError(
      `${name} ${labels.width}x${labels.height} needs ${expected} bytes of data (one per pixel), got ${describeData(labels.data)}`,
    );
  }
}

/** Throws a RangeError unless `image` is a well-formed FloatImage (data of H*W*C float32 values). */
export function assertFloatImage(image: FloatImage, name = 'image'): void {
  checkSize(name, image.width, image.height);
  if (!Number.isInteger(image.channels) || image.channels < 1) {
    throw new RangeError(`${name} needs a positive integer channel count, got ${image.channels}`);
  }
  const expected = image.width * image.height * image.channels;
  if (!(image.data instanceof Float32Array) || image.data.length !== expected) {
    throw new RangeError(
      `${name} ${image.width}x${image.height}x${image.channels} needs ${expected} float32 values, got ${describeData(image.data)}`,
    );
  }
}

function describeData(data: unknown): string {
  if (ArrayBuffer.isView(data)) return `${data.constructor.name} of length ${(data as Uint8Array).length}`;
  return typeof data;
}
