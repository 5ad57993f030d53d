import sharp from 'sharp';
import { ImageFormat, type Instance } from '@fmwiss/contracts';
import { InvalidArgumentError } from '@fmwiss/service-kit';
import { checkInstance, type InstanceLimits } from './instance-check';
import { synthesizeInstance } from './synthetic-instance';

const limits: InstanceLimits = { maxSide: 64, acceptedClassIds: null };

async function png(width: number, height: number, channels: 1 | 3, fill: number): Promise<Buffer> {
  return sharp(Buffer.alloc(width * height * channels, fill), { raw: { width, height, channels } }).png().toBuffer();
}

async function expectInvalid(instance: Instance, message: RegExp, custom: InstanceLimits = limits): Promise<void> {
  const error = await checkInstance(instance, custom, 'instance #4').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidArgumentError);
  expect((error as Error).message).toMatch(/^instance #4 \(source image 'src-1'\): /);
  expect((error as Error).message).toMatch(message);
}

describe('checkInstance', () => {
  let good: Instance;
  beforeAll(async () => {
    good = await synthesizeInstance({ classId: 3, seed: 1, width: 20, height: 12, sourceImageId: 'src-1' });
  });

  it('accepts a PNG crop with a same-size mask and measures it', async () => {
    const checked = await checkInstance(good, limits, 'instance #0');
    expect(checked).toMatchObject({ classId: 3, imageFormat: 'png', width: 20, height: 12, sourceImageId: 'src-1' });
    expect(checked.maskArea).toBeGreaterThan(50);
    expect(checked.maskArea).toBeLessThan(20 * 12);
  });

  it('accepts a JPEG crop', async () => {
    const jpeg = await sharp(Buffer.alloc(20 * 12 * 3, 100), { raw: { width: 20, height: 12, channels: 3 } }).jpeg().toBuffer();
    const checked = await checkInstance({ ...good, image: { format: ImageFormat.IMAGE_FORMAT_JPEG, data: jpeg } }, limits, 'i');
    expect(checked.imageFormat).toBe('jpeg');
  });

  it('refuses bytes that are not an image', async () => {
    await expectInvalid({ ...good, image: { format: 0, data: Buffer.from('hello world') } }, /image is 11 bytes starting 68656c6c6f20776f, not a PNG or JPEG/);
    await expectInvalid({ ...good, image: undefined }, /image is empty, not a PNG or JPEG/);
    await expectInvalid({ ...good, mask: { format: 0, data: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) } }, /mask is .* not a PNG file/);
  });

  it('refuses a declared format that does not match the bytes', async () => {
    await expectInvalid({ ...good, image: { format: ImageFormat.IMAGE_FORMAT_JPEG, data: good.image!.data } }, /declared JPEG but is a PNG/);
  });

  it('refuses a truncated PNG', async () => {
    const data = good.image!.data;
    await expectInvalid({ ...good, image: { format: 1, data: data.subarray(0, Math.floor(data.length * 0.6)) } }, /image cannot be decoded/);
  });

  it('refuses a mask whose size differs from the crop', async () => {
    await expectInvalid({ ...good, mask: { format: 1, data: await png(20, 11, 1, 255) } }, /mask is 20x11 but the image crop is 20x12/);
  });

  it('refuses an empty mask', async () => {
    await expectInvalid({ ...good, mask: { format: 1, data: await png(20, 12, 1, 0) } }, /mask is empty/);
  });

  it('reads a colour mask by any non-zero channel', async () => {
    const green = await sharp(Buffer.from(Array.from({ length: 20 * 12 }, () => [0, 128, 0]).flat()), {
      raw: { width: 20, height: 12, channels: 3 },
    }).png().toBuffer();
    const checked = await checkInstance({ ...good, mask: { format: 1, data: green } }, limits, 'i');
    expect(checked.maskArea).toBe(240);
  });

  it('refuses a crop above the size limit before decoding it', async () => {
    await expectInvalid({ ...good }, /larger than the limit of 8 pixels per side/, { maxSide: 8, acceptedClassIds: null });
  });

  it('refuses classes outside 1..254 and outside the archive', async () => {
    await expectInvalid({ ...good, classId: 0 }, /class_id 0 is not a foreground class/);
    await expectInvalid({ ...good, classId: 255 }, /class_id 255 is not a foreground class/);
    await expectInvalid(good, /class_id 3 is not one of the archive's classes \[1, 2\]/, { maxSide: 64, acceptedClassIds: new Set([1, 2]) });
  });
});
