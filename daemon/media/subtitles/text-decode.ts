/**
 * Subtitle text decoding without chardet/iconv-lite: enough for what sidecar files are
 * in practice.
 *   UTF-8 BOM            -> UTF-8 (BOM dropped)
 *   UTF-16 LE / BE BOM   -> UTF-16 (TextDecoder 'utf-16le' / manual byte swap for BE)
 *   valid UTF-8          -> UTF-8 (strict decoder: any invalid sequence fails)
 *   anything else        -> Windows-1252 (a superset of printable Latin-1: what legacy
 *                           Western subtitles are; WHATWG maps 'latin1' to it as well;
 *                           decoded with our own table, see decodeWindows1252)
 * Pure.
 */

export type DetectedEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export function detectEncoding(bytes: Uint8Array): DetectedEncoding {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8-bom';
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/** Decode subtitle bytes to a JS string (no BOM), detecting the encoding as above. */
export function decodeSubtitleText(bytes: Uint8Array): { text: string; encoding: DetectedEncoding } {
  const encoding = detectEncoding(bytes);
  let text: string;
  switch (encoding) {
    case 'utf-8-bom': text = new TextDecoder('utf-8').decode(bytes.subarray(3)); break;
    case 'utf-16le': text = new TextDecoder('utf-16le').decode(bytes.subarray(2)); break;
    case 'utf-16be': {
      // Node's TextDecoder (small-icu builds) may lack utf-16be: swap bytes and read LE.
      const body = bytes.subarray(2);
      const swapped = new Uint8Array(body.length - (body.length % 2));
      for (let i = 0; i + 1 < body.length; i += 2) { swapped[i] = body[i + 1]; swapped[i + 1] = body[i]; }
      text = new TextDecoder('utf-16le').decode(swapped);
      break;
    }
    case 'utf-8': text = new TextDecoder('utf-8').decode(bytes); break;
    default: text = decodeWindows1252(bytes);
  }
  return { text: text.replace(/^\uFEFF/, ''), encoding };
}

/**
 * Windows-1252 differs from Latin-1 only in 0x80-0x9F (curly quotes, dashes, euro...).
 * Node 20's TextDecoder('windows-1252') decodes that range as Latin-1 control codes, so
 * the table is applied here.
 */
const CP1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    const chunk = bytes.subarray(i, i + 4096);
    out += String.fromCharCode(...Array.from(chunk, (b) => (b >= 0x80 && b <= 0x9f ? CP1252_80_9F[b - 0x80] : b)));
  }
  return out;
}
