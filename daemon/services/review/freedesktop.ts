/**
 * The freedesktop.org thumbnail layout, per review path (Media Reviewer):
 *   <review path>/.thumbnails/<bucket>/<md5 of the file:// URI>.png
 * Buckets follow the current spec: normal (128), large (256), x-large (512), xx-large (1024).
 * A thumbnail fits inside bucket x bucket, keeps its aspect ratio and carries tEXt chunks
 * Thumb::URI and Thumb::MTime (whole seconds of the source's mtime), so other freedesktop
 * consumers (file managers) can use and validate it. Pure functions, no I/O.
 */
import { createHash } from 'node:crypto';
import { crc32 } from '../catalogizer/archive/crc32.js';

export const THUMB_DIR = '.thumbnails';

export const BUCKETS = [
  { name: 'normal', size: 128 },
  { name: 'large', size: 256 },
  { name: 'x-large', size: 512 },
  { name: 'xx-large', size: 1024 },
] as const;

export type Bucket = (typeof BUCKETS)[number];

/** The smallest bucket whose size covers `size` (1..1024). */
export function bucketFor(size: number): Bucket {
  return BUCKETS.find((b) => size <= b.size) ?? BUCKETS[BUCKETS.length - 1];
}

/**
 * file:// URI of an absolute local path, percent-encoded the way GLib/Python's
 * Path.as_uri do: '/' and unreserved characters (A-Z a-z 0-9 - . _ ~) stay, every other
 * UTF-8 byte becomes %XX (upper case). The md5 of this string names the thumbnail.
 */
export function fileUri(absPath: string): string {
  let out = 'file://';
  for (const byte of Buffer.from(absPath, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~/]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Inverse of fileUri for URIs read back from thumbnails (undefined when not file://). */
export function pathFromFileUri(uri: string): string | undefined {
  if (!uri.startsWith('file://')) return undefined;
  try {
    return decodeURIComponent(uri.slice('file://'.length));
  } catch {
    return undefined;
  }
}

export function thumbName(absPath: string): string {
  return `${createHash('md5').update(fileUri(absPath)).digest('hex')}.png`;
}

/** Thumbnail path relative to the review path's root. */
export function thumbRelPath(absPath: string, bucket: Bucket): string {
  return `${THUMB_DIR}/${bucket.name}/${thumbName(absPath)}`;
}

// ---------------------------------------------------------------- PNG text chunks

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function textChunk(keyword: string, text: string): Buffer {
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const typeAndData = Buffer.concat([Buffer.from('tEXt', 'ascii'), data]);
  const out = Buffer.alloc(4 + typeAndData.length + 4);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 4 + typeAndData.length);
  return out;
}

/**
 * Returns `png` with tEXt chunks inserted right after IHDR (where readers look first).
 * Values must be Latin-1; a URI is ASCII by construction. Throws on a non-PNG input.
 */
export function addPngText(png: Buffer, entries: Record<string, string>): Buffer {
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('ascii', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG');
  }
  const ihdrEnd = 8 + 8 + png.readUInt32BE(8) + 4;
  const chunks = Object.entries(entries).map(([k, v]) => textChunk(k, v));
  return Buffer.concat([png.subarray(0, ihdrEnd), ...chunks, png.subarray(ihdrEnd)]);
}

/** tEXt chunks found before the first IDAT (enough for thumbnails written by addPngText). */
export function readPngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  if (png.length < 8 || !png.subarray(0, 8).equals(PNG_SIGNATURE)) return out;
  let pos = 8;
  while (pos + 8 <= png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    if (type === 'IDAT' || type === 'IEND' || pos + 12 + len > png.length) break;
    if (type === 'tEXt') {
      const data = png.subarray(pos + 8, pos + 8 + len);
      const nul = data.indexOf(0);
      if (nul > 0) out[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    }
    pos += 12 + len;
  }
  return out;
}
