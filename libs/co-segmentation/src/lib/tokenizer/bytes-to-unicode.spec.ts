import { byteEncode, bytesToUnicode } from './bytes-to-unicode';

describe('bytesToUnicode', () => {
  const table = bytesToUnicode();

  it('maps all 256 bytes to distinct single characters', () => {
    expect(table).toHaveLength(256);
    expect(new Set(table).size).toBe(256);
    for (const char of table) expect(char).toHaveLength(1);
  });

  it('keeps the printable bytes and shifts the others past U+00FF in byte order', () => {
    expect(table[0x21]).toBe('!');
    expect(table[0x7e]).toBe('~');
    expect(table[0xa1]).toBe('¡');
    expect(table[0xff]).toBe('ÿ');
    expect(table[0x00]).toBe('\u0100'); // the first non-printable byte
    expect(table[0x20]).toBe('Ġ'); // space: 33rd non-printable byte, U+0100 + 32
    expect(table[0x7f]).toBe('\u0121'); // DEL: after 0x00..0x20 (33 bytes)
    expect(table[0xad]).toBe('Ń'); // soft hyphen: 33 + 34 (0x7f..0xa0) = 67th, U+0143
  });

  it('byte-encodes UTF-8 text', () => {
    expect(byteEncode('cat')).toBe('cat');
    expect(byteEncode(' a')).toBe('Ġa');
    expect(byteEncode('é')).toBe('Ã©'); // C3 A9, both printable
    expect(byteEncode('€')).toBe('âĤ¬'); // E2 82 AC; 0x82 is the 37th non-printable byte -> U+0124
  });
});
