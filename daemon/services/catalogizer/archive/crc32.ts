/**
 * CRC-32 (IEEE 802.3, the zip/gzip/PNG polynomial), incremental: crc32(chunk, previous).
 * Shared by the archive writers and the freedesktop PNG thumbnail writer.
 * Uses node:zlib's native crc32 (Node >= 20.15, ~GB/s); falls back to a byte table on older
 * runtimes so the archive writers never depend on the runtime's minor version.
 */
import * as zlib from 'node:zlib';

type Crc32Fn = (data: Uint8Array, value?: number) => number;

const native = (zlib as unknown as { crc32?: Crc32Fn }).crc32;

let table: Uint32Array | undefined;
function buildTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** Table implementation (exported for tests: it must agree with the native one). */
export function crc32Table(data: Uint8Array, previous = 0): number {
  const t = (table ??= buildTable());
  let c = (previous ^ 0xFFFFFFFF) >>> 0;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xFF] ^ (c >>> 8);
  return (c ^ 0xFFFFFFFF) >>> 0;
}

/** CRC-32 of `data`, continuing from `previous` (0 for a fresh checksum). */
export function crc32(data: Uint8Array, previous = 0): number {
  return native ? native(data, previous) >>> 0 : crc32Table(data, previous);
}

export const hasNativeCrc32 = Boolean(native);
