import { InvalidArgumentError } from '@fmwiss/service-kit';

/**
 * The size of a 2-D map: a patch grid [h,w] or an image [H,W]. Maps are row-major Float32Array or
 * Uint8Array of height * width values; location (x, y) is index y * width + x.
 */
export interface MapSize {
  height: number;
  width: number;
}

/** A point in image pixels: column x in [0, W), row y in [0, H). */
export interface Point {
  x: number;
  y: number;
}

/** Constructor of the error a check throws (InvalidArgumentError for caller input, InternalError for model output). */
export type ErrorFactory = new (message: string) => Error;

/** `[2,3]` for messages. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws unless `size` has positive integer height and width. */
export function checkMapSize(name: string, size: MapSize, error: ErrorFactory = InvalidArgumentError): void {
  const { height, width } = size ?? ({} as MapSize);
  if (!Number.isSafeInteger(height) || !Number.isSafeInteger(width) || height < 1 || width < 1) {
    throw new error(`${name} must have positive integer height and width, got ${height}x${width}`);
  }
}

/** Throws unless `data` holds exactly product(shape) values. */
export function checkLength(
  name: string,
  data: ArrayLike<number>,
  shape: readonly number[],
  error: ErrorFactory = InvalidArgumentError,
): void {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (data == null || data.length !== expected) {
    throw new error(`${name} ${shapeText(shape)} needs ${expected} values, got ${data == null ? String(data) : data.length}`);
  }
}

/** Throws unless `value` is a positive safe integer. */
export function checkPositiveInteger(name: string, value: number, error: ErrorFactory = InvalidArgumentError): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new error(`${name} must be a positive integer, got ${value}`);
  }
}

/** Throws unless K is in (0, 1]. */
export function checkFraction(name: string, value: number, error: ErrorFactory = InvalidArgumentError): void {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new error(`${name} must be in (0, 1], got ${value}`);
  }
}
