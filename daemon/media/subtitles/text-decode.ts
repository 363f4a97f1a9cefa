/**
 * Subtitle text decoding without chardet/iconv-lite: enough for what sidecar files are
 * in practice.
 *   UTF-8 BOM            -> UTF-8 (BOM dropped)
 *   UTF-16 LE / BE BOM   -> UTF-16 (TextDecoder 'utf-16le' / manual byte swap for BE)
 *   valid UTF-8          -> UTF-8 (strict decoder: any invalid sequence fails)
 *   anything else        -> Windows-1252 (a superset of printable Latin-1: what legacy
 *                           Western subtitles are; WHATWG maps 'latin1' to it as well)
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
    default: text = new TextDecoder('windows-1252').decode(bytes);
  }
  return { text: text.replace(/^\uFEFF/, ''), encoding };
}
