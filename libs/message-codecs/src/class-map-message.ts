// fmwiss.v1.ClassMap <-> per-class maps in [0,1] at a known size.
import { MapEncoding, type ClassMap, type Tensor } from '@fmwiss/contracts';
import { InvalidArgumentError } from '@fmwiss/service-kit';

import { decodeTensor, encodeTensor } from './tensor-message';

/** A per-class soft map: values in [0,1], row-major [H,W]. */
export interface SoftClassMap {
  classId: number;
  values: Float32Array /* [H,W] */;
}

/**
 * Decodes a ClassMap to values in [0,1] at [height,width]. Accepted: FLOAT32 in [0,1]; UINT8, read
 * as a binary 0/1 mask when no value exceeds 1 and as round(255 p) otherwise; BOOL.
 */
export function decodeClassMap(map: ClassMap, size: { width: number; height: number }, what: string): SoftClassMap {
  const tensor = decodeTensor(map.map, `${what}.map`, { dtypes: ['float32', 'uint8', 'bool'], shape: [size.height, size.width] });
  const values = new Float32Array(size.width * size.height);
  if (tensor.dtype === 'float32') {
    const data = tensor.data as Float32Array;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!(v >= 0 && v <= 1)) throw new InvalidArgumentError(`${what}.map holds ${v} at pixel ${i}; FLOAT32 maps must lie in [0,1]`);
      values[i] = v;
    }
  } else {
    const data = tensor.data as Uint8Array;
    let max = 0;
    for (let i = 0; i < data.length; i++) if (data[i]! > max) max = data[i]!;
    const scale = tensor.dtype === 'bool' || max <= 1 ? 1 : 1 / 255;
    for (let i = 0; i < data.length; i++) values[i] = data[i]! === 0 ? 0 : Math.min(1, data[i]! * scale);
  }
  return { classId: map.classId, values };
}

/** A [H,W] map in [0,1] as a Tensor in the requested encoding (FLOAT32 or UINT8 round(255 p)). */
export function encodeSoftMap(values: Float32Array, width: number, height: number, encoding: MapEncoding, name = ''): Tensor {
  if (encoding === MapEncoding.MAP_ENCODING_UINT8) {
    const bytes = new Uint8Array(values.length);
    for (let i = 0; i < values.length; i++) bytes[i] = Math.round(255 * Math.min(1, Math.max(0, values[i]!)));
    return encodeTensor('uint8', [height, width], bytes, name);
  }
  return encodeTensor('float32', [height, width], values, name);
}

/** A binary [H,W] mask (0/1) as a UINT8 Tensor. */
export function encodeBinaryMask(mask: Uint8Array, width: number, height: number, name = ''): Tensor {
  return encodeTensor('uint8', [height, width], mask, name);
}

/** Checks an encoding enum value from a request (unknown values are refused, not defaulted). */
export function checkMapEncoding(encoding: MapEncoding, what: string): MapEncoding {
  if (encoding === MapEncoding.MAP_ENCODING_UNSPECIFIED || encoding === MapEncoding.MAP_ENCODING_FLOAT32) return MapEncoding.MAP_ENCODING_FLOAT32;
  if (encoding === MapEncoding.MAP_ENCODING_UINT8) return encoding;
  throw new InvalidArgumentError(`${what} has unknown map encoding ${encoding}`);
}
