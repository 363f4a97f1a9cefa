/**
 * The OpenSubtitles "moviehash": file size + the sum of the first and last 64 KiB read as
 * little-endian uint64 words, modulo 2^64, as 16 hex digits. Reads 128 KiB through the
 * storage adapter (ranged), so it is cheap for remote roots too. Files under 128 KiB: none.
 */
import type { Readable } from 'node:stream';
import type { StorageAdapter } from '../../../../storage-adapters/types.js';

const CHUNK = 65_536;
const MASK = (1n << 64n) - 1n;

async function readRange(adapter: StorageAdapter, path: string, start: number, signal?: AbortSignal): Promise<Buffer> {
  const stream = await adapter.createReadStream(path, { start, end: start + CHUNK - 1, signal });
  const parts: Buffer[] = [];
  for await (const chunk of stream as Readable) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

export function movieHashOf(size: number, head: Buffer, tail: Buffer): string {
  let sum = BigInt(size);
  for (const buf of [head, tail]) {
    for (let i = 0; i + 8 <= buf.length; i += 8) sum = (sum + buf.readBigUInt64LE(i)) & MASK;
  }
  return sum.toString(16).padStart(16, '0');
}

export async function movieHash(adapter: StorageAdapter, path: string, size: number, signal?: AbortSignal): Promise<string | undefined> {
  if (size < CHUNK * 2) return undefined;
  const [head, tail] = await Promise.all([readRange(adapter, path, 0, signal), readRange(adapter, path, size - CHUNK, signal)]);
  return movieHashOf(size, head, tail);
}
