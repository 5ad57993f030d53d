import { type RefineOptions } from '@fmwiss/contracts';
import { canonicalJson } from './content-key';
import { pseudoLabelKey, type MaskServiceInfo } from './pseudo-labels';

const info: MaskServiceInfo = {
  clipMask: {
    imageModel: { uri: 'onnx:models/mini-clip/clip-image.onnx', metadata: { a: '1', b: '2' } },
    textModel: { uri: 'onnx:models/mini-clip/clip-text.onnx', metadata: {} },
    defaultTemplates: ['a photo of a {}.'],
    defaultBackgroundPrompts: ['sky'],
    defaultTemperature: 0.01,
    maxImagePixels: 100,
  },
  seedRefiner: { model: { uri: 'onnx:models/mini-dino/vit-attention.onnx', metadata: {} }, defaultMassFraction: 0.7, defaultNumSeeds: 9, maxImagePixels: 100 },
};
const refine: RefineOptions = { binarization: 0, fusion: 0, includeIntermediates: false, encoding: 0 };
const base = { imageSha256: 'ab'.repeat(32), classes: [{ id: 16, name: 'pottedplant', promptName: 'potted plant' }], refine, templates: [], info };

describe('pseudoLabelKey', () => {
  it('depends on the image, the classes, the options, the templates and both services\' models', () => {
    const key = pseudoLabelKey(base);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const variants = [
      { ...base, imageSha256: 'cd'.repeat(32) },
      { ...base, classes: [{ id: 16, name: 'pottedplant', promptName: 'plant' }] },
      { ...base, refine: { ...refine, fusion: 2 } },
      { ...base, refine: { ...refine, numSeeds: 3 } },
      { ...base, templates: ['{}'] },
      { ...base, info: { ...info, clipMask: { ...info.clipMask, imageModel: { uri: 'onnx:other.onnx', metadata: {} } } } },
      { ...base, info: { ...info, seedRefiner: { ...info.seedRefiner, defaultNumSeeds: 27 } } },
      { ...base, info: { ...info, clipMask: { ...info.clipMask, defaultTemplates: ['{}'] } } },
    ];
    for (const variant of variants) expect(pseudoLabelKey(variant)).not.toBe(key);
  });

  it('ignores what does not change the labels: intermediates, map encoding, metadata order, the pixel limit', () => {
    const key = pseudoLabelKey(base);
    expect(pseudoLabelKey({ ...base, refine: { ...refine, includeIntermediates: true, encoding: 2 } })).toBe(key);
    const reordered = { ...info, clipMask: { ...info.clipMask, maxImagePixels: 5, imageModel: { uri: info.clipMask.imageModel!.uri, metadata: { b: '2', a: '1' } } } };
    expect(pseudoLabelKey({ ...base, info: reordered })).toBe(key);
    // Default templates only matter when the run sends none.
    expect(pseudoLabelKey({ ...base, templates: ['{}'], info: { ...info, clipMask: { ...info.clipMask, defaultTemplates: ['x {}'] } } })).toBe(pseudoLabelKey({ ...base, templates: ['{}'] }));
  });

  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, { f: 1, e: 0 }] } })).toBe('{"a":{"c":[2,{"e":0,"f":1}]},"b":1}');
  });
});
