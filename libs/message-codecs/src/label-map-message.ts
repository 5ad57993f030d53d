// Label maps (one class id per pixel) <-> fmwiss.v1.LabelMap.
import { ImageFormat, type LabelMap } from '@fmwiss/contracts';
import { decodeLabelPng, encodeLabelPng, ImageError, type LabelImage } from '@fmwiss/imaging';
import { InvalidArgumentError } from '@fmwiss/service-kit';

import { decodeTensor } from './tensor-message';

/** A label map as an 8-bit palette PNG (VOC palette), the form services return. */
export function encodeLabelMapMessage(labels: LabelImage): LabelMap {
  return { source: { $case: 'encoded', encoded: { format: ImageFormat.IMAGE_FORMAT_PNG, data: encodeLabelPng(labels) } } };
}

/** Decodes a LabelMap message (PNG or UINT8 [H,W] tensor); INVALID_ARGUMENT when it is neither. */
export function decodeLabelMapMessage(map: LabelMap | undefined, what: string): LabelImage {
  const source = map?.source;
  if (!source) throw new InvalidArgumentError(`${what} has neither encoded bytes nor a labels tensor`);
  if (source.$case === 'labels') {
    const tensor = decodeTensor(source.labels, `${what} labels`, { dtypes: ['uint8'], shape: [null, null] });
    const [height, width] = tensor.shape as [number, number];
    return { width, height, data: tensor.data };
  }
  try {
    return decodeLabelPng(source.encoded.data, what);
  } catch (error) {
    if (error instanceof ImageError) throw new InvalidArgumentError(error.message, { cause: error });
    throw error;
  }
}
