/**
 * The Pascal VOC colour map: 256 RGB entries (shape [256,3], row-major), as the VOC devkit's `labelcolormap`
 * builds it. Bits 0, 1 and 2 of the index give the top bit of r, g and b; the next three bits the
 * next bit down; and so on. 0 = (0,0,0) background, 1 = (128,0,0) aeroplane, 15 = (192,128,128)
 * person, 255 = (224,224,192) ignore.
 */
export const VOC_PALETTE: Uint8Array = buildVocPalette();

function buildVocPalette(): Uint8Array {
  const palette = new Uint8Array(256 * 3);
  for (let index = 0; index < 256; index++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let bits = index;
    for (let shift = 7; shift >= 0; shift--) {
      r |= (bits & 1) << shift;
      g |= ((bits >> 1) & 1) << shift;
      b |= ((bits >> 2) & 1) << shift;
      bits >>= 3;
    }
    palette[index * 3] = r;
    palette[index * 3 + 1] = g;
    palette[index * 3 + 2] = b;
  }
  return palette;
}
