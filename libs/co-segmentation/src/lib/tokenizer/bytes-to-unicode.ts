/**
 * GPT-2/CLIP's reversible byte-to-character table: every byte 0..255 maps to one printable Unicode
 * character, so BPE can work on strings without whitespace or control characters. The printable
 * bytes '!'..'~', '¡'..'¬' and '®'..'ÿ' map to themselves; the remaining 68 bytes, in ascending
 * order, map to U+0100, U+0101, ... (so space 0x20 becomes 'Ġ' U+0120).
 */
function buildTable(): readonly string[] {
  const printable = (b: number): boolean => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    table.push(String.fromCharCode(printable(b) ? b : 256 + n++));
  }
  return Object.freeze(table);
}

const TABLE = buildTable();

/** The table as an array: `bytesToUnicode()[byte]` is the byte's character. */
export function bytesToUnicode(): readonly string[] {
  return TABLE;
}

const encoder = new TextEncoder();

/** The UTF-8 bytes of `text`, each replaced by its character from the table. */
export function byteEncode(text: string): string {
  let out = '';
  for (const byte of encoder.encode(text)) out += TABLE[byte];
  return out;
}
