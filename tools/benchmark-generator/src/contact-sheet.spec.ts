import { decodeImage } from '@fmwiss/imaging';
import { makeContactSheet, overlayLabels } from './contact-sheet';

describe('contact sheet', () => {
  it('renders one row per class with image crops and label overlays', async () => {
    const png = await makeContactSheet({ seed: 1, size: 64, examples: 2, cell: 32 });
    const sheet = await decodeImage(png, 'sheet');
    expect(sheet.width).toBe(120 + 2 * (2 * 32 + 12));
    expect(sheet.height).toBe(20 * (32 + 6) + 6);
  });

  it('blends label colours over the image, 255 white, background dimmed', () => {
    const image = { width: 3, height: 1, data: new Uint8Array([100, 100, 100, 100, 100, 100, 100, 100, 100]) };
    const labels = { width: 3, height: 1, data: new Uint8Array([0, 15, 255]) };
    const out = overlayLabels(image, labels).data;
    expect([...out.subarray(0, 3)]).toEqual([35, 35, 35]);
    expect([...out.subarray(6, 9)]).toEqual([255, 255, 255]);
    expect(out[3]).toBe(Math.round(100 * 0.45 + 192 * 0.55)); // person = (192,128,128)
  });
});
